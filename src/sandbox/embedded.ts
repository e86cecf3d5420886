/**
 * A sandbox with the sample stack, ready for an experiment: what `chaos-ec2 sandbox` and `chaos-ec2 demo`
 * start. Builds the stack through the real SDK clients and waits for steady state.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startSandbox, type Sandbox, type SandboxOptions } from './server.js';
import { createSampleStack, waitForSteadyState, type SampleStack, type StackOptions } from './stack.js';
import { stackInfo, type StackInfo } from './stack-info.js';

export interface EmbeddedSandbox {
  sandbox: Sandbox;
  stack: SampleStack;
  /** How a client reaches the stack: { url, host, resolve, caCertFile } (also GET /_sandbox/stack). */
  info: StackInfo;
  close(): Promise<void>;
}

/** The service name of the HTTPS demo stack (its certificate and host-header rule). */
export const DEMO_HOST = 'shop.example.test';

export interface EmbeddedOptions extends SandboxOptions {
  stack?: StackOptions;
  steadyTimeoutMs?: number;
  /**
   * The production shape: an HTTPS listener on a certificate for shop.example.test from the sandbox CA
   * (written to a temp file, removed on close), default action fixed-response 404, a host-header rule forwarding.
   */
  https?: boolean;
}

/** Dummy credentials: the sandbox accepts any, and real ones must never be sent to it. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIACHAOSSANDBOX0000', secretAccessKey: 'chaos-ec2-sandbox' };

export async function startEmbeddedSandbox(opts: EmbeddedOptions = {}): Promise<EmbeddedSandbox> {
  const sandbox = await startSandbox(opts);
  const cfg = { endpoint: sandbox.endpoint, region: opts.region ?? 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  const clients = { ec2: new EC2Client(cfg), asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg), classic: new ElasticLoadBalancingClient(cfg) };
  try {
    const https = opts.https ? { certificateArn: await sandbox.certificates.issue(DEMO_HOST), host: DEMO_HOST } : undefined;
    // The profile's grace period (realistic: the console's 300 s, fast: 5 s) unless the caller sets one.
    const gracePeriodSeconds = sandbox.ctx.timings.gracePeriodSeconds;
    const stack = await createSampleStack(clients, { region: cfg.region, gracePeriodSeconds, ...opts.stack, ...(https ? { https } : {}) });
    await waitForSteadyState(clients, stack, opts.steadyTimeoutMs ?? 120_000);
    const caCertFile = https ? sandbox.certificates.caCertFile : undefined;
    const info = stackInfo(sandbox.world, stack, caCertFile);
    // Read afresh on every GET /_sandbox/stack: an NLB's DNS answer moves with target health (stack-info.ts).
    Object.defineProperty(sandbox.ctx, 'stackInfo', { get: () => stackInfo(sandbox.world, stack, caCertFile), enumerable: true, configurable: true });
    return {
      sandbox,
      stack,
      info,
      async close() {
        await sandbox.close();
      },
    };
  } catch (err) {
    await sandbox.close();
    throw err;
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}
