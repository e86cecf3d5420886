/**
 * One experiment per Auto Scaling group at a time: a lease in the group's own tags, so it holds across
 * machines (two CI runners, a laptop and a game day) with nothing but the AWS API.
 *
 * Why not one shared key: CreateOrUpdateTags overwrites an existing key without an error (Auto Scaling API
 * reference), so "whoever wrote last" cannot arbitrate. Instead each run writes its OWN key,
 * `chaos-ec2:lease:<experiment-id>` = `<start ISO>/<expiry ISO>` (never propagated to instances), waits a
 * settle interval, re-reads the group's tags, and the lowest (start, id) among the unexpired leases wins;
 * the others delete their own key and refuse (exit 3) naming the holder and when its lease expires.
 *
 * Safety argument: a run A that read the tags and saw only itself goes on. A rival B that writes later picked
 * its start later than A's read minus (write latency + clock skew); the settle interval is longer than that,
 * so B's start is later than A's and B sees A and loses. The runner takes the lease right after confirmation
 * and decides it at the recheck, after the baseline: the settle wait overlaps the baseline, so it costs no
 * time unless the baseline is shorter than the settle interval.
 *
 * The lease expires (start + baseline + hold + recovery timeout + rollback window + margin), so a crashed run's
 * lease lapses by itself; `recover` releases leases too. It is released at the end of every run, best effort:
 * a release that fails leaves a lease that lapses at its expiry.
 */
import { deleteGroupTag, describeGroupTags, putGroupTag } from '../aws/autoscaling.js';
import { awsCode } from '../aws/errors.js';
import { sleep, type Clock } from '../core/clock.js';
import { ExitCode, refused } from '../core/errors.js';
import type { AwsClients } from '../aws/clients.js';

export const LEASE_PREFIX = 'chaos-ec2:lease:';
/** Auto Scaling allows 50 tags per group (user guide, "Tag Auto Scaling groups and instances"). */
export const GROUP_TAG_LIMIT = 50;
/** Write latency plus clock skew between machines stays well under this (see the safety argument above). */
export const LEASE_SETTLE_MS = 2_000;

export interface LeaseRecord {
  group: string;
  experimentId: string;
  startMs: number;
  expiresMs: number;
}

/** PURE: a lease tag back into a record; anything malformed is not a lease (never a crash). */
export function parseLease(group: string, key: string, value: string): LeaseRecord | undefined {
  if (!key.startsWith(LEASE_PREFIX)) return undefined;
  const [start, expires] = value.split('/');
  const startMs = Date.parse(start ?? '');
  const expiresMs = Date.parse(expires ?? '');
  if (!Number.isFinite(startMs) || !Number.isFinite(expiresMs)) return undefined;
  return { group, experimentId: key.slice(LEASE_PREFIX.length), startMs, expiresMs };
}

export const leaseValue = (startMs: number, expiresMs: number): string => `${new Date(startMs).toISOString()}/${new Date(expiresMs).toISOString()}`;

/** PURE: who holds the group: the lowest (start, id) among the leases unexpired at `now`. */
export function leaseHolder(leases: readonly LeaseRecord[], now: number): LeaseRecord | undefined {
  return leases.filter((l) => l.expiresMs > now).sort((a, b) => a.startMs - b.startMs || a.experimentId.localeCompare(b.experimentId))[0];
}

export class Lease {
  private released = false;

  private constructor(
    private readonly clients: AwsClients,
    private readonly clock: Clock,
    readonly record: LeaseRecord,
    private readonly writtenAt: number,
  ) {}

  get key(): string {
    return `${LEASE_PREFIX}${this.record.experimentId}`;
  }

