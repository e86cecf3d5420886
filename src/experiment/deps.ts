/**
 * RunDeps: everything an experiment touches outside its own memory — AWS clients, the clock, randomness, the
 * interrupt signal, the event sink, the operator's confirmation, and factories for the load probe and the
 * capacity watcher — built in one place (`realDeps` for the CLI). Tests build it with fakes (a manual clock,
 * a scripted probe, a scripted watcher) and drive runExperiment in-process to every refusal, interrupt and
 * rollback path; nothing in experiment or fault code reads Date.now() or sets a timer except through here.
 */
import { randomBytes } from 'node:crypto';
import type { AwsClients } from '../aws/clients.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Rng } from '../core/random.js';
import type { SecondSummary } from '../observe/buckets.js';
import { CapacityWatcher, snapshotCapacity, type CapacityEvent, type CapacitySnapshot, type CapacityWatchOptions } from '../observe/capacity-watch.js';
import { checkProbeRate, type RateCheck } from '../observe/calibrate.js';
import { LoadProbe, type ProbeOptions, type ProbeSummary } from '../observe/load-probe.js';
import type { CertificateProblem } from './baseline-refusal.js';
import type { Plan, TimelineEntry } from './types.js';

export type RunEvent =
  | { type: 'phase'; phase: string }
  | { type: 'plan'; plan: Plan }
  | { type: 'timeline'; entry: TimelineEntry }
  /** What is injected right now, in words; empty once everything is rolled back. */
  | { type: 'damage'; experimentId: string; items: string[] }
  | { type: 'second'; second: SecondSummary; capacity: CapacitySnapshot | undefined };

/** What the runner needs of a load probe (LoadProbe in production). */
export interface Probe {
  on(event: 'second', fn: (s: SecondSummary) => void): unknown;
  off(event: 'second', fn: (s: SecondSummary) => void): unknown;
  /** Runs until its duration is over or its signal aborts; resolves with every second measured. */
  run(): Promise<ProbeSummary>;
  /** Epoch ms from which the first failure is tracked (t0). */
  markFrom(epochMs: number): void;
  /** The first certificate failure seen, with the names the certificate covers (for the baseline's refusal). */
  certificateProblem?(): CertificateProblem | undefined;
}

/** What the runner needs of a capacity watcher (CapacityWatcher in production). */
export interface Watcher {
  on(event: 'snapshot', fn: (s: CapacitySnapshot) => void): unknown;
  on(event: 'event', fn: (e: CapacityEvent) => void): unknown;
  on(event: 'error', fn: (err: unknown) => void): unknown;
  start(): void;
  stop(): void;
  readonly latest: CapacitySnapshot | undefined;
  readonly polls: number;
}

export interface RunDeps {
  clients: AwsClients;
  clock: Clock;
  rng: Rng;
  /** Aborted on SIGINT/SIGTERM: the run stops observing, rolls back, reports, exits 130. */
  signal: AbortSignal;
  emit: (e: RunEvent) => void;
  /** Asks the operator; resolves false to refuse. Not called with --yes or --dry-run. */
  confirm: (plan: Plan) => Promise<boolean>;
  version: string;
  /** A fresh, unique experiment id (it names the journal folder and every tag). */
  newExperimentId(): string;
  /** One reading of the group and its target groups. */
  snapshot(o: Omit<CapacityWatchOptions, 'pollMs' | 'now'>): Promise<CapacitySnapshot>;
  createProbe(o: ProbeOptions): Probe;
  createWatcher(o: Omit<CapacityWatchOptions, 'now'>, baseline: CapacitySnapshot): Watcher;
  /** Whether this machine's probe can hold `rate` (a loopback calibration, observe/calibrate.ts); absent: not checked. */
  checkProbeRate?: (rate: number) => Promise<RateCheck>;
}

export function newExperimentId(now: number): string {
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `exp-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The production wiring: the system clock, the real probe (raw sockets) and the real watcher (AWS polling). */
export function realDeps(o: Pick<RunDeps, 'clients' | 'rng' | 'signal' | 'emit' | 'confirm' | 'version'>): RunDeps {
  const clock = systemClock;
  return {
    ...o,
    clock,
    newExperimentId: () => newExperimentId(clock.now()),
    snapshot: (w) => snapshotCapacity(o.clients, { ...w, now: clock.now }),
    createProbe: (p) => new LoadProbe(p),
    createWatcher: (w, baseline) => new CapacityWatcher(o.clients, { ...w, now: clock.now }, baseline),
    checkProbeRate: (rate) => checkProbeRate(rate),
  };
}
