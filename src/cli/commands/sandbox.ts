/**
 * `chaos-ec2 sandbox`: runs the sandbox in the foreground with the sample stack until Ctrl-C, and says how
 * to point the AWS CLI, the SDK and chaos-ec2 at it.
 */
import { isRegionName, REGION_EXAMPLE } from '../../aws/region.js';
import { ChaosError, ExitCode, usageError } from '../../core/errors.js';
import { SANDBOX_CREDENTIALS, startEmbeddedSandbox, type EmbeddedSandbox } from '../../sandbox/index.js';

/** The parsed flags (sandbox-flags.ts validates them; this module owns their shape, as demo and report do). */
export interface SandboxFlags {
  port: number;
  profile: 'fast' | 'realistic';
  instances: number;
  azs: number;
  region: string;
  accountId: string;
  seed?: string;
  https?: boolean;
}

export async function runSandbox(flags: SandboxFlags): Promise<number> {
  // The sandbox answers only requests signed for its region, so a name no client can sign for would make
  // a sandbox nothing can talk to.
  if (!isRegionName(flags.region)) throw usageError(`--region: '${flags.region}' is not an AWS region name ${REGION_EXAMPLE}`);
  process.stdout.write(`starting the sandbox (profile ${flags.profile}, ${flags.instances} instances over ${flags.azs} AZs)…\n`);
  const emb = await start(flags);
  // Listen for Ctrl-C before saying it works: a signal sent right after the message must stop us cleanly.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const e = emb.sandbox.endpoint;
  const info = emb.info;
  const port = new URL(info.url).port;
  const target = info.host ? `https://${info.host}:${port}/` : info.url;
  // The stack's DNSName resolves nowhere (as a real one would not without AWS's DNS): clients pin its nodes.
  const reach = [...info.resolve.map((r) => `--resolve ${r}`), ...(info.caCertFile ? [`--ca-cert ${info.caCertFile}`] : [])].join(' ');
  process.stdout.write(
    [
      `chaos-ec2 sandbox ready at ${e}`,
      `  group ${emb.stack.asgName} (${flags.instances} instances, HealthCheckType ELB) behind ${emb.stack.url}`,
      ...(info.host ? [`  HTTPS for ${info.host}: certificate from the sandbox CA ${info.caCertFile}`] : []),
      `  stack: ${JSON.stringify(info)}   (also GET ${e}/_sandbox/stack)`,
      '',
      'Reach the load balancer (its nodes answer on these addresses):',
      `  curl ${info.caCertFile ? `--cacert ${info.caCertFile} ` : ''}--resolve ${info.resolve.at(-1)} ${target}`,
      '',
      'Point the AWS CLI / SDK at it:',
      `  export AWS_ENDPOINT_URL=${e} AWS_REGION=${flags.region}`,
      `  export AWS_ACCESS_KEY_ID=${SANDBOX_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${SANDBOX_CREDENTIALS.secretAccessKey}`,
      `  aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${emb.stack.asgName}`,
      '',
      'Run an experiment against it:',
      `  chaos-ec2 run --asg ${emb.stack.asgName} --endpoint-url ${e} --region ${flags.region} ${reach} --poll 500ms --yes`,
      '',
      `Ground truth: ${e}/_sandbox/events   state: ${e}/_sandbox/state   knobs: ${e}/_sandbox/knobs`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await stopped;
  await emb.close();
  process.stdout.write('sandbox stopped\n');
  return 0;
}

async function start(flags: SandboxFlags): Promise<EmbeddedSandbox> {
  try {
    return await startEmbeddedSandbox({
      port: flags.port,
      profile: flags.profile,
      region: flags.region,
      accountId: flags.accountId,
      ...(flags.seed ? { seed: flags.seed } : {}),
      ...(flags.https ? { https: true } : {}),
      stack: { instances: flags.instances, azs: flags.azs, region: flags.region },
      steadyTimeoutMs: flags.profile === 'realistic' ? 600_000 : 120_000,
    });
  } catch (err) {
    throw listenError(err, flags.port) ?? err;
  }
}

/** A port we cannot listen on is a usage error (exit 2, nothing started), not a stack trace. */
function listenError(err: unknown, port: number): ChaosError | undefined {
  const code = (err as NodeJS.ErrnoException)?.code;
  const hint = 'pass another --port, or --port 0 to take any free one';
  if (code === 'EADDRINUSE') return new ChaosError(ExitCode.Usage, `--port: ${port} is already in use on 127.0.0.1`, { phase: 'sandbox', hint, cause: err });
  if (code === 'EACCES') return new ChaosError(ExitCode.Usage, `--port: ${port} needs privileges this user does not have`, { phase: 'sandbox', hint, cause: err });
  return undefined;
}
