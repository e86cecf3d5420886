/**
 * In-process runner harness: runExperiment driven through its Deps seam, against a sandbox on port 0.
 *
 * - AWS is real: the sandbox (sample stack) through the real SDK clients (createClients, the CLI's own
 *   factory), so every AWS-side effect is asserted from the sandbox's ground truth, never from a fake.
 * - Time is a ManualClock: the runner's own deadlines (baseline window, hold end, recovery deadline, rollback
 *   window and backoff) move only when the harness advances it. A driver advances it in small steps on real
 *   time (SPEED virtual ms per real ms) so the real sandbox keeps up, and a script can PAUSE it while it
 *   awaits a sandbox event (e.g. "the victim is stopped") or JUMP it to a deadline. Capacity snapshots and
 *   watcher polls are stamped with the manual clock, so all of a run's times share one timeline.
 * - The load probe is scripted: it emits one `second` per virtual second (contiguous, as the real probe does),
 *   whose outcome the test decides ('ok' | 'fail' | 'saturated'), and resolves with a summary of what it
 *   emitted when its signal aborts. The capacity watcher is the real one (AWS polling, pollMs real time).
 *
 * Tests assert what the runner DID (exit code, verdict, reason, report, emitted events, journal, the sandbox's
 * world), never what the probe script said.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkAclsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { createClients, type AwsClients } from '../../src/aws/clients.js';
import { createRng } from '../../src/core/random.js';
import { validateRunOptions, type RawRunOptions, type RunConfig } from '../../src/experiment/config.js';
import { newExperimentId, type RunDeps, type RunEvent } from '../../src/experiment/deps.js';
import { Journal, type JournalEntry } from '../../src/experiment/journal.js';
import { runExperiment, type RunOutcome } from '../../src/experiment/runner.js';
import type { Plan, Report } from '../../src/experiment/types.js';
import { CapacityWatcher, snapshotCapacity } from '../../src/observe/capacity-watch.js';
import { SANDBOX_CREDENTIALS, setKnobs, startEmbeddedSandbox, type EmbeddedSandbox, type Knobs, type SandboxEvent, type StackOptions } from '../../src/sandbox/index.js';
import { ManualClock } from '../experiment/support/manual-clock.js';
import { ScriptedProbe, type SecondKind } from '../experiment/support/scripted-probe.js';
import { waitForWorldEvent } from './sandbox.js';

export { ManualClock, ScriptedProbe, type SecondKind };

/** One in-process run as it goes: what a script can see and do at each event. */
export interface RunHandle {
  clock: ManualClock;
  sb: InProcessSandbox;
  events: RunEvent[];
  /** The run's interrupt (what SIGINT aborts in the CLI). */
  abort(): void;
  /** Stops the clock until `p` settles (e.g. while awaiting a sandbox event); the run waits with it. */
  pauseWhile(p: Promise<unknown>): void;
  /** Moves the clock by `ms` at once (timers due on the way fire; the probe emits the seconds passed). */
  jump(ms: number): void;
  /** Sandbox knobs, applied synchronously (so a knob set inside `on` holds for the very next AWS call). */
  setKnobs(patch: Partial<Knobs>): void;
  readonly probe: ScriptedProbe | undefined;
  readonly snapshots: number;
}

export interface RunScript {
  /** Outcome of probe second `t` (default: every second ok). `phase` is the runner's latest phase. */
  second?(t: number, ctx: { phase: string; injected: boolean }): SecondKind;
  /** Called synchronously at every event the runner emits. */
  on?(e: RunEvent, h: RunHandle): void;
  /** Called before the n-th capacity snapshot (1: planning, 2: the recheck right before injecting). */
  beforeSnapshot?(n: number, h: RunHandle): Promise<void> | void;
  /** The operator's answer when the run is not --yes (default true). */
  confirm?: (plan: Plan) => Promise<boolean>;
  /** Every emit throws after recording (a broken renderer). */
  throwingEmit?: boolean;
  /** Let the clock run while AWS calls are in flight (default: held, see the driver). */
  clockRunsDuringCalls?: boolean;
  /** Other AWS clients than the sandbox's own (e.g. through a proxy). */
  clients?: AwsClients;
  /** The plan-time probe rate check (production: a loopback calibration); default: not checked. */
  checkProbeRate?: RunDeps['checkProbeRate'];
}

export interface InProcessResult {
  outcome?: RunOutcome;
  /** What runExperiment threw (it throws only before discovery finished, or for bugs). */
  error?: unknown;
  report?: Report;
  events: RunEvent[];
  cfg: RunConfig;
  clock: ManualClock;
  probe?: ScriptedProbe;
  /** The run's journal (empty when none was opened). */
  journal: JournalEntry[];
  /** Timeline event names the runner emitted live, in order. */
  timeline: string[];
  phases: string[];
}

/** Virtual ms per tick and real ms between ticks: the clock runs SPEED times faster than real time. */
const TICK_REAL_MS = 10;
export const SPEED = 10;

