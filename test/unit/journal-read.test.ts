/**
 * Reading a journal back (`Journal.read`, used by `recover` and by pacing): a crash mid-append can only tear
 * the LAST line, so that one is ignored; an unparsable line anywhere else means the file was damaged some
 * other way, and reading past it could hide an intent — an error naming the file and the line.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, JournalDamagedError } from '../../src/experiment/journal.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

/** A real journal with a plan and an intent, written through Journal.record (fsynced, one line each). */
async function twoEntries(): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'chaos-journal-'));
  const j = await Journal.open(join(dir, 'exp-1'), 'exp-1');
  await j.record({ type: 'plan', plan: { asg: 'web' } });
  await j.record({ type: 'intent', action: 'ec2:ReplaceNetworkAclAssociation', resources: ['subnet-1'] });
  await j.close();
  return j.path;
}

describe('Journal.read', () => {
  it('reads every entry of an intact journal', async () => {
    const path = await twoEntries();
    expect((await Journal.read(path)).map((e) => e.type)).toEqual(['plan', 'intent']);
  });

  it('ignores a torn last line (a crash mid-append): everything before it is kept', async () => {
    const path = await twoEntries();
    await appendFile(path, '{"at":"2025-03-20T12:00:00.000Z","experimentId":"exp-1","type":"do');
    expect((await Journal.read(path)).map((e) => e.type)).toEqual(['plan', 'intent']);
  });

  it('an unparsable line before the last is an error naming the file and the line (exit 2)', async () => {
    const path = await twoEntries();
    const [plan, intent] = (await Journal.read(path)).map((e) => JSON.stringify(e));
    await writeFile(path, `${plan}\n{"type":"done" garbage\n${intent}\n`);
    const err = await Journal.read(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalDamagedError);
    expect(err).toMatchObject({ exitCode: 2, path, line: 2 });
    expect((err as Error).message).toContain(`journal ${path} is damaged at line 2`);
  });

  it('a torn line followed by a complete one is damage, not a torn write', async () => {
    const path = await twoEntries();
    const [plan, intent] = (await Journal.read(path)).map((e) => JSON.stringify(e));
    await writeFile(path, `${plan}\n${intent!.slice(0, 20)}\n${intent}`);
    await expect(Journal.read(path)).rejects.toMatchObject({ line: 2 });
  });
});
