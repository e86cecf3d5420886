/**
 * PURE: the expected EARLIEST recovery of a fault on a real group, from the settings AWS reports and two
 * allowances it does not. Preflight refuses a --recovery-timeout shorter than it (the run could only time out
 * and blame the service); it is a floor, not a prediction — real recoveries take longer (Auto Scaling's own
 * reaction, the API's eventual consistency, slow launches).
 *
 * The pieces (Elastic Load Balancing user guides, "Health checks for your target groups"):
 * - detection: a target leaves service after UnhealthyThresholdCount consecutive failed checks, one every
 *   HealthCheckIntervalSeconds → unhealthy threshold × interval;
 * - a NEW target (a replacement) is healthy after it passes ONE check after registration → ≈ one interval;
 * - an UNHEALTHY target returns after HealthyThresholdCount consecutive passing checks → healthy threshold ×
 *   interval;
 * - boot: launch + boot + application start, which no AWS API reports: the group's DefaultInstanceWarmup when
 *   set (AWS: the time a new instance needs to finish initializing; operators set it to their application's
 *   start time), else --boot-allowance;
 * - NLB registration: new targets of a Network Load Balancer take minutes to turn healthy even with the
 *   fastest checks — observed (3–5 minutes is commonly reported), not documented by AWS: --nlb-registration-
 *   allowance.
 * NOT the health-check grace period: it delays Auto Scaling's health checks of the replacement (when the group
 * would replace it again), not its InService state or its target health.
 *
 * Recovery needs every target group healthy, so the slowest target group's settings decide.
 */
import { shortDuration as fmt } from '../core/short-duration.js';
import type { ExpectedRecovery, HealthCheckTiming, RecoveryInputs, RecoveryPart } from './types.js';

interface Slowest {
  intervalMs: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  nlb: boolean;
}

function slowest(checks: HealthCheckTiming[]): Slowest {
  const max = (f: (c: HealthCheckTiming) => number) => Math.max(0, ...checks.map(f));
  return {
    intervalMs: max((c) => c.intervalMs),
    healthyThreshold: max((c) => c.healthyThreshold),
    unhealthyThreshold: max((c) => c.unhealthyThreshold),
    nlb: checks.some((c) => c.nlb),
  };
}

const sum = (parts: RecoveryPart[]) =>
  Math.max(
    0,
    parts.reduce((a, p) => a + p.ms, 0),
  );

/** A replacement: launched, booted, (NLB: registered), then healthy after its first passing check. */
export function replacementParts(i: RecoveryInputs): RecoveryPart[] {
  const s = slowest(i.checks);
  return [{ label: 'boot', ms: i.bootMs }, ...(s.nlb ? [{ label: 'NLB registration', ms: i.nlbRegistrationMs }] : []), ...(s.intervalMs ? [{ label: 'first check', ms: s.intervalMs }] : [])];
}

/** An instance lost for good (terminated, stopped): replaced from the fault on. */
export function replacedFromFault(i: RecoveryInputs): ExpectedRecovery {
  const parts = replacementParts(i);
  return { ms: sum(parts), from: 'fault', parts, path: 'a replacement launches, boots and passes its first health check' };
}

/**
 * A stopped member: Auto Scaling marks it unhealthy as soon as it leaves `running` and replaces it during the
 * hold, so after the restore only what is left of the replacement's path remains (0 when the hold covers it).
 */
export function replacedDuringHold(i: RecoveryInputs): ExpectedRecovery {
  const parts = [...replacementParts(i), ...(i.holdMs ? [{ label: 'hold', ms: -i.holdMs }] : [])];
  return { ms: sum(parts), from: 'restore', parts, path: 'the stopped members are replaced during the hold' };
}

/**
 * Cut off from the network (targets alive but unreachable), then reconnected at the restore:
 * - a hold shorter than detection: the load balancer never takes the targets out → nothing to wait for;
 * - otherwise the targets are unhealthy at the restore and return after the healthy threshold of passing
 *   checks — unless (HealthCheckType ELB only) Auto Scaling replaced them first: detected, then a replacement
 *   booted and checked, of which the hold already covered part. The earlier of the two is the floor (the
 *   optimistic case: replacements that land in the other AZs; one launched into the dark AZ waits for the
 *   restore like the targets it replaced).
 *   (HealthCheckType EC2: the group never replaces a member the load balancer marks unhealthy.)
 */
export function reconnected(i: RecoveryInputs): ExpectedRecovery {
  const s = slowest(i.checks);
  const detection: RecoveryPart = { label: `detection (${s.unhealthyThreshold} × ${fmt(s.intervalMs)})`, ms: s.unhealthyThreshold * s.intervalMs };
  if (i.holdMs < detection.ms) {
    return { ms: 0, from: 'restore', parts: [], path: `the hold (${fmt(i.holdMs)}) is shorter than detection (${fmt(detection.ms)}): the targets never leave service` };
  }
  const backParts = [{ label: `targets back (${s.healthyThreshold} passing checks × ${fmt(s.intervalMs)})`, ms: s.healthyThreshold * s.intervalMs }];
  const back: ExpectedRecovery = { ms: sum(backParts), from: 'restore', parts: backParts, path: 'the cut-off targets pass the healthy threshold of checks again' };
  if (i.healthCheckType !== 'ELB') return back;
  const replacedParts = [detection, ...replacementParts(i), { label: 'hold', ms: -i.holdMs }];
  const replaced: ExpectedRecovery = { ms: sum(replacedParts), from: 'restore', parts: replacedParts, path: 'Auto Scaling replaces the targets the load balancer marked unhealthy' };
  return replaced.ms < back.ms ? replaced : back;
}