export interface InProcessSandbox {
  emb: EmbeddedSandbox;
  clients: AwsClients;
  /** AWS calls of `clients` in flight right now (the driver holds the clock while there are any). */
  readonly inFlight: number;
  reportDir: string;
  /** Ground-truth events since `seq`. */
  events(sinceSeq?: number): SandboxEvent[];
  lastSeq(): number;
  waitFor(match: (e: SandboxEvent) => boolean, timeoutMs?: number): Promise<SandboxEvent>;
  runInProcess(overrides?: RawRunOptions, script?: RunScript): Promise<InProcessResult>;
  close(): Promise<void>;
}

export async function startInProcessSandbox(stack: StackOptions = { instances: 4, azs: 3 }): Promise<InProcessSandbox> {
  const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack });
  // maxAttempts 1: a failActions knob fails the call at once instead of after the SDK's real-time backoff.
  const clients = await createClients({ region: 'us-east-1', endpoint: emb.sandbox.endpoint, credentials: SANDBOX_CREDENTIALS, maxAttempts: 1 });
  const reportDir = mkdtempSync(join(tmpdir(), 'chaos-inproc-'));
  let inFlight = 0;
  for (const c of [clients.ec2, clients.asg, clients.elb, clients.sts, clients.cloudwatch]) {
    (c.middlewareStack as { add(mw: unknown, o: unknown): void }).add(
      (next: (a: unknown) => Promise<unknown>) => async (args: unknown) => {
        inFlight++;
        try {
          return await next(args);
        } finally {
          inFlight--;
        }
      },
      { step: 'initialize', name: 'inProcessHarnessInFlight' },
    );
  }
  const sb: InProcessSandbox = {
    emb,
    clients,
    get inFlight() {
      return inFlight;
    },
    reportDir,
    events: (since = 0) => emb.sandbox.world.events(since),
    lastSeq: () => emb.sandbox.world.events().at(-1)?.seq ?? 0,
    waitFor: (match, timeoutMs) => waitForWorldEvent(emb.sandbox.world, match, timeoutMs),
    runInProcess: (overrides = {}, script = {}) => runInProcess(sb, overrides, script),
    async close() {
      clients.destroy();
      await emb.close();
    },
  };
  return sb;
}

async function runInProcess(sb: InProcessSandbox, overrides: RawRunOptions, script: RunScript): Promise<InProcessResult> {
  const cfg = validateRunOptions(
    {
      asg: sb.emb.stack.asgName,
      endpointUrl: sb.emb.sandbox.endpoint,
      region: 'us-east-1',
      baseline: '2s',
      rate: '10',
      poll: '100ms',
      steady: '2s',
      recoveryTimeout: '60s',
      seed: 'inproc',
      yes: true,
      reportDir: sb.reportDir,
      // The stack's DNSName resolves nowhere: pin its nodes' addresses, as every client of the sandbox does.
      resolve: sb.emb.info.resolve,
      // The fast profile boots in under a second and registers NLB targets at once (cli.ts SANDBOX_ALLOWANCES).
      bootAllowance: '2s',
      nlbRegistrationAllowance: '0s',
      ...overrides,
    },
    {},
  );
  const clock = new ManualClock();
  const interrupt = new AbortController();
  const events: RunEvent[] = [];
  let phase = 'discover';
  let injected = false;
  let probe: ScriptedProbe | undefined;
  let paused = 0;
  let snapshots = 0;
  const h: RunHandle = {
    clock,
    sb,
    events,
    abort: () => interrupt.abort(),
    pauseWhile(p) {
      paused++;
      void p.finally(() => paused--).catch(() => undefined);
    },
    jump(ms) {
      clock.advance(ms);
      probe?.tick();
    },
    setKnobs: (patch) => setKnobs(sb.emb.sandbox.ctx, patch),
    get probe() {
      return probe;
    },
    get snapshots() {
      return snapshots;
    },
  };
  const emit = (e: RunEvent) => {
    events.push(e);
    if (e.type === 'phase') phase = e.phase;
    if (e.type === 'timeline' && e.entry.event === 'fault-injected') injected = true;
    script.on?.(e, h);
    if (script.throwingEmit) throw new Error('renderer bug: emit threw');
  };
  const clients = script.clients ?? sb.clients;
  const deps: RunDeps = {
    clients,
    clock,
    rng: createRng(cfg.seed),
    signal: interrupt.signal,
    emit,
    confirm: script.confirm ?? (async () => true),
    ...(script.checkProbeRate ? { checkProbeRate: script.checkProbeRate } : {}),
    version: 'test',
    newExperimentId: () => newExperimentId(clock.now()),
    snapshot: async (w) => {
      snapshots++;
      await script.beforeSnapshot?.(snapshots, h);
      return snapshotCapacity(clients, { ...w, now: clock.now });
    },
    createProbe: (o) => {
      probe = new ScriptedProbe(o, clock, (t) => script.second?.(t, { phase, injected }) ?? 'ok');
      return probe;
    },
    // The real watcher, as realDeps builds it, stamped with the manual clock.
    createWatcher: (w, baseline) => new CapacityWatcher(clients, { ...w, now: clock.now }, baseline),
  };
  // The driver: clock and probe move in small steps on real time, unless a script paused them — and never
  // while an AWS call is in flight: a call takes no time on the run's clock, so a deadline on that clock (the
  // rollback window, the hold) is reached by the run's own waiting, never by a slow machine's API latency.
  const driver = setInterval(() => {
    if (paused > 0 || (sb.inFlight > 0 && !script.clockRunsDuringCalls)) return;
    clock.advance(TICK_REAL_MS * SPEED);
    probe?.tick();
  }, TICK_REAL_MS);
  let outcome: RunOutcome | undefined;
  let error: unknown;
  try {
    outcome = await runExperiment(cfg, deps);
  } catch (err) {
    error = err;
  } finally {
    clearInterval(driver);
  }
  const id = outcome?.report?.id ?? outcome?.plan?.experimentId;
  const journal = id ? await Journal.read(join(cfg.reportDir, id, 'journal.jsonl')).catch(() => []) : [];
  return {
    ...(outcome ? { outcome } : {}),
    ...(outcome?.report ? { report: outcome.report } : {}),
    ...(error !== undefined ? { error } : {}),
    events,
    cfg,
    clock,
    ...(probe ? { probe } : {}),
    journal,
    timeline: events.flatMap((e) => (e.type === 'timeline' ? [e.entry.event] : [])),
    phases: events.flatMap((e) => (e.type === 'phase' ? [e.phase] : [])),
  };
}

