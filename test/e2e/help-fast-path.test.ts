/**
 * bin/chaos-ec2.js answers `--version` and `[command] --help` without loading the CLI (cold start, issue 13):
 * from package.json and from dist/cli/help-text.json, which `npm run build` generates (scripts/help-text.mjs).
 * These tests prove the fast answers identical to commander's, that the fast path really loads nothing, and
 * that a help file older than the compiled modules is not used.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'chaos-ec2.js');
const COMMANDER = join(ROOT, 'test', 'fixtures', 'cli-without-fast-path.mjs');
const TRACE = join(ROOT, 'test', 'fixtures', 'trace-all-imports.mjs');

interface HelpFile {
  sources: string[];
  help: Record<string, string>;
}

/** Runs a script with stdout and stderr piped (not a terminal: help is laid out for 80 columns). */
function node(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const stored = (): HelpFile => JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'help-text.json'), 'utf8')) as HelpFile;

describe('the fast --help / --version path of bin/chaos-ec2.js', () => {
  it('stores, for the program and every command, exactly what commander prints for --help now', async () => {
    // The generator's capture mode asks commander afresh (in a child whose stdout is a pipe).
    const now = await node(join(ROOT, 'scripts', 'help-text.mjs'), ['--capture']);
    expect(now.code).toBe(0);
    const current = JSON.parse(now.stdout) as Record<string, string>;
    expect(Object.keys(current)).toEqual(expect.arrayContaining(['', 'run', 'probe', 'sandbox', 'iam-policy']));
    expect(stored().help).toEqual(current);
  });

  it.each(['--help', '-h', 'help', 'run --help', 'help run', 'probe -h', '--version', '-V'])(
    '`chaos-ec2 %s` prints what commander prints, byte for byte, and loads neither the CLI nor commander',
    async (line) => {
      const args = line.split(' ');
      const [fast, slow] = await Promise.all([node(BIN, args, { NODE_OPTIONS: `--import=${TRACE}` }), node(COMMANDER, args)]);
      expect(slow.code).toBe(0);
      expect(fast.code).toBe(0);
      expect(fast.stdout).toBe(slow.stdout);
      expect(fast.stdout.length).toBeGreaterThan(5);
      expect(fast.stderr).not.toMatch(/RESOLVED .*(dist\/cli\/main\.js|commander)/);
    },
  );

  it('anything else goes to commander (the trace above would see it)', async () => {
    const r = await node(BIN, ['help', 'no-such-command'], { NODE_OPTIONS: `--import=${TRACE}` });
    expect(r.stderr).toMatch(/RESOLVED .*dist\/cli\/main\.js/);
    expect(r.stderr).toMatch(/RESOLVED commander/);
  });

  describe('in a copy of the package', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'chaos-ec2-help-'));
      for (const f of ['bin', 'dist']) cpSync(join(ROOT, f), join(dir, f), { recursive: true, preserveTimestamps: true });
      cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      // A marker instead of the real text, to tell which path answered.
      const file = join(dir, 'dist', 'cli', 'help-text.json');
      const help = stored();
      writeFileSync(file, JSON.stringify({ ...help, help: { ...help.help, run: 'STORED RUN HELP\n' } }));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('uses the stored help while no compiled module is newer than it, and commander once one is', async () => {
      expect((await node(join(dir, 'bin', 'chaos-ec2.js'), ['run', '--help'])).stdout).toBe('STORED RUN HELP\n');
      // As after a `tsc` run that did not regenerate the help: one of its sources is newer.
      const later = new Date(Date.now() + 60_000);
      utimesSync(
        join(
          dir,
          'dist',
          stored().sources.find((s) => s.includes('run-flags'))!,
        ),
        later,
        later,
      );
      const r = await node(join(dir, 'bin', 'chaos-ec2.js'), ['run', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(stored().help.run);
    });

    it('a missing help file is not an error: commander answers', async () => {
      rmSync(join(dir, 'dist', 'cli', 'help-text.json'));
      const r = await node(join(dir, 'bin', 'chaos-ec2.js'), ['--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(stored().help['']);
    });
  });
});
