/**
 * Preflight's pure parts: the expected earliest recovery per fault (faults/recovery-estimate.ts) and the
 * judgement of what preflight read (experiment/preflight.ts): each refusal, each warning, each override.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOOT_MS, bootAllowance, checkPreflight, describeRecovery, judgePreflight, type PreflightInput } from '../../src/experiment/preflight.js';
import type { Plan } from '../../src/experiment/types.js';
import { FAULTS, faultFor } from '../../src/faults/index.js';
import { reconnected, replacedDuringHold, replacedFromFault } from '../../src/faults/recovery-estimate.js';
import type { HealthCheckTiming, RecoveryInputs } from '../../src/faults/types.js';

/** AWS's ALB target-group defaults: interval 30 s, healthy threshold 5, unhealthy threshold 2. */
const ALB: HealthCheckTiming = { name: 'tg', intervalMs: 30_000, healthyThreshold: 5, unhealthyThreshold: 2, nlb: false };
const inputs = (o: Partial<RecoveryInputs> = {}): RecoveryInputs => ({ checks: [ALB], bootMs: 60_000, nlbRegistrationMs: 180_000, healthCheckType: 'ELB', holdMs: 0, ...o });

describe('expected earliest recovery', () => {
  it('terminate: boot + one passing check after registration, from the fault (not the grace period)', () => {
    const e = replacedFromFault(inputs());
    expect(e).toMatchObject({ ms: 90_000, from: 'fault' });
    expect(describeRecovery(e)).toBe('~1m30s after the fault: boot 1m + first check 30s (a replacement launches, boots and passes its first health check)');
  });

  it('behind a Network Load Balancer the registration allowance is added; the slowest target group decides', () => {
    const e = replacedFromFault(inputs({ checks: [ALB, { ...ALB, name: 'nlb-tg', intervalMs: 10_000, nlb: true }] }));
    expect(e.parts.map((p) => [p.label, p.ms])).toEqual([
      ['boot', 60_000],
      ['NLB registration', 180_000],
      ['first check', 30_000],
    ]);
    expect(e.ms).toBe(270_000);
  });

  it('stop: the replacement runs during the hold, so only what the hold did not cover is left after the restore', () => {
    expect(replacedDuringHold(inputs({ holdMs: 30_000 }))).toMatchObject({ ms: 60_000, from: 'restore' });
    expect(replacedDuringHold(inputs({ holdMs: 5 * 60_000 })).ms).toBe(0);
    expect(describeRecovery(replacedDuringHold(inputs({ holdMs: 30_000 })))).toContain('boot 1m + first check 30s − hold 30s');
  });

  it('blackhole, hold shorter than detection (2 × 30 s): the targets never leave service', () => {
    const e = reconnected(inputs({ holdMs: 20_000 }));
    expect(e.ms).toBe(0);
    expect(e.path).toContain('shorter than detection (1m)');
  });

  it('blackhole, HealthCheckType EC2: nothing is replaced, the targets come back after 5 passing checks', () => {
    const e = reconnected(inputs({ holdMs: 2 * 60_000, healthCheckType: 'EC2' }));
    expect(e).toMatchObject({ ms: 150_000, from: 'restore' });
    expect(e.parts[0]!.label).toBe('targets back (5 passing checks × 30s)');
  });

  it('blackhole, HealthCheckType ELB: the earlier of the targets coming back and their replacements', () => {
    // A 1 m hold: detection 60 + boot 60 + check 30 − hold 60 = 90 s, earlier than coming back (5 × 30 = 150 s).
    expect(reconnected(inputs({ holdMs: 60_000 }))).toMatchObject({ ms: 90_000, path: 'Auto Scaling replaces the targets the load balancer marked unhealthy' });
    // A slow boot: coming back (150 s) is earlier than a replacement (60 + 600 + 30 − 60 s).
    expect(reconnected(inputs({ holdMs: 60_000, bootMs: 600_000 })).ms).toBe(150_000);
  });

  it('every fault declares the processes it needs and how it recovers', () => {
    for (const f of FAULTS) {
      expect(f.processes.needs).toEqual(expect.arrayContaining(['Launch', 'Terminate', 'HealthCheck', 'ReplaceUnhealthy', 'AddToLoadBalancer']));
      expect(f.processes.warns).toContain('AZRebalance');
      expect(typeof f.expectedRecovery(inputs()).ms).toBe('number');
    }
    // Only a network fault leaves its instances running, unseen by EC2 status checks.
    expect(Object.fromEntries(FAULTS.map((f) => [f.kind, f.processes.ec2HealthChecksSee]))).toEqual({ 'terminate-instances': true, 'blackhole-az': false, 'stop-instances': true });
  });
});

