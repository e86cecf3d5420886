/**
 * Runs the real built binary (bin/chaos-ec2.js → dist/) as a child process, as users and CI do.
 * `npm test` builds first; the e2e tests never import the CLI's modules directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runningSandbox } from '../../src/sandbox/index.js';

export const BIN = fileURLToPath(new URL('../../bin/chaos-ec2.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Bounded: the child is killed after this. */
  timeoutMs?: number;
  /** Called on every output chunk with everything printed so far (for signal tests). */
  onOutput?: (text: string, child: ChildProcess) => void;
  /** Called once, right after the spawn: for a test that acts on the child on an outside event. */
  onSpawn?: (child: ChildProcess) => void;
}

/** Environment for a child talking to a sandbox: dummy credentials, never a real profile. */
export function sandboxEnv(endpoint: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASANDBOXTEST00000',
    AWS_SECRET_ACCESS_KEY: 'sandbox-secret',
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_COLOR: '1',
  };
}

/**
 * `args` plus `--resolve` for the demo stack of the sandbox the command talks to (its --endpoint-url, else
 * AWS_ENDPOINT_URL of `env`), when that sandbox runs in this process and the command probes (run, probe).
 * The stack's DNSName resolves nowhere, as a real load balancer's name would not from a test machine without
 * AWS's DNS: every run pins the nodes' addresses the way a user would (GET /_sandbox/stack → resolve).
 * A command that names its own --resolve keeps it alone.
 */
export function withStackResolve(args: string[], env: Record<string, string | undefined>): string[] {
  if (!['run', 'probe'].includes(args[0] ?? '')) return args;
  const allowances = args[0] === 'run' ? sandboxAllowances(args) : [];
  if (args.includes('--resolve')) return [...args, ...allowances];
  const flag = args.indexOf('--endpoint-url');
  const endpoint = flag >= 0 ? args[flag + 1] : env.AWS_ENDPOINT_URL;
  const info = endpoint ? runningSandbox(endpoint)?.stackInfo : undefined;
  return [...args, ...(info ? info.resolve.flatMap((r) => ['--resolve', r]) : []), ...allowances];
}

/**
 * Every run in the tests talks to a fast-profile sandbox (in this process or a child), which boots a
 * replacement in under a second and registers NLB targets at once: preflight's allowances for real EC2
 * (60 s boot, 3 min NLB registration) would refuse every short --recovery-timeout. A test about an allowance
 * gives its own flag, which is then left alone.
 */
export const SANDBOX_ALLOWANCES = { '--boot-allowance': '2s', '--nlb-registration-allowance': '0s' } as const;

function sandboxAllowances(args: string[]): string[] {
  return Object.entries(SANDBOX_ALLOWANCES).flatMap(([flag, value]) => (args.includes(flag) ? [] : [flag, value]));
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env };
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...withStackResolve(args, env)], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end();
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onOutput?.(stdout + stderr, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onOutput?.(stdout + stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
