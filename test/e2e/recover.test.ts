/**
 * `chaos-ec2 recover` end to end: --expired undoes only experiments whose expires-at has passed, --dry-run
 * changes nothing, a second run finds nothing (idempotent), and the usage/confirmation rules hold.
 * Leftovers are made the honest way: a real run SIGKILLed while the sandbox holds one of its
 * ReplaceNetworkAclAssociation calls open (the stallActions knob; killWhenStalled), so it dies at a known point.
 */
import { type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkAclsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { associations, blackholeArgs, chaosNacls, clearLeases, cliFor, killWhenStalled, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

describe('chaos-ec2 recover', () => {
  const t = useStackSandbox({ instances: 3, azs: 3 }, 'chaos-recover-');
  let emb: EmbeddedSandbox;
  let clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  let reportDir: string;
  let before: Record<string, string>;
  let cli: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    ({ emb, clients, dir: reportDir } = t);
    before = await associations(clients.ec2);
    cli = cliFor(emb);
  });

  it('usage: exactly one of --experiment-id, --all, --expired (exit 2); nothing found is exit 0', async () => {
    expect((await cli(['recover'])).code).toBe(2);
    expect((await cli(['recover', '--all', '--expired'])).code).toBe(2);
    expect((await cli(['recover', '--all'])).code).toBe(0); // nothing to do needs no confirmation
  });

  it('--expired undoes only the experiment whose expires-at has passed; --dry-run and a second run change nothing', async () => {
    const [a, b] = emb.stack.subnets;
    // Long-lived leftover: killed right after its chaos NACL was created, blocked in its first swap
    // (expires in ~10 minutes).
    const longRun = await killWhenStalled(emb, cli, blackholeArgs(reportDir, '--yes', '--az', b!.availabilityZone, '--duration', '10m', '--min-healthy', '1'), {
      action: 'ReplaceNetworkAclAssociation',
      after: 0,
    });
    expect(longRun.result.signal).toBe('SIGKILL');
    // Its group lease would hold demo-asg for ~15 minutes (by design); the second leftover needs the group.
    expect(await clearLeases(clients.asg)).toHaveLength(1);
    // Short-lived leftover: its one subnet swapped (call 1), the 1s hold over, killed blocked in the rollback's
    // restore (call 2) with its AZ still dark; expires 1s + 1s after creation.
    await waitForSettled(emb, clients);
    const shortRun = await killWhenStalled(emb, cli, blackholeArgs(reportDir, '--yes', '--az', a!.availabilityZone, '--duration', '1s', '--recovery-timeout', '1s', '--min-healthy', '1'), {
      action: 'ReplaceNetworkAclAssociation',
      after: 1,
    });
    expect(shortRun.result.signal).toBe('SIGKILL');
    const left = await chaosNacls(clients.ec2);
    expect(left).toHaveLength(2);
    const tagged = (await clients.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: left.map((l) => l.id) }))).NetworkAcls!;
    const expiry = (id: string) => Date.parse(tagged.find((t) => t.NetworkAclId === id)!.Tags!.find((t) => t.Key === 'chaos-ec2:expires-at')!.Value!);
    const [short, long] = [...left].sort((x, y) => expiry(x.id) - expiry(y.id));
    expect(expiry(long!.id) - expiry(short!.id)).toBeGreaterThan(5 * 60_000);
    expect((await associations(clients.ec2))[a!.subnetId]).toBe(short!.id);

    // Wait (bounded: ~2 s) until Date.now(), the clock `recover` compares expires-at with, is past the short
    // one's expiry; the long one stays in the future. Re-checked rather than slept once: a timer can fire a
    // millisecond early by Date.now(). Every later `recover` starts after this, so it sees the expiry passed.
    while (Date.now() <= expiry(short!.id)) await new Promise((r) => setTimeout(r, expiry(short!.id) - Date.now() + 1));

    const dry = await cli(['recover', '--expired', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(short!.id);
    expect(dry.stdout).not.toContain(long!.id);
    expect(await chaosNacls(clients.ec2)).toHaveLength(2);

    const refused = await cli(['recover', '--expired']);
    expect(refused.code).toBe(3);
    expect(await chaosNacls(clients.ec2)).toHaveLength(2);

    const r = await cli(['recover', '--expired', '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`restored ${a!.subnetId}`);
    expect((await chaosNacls(clients.ec2)).map((n) => n.id)).toEqual([long!.id]);
    expect(await associations(clients.ec2)).toEqual(before);

    const again = await cli(['recover', '--expired', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);

    const byId = await cli(['recover', '--experiment-id', long!.experimentId, '--yes']);
    expect(byId.code, byId.stdout + byId.stderr).toBe(0);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
    expect(await associations(clients.ec2)).toEqual(before);
    const last = await cli(['recover', '--all', '--yes']);
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/nothing to do/);
    // Nine CLI processes, two of them real runs with a baseline, plus a settle: ~25 s on a loaded machine,
    // too close to vitest's 30 s default. Each child has its own 90 s bound; this covers the work, not those.
  }, 120_000);
});
