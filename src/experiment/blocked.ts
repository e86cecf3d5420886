/**
 * The recovery timeout names what blocked, read at that moment: members held in Pending:Wait /
 * Terminating:Wait with the group's hook for that transition and its heartbeat (DescribeLifecycleHooks), launches
 * that failed since the run started with their status message (DescribeScalingActivities, also put in the
 * timeline), and the group's suspended processes. Without it a stuck hook or a failing launch template reads
 * as "the service did not recover". A read that fails is named too, and never fails the run.
 */
import { describeLifecycleHooks, LAUNCHING, TERMINATING, type LifecycleHook, type ScalingActivity } from '../aws/autoscaling-reads.js';
import type { CapacitySnapshot } from '../observe/capacity-watch.js';
import type { Causes } from './causes.js';
import type { RunConfig } from './config.js';
import type { RunDeps } from './deps.js';
import type { Recorder } from './recorder.js';
import type { TimelineEntry } from './types.js';

const WAITS: Record<string, { transition: string; what: string }> = {
  'Pending:Wait': { transition: LAUNCHING, what: 'launch' },
  'Terminating:Wait': { transition: TERMINATING, what: 'termination' },
};

/** PURE: the blockers in words, from what was read. */
export function describeBlockers(latest: CapacitySnapshot | undefined, hooks: LifecycleHook[] | Error | undefined, activities: ScalingActivity[] | Error): string[] {
  const out: string[] = [];
  for (const i of latest?.instances.values() ?? []) {
    const wait = WAITS[i.lifecycleState];
    if (!wait) continue;
    const held = hooks instanceof Error || hooks === undefined ? [] : hooks.filter((h) => h.transition === wait.transition);
    const by = held.length
      ? held.map((h) => `${wait.what} hook '${h.name}' (heartbeat ${h.heartbeatTimeoutSeconds}s, then ${h.defaultResult})`).join(', ')
      : hooks instanceof Error
        ? `a ${wait.what} hook (DescribeLifecycleHooks failed: ${hooks.message})`
        : `a ${wait.what} hook`;
    out.push(`${i.instanceId} in ${i.lifecycleState}, held by ${by}`);
  }
  if (activities instanceof Error) out.push(`scaling activities could not be read: ${activities.message}`);
  else {
    const failed = activities.filter((a) => a.statusCode === 'Failed' && /^launching/i.test(a.description));
    const messages = [...new Set(failed.map((a) => a.statusMessage ?? a.description))];
    if (failed.length) out.push(`${failed.length} launch(es) failed: ${messages.slice(0, 3).join(' | ')}`);
  }
  const suspended = latest?.suspendedProcesses ?? [];
  if (suspended.length) out.push(`suspended processes: ${suspended.join(', ')}`);
  return out;
}

/** Reads what it needs, records the 'recovery-timeout' mark with its blockers, and returns it for renderers. */
export async function markRecoveryTimeout(o: {
  deps: RunDeps;
  rec: Recorder;
  cfg: Pick<RunConfig, 'asg' | 'recoveryTimeoutMs'>;
  holdMs: number;
  latest: CapacitySnapshot | undefined;
  causes: Causes;
}): Promise<TimelineEntry> {
  const at = o.deps.clock.now();
  const detail = `not recovered ${o.cfg.recoveryTimeoutMs / 1000}s after the ${o.holdMs ? 'restore' : 'fault'}`;
  const waiting = [...(o.latest?.instances.values() ?? [])].some((i) => WAITS[i.lifecycleState]);
  const [hooks, activities] = await Promise.all([
    waiting ? describeLifecycleHooks(o.deps.clients.asg, o.cfg.asg, 'observe').catch((e: unknown) => asError(e)) : Promise.resolve(undefined),
    o.causes.read().catch((e: unknown) => asError(e)),
  ]);
  const blocked = describeBlockers(o.latest, hooks, activities);
  return o.rec.addEvent({
    atMs: at,
    event: 'recovery-timeout',
    detail: blocked.length ? `${detail}; blocked by: ${blocked.join('; ')}` : detail,
    ...(blocked.length ? { blocked } : {}),
  });
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
