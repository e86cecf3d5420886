/**
 * The package as users install it: `npm pack`, then `npm install <tarball>` into an empty directory, then
 * `npx chaos-ec2 demo` from there. The published manifest must have no install-time scripts (npm 11 warns
 * about them, which is alarming for a tool that holds AWS credentials), and it must ship the experiment schema
 * that editors resolve `$schema` against.
 *
 * The tarball is packed with --ignore-scripts: `npm test` has just built dist/, and rebuilding it here (the
 * `prepack` script) would rewrite files that other test files are running at the same time.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

describe('the packed package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs without an install-script warning, ships the schema, and `npx chaos-ec2 demo` passes from it', { timeout: 180_000 }, async () => {
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, env: NPM_ENV });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    const files = info!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/chaos-ec2.js', 'dist/cli/main.js', 'schema/experiment.schema.json', 'README.md', 'LICENSE']));
    // The manifest users get: nothing runs at install time.
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[hook], hook).toBeUndefined();

    const app = join(dir, 'app');
    // --prefer-offline: the dependencies come from npm's cache that `npm ci` filled, the registry only if missing.
    const installed = await run('npm', ['install', '--prefer-offline', '--prefix', app, join(dir, info!.filename)], { cwd: dir, env: NPM_ENV });
    expect(`${installed.stdout}\n${installed.stderr}`).not.toMatch(/install scripts|allowScripts/i);
    expect(existsSync(join(app, 'node_modules', 'chaos-ec2', 'schema', 'experiment.schema.json'))).toBe(true);

    const demo = await run('npx', ['--no-install', 'chaos-ec2', 'demo'], { cwd: app, env: { ...NPM_ENV, NO_COLOR: '1' }, timeout: 120_000 });
    expect(demo.stdout).toMatch(/PASS/);
  });
});
