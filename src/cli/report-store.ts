/**
 * `--report-dir` as the commands use it: a local directory, or `s3://bucket/prefix` (report/s3-store.ts). Both
 * end as a local directory the run writes to; an S3 store adds the checks before anything happens (the bucket
 * exists, is the caller's, and takes a write: exit 5 otherwise, nothing injected), the downloads pacing and
 * history need, and the uploads during and after the run.
 *
 * A local directory is checked before any AWS call (an unusable one is a configuration error, exit 2); an S3
 * store can only be checked with one, so it is checked right after the clients exist and before discovery.
 */
import type { AwsClients } from '../aws/clients.js';
import { isBucketName, parseS3Url } from '../aws/s3.js';
import { whoAmI } from '../aws/sts.js';
import { usageError } from '../core/errors.js';
import { checkMinInterval, type PacingCheck } from '../report/pacing.js';
import { prepareReportDir } from '../report/report-dir.js';
import { checkStore, HISTORY_RUNS, JOURNAL_FILE, newest, mirrorDir, mirrorJournal, pullRuns, pushRun, REPORT_FILE, startedSince, storeUrl, type S3Store } from '../report/s3-store.js';

export interface ReportStore {
  /** The local directory runs write to (the --report-dir itself, or an S3 store's mirror). */
  dir: string;
  /** Set for s3:// report dirs. */
  s3?: S3Store;
  /** Where a run's report.json ends up, for people (a path, or an s3:// URL). */
  reportUrl(id: string): string;
}

/** True for `s3://…`: the caller must have AWS clients to open it. */
export const isS3ReportDir = (dir: string): boolean => /^s3:\/\//i.test(dir);

/** Parses an s3:// report dir, or throws exit 2 naming what is wrong with it. */
function s3Location(dir: string) {
  const l = parseS3Url(dir);
  if (!l || !isBucketName(l.bucket)) {
    throw usageError(`--report-dir: '${dir}' is not an S3 location s3://BUCKET[/PREFIX] with a valid bucket name`, 'e.g. --report-dir s3://my-chaos-reports/team-a');
  }
  return l;
}

/**
 * Opens the report dir. Local: created and proven writable (exit 2). S3: the syntax (exit 2) before `clients`
 * is called, then the bucket (exit 5) and the local mirror.
 */
export async function openReportStore(dir: string, clients: () => Promise<AwsClients>, access: 'read' | 'write' = 'write'): Promise<ReportStore> {
  if (!isS3ReportDir(dir)) {
    await prepareReportDir(dir);
    return { dir, reportUrl: (id) => `${dir}/${id}/${REPORT_FILE}` };
  }
  const location = s3Location(dir);
  const mirror = mirrorDir(location);
  await prepareReportDir(mirror);
  const c = await clients();
  const owner = (await whoAmI(c.sts)).account;
  const s3: S3Store = { location, s3: c.s3, owner, mirror };
  await checkStore(s3, access, 'config');
  return { dir: mirror, s3, reportUrl: (id) => storeUrl(s3, id, REPORT_FILE) };
}

/** `history` from an S3 store: the newest HISTORY_RUNS runs' reports brought down into the mirror. */
export async function pullHistory(store: ReportStore): Promise<void> {
  if (store.s3) await pullRuns(store.s3, newest(HISTORY_RUNS), [REPORT_FILE], 'config');
}

/** --min-interval against the store: an S3 store first brings down the runs that started within the interval. */
export async function pacingCheck(store: ReportStore, asg: string, minIntervalMs: number, now = Date.now()): Promise<PacingCheck> {
  // A minute of slack: an id's time is when the run began, a little before its plan's own timestamp.
  if (store.s3) await pullRuns(store.s3, startedSince(now - minIntervalMs - 60_000), [REPORT_FILE, JOURNAL_FILE], 'config');
  return checkMinInterval(store.dir, asg, minIntervalMs, now);
}

/** Copies the journal to S3 while the run goes (every 15 s when it changed); a no-op for a local dir. */
export function startJournalCopy(store: ReportStore, id: string): { stop(): Promise<void> } {
  return store.s3 ? mirrorJournal(store.s3, id, 15_000) : { stop: () => Promise.resolve() };
}

/** Uploads a finished run's files; returns lines for the terminal (what went where, what could not). */
export async function uploadRun(store: ReportStore, id: string): Promise<{ uploaded: string[]; failures: string[] }> {
  if (!store.s3) return { uploaded: [], failures: [] };
  const r = await pushRun(store.s3, id, 'report');
  return { uploaded: r.uploaded, failures: r.failures.map((f) => `${f.file}: ${f.reason}`) };
}