const base = (
  o: { fault?: string; group?: Partial<PreflightInput['group']>; reads?: Partial<PreflightInput['reads']>; cfg?: Partial<PreflightInput['cfg']>; holdMs?: number } = {},
): PreflightInput => ({
  fault: faultFor(o.fault ?? 'terminate-instances'),
  group: { name: 'web', suspendedProcesses: [], healthCheckType: 'ELB', ...o.group },
  reads: { hooks: [], refreshes: [], activities: [], checks: [ALB], unsupported: [], ...o.reads },
  cfg: { recoveryTimeoutMs: 10 * 60_000, nlbRegistrationAllowanceMs: 180_000, allowShortTimeout: false, allowSuspendedProcesses: false, ...o.cfg },
  holdMs: o.holdMs ?? 0,
});

describe('judgePreflight', () => {
  it('a plain group with AWS defaults and the default timeout: nothing to refuse or warn about', () => {
    const p = judgePreflight(base());
    expect(p.refusals).toEqual([]);
    expect(p.warnings).toEqual([]);
    expect(p.expectedRecovery).toMatchObject({ ms: 90_000, boot: { ms: DEFAULT_BOOT_MS, source: 'the default --boot-allowance' } });
  });

  it('a needed process suspended: refused, naming it, with the resume command (and the administrative suspension)', () => {
    const p = judgePreflight(base({ group: { suspendedProcesses: ['HealthCheck', 'Launch', 'ScheduledActions'] } }));
    expect(p.refusals).toHaveLength(1);
    expect(p.refusals[0]!.reason).toContain('suspended on web: Launch, HealthCheck');
    expect(p.refusals[0]!.hint).toContain('aws autoscaling resume-processes --auto-scaling-group-name web --scaling-processes Launch HealthCheck');
    expect(p.refusals[0]!.hint).toContain('administrative suspension');
  });

  it('--allow-suspended-processes: the same group is a warning, not a refusal', () => {
    const p = judgePreflight(base({ group: { suspendedProcesses: ['ReplaceUnhealthy'] }, cfg: { allowSuspendedProcesses: true } }));
    expect(p.refusals).toEqual([]);
    expect(p.warnings[0]).toContain('suspended on web: ReplaceUnhealthy; going on (--allow-suspended-processes)');
  });

  it('AZRebalance suspended: a warning only', () => {
    const p = judgePreflight(base({ group: { suspendedProcesses: ['AZRebalance'] } }));
    expect(p.refusals).toEqual([]);
    expect(p.warnings[0]).toContain('process AZRebalance is suspended on web');
  });

  it('an instance refresh in an active status is refused; a finished one is not', () => {
    for (const status of ['Pending', 'InProgress', 'Baking', 'Cancelling', 'RollbackInProgress']) {
      const p = judgePreflight(base({ reads: { refreshes: [{ id: 'r-1', status, percentageComplete: 40 }] } }));
      expect(p.refusals.map((r) => r.reason)).toEqual([`instance refresh r-1 is ${status} on web (40% complete): it replaces instances on its own`]);
      expect(p.refusals[0]!.hint).toContain('aws autoscaling cancel-instance-refresh --auto-scaling-group-name web');
    }
    for (const status of ['Successful', 'Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed']) {
      expect(judgePreflight(base({ reads: { refreshes: [{ id: 'r-1', status }] } })).refusals).toEqual([]);
    }
  });

  it('a scaling activity in progress is refused, named with its status and description', () => {
    const activity = { id: 'a-1', description: 'Launching a new EC2 instance: i-0abc', cause: '', statusCode: 'MidLifecycleAction', startMs: 0 };
    const p = judgePreflight(base({ reads: { activities: [activity] } }));
    expect(p.refusals[0]!.reason).toBe('a scaling activity is in progress on web: a-1 (MidLifecycleAction): Launching a new EC2 instance: i-0abc');
  });

  it('lifecycle hooks are listed; a launch hook whose heartbeat exceeds the timeout is a warning naming it', () => {
    const hooks = [
      { name: 'bootstrap', transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', heartbeatTimeoutSeconds: 7200, globalTimeoutSeconds: undefined, defaultResult: 'ABANDON' },
      { name: 'drain', transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeatTimeoutSeconds: 7200, globalTimeoutSeconds: undefined, defaultResult: 'CONTINUE' },
    ];
    const p = judgePreflight(base({ reads: { hooks }, cfg: { recoveryTimeoutMs: 3 * 60_000 } }));
    expect(p.hooks.map((h) => h.name)).toEqual(['bootstrap', 'drain']);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toContain("launch hook 'bootstrap' may hold each replacement in Pending:Wait up to its heartbeat timeout 7200s (then ABANDON), longer than --recovery-timeout 3m");
    expect(p.refusals).toEqual([]);
  });

  it('HealthCheckType EC2: a warning for terminate; for blackhole-az a warning and the report label', () => {
    const t = judgePreflight(base({ group: { healthCheckType: 'EC2' } }));
    expect(t.warnings[0]).toContain('replaces terminated or stopped instances, but not ones the load balancer marks unhealthy');
    expect(t.notes).toEqual([]);
    const b = judgePreflight(base({ fault: 'blackhole-az', group: { healthCheckType: 'EC2' }, holdMs: 60_000 }));
    expect(b.notes).toEqual(['capacity-side recovery measures load-balancer health only: HealthCheckType EC2 never replaces instances the load balancer marks unhealthy']);
  });

  it('--recovery-timeout below the estimate: refused with the estimate and the override; --allow-short-timeout turns it into a warning', () => {
    const p = judgePreflight(base({ cfg: { recoveryTimeoutMs: 60_000 } }));
    expect(p.refusals[0]!.reason).toBe(
      '--recovery-timeout 1m is shorter than the expected earliest recovery ~1m30s after the fault: boot 1m + first check 30s (a replacement launches, boots and passes its first health check)',
    );
    expect(p.refusals[0]!.hint).toContain('--recovery-timeout 1m30s or more');
    expect(p.refusals[0]!.hint).toContain('--allow-short-timeout');
    const o = judgePreflight(base({ cfg: { recoveryTimeoutMs: 60_000, allowShortTimeout: true } }));
    expect(o.refusals).toEqual([]);
    expect(o.warnings[0]).toContain('going on (--allow-short-timeout)');
  });

  it('the boot allowance: --boot-allowance, else the group DefaultInstanceWarmup, else 60 s', () => {
    expect(bootAllowance({ bootAllowanceMs: 5000 }, { defaultInstanceWarmup: 120 })).toEqual({ ms: 5000, source: '--boot-allowance' });
    expect(bootAllowance({}, { defaultInstanceWarmup: 120 })).toEqual({ ms: 120_000, source: "the group's DefaultInstanceWarmup" });
    expect(bootAllowance({}, {}).ms).toBe(60_000);
  });

  it('a call the endpoint does not implement: a warning that the check was not made', () => {
    expect(judgePreflight(base({ reads: { unsupported: ['DescribeWarmPool'] } })).warnings).toEqual(['not checked: the endpoint does not implement DescribeWarmPool']);
  });

  it('checkPreflight refuses with every refusal at once (exit 3) and passes a plan without any', () => {
    const preflight = judgePreflight(base({ group: { suspendedProcesses: ['Launch'] }, cfg: { recoveryTimeoutMs: 1000 } }));
    const plan = { asg: 'web', preflight } as Plan;
    expect(() => checkPreflight(plan)).toThrow(expect.objectContaining({ exitCode: 3, message: expect.stringMatching(/^preflight: .*Launch.*; --recovery-timeout 1s is shorter/) }));
    expect(() => checkPreflight({ asg: 'web' } as Plan)).not.toThrow();
  });
});
