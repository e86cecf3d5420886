/**
 * The one exit-code boundary (src/cli/main.ts), in-process: a command hands its code back through the
 * callback main gives it; a ChaosError is one line and its own code; anything else is a bug — exit 70 with a
 * request for a bug report, never 1. Nothing below main sets process.exitCode or calls process.exit, apart
 * from the two documented last resorts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { main, type Register } from '../../src/cli/main.js';
import { ExitCode, refused } from '../../src/core/errors.js';

const argv = (...args: string[]) => ['node', 'chaos-ec2', ...args];

/** A command table of one command, `go`, whose action does `act`. */
const oneCommand =
  (act: (setExitCode: (code: number) => void) => unknown): Register =>
  (program: Command, setExitCode) => {
    program.command('go').action(async () => {
      await act(setExitCode);
    });
  };

async function runMain(register: Register, env: NodeJS.ProcessEnv = {}) {
  let stderr = '';
  const code = await main(argv('go'), { register, env, stderr: (s) => (stderr += s) });
  return { code, stderr };
}

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('main: the exit-code boundary', () => {
  it('returns the code a command hands back, and leaves process.exitCode alone', async () => {
    const before = process.exitCode;
    const r = await runMain(oneCommand((set) => set(ExitCode.RollbackIncomplete)));
    expect(r).toEqual({ code: 4, stderr: '' });
    expect(process.exitCode).toBe(before);
  });

  it('a command that hands back nothing ends with 0', async () => {
    expect((await runMain(oneCommand(() => undefined))).code).toBe(0);
  });

  it('a ChaosError is its own code and one line (plus its hint), with no stack', async () => {
    const r = await runMain(
      oneCommand(() => {
        throw refused('steady state not met', { target: 'web-asg', hint: 'fix the group first' });
      }),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('chaos-ec2: steady state not met (web-asg)\n  → fix the group first\n');
  });

  it('an unexpected error is an internal error: exit 70, one line, a bug-report request with the version, no stack', async () => {
    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    const r = await runMain(
      oneCommand(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'healthy')");
      }),
    );
    expect(r.code).toBe(ExitCode.Internal);
    expect(r.code).toBe(70);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe("chaos-ec2: internal error: Cannot read properties of undefined (reading 'healthy')");
    expect(lines[1]).toContain(`this is a bug in chaos-ec2 ${version}: please report it`);
    expect(lines[1]).toContain('CHAOS_EC2_DEBUG=1');
  });

  it('CHAOS_EC2_DEBUG adds the stack of an internal error; a thrown non-Error is still 70', async () => {
    const r = await runMain(
      oneCommand(() => {
        throw new Error('kaboom');
      }),
      { CHAOS_EC2_DEBUG: '1' },
    );
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^chaos-ec2: internal error: kaboom\n/);
    expect(r.stderr).toMatch(/\n\s+at /);
    const s = await runMain(
      oneCommand(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: code that throws a non-Error
        throw 'a string';
      }),
    );
    expect(s.code).toBe(70);
    expect(s.stderr).toMatch(/^chaos-ec2: internal error: a string\n/);
  });

  it('a multi-line message stays one line', async () => {
    const r = await runMain(
      oneCommand(() => {
        throw new Error('first\n  second');
      }),
    );
    expect(r.stderr.split('\n')[0]).toBe('chaos-ec2: internal error: first second');
  });

  it('with the real command table: a usage error from a command is 2, an unknown command is 2', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-main-'));
    let stderr = '';
    const code = await main(argv('report', join(dir, 'missing.json')), { stderr: (s) => (stderr += s), env: {} });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^chaos-ec2: cannot read report .*missing\.json: no such file\n/);
    // commander prints its own message for an unknown command; silence it here.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- saved to be put back as it was, never called
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(await main(argv('explode'), { stderr: () => undefined })).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});

describe('exit codes have one boundary', () => {
  // The only places allowed to end the process or set its exit code: the entry, and the two last resorts
  // that run when the boundary is unreachable (an exception nobody caught; a second Ctrl-C).
  const ALLOWED = new Set(['cli/main.ts', 'core/fatal.ts', 'core/signals.ts']);
  const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
  const files = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });

  it('no other module outside the sandbox sets process.exitCode or calls process.exit', () => {
    const offenders = files(SRC)
      .map((p) => relative(SRC, p).split('\\').join('/'))
      .filter((p) => !p.startsWith('sandbox/') && !ALLOWED.has(p))
      .filter((p) => /process\.exitCode\s*=|process\.exit\(/.test(readFileSync(join(SRC, p), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the last resorts exit with ExitCode constants, not bare numbers', () => {
    for (const p of ['core/fatal.ts', 'core/signals.ts']) {
      const text = readFileSync(join(SRC, p), 'utf8');
      const calls = [...text.matchAll(/process\.exit\(([^;]*)\);/g)].map((m) => m[1]!);
      expect(calls.length, p).toBeGreaterThan(0);
      for (const c of calls) expect(c, p).not.toMatch(/\b\d+\b/);
    }
  });
});
