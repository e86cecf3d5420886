/**
 * The run's record: what the experiment observed and decided, as it happened — timeline marks, probe seconds,
 * capacity samples, steady-state checks, the plan, t0, the rollback. It only records (times stay absolute,
 * epoch ms); buildReport (build-report.ts) turns a record into the versioned Report, and recovery questions
 * asked while the run is live go through the same pure functions (recovery-now.ts), so the report and the
 * runner's "recovered yet?" can never disagree.
 */
import type { CapacityEvent, CapacitySnapshot } from '../observe/capacity-watch.js';
import type { SecondSummary } from '../observe/buckets.js';
import type { FaultEvent } from '../faults/types.js';
import type { UnwindResult } from './rollbacks.js';
import type { CapacitySample, Plan, Report, TimelineEntry } from './types.js';

export interface Mark {
  atMs: number;
  event: string;
  detail?: string;
  [k: string]: unknown;
}

export interface Recorded {
  id: string;
  startedAt: number;
  marks: Mark[];
  seconds: SecondSummary[];
  samples: CapacitySample[];
  steady: Report['steadyState']['checks'];
  plan: Plan | undefined;
  t0: number | null;
  holdMs: number;
  baselineHealthy: number;
  desired: number;
  rollback: UnwindResult | undefined;
  recoverCommand: string;
  stopFiredAt: number | null;
  /** A stop condition the engine saw fire on its side (FIS stopped on an alarm): its name and reason. */
  engineStop?: { name: string; detail: string };
}

// Units InService are kept only for weighted groups (unweighted, they equal inService: reports stay as they were).
const sample = (s: CapacitySnapshot): CapacitySample => ({ atMs: s.atMs, desired: s.desired, inService: s.inService, ...(s.unit ? { capacity: s.capacity } : {}), healthy: s.healthy });

export class Recorder {
  readonly r: Recorded;

  constructor(id: string, startedAt: number) {
    this.r = {
      id,
      startedAt,
      marks: [],
      seconds: [],
      samples: [],
      steady: [],
      plan: undefined,
      t0: null,
      holdMs: 0,
      baselineHealthy: 0,
      desired: 0,
      rollback: undefined,
      recoverCommand: '',
      stopFiredAt: null,
    };
  }

  setBaselineCapacity(s: CapacitySnapshot): void {
    this.r.baselineHealthy = s.healthy;
    this.r.desired = s.desired;
    this.r.samples.push(sample(s));
  }

  addSteadyChecks(checks: Report['steadyState']['checks']): void {
    this.r.steady.push(...checks);
  }

  setPlan(p: Plan): void {
    this.r.plan = p;
  }

  /** t0, and the hold (if any): the recovery timeout counts from the end of the hold. */
  setInjected(t0: number, holdMs: number): TimelineEntry {
    this.r.t0 = t0;
    this.r.holdMs = holdMs;
    const ids = this.r.plan?.fault.targets.map((t) => `${t.instanceId} (${t.availabilityZone})`).join(', ') ?? '';
    return this.mark('fault-injected', t0, `${this.r.plan?.fault.kind}: ${ids}`);
  }

  /** Records an event of the experiment itself; returns it as a timeline entry for live renderers. */
  mark(event: string, atMs: number, detail?: string): TimelineEntry {
    return this.add({ atMs, event, ...(detail ? { detail } : {}) });
  }

  addCapacityEvent(e: CapacityEvent): TimelineEntry {
    return this.add({ ...e });
  }

  addFaultEvent(e: FaultEvent): TimelineEntry {
    return this.add({ ...e });
  }

  /** An event with its own fields (a scaling activity, a contaminating loss, a timeout's blockers). */
  addEvent(m: Mark): TimelineEntry {
    return this.add({ ...m });
  }

  setRollback(r: UnwindResult, recoverCommand: string): void {
    this.r.rollback = r;
    this.r.recoverCommand = recoverCommand;
  }

  setStopFired(atMs: number, detail: string): TimelineEntry {
    this.r.stopFiredAt = atMs;
    return this.mark('stop-condition', atMs, this.r.engineStop ? `${this.r.engineStop.name}: ${this.r.engineStop.detail}` : detail);
  }

  noteEngineStop(name: string, detail: string): void {
    this.r.engineStop ??= { name, detail };
  }

  addSample(s: CapacitySnapshot): void {
    this.r.samples.push(sample(s));
  }

  addSecond(s: SecondSummary): void {
    this.r.seconds.push(s);
  }

  /** The probe's final summary holds every second, including ones finished after observing stopped. */
  replaceSeconds(all: SecondSummary[]): void {
    this.r.seconds.splice(0, this.r.seconds.length, ...all);
  }

  private add(m: Mark): TimelineEntry {
    this.r.marks.push(m);
    return toEntry(m, this.r.t0 ?? this.r.startedAt);
  }
}

/** A mark as the report shows it: ms since `base` (t0, or the start when nothing was injected) plus ISO time. */
export function toEntry(m: Mark, base: number): TimelineEntry {
  return { ...m, atMs: m.atMs - base, at: new Date(m.atMs).toISOString() };
}
