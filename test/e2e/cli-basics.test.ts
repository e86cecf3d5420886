/**
 * The CLI's shell: fast --help/--version (no AWS SDK loaded), exit codes for bad input, and the sandbox
 * command starting and stopping cleanly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const TRACE = fileURLToPath(new URL('../fixtures/trace-imports.mjs', import.meta.url));

describe('chaos-ec2 CLI basics', () => {
  it.each([['--help'], ['--version'], ['run', '--help']])('%s loads neither the AWS SDK nor undici nor ora', async (...args) => {
    const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${TRACE}` } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('IMPORTED');
    expect(r.stdout.length).toBeGreaterThan(0);
  });

  it('the trace hook does see the SDK when a command really uses it (the check above can fail)', async () => {
    const r = await runCli(['run', '--asg', 'x', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9'], {
      env: { NODE_OPTIONS: `--import=${TRACE}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(r.stderr).toContain('IMPORTED @aws-sdk');
  });

  it('prints the version from package.json', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('unknown commands and bad flags exit 2 with a one-line reason', async () => {
    const a = await runCli(['explode']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown command 'explode'/);
    const b = await runCli(['run', '--asg', 'x', '--rate', 'fast', '--poll', '1y']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--rate: 'fast' must be a number");
    expect(b.stderr).toContain("--poll: '1y' is not a duration");
  });

  it('an unreachable endpoint is an AWS error (exit 5) with a hint, not a stack trace', async () => {
    const r = await runCli(['run', '--asg', 'x', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9', '--yes'], {
      env: { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' },
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^chaos-ec2: GetCallerIdentity: .*ECONNREFUSED/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('`chaos-ec2 sandbox --port 0` builds the sample stack, says how to use it, and stops on SIGINT', async () => {
    let sent = false;
    const r = await runCli(['sandbox', '--port', '0', '--instances', '2', '--azs', '2'], {
      timeoutMs: 60_000,
      onOutput: (text, child) => {
        if (!sent && text.includes('Ctrl-C stops it.')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/chaos-ec2 sandbox ready at http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toMatch(/export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('sandbox stopped');
  }, 70_000); // covers the child's own 60 s bound

  it('`chaos-ec2 sandbox --https` prints how to reach the HTTPS stack (as GET /_sandbox/stack does) and removes its CA file on stop', async () => {
    let sent = false;
    let served: unknown;
    let caExisted = false;
    const r = await runCli(['sandbox', '--port', '0', '--instances', '1', '--azs', '2', '--https'], {
      timeoutMs: 60_000,
      onOutput: (text, child) => {
        if (sent || !text.includes('Ctrl-C stops it.')) return;
        sent = true;
        const endpoint = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!;
        const printed = JSON.parse(/^ {2}stack: (\{.*\})/m.exec(text)![1]!) as { caCertFile: string };
        caExisted = existsSync(printed.caCertFile);
        void fetch(`${endpoint}/_sandbox/stack`)
          .then((res) => res.json())
          .then((body) => (served = body))
          .finally(() => child.kill('SIGINT'));
      },
    });
    expect(sent).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(/^ {2}stack: (\{.*\})/m.exec(r.stdout)![1]!) as { url: string; host: string; resolve: string[]; caCertFile: string };
    expect(served).toEqual(printed);
    expect(printed).toMatchObject({
      url: expect.stringMatching(/^https:\/\//),
      host: 'shop.example.test',
      resolve: [expect.any(String), expect.stringMatching(/^shop\.example\.test:\d+:127\.\d+\.\d+\.\d+,127\.\d+\.\d+\.\d+$/)],
    });
    expect(caExisted).toBe(true);
    expect(existsSync(printed.caCertFile)).toBe(false);
    expect(r.stdout).toContain(`--cacert ${printed.caCertFile} --resolve ${printed.resolve[1]} https://shop.example.test:`);
  }, 70_000);

  it('`chaos-ec2 demo` (the README quick start) runs the whole loop and passes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-demo-'));
    try {
      const r = await runCli(['demo', '--json', '--report-dir', dir, '--seed', 'readme'], { timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { verdict: string; seed: string; recovery: { recovered: boolean } };
      expect(report.verdict).toBe('pass');
      expect(report.seed).toBe('readme');
      expect(report.recovery.recovered).toBe(true);
      expect(r.stderr).toContain('demo: sandbox at http://127.0.0.1:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Covers the child's own 60 s bound: the whole demo loop took ~19 s on a loaded machine, and vitest's 30 s
    // default would otherwise cut it off before the child's bound applied.
  }, 70_000);

  it("a report that cannot be written after a finished run keeps the run's exit code and still prints --json", async () => {
    // The run passes; then the CI step summary it must append to is a FIFO nobody reads: a plain open would
    // block forever (and a process with that open pending cannot exit); the run must end with its own code.
    const dir = mkdtempSync(join(tmpdir(), 'chaos-demo-'));
    const summary = join(dir, 'step-summary');
    execFileSync('mkfifo', [summary]);
    try {
      const r = await runCli(['demo', '--json', '--report-dir', join(dir, 'reports'), '--seed', 'summary'], { timeoutMs: 60_000, env: { GITHUB_STEP_SUMMARY: summary } });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { verdict: string };
      expect(report.verdict).toBe('pass');
      const lines = r.stderr.split('\n').filter((l) => l.includes('could not be written'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^chaos-ec2: the report could not be written to ${summary} \\(GITHUB_STEP_SUMMARY\\): .*ENXIO.* \\(the run's result and exit code stand\\)$`));
      expect(r.stderr).toMatch(/^report \(json\): .*report\.json$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
