/**
 * Writes a report in the chosen formats beside each other: `<dir>/<id>/report.json` (the contract, via
 * json.ts), `report.md`, `report.junit.xml`, `report.html`. Every file is written to a temp name and renamed,
 * so a CI step that uploads the folder never picks up half a file. When $GITHUB_STEP_SUMMARY is set (GitHub
 * Actions), the Markdown is also APPENDED to it: several experiments in one job each add their section.
 */
import { redact } from '../core/redact.js';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosError, ExitCode, fsReason } from '../core/errors.js';
import { randomUUID } from 'node:crypto';
import type { Report } from '../experiment/types.js';
import { renderHtml } from './html.js';
import { REPORT_FILE, writeJsonReport } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ReportFormat } from '../experiment/formats.js';

export { REPORT_FORMATS, parseFormats, type ReportFormat } from '../experiment/formats.js';

export const FORMAT_FILES: Record<Exclude<ReportFormat, 'json'>, string> = {
  md: 'report.md',
  junit: 'report.junit.xml',
  html: 'report.html',
};

/** Renders one format to text (json included, for `report --out -`). */
export function renderFormat(report: Report, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'md') return renderMarkdown(report);
  if (format === 'junit') return renderJunit([report]);
  return renderHtml(report);
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, redact(text), { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Where a report file (or the CI step summary) could not be written, and why: one line for stderr. */
export interface ReportWriteFailure {
  /** The file that was being written (or the folder that could not be created). */
  path: string;
  reason: string;
}

export interface ReportWriteOutcome {
  /** The files written (all of them when `failures` is empty). */
  paths: Partial<Record<ReportFormat, string>>;
  failures: ReportWriteFailure[];
}

/**
 * An I/O failure (a system call failed: ENOSPC, EACCES, EROFS, ENOTDIR…), bare or wrapped in json.ts's
 * ChaosError — as opposed to a bug, which must not be mistaken for a full disk.
 */
function ioCause(err: unknown): NodeJS.ErrnoException | undefined {
  const e = err instanceof ChaosError ? err.cause : err;
  return typeof (e as NodeJS.ErrnoException | undefined)?.syscall === 'string' ? (e as NodeJS.ErrnoException) : undefined;
}

/**
 * Appends without ever blocking the run's end: the step summary is a path from the environment, and when it is
 * a FIFO nobody reads (or a device), a plain open would wait forever — and a process with that open pending
 * cannot even exit. O_NONBLOCK makes such an open fail at once (ENXIO), reported like any write failure; on a
 * regular file it changes nothing.
 */
async function appendNonBlocking(path: string, text: string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
  try {
    await fh.appendFile(text, 'utf8');
  } finally {
    await fh.close();
  }
}

/**
 * Writes `report` under `<dir>/<report.id>/` in each format, after a run: a disk that fills up (or a folder
 * that went away) must not change the run's outcome, so write failures are returned, not thrown. The report
 * folder stops at its first failure (the next file would fail the same way); the CI step summary is a
 * different file and is tried whatever happened to the folder. Anything that is not an I/O failure — a
 * renderer bug, an unusable report id — still throws.
 */
export async function writeReportsSettled(report: Report, dir: string, formats: readonly ReportFormat[], env: NodeJS.ProcessEnv = process.env): Promise<ReportWriteOutcome> {
  const paths: Partial<Record<ReportFormat, string>> = {};
  const failures: ReportWriteFailure[] = [];
  assertUsableId(report.id);
  const folder = join(dir, report.id);
  let current = folder;
  try {
    // json first: it is the contract, and it creates the folder.
    if (formats.includes('json')) {
      current = join(folder, REPORT_FILE);
      paths.json = await writeJsonReport(report, dir);
    } else {
      await mkdir(folder, { recursive: true });
    }
    for (const f of formats) {
      if (f === 'json') continue;
      current = join(folder, FORMAT_FILES[f]);
      const text = renderFormat(report, f);
      await writeAtomic(current, text);
      paths[f] = current;
    }
  } catch (err) {
    const io = ioCause(err);
    if (!io) throw err;
    failures.push({ path: current, reason: fsReason(io) });
  }
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      await appendNonBlocking(summary, `${redact(renderMarkdown(report))}\n`);
    } catch (err) {
      const io = ioCause(err);
      if (!io) throw err;
      failures.push({ path: `${summary} (GITHUB_STEP_SUMMARY)`, reason: fsReason(io) });
    }
  }
  return { paths, failures };
}

/**
 * Writes `report` under `<dir>/<report.id>/` in each format and returns the path of each file written; a
 * write failure is a ChaosError (exit 2: `chaos-ec2 report` was pointed at a place it cannot write).
 * Also appends the Markdown to `env.GITHUB_STEP_SUMMARY` when that is set (whatever the formats).
 */
export async function writeReports(report: Report, dir: string, formats: readonly ReportFormat[], env: NodeJS.ProcessEnv = process.env): Promise<Partial<Record<ReportFormat, string>>> {
  const { paths, failures } = await writeReportsSettled(report, dir, formats, env);
  const first = failures[0];
  if (first) {
    throw new ChaosError(ExitCode.Usage, `could not write ${first.path}: ${first.reason}`, { phase: 'report', hint: 'check that the report directory is writable (--report-dir)' });
  }
  return paths;
}

function assertUsableId(id: string): void {
  // The id becomes a path segment: refuse anything that could climb out of `dir` (thrown: not an I/O failure).
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || id.includes('..')) {
    throw new ChaosError(ExitCode.Usage, `report id '${id}' cannot be used as a directory name`, { phase: 'report' });
  }
}
