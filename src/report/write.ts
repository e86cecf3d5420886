/**
 * Writes a report in the chosen formats beside each other: `<dir>/<id>/report.json` (the contract, via
 * json.ts), `report.md`, `report.junit.xml`, `report.html`. Every file is written to a temp name and renamed,
 * so a CI step that uploads the folder never picks up half a file. When $GITHUB_STEP_SUMMARY is set (GitHub
 * Actions), the Markdown is also APPENDED to it: several experiments in one job each add their section.
 */
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChaosError, ExitCode } from '../core/errors.js';
import { randomUUID } from 'node:crypto';
import type { Report } from '../experiment/types.js';
import { renderHtml } from './html.js';
import { writeJsonReport } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ReportFormat } from './formats.js';

export { REPORT_FORMATS, parseFormats, type ReportFormat } from './formats.js';

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
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new ChaosError(ExitCode.Usage, `could not write ${path}: ${(err as Error).message}`, { phase: 'report', hint: 'check that the report directory is writable (--report-dir)', cause: err });
  }
}

/**
 * Writes `report` under `<dir>/<report.id>/` in each format and returns the path of each file written.
 * Also appends the Markdown to `env.GITHUB_STEP_SUMMARY` when that is set (whatever the formats).
 */
export async function writeReports(
  report: Report,
  dir: string,
  formats: readonly ReportFormat[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Partial<Record<ReportFormat, string>>> {
  const paths: Partial<Record<ReportFormat, string>> = {};
  // json first: it validates the id as a directory name and creates the folder.
  if (formats.includes('json')) paths.json = await writeJsonReport(report, dir);
  else if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(report.id) || report.id.includes('..')) {
    throw new ChaosError(ExitCode.Usage, `report id '${report.id}' cannot be used as a directory name`, { phase: 'report' });
  }
  const folder = join(dir, report.id);
  await mkdir(folder, { recursive: true });
  for (const f of formats) {
    if (f === 'json') continue;
    const path = join(folder, FORMAT_FILES[f]);
    await writeAtomic(path, renderFormat(report, f));
    paths[f] = path;
  }
  const summary = env.GITHUB_STEP_SUMMARY;
  if (summary) {
    try {
      await appendFile(summary, `${renderMarkdown(report)}\n`, 'utf8');
    } catch (err) {
      throw new ChaosError(ExitCode.Usage, `could not append to GITHUB_STEP_SUMMARY (${summary}): ${(err as Error).message}`, { phase: 'report', cause: err });
    }
  }
  return paths;
}
