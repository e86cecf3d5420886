/**
 * The last-resort guard (src/core/fatal.ts) in a real process: an exception nobody catches, thrown while a
 * fault is injected, runs the rollback before the process ends, prints what remains, and sets the exit code.
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
    expect(r.status).toBe(1);
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
