/**
 * The last-resort guard (src/core/fatal.ts) in a real process: an exception nobody catches, thrown while a
 * fault is injected, runs the rollback before the process ends, prints what remains, and sets the exit code:
 * 70 (a bug) unless the rollback is incomplete (4) or the run was interrupted (130).
 * Uses the built module (npm test builds first), as the e2e tests use the built binary.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FATAL = fileURLToPath(new URL('../../dist/core/fatal.js', import.meta.url));

function run(body: string) {
  const script = `import { installFatalGuard } from ${JSON.stringify(FATAL)};\n${body}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
}

describe('installFatalGuard', () => {
  it('an uncaught exception unwinds first, then exits with the outcome code (4: still injected)', () => {
    const r = run(`
      installFatalGuard(async () => {
        await new Promise((res) => setTimeout(res, 50));
        process.stdout.write('unwound\\n');
        return { exitCode: 4, message: 'still injected: subnet-1' };
      });
      setTimeout(() => { throw new Error('renderer bug'); }, 10);
      setTimeout(() => process.stdout.write('kept running\\n'), 5_000);
    `);
    expect(r.stdout).toBe('unwound\n');
    expect(r.stderr).toMatch(/unexpected error while a fault is injected: renderer bug/);
    expect(r.stderr).toMatch(/still injected: subnet-1/);
    expect(r.status).toBe(4);
  });

  it('an unhandled rejection is caught the same way; a second failure does not start a second unwind', () => {
    const r = run(`
      let unwinds = 0;
      installFatalGuard(async () => {
        unwinds++;
        await new Promise((res) => setTimeout(res, 50));
        process.stdout.write('unwinds ' + unwinds + '\\n');
        return { exitCode: 1, message: 'rolled back' };
      });
      Promise.reject(new Error('first'));
      setTimeout(() => { throw new Error('second'); }, 10);
    `);
    expect(r.stdout).toBe('unwinds 1\n');
    // Fully rolled back, not interrupted: reaching the guard is a bug, so 70 (never 1, "a gate failed").
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/this is a bug in chaos-ec2 \d+\.\d+\.\d+: please report it/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an interrupted run keeps 130; a rollback that throws is 4 (nothing proves the fault is gone)', () => {
    const interrupted = run(`
      installFatalGuard(async () => ({ exitCode: 130, message: 'rolled back after Ctrl-C' }));
      setTimeout(() => { throw new Error('late bug'); }, 10);
    `);
    expect(interrupted.status).toBe(130);
    expect(interrupted.stderr).not.toContain('this is a bug');
    const failed = run(`
      installFatalGuard(async () => { throw new Error('DescribeNetworkAcls timed out'); });
      setTimeout(() => { throw new Error('late bug'); }, 10);
    `);
    expect(failed.status).toBe(4);
    expect(failed.stderr).toContain('rollback failed: DescribeNetworkAcls timed out');
  });

  it('disposed: the default behaviour is back', () => {
    const r = run(`
      const g = installFatalGuard(async () => ({ exitCode: 4, message: 'x' }));
      g.dispose();
      throw new Error('plain crash');
    `);
    expect(r.stderr).toMatch(/plain crash/);
    expect(r.status).toBe(1);
  });
});
