/**
 * The report directory is checked with the flags (src/report/report-dir.ts): created if missing, proven
 * writable by writing a probe, and otherwise exit 2 naming the directory and the reason — bounded even where
 * Node's recursive mkdir would loop forever (/proc/sys).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareReportDir } from '../../src/report/report-dir.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});
const tmp = async () => (dir = await mkdtemp(join(tmpdir(), 'chaos-reportdir-')));

async function refusal(p: string): Promise<Error & { exitCode: number; hint?: string }> {
  const err = await prepareReportDir(p).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `${p} was accepted`).toBeInstanceOf(Error);
  return err as Error & { exitCode: number };
}

describe('prepareReportDir', () => {
  it('creates a missing directory, several levels deep, and leaves nothing else in it', async () => {
    const d = join(await tmp(), 'a', 'b', 'reports');
    await prepareReportDir(d);
    expect(readdirSync(d)).toEqual([]);
    // An existing, writable directory is fine as it is (and keeps what it holds).
    await writeFile(join(d, 'keep'), 'x');
    await prepareReportDir(d);
    expect(readdirSync(d)).toEqual(['keep']);
  });

  it('a file where the directory should be is exit 2, naming it', async () => {
    const file = join(await tmp(), 'reports');
    await writeFile(file, 'x');
    const err = await refusal(file);
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`report directory ${file} is not usable: ${file} exists and is not a directory`);
    expect(err.hint).toMatch(/--report-dir/);
  });

  it('a file on the way (a parent that is a file) is exit 2, naming that file, and nothing is created', async () => {
    const file = join(await tmp(), 'reports');
    await writeFile(file, 'x');
    const err = await refusal(join(file, 'sub', 'deeper'));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`${file} exists and is not a directory`);
  });

  it.skipIf(!existsSync('/proc/sys'))('/proc/sys/nope (where recursive mkdir loops forever) is exit 2, promptly', async () => {
    const started = Date.now();
    const err = await refusal('/proc/sys/nope');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('report directory /proc/sys/nope is not usable: cannot create /proc/sys/nope: no such file or directory (ENOENT)');
    const deep = await refusal('/proc/sys/nope/a/b');
    expect(deep.message).toContain('cannot create /proc/sys/nope:');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.skipIf(!existsSync('/proc/sys'))('an existing directory that refuses files (/proc/sys) is exit 2: the probe write says so', async () => {
    const err = await refusal('/proc/sys');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/^report directory \/proc\/sys is not usable: cannot create a file in it: .+ \([A-Z]+\)$/);
  });

  it('a directory created by someone else meanwhile is fine (EEXIST is not an error)', async () => {
    const d = join(await tmp(), 'reports');
    await Promise.all([prepareReportDir(d), mkdir(d).catch(() => undefined), prepareReportDir(d)]);
    expect(readdirSync(d)).toEqual([]);
  });
});
