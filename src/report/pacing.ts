/**
 * Past runs, read back from the report directory (`<dir>/<id>/report.json`), for `chaos-ec2 history` and
 * for pacing: like Chaos Monkey's minimum time between terminations, `--min-interval` refuses a new
 * experiment on a group that had one too recently (a re-run cron, two pipelines, an impatient operator).
 *
 * Only runs that INJECTED something count for pacing: a refused run or a dry run did nothing to the group.
 * A run that crashed (SIGKILL, power loss) wrote no report but left its journal: a journal whose plan names
 * the group and that recorded a mutating intent counts too, so a crash cannot reset the pacing clock.
 * Unreadable entries (journals without a report, other schema versions, half-copied or partial reports) are skipped
 * and counted, never fatal: history must work on a directory that has seen every version of the tool. Only
 * the directory itself must be readable: a missing one is an empty history, any other error is exit 2.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { ChaosError, ExitCode, fsReason, refused } from '../core/errors.js';
import { readJsonReport, REPORT_FILE, ReportReadError } from './json.js';
import { Journal, JOURNAL_FILE, JournalDamagedError } from '../experiment/journal.js';
import type { Report } from '../experiment/types.js';

/** A file that exists but could not be read or understood. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ReportHistory {
  /** Newest first, by startedAt. */
  reports: Report[];
  /** Folders with no readable report.json of this schema version. */
  skipped: number;
  /** The report.json files among them that exist but could not be read (not the folders that have none). */
  unreadable: SkippedFile[];
}

/** What a pacing check read past: the caller says so (a skipped run could have been the recent one). */
export interface PacingCheck {
  skipped: SkippedFile[];
}

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOENT';
const causeOf = (err: unknown): unknown => (err instanceof ChaosError ? err.cause : err);

/**
 * The run folders of `dir`. Only a missing directory means "no history" (nothing has run here yet); any
 * other failure (EACCES, ENOTDIR, EIO) is a configuration error: silently reading it as empty would switch
 * --min-interval off without a word.
 */
async function runFolders(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if (isMissing(err)) return [];
    throw new ChaosError(ExitCode.Usage, `cannot read the report directory ${dir}: ${fsReason(err)}`, {
      phase: 'config',
      hint: 'make it a readable directory, or pass another --report-dir (or CHAOS_EC2_REPORT_DIR)',
      cause: err,
    });
  }
}

export async function readReportHistory(dir: string): Promise<ReportHistory> {
  const names = await runFolders(dir);
  const reports: Report[] = [];
  const unreadable: SkippedFile[] = [];
  let skipped = 0;
  for (const name of names) {
    const path = join(dir, name, REPORT_FILE);
    try {
      reports.push(await readJsonReport(path));
    } catch (err) {
      skipped++;
      // A folder without a report is normal (a run that crashed, or is running): only a file that is there
      // and cannot be read is worth a word.
      if (!isMissing(causeOf(err))) unreadable.push({ path, reason: reasonOf(err) });
    }
  }
  reports.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.id.localeCompare(a.id));
  return { reports, skipped, unreadable };
}

function reasonOf(err: unknown): string {
  const cause = causeOf(err) as NodeJS.ErrnoException | undefined;
  if (cause?.code) return fsReason(cause);
  if (err instanceof ReportReadError) return err.reason;
  return (err as Error)?.message ?? String(err);
}
/** The most recent run that injected a fault into `asg`, or undefined. */
export function lastInjectedRun(reports: Report[], asg: string): Report | undefined {
  return reports.find((r) => r.target.asg === asg && r.fault?.injectedAt != null);
}

/**
 * Refuses (ChaosError exit 3) when the last run that injected into `asg` started less than `minIntervalMs`
 * before `now`. Reads the report directory; call it before planning, so a refusal touches nothing.
 *
 * A report directory that exists but cannot be read is exit 2. A single damaged file in it (a half-copied
 * report, a journal corrupted in the middle) is skipped and returned, for the caller to warn about: refusing
 * would block every scheduled run on every group until someone cleans the folder up, while skipping loses
 * at most that one run's start time — and the caller names the file.
 */
export async function checkMinInterval(reportDir: string, asg: string, minIntervalMs: number, now: number = Date.now()): Promise<PacingCheck> {
  if (!(minIntervalMs > 0)) return { skipped: [] };
  const { reports, unreadable } = await readReportHistory(reportDir);
  const fromReports = lastInjectedRun(reports, asg);
  const journals = await lastJournaledInjection(reportDir, asg);
  const fromJournals = journals.last;
  const skipped = [...unreadable, ...journals.skipped];
  const last = fromJournals && (!fromReports || Date.parse(fromJournals.startedAt) > Date.parse(fromReports.startedAt)) ? fromJournals : fromReports;
  if (!last) return { skipped };
  const ago = now - Date.parse(last.startedAt);
  if (ago < minIntervalMs) {
    const wait = minIntervalMs - ago;
    throw refused(`the last experiment on ${asg} (${last.id}) started ${formatDuration(Math.max(0, ago))} ago; --min-interval is ${formatDuration(minIntervalMs)}`, {
      phase: 'plan',
      target: asg,
      hint: `wait ${formatDuration(wait)} (until ${new Date(now + wait).toISOString()}), or lower --min-interval`,
    });
  }
  return { skipped };
}

/**
 * The newest journal (`<dir>/<id>/journal.jsonl`) whose plan targets `asg` and that recorded a mutating
 * intent — including runs that died before writing a report. A folder without a journal is normal; a journal
 * that cannot be read (or is damaged before its last line) is skipped and returned.
 */
export async function lastJournaledInjection(dir: string, asg: string): Promise<{ last: { id: string; startedAt: string } | undefined; skipped: SkippedFile[] }> {
  const names = await runFolders(dir);
  let newest: { id: string; startedAt: string } | undefined;
  const skipped: SkippedFile[] = [];
  for (const name of names) {
    const path = join(dir, name, JOURNAL_FILE);
    let entries;
    try {
      entries = await Journal.read(path);
    } catch (err) {
      if (!isMissing(causeOf(err)))
        skipped.push({ path, reason: err instanceof JournalDamagedError ? `damaged at line ${err.line} (not valid JSON, and not a torn last line)` : reasonOf(err) });
      continue;
    }
    const plan = entries.find((e) => e.type === 'plan') as { at: string; plan?: { asg?: string } } | undefined;
    if (plan?.plan?.asg !== asg || !entries.some((e) => e.type === 'intent')) continue;
    if (!newest || Date.parse(plan.at) > Date.parse(newest.startedAt)) newest = { id: name, startedAt: plan.at };
  }
  return { last: newest, skipped };
}
