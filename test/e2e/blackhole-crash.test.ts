/**
 * Crash safety: the process SIGKILLs itself (CHAOS_EC2_TEST_CRASH_AT, see src/faults/crash-point.ts) at each
 * point of injection; `chaos-ec2 recover --all --yes` must then put every subnet back on its original NACL and
 * leave no chaos NACL — with the run's journal, and with it deleted (the tags on the NACL alone).
 * Tagging is part of the create (TagSpecifications), so "after create" is also "after tagged".
 * --include-lb-subnets gives two subnets in the AZ, so "after the first of several replacements" exists.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { associations, blackholeArgs, chaosNacls, cliFor, waitForSettled } from './blackhole-helpers.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const POINTS = ['after-create', 'after-first-replace', 'after-all-replaced', 'hold'] as const;

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

  for (const journal of ['kept', 'deleted'] as const) {
    for (const point of POINTS) {
      it(`killed ${point}, journal ${journal}: recover --all restores the pre-experiment associations`, async () => {
        const az = emb.stack.subnets[POINTS.indexOf(point)! % 3]!.availabilityZone;
        const crashed = await cliFor(emb, { CHAOS_EC2_TEST_CRASH_AT: point })(
          blackholeArgs(reportDir, '--yes', '--az', az, '--include-lb-subnets', '--duration', '2s', '--min-healthy', '1'),
        );
        expect(crashed.signal, crashed.stdout + crashed.stderr).toBe('SIGKILL');
        // The crash really left damage behind: a chaos NACL, and (after the first swap) dark subnets.
        const left = await chaosNacls(clients.ec2);
        expect(left).toHaveLength(1);
        const now = await associations(clients.ec2);
        const dark = Object.entries(now).filter(([, acl]) => acl === left[0]!.id).map(([s]) => s);
        expect(dark).toHaveLength(point === 'after-create' ? 0 : point === 'after-first-replace' ? 1 : 2);

        const journalDir = join(reportDir, left[0]!.experimentId);
        expect(existsSync(join(journalDir, 'journal.jsonl'))).toBe(true);
        if (journal === 'deleted') rmSync(journalDir, { recursive: true, force: true });

        const r = await cliFor(emb)(['recover', '--all', '--yes', '--report-dir', reportDir]);
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout.includes('journal found')).toBe(journal === 'kept');
        expect(await associations(clients.ec2)).toEqual(before);
        expect(await chaosNacls(clients.ec2)).toEqual([]);
      });
    }
  }
});
