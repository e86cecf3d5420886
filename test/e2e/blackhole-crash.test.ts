/**
 * Crash safety: the real chaos-ec2 process is SIGKILLed — no handler, no finally, like a power cut — at each
 * point of injection; `chaos-ec2 recover --all --yes` must then put every subnet back on its original NACL and
 * leave no chaos NACL — with the run's journal, and with it deleted (the tags on the NACL alone).
 * chaos-ec2 has no test hook for this: the sandbox's stallActions knob holds one ReplaceNetworkAclAssociation
 * open, so the process is known to be blocked inside exactly that call when it is killed (killWhenStalled).
 * Tagging is part of the create (TagSpecifications), so "after create" is also "after tagged".
 * --include-lb-subnets gives two subnets in the AZ, so "after the first of several replacements" exists.
 *
 * And the ways a run could die or hang with the AZ dark that are not a SIGKILL: a closed stdout (EPIPE), an
 * API that stops answering during the rollback, a CI cancel (SIGINT then SIGTERM), Ctrl-C during the recheck.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedSandbox, StallRule } from '../../src/sandbox/index.js';
import type { Report } from '../../src/experiment/types.js';
import type { CliResult } from '../helpers/cli.js';
import { associations, blackholeArgs, chaosNacls, cliFor, experimentIdOf, killWhenStalled, runWithHook, setKnobs, until, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const REPLACE = 'ReplaceNetworkAclAssociation';

/**
 * Where the process dies, and how many of the AZ's two subnets are then on the chaos NACL. The stalls hold a
 * call of the injection's own swaps (the rollback's come later), counted from when the knob is set.
 */
const POINTS: { point: string; stall?: StallRule; dark: number }[] = [
  // The chaos NACL was created (and journaled); blocked in the first swap, which never happens.
  { point: 'after-create', stall: { action: REPLACE, after: 0 }, dark: 0 },
  // The first swap done and journaled; blocked in the second, which never happens.
  { point: 'after-first-replace', stall: { action: REPLACE, after: 1 }, dark: 1 },
  // The last swap took effect, but its answer never came back: every subnet dark, the journal says "intent".
  { point: 'after-all-replaced', stall: { action: REPLACE, after: 1, applied: true }, dark: 2 },
  // Every swap done and recorded, and the process is holding (a 10-minute --duration): killed in the hold.
  { point: 'hold', dark: 2 },
];

describe('blackhole-az crash safety: SIGKILL at each point of injection, then recover', () => {
  const t = useStackSandbox({ instances: 3, azs: 3 }, 'chaos-crash-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    ({ emb, clients, dir: reportDir } = t);
    before = await associations(clients.ec2);
  });
  beforeEach(async () => {
    await waitForSettled(emb, clients);
  });

  /** Runs the blackhole and SIGKILLs it at `p`. */
  async function crashAt(p: (typeof POINTS)[number], az: string): Promise<CliResult> {
    const run = (duration: string) => blackholeArgs(reportDir, '--yes', '--az', az, '--include-lb-subnets', '--duration', duration, '--min-healthy', '1');
    if (p.stall) return (await killWhenStalled(emb, cliFor(emb), run('2s'), p.stall)).result;
    // In the hold: both swaps printed — each only after the sandbox answered it and the journal recorded it.
    return runWithHook(cliFor(emb), run('10m'), (child) => void child.kill('SIGKILL'), /association-replaced[\s\S]*association-replaced/);
  }

  for (const journal of ['kept', 'deleted'] as const) {
    for (const [i, p] of POINTS.entries()) {
      it(`killed ${p.point}, journal ${journal}: recover --all restores the pre-experiment associations`, async () => {
        const az = emb.stack.subnets[i % 3]!.availabilityZone;
        const crashed = await crashAt(p, az);
        expect(crashed.signal, crashed.stdout + crashed.stderr).toBe('SIGKILL');
        // The crash really left damage behind: a chaos NACL, and (after the first swap) dark subnets.
        const left = await chaosNacls(clients.ec2);
        expect(left).toHaveLength(1);
        const now = await associations(clients.ec2);
        const dark = Object.entries(now)
          .filter(([, acl]) => acl === left[0]!.id)
          .map(([s]) => s);
        expect(dark).toHaveLength(p.dark);

        const journalDir = join(reportDir, left[0]!.experimentId);
        // The journal's last line tells where the process died: inside a swap (its intent, never marked done),
        // or after the last swap was recorded done.
        const lines = readFileSync(join(journalDir, 'journal.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; action?: string });
        expect(lines.at(-1)).toMatchObject({ type: p.stall ? 'intent' : 'done', action: `ec2:${REPLACE}` });
        if (journal === 'deleted') rmSync(journalDir, { recursive: true, force: true });

        const r = await cliFor(emb)(['recover', '--all', '--yes', '--report-dir', reportDir]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout.includes('journal found')).toBe(journal === 'kept');
        expect(await associations(clients.ec2)).toEqual(before);
        expect(await chaosNacls(clients.ec2)).toEqual([]);
      });
    }
  }

  const args = (...extra: string[]) => blackholeArgs(reportDir, '--yes', '--min-healthy', '1', ...extra);
  const report = (id: string) => JSON.parse(readFileSync(join(reportDir, id, 'report.json'), 'utf8')) as Report;

  it('stdout closed mid-hold (EPIPE, like `| head`): the run carries on, rolls back and writes its report', async () => {
    let out = '';
    const r = await runWithHook(cliFor(emb), args('--duration', '3s'), (child, text) => {
      out = text();
      // The reader goes away: every later write to stdout fails with EPIPE.
      child.stdout!.destroy();
    });
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    const id = experimentIdOf(out)!;
    expect(id).toBeDefined();
    expect(report(id).rollback?.status).toBe('complete');
    expect(await associations(clients.ec2)).toEqual(before);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
  });

  it('CI cancel (SIGINT, then SIGTERM during the rollback): keeps rolling back, exit 130, world restored', async () => {
    let r;
    try {
      r = await runWithHook(cliFor(emb), args('--duration', '30s'), async (child, text) => {
        // Slow the API so the rollback is still running when the SIGTERM arrives.
        await setKnobs(emb, { apiLatencyMs: 800 });
        child.kill('SIGINT');
        await until(() => /SIGINT received/.test(text()));
        child.kill('SIGTERM');
      });
    } finally {
      await setKnobs(emb, { apiLatencyMs: 0 });
    }
    expect(r.stderr).toMatch(/SIGTERM received again: still rolling back/);
    expect(r.stderr).toMatch(/chaos-ec2 recover --experiment-id exp-/);
    expect(r.code, r.stdout + r.stderr).toBe(130);
    expect(r.stdout + r.stderr).not.toMatch(/exiting immediately/);
    expect(await associations(clients.ec2)).toEqual(before);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
  });
});
