/**
 * For end-to-end test files: registers beforeAll/afterAll hooks that start a sandbox with the sample stack,
 * real SDK clients pointed at it, and a temp folder for reports — and tear all three down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedSandbox, type EmbeddedSandbox, type StackOptions } from '../../src/sandbox/index.js';
import { clientConfig } from './sandbox.js';

export interface StackSandbox {
  emb: EmbeddedSandbox;
  clients: { ec2: EC2Client; asg: AutoScalingClient; elb: ElasticLoadBalancingV2Client };
  /** A fresh temp folder, removed afterwards. */
  dir: string;
}

/** The returned object is filled in by the time the file's own beforeAll hooks (registered later) run. */
export function useStackSandbox(stack: StackOptions, dirPrefix: string, opts: { https?: boolean } = {}): StackSandbox {
  const t = {} as StackSandbox;
  beforeAll(async () => {
    t.emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack, ...(opts.https ? { https: true } : {}) });
    const cfg = clientConfig(t.emb.sandbox.endpoint);
    t.clients = { ec2: new EC2Client(cfg), asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg) };
    t.dir = mkdtempSync(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    for (const c of Object.values(t.clients ?? {})) c.destroy();
    await t.emb?.close();
    if (t.dir) rmSync(t.dir, { recursive: true, force: true });
  });
  return t;
}
