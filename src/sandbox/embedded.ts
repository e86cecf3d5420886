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

export interface EmbeddedSandbox {
  sandbox: Sandbox;
  stack: SampleStack;
  close(): Promise<void>;
}

/** Dummy credentials: the sandbox accepts any, and real ones must never be sent to it. */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIACHAOSSANDBOX0000', secretAccessKey: 'chaos-ec2-sandbox' };

export async function startEmbeddedSandbox(opts: SandboxOptions & { stack?: StackOptions; steadyTimeoutMs?: number } = {}): Promise<EmbeddedSandbox> {
  const sandbox = await startSandbox(opts);
  const cfg = { endpoint: sandbox.endpoint, region: opts.region ?? 'us-east-1', credentials: SANDBOX_CREDENTIALS };
  const clients = { ec2: new EC2Client(cfg), asg: new AutoScalingClient(cfg), elb: new ElasticLoadBalancingV2Client(cfg), classic: new ElasticLoadBalancingClient(cfg) };
  try {
    const stack = await createSampleStack(clients, { region: cfg.region, ...opts.stack });
    await waitForSteadyState(clients, stack, opts.steadyTimeoutMs ?? 120_000);
    return {
      sandbox,
      stack,
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
