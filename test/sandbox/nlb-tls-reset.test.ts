/**
 * The NLB's TLS listener resets the client connections of a target that leaves routing, while clients come and
 * go on it. Resetting a connection while its TLS session was closing used to kill the sandbox process
 * (SIGSEGV inside OpenSSL, on Node 20, 22 and 24): within seconds under this load, and once in CI as a test
 * worker that "exited unexpectedly". The sandbox runs as the real `chaos-ec2 sandbox` command in a child
 * process, so a crash is an exit signal this test reads, not the end of the test run.
 */
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { StackInfo } from '../../src/sandbox/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { clientConfig } from '../helpers/sandbox.js';
import { until } from '../helpers/e2e.js';

/** Terminations, each with the clients' traffic running through it. The crash took about three before the fix. */
const ROUNDS = 8;
/** Connections open at once; each is one TLS handshake, one request, then a close from either side. */
const CONCURRENCY = 30;

describe('NLB TLS listener: resets while sessions open and close', () => {
  let child: ChildProcess | undefined;
  // A sandbox that failed to exit would otherwise outlive the test run, spinning a core.
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('survives targets replaced under live TLS sessions: clients see resets, the sandbox serves on and exits 0', { timeout: 120_000 }, async () => {
    let ready: { endpoint: string; info: StackInfo } | undefined;
    let exited: CliResult | undefined;
    const sandbox = runCli(['sandbox', '--port', '0', '--lb', 'nlb', '--https', '--instances', '4', '--azs', '3'], {
      timeoutMs: 100_000,
      onSpawn: (c) => (child = c),
      onOutput: (text) => {
        const endpoint = /sandbox ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
        const stack = /^ {2}stack: (\{.*\})/m.exec(text)?.[1];
        if (!ready && endpoint && stack && text.includes('Ctrl-C stops it.')) ready = { endpoint, info: JSON.parse(stack) as StackInfo };
      },
    });
    void sandbox.then((r) => (exited = r));
    await until(() => ready !== undefined || exited !== undefined, 60_000);
    expect(exited?.stderr).toBeUndefined();
    const { endpoint, info } = ready!;

    // The service's name, pinned to the nodes' addresses (as `--resolve` does), trusted through the sandbox CA.
    const [, port, addresses] = info.resolve.find((r) => r.startsWith(`${info.host!}:`))!.split(':');
    const nodes = addresses!.split(',');
    const ca = readFileSync(info.caCertFile!);
    let served = 0;
    let resetInSession = 0;
    let stop = false;
    const oneConnection = () =>
      new Promise<void>((done) => {
        const host = nodes[Math.floor(Math.random() * nodes.length)]!;
        let secure = false;
        const s = connect({ host, port: Number(port), servername: info.host, ca }, () => {
          secure = true;
          s.write(`GET / HTTP/1.1\r\nhost: ${info.host}\r\n\r\n`);
          s.once('data', () => {
            served++;
            // Half close, half end: the sandbox sees both a reset-free close and a session shutting down.
            if (Math.random() < 0.5) s.destroy();
            else s.end();
          });
        });
        const bound = setTimeout(() => s.destroy(), 2_000);
        s.on('error', (e: NodeJS.ErrnoException) => {
          if (secure && e.code === 'ECONNRESET') resetInSession++;
        });
        s.on('close', () => {
          clearTimeout(bound);
          done();
        });
      });
    const load = (async () => {
      while (!stop && !exited) await Promise.all(Array.from({ length: CONCURRENCY }, oneConnection));
    })();

    const ec2 = new EC2Client(clientConfig(endpoint));
    try {
      for (let round = 0; round < ROUNDS && !exited; round++) {
        const running = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }));
        const ids = (running.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[round % ids.length]!] }));
        // Traffic through the reset: 100 more responses (the replacement is in service within a second or two).
        const before = served;
        await until(() => served >= before + 100 || exited !== undefined, 30_000);
      }
    } finally {
      stop = true;
      await load;
      ec2.destroy();
    }

    expect(exited, `the sandbox died: ${exited?.signal ?? exited?.code}\n${exited?.stderr}`).toBeUndefined();
    // The path under test was taken: sessions that were established were then reset by the node.
    expect(resetInSession).toBeGreaterThan(0);
    // Ctrl-C: the sandbox closes everything and the process exits by itself, promptly (a socket left open
    // under a refused reset kept it alive forever, spinning a core).
    child!.kill('SIGINT');
    await until(() => exited !== undefined, 15_000).catch(() => undefined);
    expect(exited && { code: exited.code, signal: exited.signal }, exited?.stderr).toEqual({ code: 0, signal: null });
  });
});
