/**
 * Undoing a blackhole, from the tags on the chaos NACL alone — the one code path used by the run's own
 * rollback and by `chaos-ec2 recover` after a crash. Safety invariants:
 * - a subnet is moved back only while it is on OUR chaos NACL: a subnet someone has since moved elsewhere
 *   is left alone (it is not ours to touch), and one already back on its original NACL is not touched again;
 * - the association id is looked up fresh right before each swap (ids change on every swap);
 * - the chaos NACL is deleted only after a fresh describe shows no subnet left on it, so a failed restore can
 *   never delete the record of what still needs restoring (the tags are that record);
 * - the journal note before each mutation is best effort: restoring is always the safe direction, so a
 *   journal that cannot be written (full disk, I/O error) never skips a restore or a delete.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  TAG_EXPERIMENT,
  TAG_EXPIRES,
  currentAssociations,
  deleteNacl,
  describeNacls,
  replaceAssociation,
  restoreMapFromTags,
  type NaclInfo,
  type SubnetAssociation,
} from '../../aws/nacl.js';
import type { Phase } from '../../core/errors.js';
import type { JournalEntry } from '../../experiment/journal.js';
import { isExpired as isLeftoverExpired } from '../expiry.js';
import type { RollbackResult } from '../types.js';
import type { AssociationChange, BlackholePlan, RestoreCheck, RestoreRecord } from './types.js';

export interface ChaosNacl {
  networkAclId: string;
  vpcId: string;
  experimentId: string;
  expiresAt: string | null;
  /** subnet id → original NACL id, from the chaos-ec2:restore:<subnet> tags. */
  restore: Map<string, string>;
  /** Subnets associated with it when it was described. */
  associated: string[];
}

export function toChaosNacl(n: NaclInfo): ChaosNacl {
  return {
    networkAclId: n.networkAclId,
    vpcId: n.vpcId,
    experimentId: n.tags[TAG_EXPERIMENT] ?? '',
    expiresAt: n.tags[TAG_EXPIRES] ?? null,
    restore: restoreMapFromTags(n.tags),
    associated: n.associations.map((a) => a.subnetId),
  };
}

/** Every chaos NACL, in every VPC (tag-key filter, all pages), optionally of one experiment. */
export async function findChaosNacls(ec2: EC2Client, phase: Phase, experimentId?: string): Promise<ChaosNacl[]> {
  const filter = experimentId ? { Name: `tag:${TAG_EXPERIMENT}`, Values: [experimentId] } : { Name: 'tag-key', Values: [TAG_EXPERIMENT] };
  return (await describeNacls(ec2, [filter], phase)).map(toChaosNacl);
}

export type RestoreStep =
  | { subnetId: string; action: 'replace'; associationId: string; from: string; to: string }
  | { subnetId: string; action: 'already-restored'; to: string }
  | { subnetId: string; action: 'moved-elsewhere'; current: string; original: string }
  | { subnetId: string; action: 'unknown-original'; current: string };

/**
 * PURE: what to do for each subnet of a chaos NACL, given the current associations. Subnets on the chaos NACL
 * with no restore tag (and none in `extra`, e.g. from the journal) cannot be restored safely: they are reported.
 */
export function planRestore(nacl: ChaosNacl, current: Map<string, SubnetAssociation>, extra: Map<string, string> = new Map()): RestoreStep[] {
  const restore = new Map([...extra, ...nacl.restore]);
  const subnets = [...new Set([...restore.keys(), ...nacl.associated])].sort();
  return subnets.map((subnetId): RestoreStep => {
    const cur = current.get(subnetId);
    const original = restore.get(subnetId);
    const onChaos = cur?.networkAclId === nacl.networkAclId;
    if (!original) return { subnetId, action: 'unknown-original', current: cur?.networkAclId ?? nacl.networkAclId };
    if (onChaos) return { subnetId, action: 'replace', associationId: cur.associationId, from: nacl.networkAclId, to: original };
    if (cur?.networkAclId === original || !cur) return { subnetId, action: 'already-restored', to: original };
    return { subnetId, action: 'moved-elsewhere', current: cur.networkAclId, original };
  });
}

/** PURE: chaos NACLs that `recover --expired` may undo at `now`. A missing or bad expiry is never "expired". */
export function isExpired(n: ChaosNacl, now: number): boolean {
  return isLeftoverExpired(n.expiresAt, now);
}

/** Extra restore records from a journal: the plan's subnets with their original NACLs. */
export function restoreMapFromJournal(entries: JournalEntry[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of entries) {
    // `detail` since report schema 2; journals written before it carry the same data under `blackhole`.
    const fault = (e.plan as { fault?: { detail?: Partial<BlackholePlan>; blackhole?: Partial<BlackholePlan> } } | undefined)?.fault;
    const subnets = (fault?.detail ?? fault?.blackhole)?.subnets;
    for (const s of subnets ?? []) m.set(s.subnetId, s.originalNaclId);
  }
  return m;
}

