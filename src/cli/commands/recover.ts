/**
 * `chaos-ec2 recover`: undoes what a run left injected — after a crash, a kill -9, a lost laptop — from the
 * tags on the chaos NACLs alone (each carries its experiment id, its expiry and, per subnet, the original
 * NACL). A run's journal adds detail when it is found, but is never required. Idempotent: a second run finds
 * nothing and exits 0. Exit 0 all restored, 4 something could not be, 2 usage, 5 AWS error before any change.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClients } from '../../aws/clients.js';
import { currentAssociations } from '../../aws/nacl.js';
import { ChaosError, ExitCode, refused, usageError } from '../../core/errors.js';
import { Journal } from '../../experiment/journal.js';
import { findChaosNacls, isExpired, planRestore, restoreChaosNacls, restoreMapFromJournal, type ChaosNacl, type RestoreStep } from '../../faults/nacl-restore.js';
import { confirmOnTty } from '../confirm.js';

type Raw = Record<string, string | boolean | undefined>;

interface RecoverIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

function validate(raw: Raw): { experimentId?: string; all: boolean; expired: boolean } {
  const id = typeof raw.experimentId === 'string' ? raw.experimentId.trim() : undefined;
  const modes = [id !== undefined, raw.all === true, raw.expired === true].filter(Boolean).length;
  if (modes !== 1) throw usageError('recover: give exactly one of --experiment-id ID, --all or --expired', 'see chaos-ec2 recover --help');
  if (id === '') throw usageError('--experiment-id: must not be empty');
  return { ...(id ? { experimentId: id } : {}), all: raw.all === true, expired: raw.expired === true };
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

export async function recoverCommand(raw: Raw, io: RecoverIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const mode = validate(raw);
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const reportDir = str('reportDir') ?? process.env.CHAOS_EC2_REPORT_DIR ?? './chaos-reports';
  const clients = await createClients({
    ...(str('region') ? { region: str('region')! } : {}),
    ...(str('profile') ? { profile: str('profile')! } : {}),
    ...(str('endpointUrl') ? { endpoint: str('endpointUrl')! } : {}),
  });
  const out = (s: string) => io.stdout.write(`${s}\n`);
  try {
    let nacls: ChaosNacl[];
    const extra = new Map<string, Map<string, string>>();
    const plans = new Map<string, RestoreStep[]>();
    try {
      nacls = await findChaosNacls(clients.ec2, 'recover', mode.experimentId);
      const now = Date.now();
      if (mode.expired) nacls = nacls.filter((n) => isExpired(n, now));
      for (const n of nacls) {
        const journalPath = join(reportDir, n.experimentId, 'journal.jsonl');
        if (n.experimentId && existsSync(journalPath)) extra.set(n.networkAclId, restoreMapFromJournal(await Journal.read(journalPath)));
        const subnets = [...new Set([...n.restore.keys(), ...(extra.get(n.networkAclId)?.keys() ?? []), ...n.associated])];
        plans.set(n.networkAclId, planRestore(n, await currentAssociations(clients.ec2, subnets, 'recover'), extra.get(n.networkAclId)));
      }
    } catch (err) {
      // Nothing has been changed yet: an AWS problem here is exit 5.
      if (err instanceof ChaosError) throw new ChaosError(ExitCode.AwsError, err.message, { phase: 'recover', ...(err.hint ? { hint: err.hint } : {}), cause: err.cause ?? err });
      throw err;
    }
    const scope = mode.experimentId ? `experiment ${mode.experimentId}` : mode.expired ? 'expired experiments' : 'all experiments';
    if (nacls.length === 0) {
      out(`recover: nothing to do — no chaos-ec2 network ACL found for ${scope} in ${clients.region}.`);
      return ExitCode.Ok;
    }
    out(`recover: ${nacls.length} chaos network ACL(s) for ${scope} in ${clients.region}:`);
    for (const n of nacls) {
      out(`  ${n.networkAclId} in ${n.vpcId}  experiment ${n.experimentId || '(untagged)'}  expires ${n.expiresAt ?? '(no expiry tag)'}${extra.has(n.networkAclId) ? '  journal found' : ''}`);
      for (const s of plans.get(n.networkAclId) ?? []) out(`    ${describeStep(s)}`);
      out(`    then verify with a fresh describe and delete ${n.networkAclId}`);
    }
    if (raw.dryRun === true) {
      out('dry run: nothing was changed.');
      return ExitCode.Ok;
    }
    if (raw.yes !== true) {
      if (!io.stdin.isTTY) {
        throw refused('refusing to change network ACLs without confirmation: stdin is not a TTY and --yes was not given', { phase: 'confirm', hint: 'review the list above (or use --dry-run), then pass --yes' });
      }
      if (!(await confirmOnTty(`Restore the subnets above and delete ${nacls.length} chaos NACL(s)?`, io.stdin, io.stderr))) {
        throw refused('not confirmed; nothing was changed', { phase: 'confirm' });
      }
    }
    let complete = true;
    for (const n of nacls) {
      const r = await restoreChaosNacls(clients.ec2, [n], { phase: 'recover', now: Date.now, ...(extra.has(n.networkAclId) ? { extra: extra.get(n.networkAclId)! } : {}) });
      for (const c of r.changes ?? []) out(`  restored ${c.subnetId}: ${c.fromNaclId} → ${c.toNaclId}`);
      for (const v of r.verification ?? []) out(`  verified ${v.subnetId}: on ${v.actualNaclId ?? 'nothing'}${v.ok ? '' : ` (expected ${v.expectedNaclId})`}`);
      for (const d of r.deletedNacls ?? []) out(`  deleted chaos NACL ${d}`);
      for (const m of r.remaining) io.stderr.write(`  NOT DONE: ${m}\n`);
      complete &&= r.complete;
    }
    out(complete ? 'recover: done — every subnet is back on its original NACL and no chaos NACL is left.' : 'recover: INCOMPLETE — see NOT DONE above; fix the cause and run recover again.');
    return complete ? ExitCode.Ok : ExitCode.RollbackIncomplete;
  } finally {
    clients.destroy();
  }
}
