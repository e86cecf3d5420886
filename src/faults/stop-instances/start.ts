/**
 * Undoing stop-instances, from the instances' tags alone — the one code path used by the run's rollback and by
 * `chaos-ec2 recover`. A victim is started only while it is `stopped`; one that is gone or terminating was
 * replaced by Auto Scaling (that is the recovery under test, not an error), one already running needs nothing,
 * and one still `stopping` cannot be started yet (EC2 answers IncorrectInstanceState), so it stays "remaining"
 * and the rollback's retries (or a later `recover`) start it once it has stopped.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { awsCode } from '../../aws/errors.js';
import { describeInstances, describeInstancesById, startInstances, type InstanceInfo } from './ec2.js';
import { TAG_EXPERIMENT, TAG_EXPIRES } from '../../aws/nacl.js';
import type { Phase } from '../../core/errors.js';
import { TAG_ACTION } from '../instance-victims.js';
import { meta } from './meta.js';
import type { Leftover, RecoverContext, RecoverResult, RollbackResult } from '../types.js';

const GONE = new Set(['shutting-down', 'terminated']);
const UP = new Set(['pending', 'running']);

export async function startStoppedVictims(
  ec2: EC2Client,
  ids: string[],
  phase: Phase,
  beforeMutation: (action: string, detail: Record<string, unknown>) => Promise<void> = async () => undefined,
): Promise<RollbackResult> {
  const actions: string[] = [];
  const remaining: string[] = [];
  const settle = (id: string, i: InstanceInfo | undefined): 'start' | 'done' | 'wait' => {
    if (!i || GONE.has(i.state)) {
      actions.push(`${id}: ${i ? i.state : 'gone'} (replaced by Auto Scaling); nothing to start`);
      return 'done';
    }
    if (UP.has(i.state)) {
      actions.push(`${id}: already ${i.state}`);
      return 'done';
    }
    return i.state === 'stopped' ? 'start' : 'wait';
  };
  const now = await describeInstancesById(ec2, ids, phase);
  const toStart: string[] = [];
  for (const id of ids) {
    const s = settle(id, now.get(id));
    if (s === 'start') toStart.push(id);
    if (s === 'wait') remaining.push(`${id}: still ${now.get(id)?.state}; start it once it is stopped`);
  }
  if (toStart.length) {
    await beforeMutation('ec2:StartInstances', { resources: toStart });
    try {
      for (const c of await startInstances(ec2, toStart, phase)) actions.push(`started ${c.instanceId}: ${c.previous} → ${c.current}`);
    } catch (err) {
      // IncorrectInstanceState: one of them changed state since the describe (typically Auto Scaling
      // terminated it). Read them again and judge each; anything else stays remaining for a retry.
      const again = awsCode(err) === 'IncorrectInstanceState' ? await describeInstancesById(ec2, toStart, phase) : undefined;
      const retry: string[] = [];
      for (const id of toStart) {
        const s = again ? settle(id, again.get(id)) : 'wait';
        if (s === 'start') retry.push(id);
        if (s === 'wait') remaining.push(`${id}: not started (${(err as Error).message.split('\n')[0]})`);
      }
      if (retry.length) {
        try {
          for (const c of await startInstances(ec2, retry, phase)) actions.push(`started ${c.instanceId}: ${c.previous} → ${c.current}`);
        } catch (err2) {
          remaining.push(...retry.map((id) => `${id}: still stopped, not started (${(err2 as Error).message.split('\n')[0]})`));
        }
      }
    }
  }
  return { complete: remaining.length === 0, remaining, actions };
}

/** Victims of stop-instances that are still stopped (or stopping), grouped by experiment. */
export async function findStoppedVictims(ctx: RecoverContext, experimentId?: string): Promise<Leftover[]> {
  const found = await describeInstances(
    ctx.clients.ec2,
    [
      experimentId ? { Name: `tag:${TAG_EXPERIMENT}`, Values: [experimentId] } : { Name: 'tag-key', Values: [TAG_EXPERIMENT] },
      { Name: `tag:${TAG_ACTION}`, Values: ['stop'] },
      { Name: 'instance-state-name', Values: ['stopping', 'stopped'] },
    ],
    'recover',
  );
  const byExperiment = new Map<string, InstanceInfo[]>();
  for (const i of found) {
    const id = i.tags[TAG_EXPERIMENT] ?? '';
    byExperiment.set(id, [...(byExperiment.get(id) ?? []), i]);
  }
  return [...byExperiment].map(([id, list]) => ({
    kind: meta.kind,
    experimentId: id,
    // The latest expiry among the victims: the experiment is over for sure only after all of them have expired.
    expiresAt:
      list
        .map((i) => i.tags[TAG_EXPIRES])
        .sort()
        .at(-1) ?? null,
    lines: [`stopped victims of experiment ${id || '(untagged)'}:`, ...list.map((i) => `  ${i.instanceId} (${i.availabilityZone}): ${i.state} — start it`)],
    data: list.map((i) => i.instanceId),
  }));
}

export async function undoStoppedVictims(items: Leftover[], ctx: RecoverContext): Promise<RecoverResult> {
  const ids = items.flatMap((i) => i.data as string[]);
  const r = await startStoppedVictims(ctx.clients.ec2, ids, 'recover');
  return { complete: r.complete, done: r.actions ?? [], remaining: r.remaining };
}