export interface RestoreOptions {
  phase: Phase;
  now: () => number;
  /** Called before each mutation (journal intent, fsynced); a failure is ignored (best effort). */
  beforeMutation?: (action: string, detail: Record<string, unknown>) => Promise<void>;
  onChange?: (c: AssociationChange) => void;
  extra?: Map<string, string>;
}

async function note(o: RestoreOptions, action: string, detail: Record<string, unknown>): Promise<void> {
  try {
    await o.beforeMutation?.(action, detail);
  } catch {
    // Best effort (see the invariants above): the chaos NACL's tags still say what to restore.
  }
}

/** Restores every subnet of the given chaos NACLs, verifies with a fresh describe, deletes what is empty. */
export async function restoreChaosNacls(ec2: EC2Client, nacls: ChaosNacl[], o: RestoreOptions): Promise<RollbackResult> {
  const remaining: string[] = [];
  const changes: AssociationChange[] = [];
  const verification: RestoreCheck[] = [];
  const deletedNacls: string[] = [];
  for (const nacl of nacls) {
    const subnets = [...new Set([...nacl.restore.keys(), ...(o.extra?.keys() ?? []), ...nacl.associated])];
    let steps: RestoreStep[];
    try {
      steps = planRestore(nacl, await currentAssociations(ec2, subnets, o.phase), o.extra);
    } catch (err) {
      remaining.push(`${nacl.networkAclId}: could not read the subnets' associations, nothing restored (${(err as Error).message}); subnets: ${subnets.join(', ')}`);
      continue;
    }
    for (const s of steps) {
      if (s.action === 'unknown-original') remaining.push(`${s.subnetId}: on chaos NACL ${nacl.networkAclId} with no record of its original NACL; associate it by hand`);
      if (s.action !== 'replace') continue;
      await note(o, 'ec2:ReplaceNetworkAclAssociation', { subnetId: s.subnetId, from: s.from, to: s.to, associationId: s.associationId });
      try {
        const newAssociationId = await replaceAssociation(ec2, s.associationId, s.to, s.subnetId, o.phase);
        const c: AssociationChange = {
          subnetId: s.subnetId,
          purpose: 'restore',
          fromNaclId: s.from,
          toNaclId: s.to,
          associationId: s.associationId,
          newAssociationId,
          at: new Date(o.now()).toISOString(),
        };
        changes.push(c);
        o.onChange?.(c);
      } catch (err) {
        remaining.push(`${s.subnetId}: still on chaos NACL ${nacl.networkAclId}, should be on ${s.to} (${(err as Error).message})`);
      }
    }
    // Verify with a fresh describe: the swap calls' answers are not proof of the end state.
    const expected = new Map(steps.filter((s) => s.action === 'replace' || s.action === 'already-restored').map((s) => [s.subnetId, (s as { to: string }).to]));
    let after: Map<string, SubnetAssociation>;
    try {
      after = await currentAssociations(ec2, subnets, o.phase);
    } catch (err) {
      remaining.push(`${nacl.networkAclId}: could not verify the restore (${(err as Error).message})`);
      continue;
    }
    for (const [subnetId, exp] of expected) {
      const actual = after.get(subnetId)?.networkAclId ?? null;
      verification.push({ subnetId, expectedNaclId: exp, actualNaclId: actual, ok: actual === exp });
      if (actual === nacl.networkAclId && !remaining.some((r) => r.startsWith(`${subnetId}:`))) remaining.push(`${subnetId}: still on chaos NACL ${nacl.networkAclId}, should be on ${exp}`);
    }
    const stillOn = [...after.values()].filter((a) => a.networkAclId === nacl.networkAclId).map((a) => a.subnetId);
    if (stillOn.length) {
      remaining.push(`${nacl.networkAclId}: chaos NACL kept (tags are the undo record) while ${stillOn.join(', ')} still use it`);
      continue;
    }
    await note(o, 'ec2:DeleteNetworkAcl', { networkAclId: nacl.networkAclId });
    try {
      await deleteNacl(ec2, nacl.networkAclId, o.phase);
      deletedNacls.push(nacl.networkAclId);
    } catch (err) {
      remaining.push(`${nacl.networkAclId}: chaos NACL not deleted (${(err as Error).message}); no subnet uses it`);
    }
  }
  const detail: RestoreRecord = { changes, verification, deletedNacls };
  return { complete: remaining.length === 0, remaining, detail };
}
