/**
 * Endpoints that are not quite AWS, end to end through the real binary: an HTML error page is named by its
 * status and endpoint (not "XML parse error"); a DryRun the endpoint carries out anyway is undone, verified and
 * reported; a blackhole never needs the `network-acl-id` filter some emulators lack.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeNetworkAclsCommand } from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { associations, blackholeArgs, chaosNacls, cliFor, experimentIdOf, lastSeq, setKnobs, waitForSettled } from '../helpers/e2e.js';
import { runCli, sandboxEnv } from '../helpers/cli.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

describe('chaos-ec2 against endpoints that are not quite AWS', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 6, azs: 3 }, 'chaos-emulator-');
  beforeEach(async () => {
    await waitForSettled(t.emb, t.clients);
  }, 45_000);
  afterEach(async () => {
    await setKnobs(t.emb, { ignoreDryRunActions: [], unsupportedFilters: [] });
  });

  it('an HTML 502 page from the endpoint: exit 5, one line "HTTP 502 from <endpoint>: not an AWS response", no stack', async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests++;
      res
        .writeHead(502, { 'content-type': 'text/html' })
        .end('<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await runCli(['run', '--asg', 'demo-asg', '--yes', '--report-dir', t.dir, '--endpoint-url', endpoint], { env: sandboxEnv(endpoint), timeoutMs: 90_000 });
      expect(r.code, r.stderr).toBe(5);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('chaos-ec2:'));
      expect(lines).toEqual([`chaos-ec2: GetCallerIdentity: HTTP 502 from ${endpoint}: not an AWS response`]);
      expect(r.stderr).not.toContain('XML parse error');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(requests).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  it('--dry-run on an endpoint that carries out CreateNetworkAcl despite DryRun: the NACL is deleted, verified gone, and reported', async () => {
    const before = await associations(t.clients.ec2);
    await setKnobs(t.emb, { ignoreDryRunActions: ['CreateNetworkAcl'] });
    const since = lastSeq(t.emb);
    const r = await cliFor(t.emb)(blackholeArgs(t.dir, '--dry-run'));
    expect(r.code, r.stdout + r.stderr).toBe(5);
    // Ground truth: the endpoint did create one, and it was deleted again.
    const events = t.emb.sandbox.world.events(since);
    const created = events.filter((e) => e.type === 'nacl-created').map((e) => (e as { networkAclId: string }).networkAclId);
    expect(created).toHaveLength(1);
    expect(events.some((e) => e.type === 'nacl-deleted' && e.networkAclId === created[0])).toBe(true);
    const gone = await t.clients.ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [created[0]!] })).catch((e: Error) => e.name);
    expect(gone).toBe('InvalidNetworkAclID.NotFound');
    expect(await chaosNacls(t.clients.ec2)).toEqual([]);
    expect(await associations(t.clients.ec2)).toEqual(before);
    // The output says what happened, and never that nothing was changed.
    expect(r.stdout).toContain(`✗ ec2:CreateNetworkAcl: the endpoint executed CreateNetworkAcl despite DryRun: it created network ACL ${created[0]} in vpc-`);
    expect(r.stdout).toContain(`deleted again (verified gone): ${created[0]}`);
    expect(r.stdout).toContain('dry run: the endpoint carried out DryRun calls for real; what they created was deleted again and verified gone');
    expect(r.stdout).not.toContain('nothing was changed');
    // On record: the report says so too.
    const id = experimentIdOf(r.stdout)!;
    const report = JSON.parse(readFileSync(join(t.dir, id, 'report.json'), 'utf8')) as Report;
    expect(report.exitCode).toBe(5);
    expect(report.reason).toContain(`deleted again (verified gone): ${created[0]}`);
    expect(report.hint).toContain('does not honour DryRun');
  });

  it('a blackhole run (dry and real) never uses the network-acl-id filter: the endpoint refusing it changes nothing', async () => {
    await setKnobs(t.emb, { unsupportedFilters: ['network-acl-id'] });
    // The knob bites: the filter is refused while it is set.
    const refusedFilter = await t.clients.ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'network-acl-id', Values: ['acl-00000000'] }] })).catch((e: Error) => e.name);
    expect(refusedFilter).toBe('InvalidParameterValue');
    const before = await associations(t.clients.ec2);
    const dry = await cliFor(t.emb)(blackholeArgs(t.dir, '--dry-run'));
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    const r = await cliFor(t.emb)(blackholeArgs(t.dir, '--yes', '--json', '--duration', '2s'));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.rollback?.status).toBe('complete');
    expect(await associations(t.clients.ec2)).toEqual(before);
    expect(await chaosNacls(t.clients.ec2)).toEqual([]);
  });
});
