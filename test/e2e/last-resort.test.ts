/**
 * The process-wide last resort (installLastResort in src/cli/main.ts) in a real process: an exception no
 * await caught is a bug — exit 70 with the bug-report request, not Node's stack and exit 1 — unless the
 * fatal guard is active (something injected: it unwinds first and owns the exit) or the command already
 * returned its code (that code stands). Uses the built modules, as the e2e tests use the built binary.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const FATAL = fileURLToPath(new URL('../../dist/core/fatal.js', import.meta.url));

function run(body: string, env: Record<string, string> = {}) {
  const script = `import { installLastResort } from ${JSON.stringify(MAIN)};\nimport { installFatalGuard } from ${JSON.stringify(FATAL)};\n${body}`;
  const { CHAOS_EC2_DEBUG: _, ...base } = process.env;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000, env: { ...base, ...env } });
}

describe('installLastResort', () => {
  it('an uncaught exception is exit 70 with one line and the bug-report request, no stack', () => {
    const r = run(`
      installLastResort(() => undefined);
      setTimeout(() => { throw new Error('timer bug'); }, 10);
      setTimeout(() => process.stdout.write('kept running\\n'), 5_000);
    `);
    expect(r.status).toBe(70);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^chaos-ec2: internal error: timer bug\n {2}→ this is a bug in chaos-ec2 /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unhandled rejection too; CHAOS_EC2_DEBUG adds the stack', () => {
    const r = run(`installLastResort(() => undefined); Promise.reject(new Error('stray rejection'));`, { CHAOS_EC2_DEBUG: '1' });
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/^chaos-ec2: internal error: stray rejection\n/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });

  it('after the command returned, its code stands: a 4 (still injected) never becomes 70', () => {
    const r = run(`
      installLastResort(() => 4);
      setTimeout(() => { throw new Error('late socket bug'); }, 10);
    `);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('internal error: late socket bug');
  });

  it('while the fatal guard is active it stands aside: the rollback runs first and the guard picks the code', () => {
    const r = run(`
      installLastResort(() => undefined);
      installFatalGuard(async () => {
        await new Promise((res) => setTimeout(res, 50));
        process.stdout.write('unwound\\n');
        return { exitCode: 4, message: 'still injected: subnet-1' };
      });
      setTimeout(() => { throw new Error('renderer bug'); }, 10);
    `);
    expect(r.stdout).toBe('unwound\n');
    expect(r.status).toBe(4);
    expect(r.stderr).not.toContain('chaos-ec2: internal error');
  });

  it('once the guard is disposed (nothing injected any more), the last resort is back', () => {
    const r = run(`
      installLastResort(() => undefined);
      installFatalGuard(async () => ({ exitCode: 4, message: 'x' })).dispose();
      setTimeout(() => { throw new Error('after rollback'); }, 10);
    `);
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/^chaos-ec2: internal error: after rollback\n/);
  });
});
