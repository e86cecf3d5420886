/**
 * Reports and history in S3 (`--report-dir s3://bucket/prefix`): the runs of ephemeral CI runners keep their
 * record, so `history`, the trend and `--min-interval` work across runs.
 *
 * S3 is a copy, never the safety record: every run works in a local mirror folder exactly as it does with a
 * local --report-dir (the journal is written and fsynced there first, so a network problem can never stop a
 * rollback from being recorded), and the store uploads from it — the journal while the run goes and at the
 * end, then every report file with its content type. Reading works the other way: the runs a command needs are
 * downloaded into the mirror, and the existing readers (pacing, history) read the mirror.
 *
 * Only what is needed is read: experiment ids begin with their start time (`exp-20261130T184704Z-…`), so the
 * folder listing alone says which runs can matter — those that started within --min-interval for pacing, the
 * newest HISTORY_RUNS for history — and only their report.json (and, for pacing, journal.jsonl) is fetched.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { checkBucket, checkWritable, getText, keyOf, listFolders, putText, s3Url, type S3Location } from '../aws/s3.js';
import type { Phase } from '../core/errors.js';
import { JOURNAL_FILE } from '../experiment/journal.js';
import { REPORT_FILE } from './json.js';

/** History reads at most this many of the newest runs (each one GetObject). */
export const HISTORY_RUNS = 200;

export interface S3Store {
  location: S3Location;
  s3: S3Client;
  /** The caller's account: every call sends it as ExpectedBucketOwner. */
  owner: string;
  /** The local folder the runs are written to and read from. */
  mirror: string;
}

/** Where an S3 store's local mirror lives: under CHAOS_EC2_LOCAL_DIR (default ./chaos-reports), by bucket and prefix. */
export function mirrorDir(l: S3Location, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CHAOS_EC2_LOCAL_DIR || './chaos-reports', 's3', l.bucket, ...l.prefix.split('/').filter(Boolean));
}

export const storeUrl = (store: S3Store, ...parts: string[]): string => s3Url(store.location, ...parts);

/** Proves the bucket is there, the caller's, and writable under the prefix (exit 5 otherwise, before anything). */
export function checkStore(store: S3Store, access: 'read' | 'write', phase: Phase): Promise<void> {
  return access === 'write' ? checkWritable(store.s3, store.location, store.owner, phase) : checkBucket(store.s3, store.location, store.owner, phase);
}

/** `exp-YYYYMMDDTHHMMSSZ-…` → epoch ms of its start; undefined for a folder named otherwise. */
export function startOfId(id: string): number | undefined {
  const m = /^exp-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-/.exec(id);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : undefined;
}

/**
 * Downloads `files` of the runs `pick` chooses from the folder listing into the mirror. A run without one of
 * the files (a crashed run has no report) is normal: that file is simply not there locally either.
 */
export async function pullRuns(store: S3Store, pick: (ids: string[]) => string[], files: string[], phase: Phase): Promise<number> {
  return pullIds(store, pick(await listFolders(store.s3, store.location, store.owner, phase)), files, phase);
}

/** Downloads `files` of the named runs into the mirror (no listing: the caller knows the ids); how many came. */
export async function pullIds(store: S3Store, ids: string[], files: string[], phase: Phase): Promise<number> {
  let pulled = 0;
  // A few at a time: a long history must not open hundreds of sockets at once.
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        for (const file of files) {
          const text = await getText(store.s3, store.location, store.owner, keyOf(store.location, id, file), phase);
          if (text === undefined) continue;
          await mkdir(join(store.mirror, id), { recursive: true });
          await writeFile(join(store.mirror, id, file), text);
          pulled++;
        }
      }),
    );
  }
  return pulled;
}

/** The runs that started at or after `sinceMs` (and any folder whose start cannot be told from its name). */
export const startedSince =
  (sinceMs: number) =>
  (ids: string[]): string[] =>
    ids.filter((id) => (startOfId(id) ?? Infinity) >= sinceMs);

/** The newest `n` runs by start time (folders not named by start time last). */
export const newest =
  (n: number) =>
  (ids: string[]): string[] =>
    [...ids].sort((a, b) => (startOfId(b) ?? -Infinity) - (startOfId(a) ?? -Infinity) || b.localeCompare(a)).slice(0, n);

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.md': 'text/markdown; charset=utf-8',
  '.xml': 'application/xml',
  '.html': 'text/html; charset=utf-8',
};

/** Uploads one file of a run from the mirror; returns its s3:// URL. */
export async function pushFile(store: S3Store, id: string, file: string, phase: Phase): Promise<string> {
  const body = await readFile(join(store.mirror, id, file));
  await putText(store.s3, store.location, store.owner, keyOf(store.location, id, file), body, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', phase);
  return storeUrl(store, id, file);
}

/** Uploads every file of a run's mirror folder (reports, rendered formats, the journal). */
export async function pushRun(store: S3Store, id: string, phase: Phase): Promise<{ uploaded: string[]; failures: { file: string; reason: string }[] }> {
  const uploaded: string[] = [];
  const failures: { file: string; reason: string }[] = [];
  let files: string[] = [];
  try {
    files = (await readdir(join(store.mirror, id), { withFileTypes: true })).filter((f) => f.isFile() && !f.name.startsWith('.')).map((f) => f.name);
  } catch (err) {
    failures.push({ file: id, reason: (err as Error).message });
  }
  for (const file of files) {
    try {
      uploaded.push(await pushFile(store, id, file, phase));
    } catch (err) {
      failures.push({ file, reason: (err as Error).message });
    }
  }
  return { uploaded, failures };
}

/**
 * The journal, copied to S3 while the run goes: at each tick, if it changed since the last copy. Best effort and
 * never in the way: a failed upload is retried at the next tick and at the end; the local journal is the record.
 */
export function mirrorJournal(store: S3Store, id: string, everyMs: number): { stop(): Promise<void> } {
  let last = '';
  let busy: Promise<void> = Promise.resolve();
  const tick = (): Promise<void> =>
    (busy = busy.then(async () => {
      try {
        const text = await readFile(join(store.mirror, id, JOURNAL_FILE), 'utf8');
        if (text === last) return;
        await pushFile(store, id, JOURNAL_FILE, 'report');
        last = text;
      } catch {
        // Not there yet, or S3 unreachable right now: the next tick (or the end) tries again.
      }
    }));
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await tick();
    },
  };
}

export { REPORT_FILE, JOURNAL_FILE };
