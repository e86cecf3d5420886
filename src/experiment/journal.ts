/**
 * The local undo record. Every mutation is written here — and fsynced — BEFORE it is made, then marked done
 * after; a crash between the two leaves an "intent" that `recover` treats as possibly applied. The journal
 * is a convenience next to the tags chaos-ec2 puts on AWS resources, which are the record of last resort.
 *
 * Strict before injecting (`record`: a failed write stops the mutation it was to announce), best effort while
 * undoing (`tryRecord`, `tryClose`): a full disk or an I/O error must never skip or delay a rollback, nor turn
 * "rollback incomplete, exit 4, here is the report" into an unexpected error — the NACL's tags still say
 * everything `recover` needs.
 */
import { redact } from '../core/redact.js';
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosError, ExitCode } from '../core/errors.js';

export const JOURNAL_FILE = 'journal.jsonl';

/**
 * A journal line that is not valid JSON and is not the last one: not a torn write (a crash mid-append only
 * ever tears the last line), so something else damaged the file, and what it said cannot be trusted.
 */
export class JournalDamagedError extends ChaosError {
  constructor(
    readonly path: string,
    readonly line: number,
    detail: string,
  ) {
    super(ExitCode.Usage, `journal ${path} is damaged at line ${line} (not valid JSON: ${detail})`, {
      phase: 'config',
      hint: 'the tags chaos-ec2 put on the AWS resources also record what to undo: move the file aside and run the command again',
    });
    this.name = 'JournalDamagedError';
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r').catch(() => undefined);
  if (!d) return;
  // Some filesystems refuse fsync on a directory; the file's own fsync still holds.
  await d.sync().catch(() => undefined);
  await d.close().catch(() => undefined);
}

export interface JournalEntry {
  at: string;
  experimentId: string;
  /** plan | intent | done | failed | rollback-intent | rollback-done | rollback-failed | end */
  type: string;
  action?: string;
  resources?: string[];
  [key: string]: unknown;
}

export class Journal {
  private constructor(
    readonly path: string,
    readonly experimentId: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(dir: string, experimentId: string): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, JOURNAL_FILE);
    const fh = await open(path, 'a');
    // fsync the directory too, or after a power loss the file itself (not just its lines) may be gone.
    await syncDir(dir);
    return new Journal(path, experimentId, fh);
  }

  /** Appends one entry and waits until it is on disk. */
  async record(entry: Omit<JournalEntry, 'at' | 'experimentId'>): Promise<void> {
    const line = redact(JSON.stringify({ at: new Date().toISOString(), experimentId: this.experimentId, ...entry }));
    await this.fh.appendFile(`${line}\n`);
    await this.fh.sync();
  }

  /** Best effort: returns the error instead of throwing it (the caller warns and carries on). */
  async tryRecord(entry: Omit<JournalEntry, 'at' | 'experimentId'>): Promise<Error | undefined> {
    try {
      await this.record(entry);
      return undefined;
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  async tryClose(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }

  /**
   * Reads a journal back. A crash mid-write can leave a torn LAST line (an append never finished, or its
   * newline did not): that line is ignored, everything before it is intact. An unparsable line anywhere
   * else is a JournalDamagedError naming the file and line: skipping it could hide an intent, and an intent
   * is exactly what `recover` and pacing must not miss.
   */
  static async read(path: string): Promise<JournalEntry[]> {
    const text = await readFile(path, 'utf8');
    const lines = text.split('\n');
    // Only the very last line can be torn: with a trailing newline that is the empty string after it.
    const last = lines.length - 1;
    const entries: JournalEntry[] = [];
    for (const [i, l] of lines.entries()) {
      if (l.trim() === '') continue;
      try {
        entries.push(JSON.parse(l) as JournalEntry);
      } catch (err) {
        if (i === last) break;
        throw new JournalDamagedError(path, i + 1, (err as Error).message);
      }
    }
    return entries;
  }
}
