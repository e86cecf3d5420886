/**
 * One experiment per group at a time, across processes: the lease in the group's tags (src/experiment/lease.ts).
 * Two real chaos-ec2 processes started together on one group: exactly one injects. A crashed holder's lease
 * keeps the group until `recover` releases it or it lapses at its expiry. A group at its tag limit is refused.
 */
import { CreateOrUpdateTagsCommand, DeleteTagsCommand, DescribeTagsCommand } from '@aws-sdk/client-auto-scaling';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { cliFor, experimentIdOf, fastRunArgs, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox, type StackSandbox } from '../helpers/stack-sandbox.js';

describe('the group lease: one experiment per group at a time', () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-lease-');
  let emb: EmbeddedSandbox;
  let clients: StackSandbox['clients'];
  let reportDir: string;
  beforeAll(() => {
    ({ emb, clients, dir: reportDir } = t);
  });
  beforeEach(async () => {
    await waitForSettled(emb, clients);
  });

  const args = (...extra: string[]) => fastRunArgs(reportDir, '--rate', '20', '--yes', '--json', ...extra);
  const leaseTags = async () =>
    ((await clients.asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['demo-asg'] }] }))).Tags ?? []).filter((x) => x.Key!.startsWith('chaos-ec2:lease:'));
  const terminatedSince = (seq: number) => emb.sandbox.world.events(seq).filter((e) => e.type === 'instance-state' && e.to === 'shutting-down').length;
  const lastSeq = () => emb.sandbox.world.events().at(-1)?.seq ?? 0;

  it('two terminate runs started together: exactly one injects, the other exits 3 naming the lease; the floor holds', async () => {
    const seq = lastSeq();
    const cli = cliFor(emb);
    // Each would take 2 of 4 and keep 2: together they would take all 4.
    const [a, b] = await Promise.all([cli(args('--count', '2', '--min-healthy', '2', '--seed', 'a')), cli(args('--count', '2', '--min-healthy', '2', '--seed', 'b'))]);
    const results = [a, b].map((r) => ({ r, report: JSON.parse(r.stdout) as Report }));
    const winner = results.filter((x) => x.r.code === 0);
    const loser = results.filter((x) => x.r.code === 3);
    expect(winner, a.stderr + b.stderr).toHaveLength(1);
    expect(loser, a.stderr + b.stderr).toHaveLength(1);
    expect(loser[0]!.report.reason).toContain(`another experiment holds the group 'demo-asg': ${winner[0]!.report.id}`);
    expect(loser[0]!.report.reason).toContain('nothing was injected');
    expect(loser[0]!.report.hint).toMatch(/^wait for it to finish, or if it crashed: chaos-ec2 recover --experiment-id exp-/);
    expect(loser[0]!.r.stderr).toContain('→ wait for it to finish');
    // Ground truth: only the winner's two victims were terminated.
    expect(terminatedSince(seq)).toBe(2);
    // Both released their lease at the end.
    expect(await leaseTags()).toEqual([]);
  });

  it("a crashed holder's lease keeps the group (exit 3) until recover releases it; then the next run goes ahead", async () => {
    const cli = cliFor(emb);
    let killed = false;
    // Killed once it has injected (the lease is decided before that), as a power cut would.
    const crashed = await cli(args('--count', '1'), {
      onOutput: (text, child) => {
        if (!killed && /fault-injected/.test(text)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(crashed.signal).toBe('SIGKILL');
    const holder = experimentIdOf(crashed.stdout + crashed.stderr)!;
    expect((await leaseTags()).map((x) => x.Key)).toEqual([`chaos-ec2:lease:${holder}`]);
    await waitForSettled(emb, clients);

    const seq = lastSeq();
    const refused = await cli(args('--count', '1'));
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain(`another experiment holds the group 'demo-asg': ${holder}`);
    expect(terminatedSince(seq)).toBe(0);

    const rec = await cli(['recover', '--experiment-id', holder, '--yes', '--report-dir', reportDir]);
    expect(rec.code, rec.stdout + rec.stderr).toBe(0);
    expect(rec.stdout).toContain(`released the lease of ${holder} on demo-asg`);
    expect(await leaseTags()).toEqual([]);

    const next = await cli(args('--count', '1'));
    expect(next.code, next.stderr).toBe(0);
  });

  it('a lease past its expiry no longer holds the group: the run goes ahead', async () => {
    // What a crashed run leaves once its expiry has passed (the tag format is the contract).
    const key = 'chaos-ec2:lease:exp-20200101T000000Z-dead00';
    await clients.asg.send(
      new CreateOrUpdateTagsCommand({
        Tags: [{ ResourceId: 'demo-asg', ResourceType: 'auto-scaling-group', Key: key, Value: '2020-01-01T00:00:00.000Z/2020-01-01T01:00:00.000Z', PropagateAtLaunch: false }],
      }),
    );
    try {
      const r = await cliFor(emb)(args('--count', '1'));
      expect(r.code, r.stderr).toBe(0);
      // It is not ours to delete: the lapsed lease is left for `recover --expired`.
      expect((await leaseTags()).map((x) => x.Key)).toEqual([key]);
      const rec = await cliFor(emb)(['recover', '--expired', '--yes', '--report-dir', reportDir]);
      expect(rec.code, rec.stdout + rec.stderr).toBe(0);
      expect(await leaseTags()).toEqual([]);
    } finally {
      await clients.asg.send(new DeleteTagsCommand({ Tags: [{ ResourceId: 'demo-asg', ResourceType: 'auto-scaling-group', Key: key }] }));
    }
  });

  it('a group at its tag limit (50) is refused with that reason, exit 3, nothing injected', async () => {
    const have = ((await clients.asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['demo-asg'] }] }))).Tags ?? []).length;
    const filler = Array.from({ length: 50 - have }, (_, i) => ({
      ResourceId: 'demo-asg',
      ResourceType: 'auto-scaling-group',
      Key: `team:filler-${i}`,
      Value: 'x',
      PropagateAtLaunch: false,
    }));
    await clients.asg.send(new CreateOrUpdateTagsCommand({ Tags: filler }));
    try {
      const seq = lastSeq();
      const r = await cliFor(emb)(args('--count', '1'));
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain("already has 50 tags, Auto Scaling's limit");
      expect(terminatedSince(seq)).toBe(0);
      // The journal was opened before the lease was tried: it ends with the refusal, nothing else after the plan.
      const id = (JSON.parse(r.stdout) as Report).id;
      const lines = readFileSync(join(reportDir, id, 'journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; error?: string });
      expect(lines.map((l) => l.type)).toEqual(['plan', 'intent', 'end']);
      expect(lines.at(-1)?.error).toContain('already has 50 tags');
    } finally {
      await clients.asg.send(new DeleteTagsCommand({ Tags: filler.map(({ ResourceId, ResourceType, Key }) => ({ ResourceId, ResourceType, Key })) }));
    }
  });
});
