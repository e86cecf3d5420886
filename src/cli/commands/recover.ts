/**
 * `chaos-ec2 recover`: undoes what runs left injected — after a crash, a kill -9, a lost laptop — by asking
 * every fault module what its experiments left behind, from tags on the AWS resources alone (chaos NACLs with
 * their restore records, stopped victims, …). A run's journal adds detail when it is found, but is never
 * required. Idempotent: a second run finds nothing and exits 0. Exit 0 all undone, 4 something could not be,
 * 2 usage, 3 not confirmed, 5 AWS error before any change.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClients } from '../../aws/clients.js';
import { parseS3Url } from '../../aws/s3.js';
import { mirrorDir } from '../../report/s3-store.js';
import { ChaosError, ExitCode, refused, usageError } from '../../core/errors.js';
import { Journal } from '../../experiment/journal.js';
import { readLeases, releaseLeases, type LeaseRecord } from '../../experiment/lease.js';
import { isExpired } from '../../faults/expiry.js';
import { FAULTS } from '../../faults/index.js';
import { fisRecovery } from '../../experiment/engines/fis-recover.js';
import type { Leftover, RecoverContext } from '../../faults/types.js';
import { confirmOnTty } from '../confirm.js';
import { mfaPrompt } from '../mfa-prompt.js';
import { profileName } from '../../aws/credentials.js';

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

export async function recoverCommand(raw: Raw, io: RecoverIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const mode = validate(raw);
  const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const given = str('reportDir') ?? process.env.CHAOS_EC2_REPORT_DIR ?? './chaos-reports';
  // Journals are read where runs wrote them: for an S3 store, its local mirror (recover works from the tags
  // alone; a journal only adds detail, and a network call must not stand between an operator and a rollback).
  const s3 = parseS3Url(given);
  const reportDir = s3 ? mirrorDir(s3) : given;
  const clients = await createClients({
    ...(str('region') ? { region: str('region')! } : {}),
    ...(str('profile') ? { profile: str('profile')! } : {}),
    ...(str('endpointUrl') ? { endpoint: str('endpointUrl')! } : {}),
    mfaCode: mfaPrompt(profileName(str('profile')), io.stdin, io.stderr),
  });
  const ctx: RecoverContext = {
    clients,
    reportDir,
    now: Date.now,
    async readJournal(experimentId) {
      const path = join(reportDir, experimentId, 'journal.jsonl');
      return existsSync(path) ? Journal.read(path) : undefined;
    },
  };
  const out = (s: string) => io.stdout.write(`${s}\n`);
  try {
    const found: { fault: Pick<(typeof FAULTS)[number], 'kind' | 'recover'>; items: Leftover[] }[] = [];
    let leases: LeaseRecord[] = [];
    try {
      // FIS experiments first: FIS reverts its own disruption, then each fault's leftovers are looked for.
      for (const fault of [fisRecovery, ...FAULTS]) {
        let items = await fault.recover.find(ctx, mode.experimentId);
        if (mode.expired) items = items.filter((i) => isExpired(i.expiresAt, ctx.now()));
        if (items.length) found.push({ fault, items });
      }
      // The group leases (one experiment per group): a crashed run's lease would hold the group until it lapses.
      // With --expired, also the leases of experiments whose leftovers are undone here: their run is over.
      const undone = new Set(found.flatMap((f) => f.items.map((i) => i.experimentId)));
      leases = (await readLeases(clients)).filter((l) =>
        mode.experimentId ? l.experimentId === mode.experimentId : mode.expired ? l.expiresMs <= ctx.now() || undone.has(l.experimentId) : true,
      );
    } catch (err) {
      // Nothing has been changed yet: an AWS problem here is exit 5.
      if (err instanceof ChaosError) throw new ChaosError(ExitCode.AwsError, err.message, { phase: 'recover', ...(err.hint ? { hint: err.hint } : {}), cause: err.cause ?? err });
      throw err;
    }
    const scope = mode.experimentId ? `experiment ${mode.experimentId}` : mode.expired ? 'expired experiments' : 'all experiments';
    const count = found.reduce((a, f) => a + f.items.length, 0) + leases.length;
    if (count === 0) {
      out(`recover: nothing to do — nothing left injected by chaos-ec2 for ${scope} in ${clients.region}.`);
      return ExitCode.Ok;
    }
    out(`recover: ${count} thing(s) left injected for ${scope} in ${clients.region}:`);
    for (const { fault, items } of found) {
      out(`  ${fault.kind}:`);
      for (const item of items) for (const line of item.lines) out(`    ${line}`);
    }
    if (leases.length) {
      out('  group leases:');
      for (const l of leases) out(`    ${l.group}: held by ${l.experimentId} until ${new Date(l.expiresMs).toISOString()} — release it`);
    }
    if (raw.dryRun === true) {
      out('dry run: nothing was changed.');
      return ExitCode.Ok;
    }
    if (raw.yes !== true) {
      if (!io.stdin.isTTY) {
        throw refused('refusing to undo anything without confirmation: stdin is not a TTY and --yes was not given', {
          phase: 'confirm',
          hint: 'review the list above (or use --dry-run), then pass --yes',
        });
      }
      if (!(await confirmOnTty(`Undo the ${count} item(s) above?`, io.stdin, io.stderr))) throw refused('not confirmed; nothing was changed', { phase: 'confirm' });
    }
    let complete = true;
    for (const { fault, items } of found) {
      const r = await fault.recover.undo(items, ctx);
      for (const line of r.done) out(`  ${line}`);
      for (const m of r.remaining) io.stderr.write(`  NOT DONE: ${m}\n`);
      complete &&= r.complete;
    }
    // Leases last: a group is free for the next run only once what was injected into it is undone.
    if (complete && leases.length) {
      const r = await releaseLeases(clients, leases);
      for (const line of r.done) out(`  ${line}`);
      for (const m of r.remaining) io.stderr.write(`  NOT DONE: ${m}\n`);
      complete &&= r.remaining.length === 0;
    }
    out(complete ? 'recover: done — nothing chaos-ec2 injected is left in place.' : 'recover: INCOMPLETE — see NOT DONE above; fix the cause and run recover again.');
    return complete ? ExitCode.Ok : ExitCode.RollbackIncomplete;
  } finally {
    clients.destroy();
  }
}
