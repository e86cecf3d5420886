/**
 * `recover` for blackhole-az: finds chaos NACLs by their experiment tag (every VPC, all pages), plans each
 * subnet's way back from the restore tags (plus the run's journal when it is still there), and restores with
 * the same code as the run's own rollback (nacl-restore.ts), so both obey the same invariants.
 */
import { currentAssociations } from '../../aws/nacl.js';
import type { Leftover, RecoverContext, RecoverResult } from '../types.js';
import { findChaosNacls, planRestore, restoreChaosNacls, restoreMapFromJournal, type ChaosNacl, type RestoreStep } from './nacl-restore.js';
import { KIND, type RestoreRecord } from './types.js';

interface Found {
  nacl: ChaosNacl;
  /** Restore records from the run's journal, when it was found. */
  extra: Map<string, string> | undefined;
}

function describeStep(s: RestoreStep): string {
  switch (s.action) {
    case 'replace':
      return `${s.subnetId}: move back from ${s.from} to ${s.to}`;
    case 'already-restored':
      return `${s.subnetId}: already on its original NACL ${s.to}`;
    case 'moved-elsewhere':
      return `${s.subnetId}: now on ${s.current} (not ours; original was ${s.original}) — left alone`;
    case 'unknown-original':
      return `${s.subnetId}: on the chaos NACL with no record of its original NACL — needs a manual association`;
  }
}

export async function findBlackholes(ctx: RecoverContext, experimentId?: string): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const nacl of await findChaosNacls(ctx.clients.ec2, 'recover', experimentId)) {
    const journal = nacl.experimentId ? await ctx.readJournal(nacl.experimentId) : undefined;
    const extra = journal ? restoreMapFromJournal(journal) : undefined;
    const subnets = [...new Set([...nacl.restore.keys(), ...(extra?.keys() ?? []), ...nacl.associated])];
    const steps = planRestore(nacl, await currentAssociations(ctx.clients.ec2, subnets, 'recover'), extra);
    const data: Found = { nacl, extra };
    out.push({
      kind: KIND,
      experimentId: nacl.experimentId,
      expiresAt: nacl.expiresAt,
      lines: [
        `chaos NACL ${nacl.networkAclId} in ${nacl.vpcId}  experiment ${nacl.experimentId || '(untagged)'}  expires ${nacl.expiresAt ?? '(no expiry tag)'}${journal ? '  journal found' : ''}`,
        ...steps.map((s) => `  ${describeStep(s)}`),
        `  then verify with a fresh describe and delete ${nacl.networkAclId}`,
      ],
      data,
    });
  }
  return out;
}

export async function undoBlackholes(items: Leftover[], ctx: RecoverContext): Promise<RecoverResult> {
  const result: RecoverResult = { complete: true, done: [], remaining: [] };
  for (const item of items) {
    const { nacl, extra } = item.data as Found;
    const r = await restoreChaosNacls(ctx.clients.ec2, [nacl], { phase: 'recover', now: ctx.now, ...(extra ? { extra } : {}) });
    const rec = r.detail as RestoreRecord;
    result.done.push(
      ...rec.changes.map((c) => `restored ${c.subnetId}: ${c.fromNaclId} → ${c.toNaclId}`),
      ...rec.verification.map((v) => `verified ${v.subnetId}: on ${v.actualNaclId ?? 'nothing'}${v.ok ? '' : ` (expected ${v.expectedNaclId})`}`),
      ...rec.deletedNacls.map((d) => `deleted chaos NACL ${d}`),
    );
    result.remaining.push(...r.remaining);
    result.complete &&= r.complete;
  }
  return result;
}
