/**
 * Test harness: a sandbox on port 0 and the real AWS SDK v3 clients pointed at it. Every test file that
 * needs AWS uses this, so tests exercise the same wire protocol as the CLI.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { expect } from 'vitest';
import { startSandbox, type Sandbox, type SandboxEvent, type SandboxOptions, type World } from '../../src/sandbox/index.js';

export interface TestSandbox extends Sandbox {
  ec2: EC2Client;
  asg: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  sts: STSClient;
  /** Resolves with the first ground-truth event (already emitted or future) that matches. */
  waitForEvent(match: (e: SandboxEvent) => boolean, timeoutMs?: number): Promise<SandboxEvent>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'AKIASANDBOXTEST00000', secretAccessKey: 'sandbox-secret' };

/**
 * Test clients make exactly one attempt (a knob-made 5xx must fail the call, not be retried away), so they must
 * not reuse idle keep-alive sockets: the sandbox closes one after 5 s idle, and a request written to it in the
 * same instant fails with ECONNRESET — a race the SDK's retries absorb for the CLI, but not with one attempt.
 * A fresh loopback connection per call costs nothing here.
 */
export function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: false }) }),
  };
}

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sb = await startSandbox({ port: 0, profile: 'fast', ...opts });
  const cfg = clientConfig(sb.endpoint);
  const clients = {
    ec2: new EC2Client(cfg),
    asg: new AutoScalingClient(cfg),
    elb: new ElasticLoadBalancingV2Client(cfg),
    sts: new STSClient(cfg),
  };
  const close = sb.close.bind(sb);
  return {
    ...sb,
    ...clients,
    waitForEvent: (match, timeoutMs) => waitForWorldEvent(sb.world, match, timeoutMs),
    async close() {
      for (const c of Object.values(clients)) c.destroy();
      await close();
    },
  };
}

/** Resolves with the first ground-truth event of `world` (already emitted or future) that matches. */
export function waitForWorldEvent(world: World, match: (e: SandboxEvent) => boolean, timeoutMs = 20_000): Promise<SandboxEvent> {
  const seen = world.events().find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a sandbox event`));
    }, timeoutMs);
    const off = world.subscribe((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Awaits an SDK rejection and checks the AWS error code and HTTP status the client saw. */
export async function expectAwsError(p: Promise<unknown>, code: string, status = 400): Promise<Error> {
  const err = (await p.then(
    () => {
      throw new Error(`expected ${code}, but the call succeeded`);
    },
    (e: unknown) => e,
  )) as Error & { $metadata?: { httpStatusCode?: number } };
  expect(err.name).toBe(code);
  expect(err.$metadata?.httpStatusCode).toBe(status);
  return err;
}

/**
 * The addresses a load balancer's DNS name would resolve to, through the API as a client's tooling finds
 * them: its node interfaces (description `ELB app/<name>/<id>`), Association.PublicIp when internet-facing,
 * else PrivateIpAddress; in AZ order. The sandbox's DNSName resolves nowhere, like a real one off AWS's DNS.
 */
export async function lbNodeAddresses(ec2: EC2Client, loadBalancerArn: string): Promise<string[]> {
  const description = `ELB ${loadBalancerArn.slice(loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length)}`;
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [description] }] }));
  return (out.NetworkInterfaces ?? []).sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? '')).map((n) => n.Association?.PublicIp ?? n.PrivateIpAddress!);
}

/** `url` with its host replaced by one node's address (what a client that resolved the name connects to). */
export function viaNode(url: string, address: string): string {
  const u = new URL(url);
  u.hostname = address;
  return u.toString();
}
