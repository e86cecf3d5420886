/**
 * `chaos-ec2 demo`: the whole loop with no AWS account. Starts the embedded sandbox (fast profile) in this
 * process, runs the chosen fault (each fault's meta says what makes it demo-sized) against demo-asg with demo
 * timings, prints the summary and where
 * the report is. Only ever talks to its own sandbox on 127.0.0.1.
 */
import { validateRunOptions } from '../../experiment/config.js';
import { metaFor } from '../../faults/catalog.js';
import { SANDBOX_CREDENTIALS, startEmbeddedSandbox } from '../../sandbox/index.js';
import { runWithConfig } from './run.js';

/** Parsed by demo-flags.ts (defaults filled in); passed on to validateRunOptions as text. */
export interface DemoFlags {
  instances: number;
  fault: string;
  count?: number;
  format: string[];
  rate: number;
  reportDir?: string;
  json?: boolean;
  seed?: string;
  https?: boolean;
}

export async function runDemo(flags: DemoFlags): Promise<number> {
  const say = (s: string) => (flags.json ? process.stderr : process.stdout).write(`${s}\n`);
  say(`demo: starting a local sandbox with ${flags.instances} instances behind a load balancer…`);
  const emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', https: flags.https === true, stack: { instances: flags.instances, azs: 3 } });
  // The SDK's credential chain must never find real credentials for the demo: give it the sandbox's.
  process.env.AWS_ACCESS_KEY_ID = SANDBOX_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = SANDBOX_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  try {
    say(`demo: sandbox at ${emb.sandbox.endpoint}; ${emb.stack.asgName} is steady. Running the experiment:\n`);
    const cfg = validateRunOptions({
      asg: emb.stack.asgName,
      fault: flags.fault,
      ...metaFor(flags.fault)?.demoFlags,
      ...(flags.count !== undefined ? { count: String(flags.count) } : {}),
      format: flags.format.join(','),
      endpointUrl: emb.sandbox.endpoint,
      region: 'us-east-1',
      // Through the CLI's public flags, as a user would reach the stack: its DNSName resolves nowhere, so the
      // nodes' addresses are pinned (--resolve); the HTTPS stack is probed as its own name (--host) with its
      // certificate trusted through --ca-cert.
      resolve: emb.info.resolve,
      ...(emb.info.host ? { host: emb.info.host } : {}),
      ...(emb.info.caCertFile ? { caCert: emb.info.caCertFile } : {}),
      baseline: '3s',
      rate: String(flags.rate),
      timeout: '1s',
      poll: '250ms',
      steady: '3s',
      recoveryTimeout: '45s',
      // The sandbox boots a replacement in under a second and registers NLB targets at once: not the minute
      // and the minutes real EC2 and NLBs are allowed by default.
      bootAllowance: '2s',
      nlbRegistrationAllowance: '0s',
      yes: true,
      json: flags.json === true,
      ...(flags.reportDir ? { reportDir: flags.reportDir } : {}),
      ...(flags.seed ? { seed: flags.seed } : {}),
    });
    return await runWithConfig(cfg);
  } finally {
    await emb.close();
  }
}
