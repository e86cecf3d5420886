/**
 * The local undo record. Every mutation is written here — and fsynced — BEFORE it is made, then marked done
 * after; a crash between the two leaves an "intent" that `recover` treats as possibly applied. The journal
 * is a convenience next to the tags chaos-ec2 puts on AWS resources, which are the record of last resort.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

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
    const path = join(dir, 'journal.jsonl');
    return new Journal(path, experimentId, await open(path, 'a'));
  }

  /** Appends one entry and waits until it is on disk. */
  async record(entry: Omit<JournalEntry, 'at' | 'experimentId'>): Promise<void> {
    const line = JSON.stringify({ at: new Date().toISOString(), experimentId: this.experimentId, ...entry });
    await this.fh.appendFile(`${line}\n`);
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  static async read(path: string): Promise<JournalEntry[]> {
    const text = await readFile(path, 'utf8');
    // A crash mid-write can leave a torn last line; everything before it is intact.
    return text
      .split('\n')
      .filter(Boolean)
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as JournalEntry];
        } catch {
          return [];
        }
      });
  }
}