  /**
   * Writes this run's lease. A group at its tag limit is refused (exit 3) before anything is written; an AWS
   * error here is exit 5 (nothing was injected).
   */
  static async take(clients: AwsClients, clock: Clock, o: { group: string; experimentId: string; durationMs: number; tagCount: number }): Promise<Lease> {
    if (o.tagCount >= GROUP_TAG_LIMIT) {
      throw refused(`the group '${o.group}' already has ${o.tagCount} tags, Auto Scaling's limit: there is no room for chaos-ec2's lease tag`, {
        phase: 'confirm',
        target: o.group,
        hint: 'remove a tag from the group (chaos-ec2 needs one free tag to hold the group while it runs)',
      });
    }
    const startMs = clock.now();
    const record: LeaseRecord = { group: o.group, experimentId: o.experimentId, startMs, expiresMs: startMs + o.durationMs };
    try {
      await putGroupTag(clients.asg, o.group, `${LEASE_PREFIX}${o.experimentId}`, leaseValue(startMs, record.expiresMs), 'confirm', ExitCode.AwsError);
    } catch (err) {
      // The SDK names the error LimitExceededFault; its code on the wire is LimitExceeded.
      if (/^LimitExceeded/.test(awsCode((err as Error).cause))) {
        throw refused(`the group '${o.group}' is at Auto Scaling's tag limit (${GROUP_TAG_LIMIT}): there is no room for chaos-ec2's lease tag`, {
          phase: 'confirm',
          target: o.group,
          hint: 'remove a tag from the group (chaos-ec2 needs one free tag to hold the group while it runs)',
        });
      }
      throw err;
    }
    return new Lease(clients, clock, record, clock.now());
  }

  /**
   * Decides the lease: waits out what is left of the settle interval, re-reads the group's leases, and
   * refuses (exit 3, after deleting its own tag) unless this run holds the group.
   */
  async confirm(signal?: AbortSignal): Promise<void> {
    const left = this.writtenAt + LEASE_SETTLE_MS - this.clock.now();
    if (left > 0) await sleep(this.clock, left, signal);
    const leases = await readLeases(this.clients, this.record.group);
    const holder = leaseHolder(leases, this.clock.now());
    if (holder && holder.experimentId !== this.record.experimentId) {
      await this.release();
      throw refused(`another experiment holds the group '${this.record.group}': ${holder.experimentId} (lease until ${new Date(holder.expiresMs).toISOString()}); nothing was injected`, {
        phase: 'steady-state',
        target: this.record.group,
        hint: `wait for it to finish, or if it crashed: chaos-ec2 recover --experiment-id ${holder.experimentId} --yes (or let the lease lapse at its expiry)`,
      });
    }
  }

  /** Deletes this run's lease tag; idempotent; never throws (the lease lapses at its expiry anyway). */
  async release(): Promise<Error | undefined> {
    if (this.released) return undefined;
    try {
      await deleteGroupTag(this.clients.asg, this.record.group, this.key, 'report');
      this.released = true;
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }
}

/** Every lease on a group (or, without one, on every group), expired or not. */
export async function readLeases(clients: AwsClients, group?: string): Promise<LeaseRecord[]> {
  const tags = await describeGroupTags(clients.asg, group ? { group } : {}, 'recover');
  return tags.flatMap((t) => parseLease(t.group, t.key, t.value) ?? []);
}

/** `recover`: deletes leases (tags alone, no journal needed). */
export async function releaseLeases(clients: AwsClients, leases: readonly LeaseRecord[]): Promise<{ done: string[]; remaining: string[] }> {
  const done: string[] = [];
  const remaining: string[] = [];
  for (const l of leases) {
    try {
      await deleteGroupTag(clients.asg, l.group, `${LEASE_PREFIX}${l.experimentId}`, 'recover');
      done.push(`released the lease of ${l.experimentId} on ${l.group}`);
    } catch (err) {
      remaining.push(`lease of ${l.experimentId} on ${l.group} not released (${(err as Error).message}); it lapses at ${new Date(l.expiresMs).toISOString()}`);
    }
  }
  return { done, remaining };
}