/** subnet id → NACL id, for every subnet (ground truth through the API; association ids change on swaps). */
export async function associations(ec2: EC2Client): Promise<Record<string, string>> {
  const out = await ec2.send(new DescribeNetworkAclsCommand({}));
  const map: Record<string, string> = {};
  for (const acl of out.NetworkAcls ?? []) for (const a of acl.Associations ?? []) map[a.SubnetId!] = acl.NetworkAclId!;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** NACLs carrying the chaos-ec2 experiment tag. */
export async function chaosNaclIds(ec2: EC2Client): Promise<string[]> {
  const out = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag-key', Values: ['chaos-ec2:experiment-id'] }] }));
  return (out.NetworkAcls ?? []).map((a) => a.NetworkAclId!);
}

/** Mutating ground-truth events (what an experiment could have changed) since `seq`. */
export function mutations(sb: InProcessSandbox, seq: number): SandboxEvent[] {
  return sb.events(seq).filter((e) => e.type.startsWith('nacl') || (e.type === 'instance-state' && (e.to === 'shutting-down' || e.to === 'stopping')));
}

/**
 * Waits until the group is settled by the sandbox's ground truth: exactly `desired` members, each InService,
 * Healthy, running and a healthy target, no instance anywhere still changing state (pending, stopping,
 * shutting-down) — and it stays so for `quietMs`. One steady API reading is not enough between runs: a
 * terminated victim still looks InService and healthy until Auto Scaling notices it.
 */
export async function settle(sb: InProcessSandbox, quietMs = 200, timeoutMs = 40_000): Promise<void> {
  const { world } = sb.emb.sandbox;
  const { asgName, targetGroupArn } = sb.emb.stack;
  const steady = () => {
    const asg = world.asgs.get(asgName);
    const members = world.membersOf(asgName);
    const targets = world.targets.get(targetGroupArn);
    const changing = [...world.instances.values()].some((i) => i.state === 'pending' || i.state === 'stopping' || i.state === 'shutting-down' || i.state === 'stopped');
    return (
      !!asg &&
      !changing &&
      members.length === asg.desiredCapacity &&
      members.every(
        (m) => m.lifecycleState === 'InService' && m.healthStatus === 'Healthy' && world.instances.get(m.instanceId)?.state === 'running' && targets?.get(m.instanceId)?.state === 'healthy',
      )
    );
  };
  const deadline = Date.now() + timeoutMs;
  let since: number | undefined;
  for (;;) {
    if (steady()) {
      since ??= Date.now();
      if (Date.now() - since >= quietMs) return;
    } else since = undefined;
    if (Date.now() > deadline) throw new Error('the group did not settle');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The hooks every in-process suite needs: one sandbox per file; before each test the fault knobs cleared, the
 * group settled, and `seq` set so `suite.sb.events(suite.seq)` is what this test caused.
 */
export function useInProcessSuite(stack: StackOptions = { instances: 4, azs: 3 }): { readonly sb: InProcessSandbox; readonly seq: number } {
  const state = {} as { sb: InProcessSandbox; seq: number };
  beforeAll(async () => {
    state.sb = await startInProcessSandbox(stack);
  });
  afterAll(async () => {
    await state.sb?.close();
  });
  beforeEach(async () => {
    state.sb.emb.sandbox.ctx.knobs.failActions = [];
    await settle(state.sb);
    state.seq = state.sb.lastSeq();
  });
  return state;
}
