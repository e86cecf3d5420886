/**
 * A CreateNetworkAcl DryRun the endpoint carried out anyway (some emulators ignore DryRun on NACL calls): the
 * NACL it made is deleted again and verified gone, so a `--dry-run` never leaves a chaos NACL behind and never
 * claims that nothing was changed. The DryRun call carried this experiment's tags, so besides the id in the
 * answer, any NACL tagged with the experiment id is this run's own and is deleted too (an answer without an id
 * must not hide one). Nothing is associated with such a NACL (no subnet was swapped in a dry run), so deleting
 * it is safe.
 */
import { DescribeNetworkAclsCommand, type CreateNetworkAclCommandOutput, type EC2Client } from '@aws-sdk/client-ec2';
import type { DryRunExecuted, UndoExecuted } from '../../aws/ec2.js';
import { awsCode, call } from '../../aws/errors.js';
import { deleteNacl } from '../../aws/nacl.js';
import { findChaosNacls } from './nacl-restore.js';

/** Gone = DescribeNetworkAcls by id answers NotFound (or nothing): a fresh read, not the delete's answer. */
async function naclGone(ec2: EC2Client, networkAclId: string): Promise<boolean> {
  try {
    const out = await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [networkAclId] }));
    return !(out.NetworkAcls ?? []).some((a) => a.NetworkAclId === networkAclId);
  } catch (err) {
    if (awsCode(err) === 'InvalidNetworkAclID.NotFound') return true;
    throw err;
  }
}

export function undoDryRunNacl(ec2: EC2Client, vpcId: string, experimentId: string): UndoExecuted {
  return async (answer) => {
    const fromAnswer = (answer as CreateNetworkAclCommandOutput | undefined)?.NetworkAcl?.NetworkAclId;
    const tagged = (await findChaosNacls(ec2, 'plan', experimentId)).filter((n) => n.associated.length === 0).map((n) => n.networkAclId);
    const ids = [...new Set([...(fromAnswer ? [fromAnswer] : []), ...tagged])];
    const out: DryRunExecuted = { created: ids.map((id) => `network ACL ${id} in ${vpcId}`), deleted: [], remaining: [] };
    if (!ids.length) out.remaining.push(`a network ACL in ${vpcId} the endpoint did not name (look for tag chaos-ec2:experiment-id=${experimentId})`);
    for (const id of ids) {
      try {
        await deleteNacl(ec2, id, 'plan');
        if (await call('DescribeNetworkAcls', { phase: 'plan', target: id }, () => naclGone(ec2, id))) out.deleted.push(id);
        else out.remaining.push(`${id}: still listed after DeleteNetworkAcl`);
      } catch (err) {
        out.remaining.push(`${id}: ${(err as Error).message}`);
      }
    }
    return out;
  };
}
