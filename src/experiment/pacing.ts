/**
 * Past runs, read back from the report directory (`<dir>/<id>/report.json`), for `chaos-ec2 history` and
 * for pacing: like Chaos Monkey's minimum time between terminations, `--min-interval` refuses a new
 * experiment on a group that had one too recently (a re-run cron, two pipelines, an impatient operator).
 *
 * Only runs that INJECTED something count for pacing: a refused run or a dry run did nothing to the group.
 * A run that crashed (SIGKILL, power loss) wrote no report but left its journal: a journal whose plan names
 * the group and that recorded a mutating intent counts too, so a crash cannot reset the pacing clock.
 * Unreadable entries (journals without a report, other schema versions, half-copied folders) are skipped
 * and counted, never fatal: history must work on a directory that has seen every version of the tool.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { refused } from '../core/errors.js';
import { readJsonReport, REPORT_FILE } from '../report/json.js';
import { Journal } from './journal.js';
import type { Report } from './types.js';

export interface ReportHistory {
  /** Newest first, by startedAt. */
  reports: Report[];
  /** Folders with no readable report.json of this schema version. */
  skipped: number;
}

export async function readReportHistory(dir: string): Promise<ReportHistory> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { reports: [], skipped: 0 };
    throw err;
  }
  const reports: Report[] = [];
  let skipped = 0;
  for (const name of names) {
    try {
      reports.push(await readJsonReport(join(dir, name, REPORT_FILE)));
    } catch {
      skipped++;
    }
  }
  reports.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.id.localeCompare(a.id));
  return { reports, skipped };
}

/** The most recent run that injected a fault into `asg`, or undefined. */
export function lastInjectedRun(reports: Report[], asg: string): Report | undefined {
  return reports.find((r) => r.target.asg === asg && r.fault?.injectedAt != null);
}

/**
 * Refuses (ChaosError exit 3) when the last run that injected into `asg` started less than `minIntervalMs`
 * before `now`. Reads the report directory; call it before planning, so a refusal touches nothing.
 */
export async function checkMinInterval(reportDir: string, asg: string, minIntervalMs: number, now: number = Date.now()): Promise<void> {
  if (!(minIntervalMs > 0)) return;
  const { reports } = await readReportHistory(reportDir);
  const fromReports = lastInjectedRun(reports, asg);
  const fromJournals = await lastJournaledInjection(reportDir, asg);
  const last =
    fromJournals && (!fromReports || Date.parse(fromJournals.startedAt) > Date.parse(fromReports.startedAt)) ? fromJournals : fromReports;
  if (!last) return;
  const ago = now - Date.parse(last.startedAt);
  if (ago < minIntervalMs) {
    const wait = minIntervalMs - ago;
    throw refused(`the last experiment on ${asg} (${last.id}) started ${formatDuration(Math.max(0, ago))} ago; --min-interval is ${formatDuration(minIntervalMs)}`, {
      phase: 'plan',
      target: asg,
      hint: `wait ${formatDuration(wait)} (until ${new Date(now + wait).toISOString()}), or lower --min-interval`,
    });
  }
}

/**
 * The newest journal (`<dir>/<id>/journal.jsonl`) whose plan targets `asg` and that recorded a mutating
 * intent — including runs that died before writing a report. Unreadable journals are skipped.
 */
export async function lastJournaledInjection(dir: string, asg: string): Promise<{ id: string; startedAt: string } | undefined> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return undefined;
  }
  let newest: { id: string; startedAt: string } | undefined;
  for (const name of names) {
    let entries;
    try {
      entries = await Journal.read(join(dir, name, 'journal.jsonl'));
    } catch {
      continue;
    }
    const plan = entries.find((e) => e.type === 'plan') as { at: string; plan?: { asg?: string } } | undefined;
    if (plan?.plan?.asg !== asg || !entries.some((e) => e.type === 'intent')) continue;
    if (!newest || Date.parse(plan.at) > Date.parse(newest.startedAt)) newest = { id: name, startedAt: plan.at };
  }
  return newest;
}
