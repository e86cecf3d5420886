/**
 * `chaos-ec2 report <report.json> [--format json,md,junit,html] [--out DIR]`: re-renders a saved report.
 * Without --format it prints the terminal summary (as `run` did). With --format it writes the files under
 * `<out>/<id>/` (default: beside the report, i.e. the folder holding `<id>/`); `--out -` prints the one
 * format asked for on stdout instead. Reading goes through json.ts, so an old or foreign file is exit 2.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { usageError } from '../../core/errors.js';
import { readJsonReport } from '../../report/json.js';
import { renderSummary } from '../../report/terminal.js';
import { parseFormats, renderFormat, writeReports } from '../../report/write.js';

export interface ReportFlags {
  format?: string;
  out?: string;
}

export async function reportCommand(file: string, flags: ReportFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const report = await readJsonReport(file);
  if (flags.format === undefined) {
    if (flags.out !== undefined) throw usageError('--out: give --format too (which files to write)');
    const color = Boolean(out.isTTY) && !process.env.NO_COLOR;
    out.write(`${renderSummary(report, { color, width: Math.min(out.columns ?? 100, 120) })}\n`);
    return 0;
  }
  const formats = parseFormats(flags.format);
  if (flags.out === '-') {
    if (formats.length !== 1) throw usageError(`--out -: prints one format on stdout; got ${formats.join(', ')}`);
    out.write(renderFormat(report, formats[0]!));
    return 0;
  }
  if (flags.out !== undefined) await requireDirectoryOrNothing(flags.out);
  // Default: the report's own <dir>/<id>/ folder, so re-rendered files land beside report.json.
  const dir = flags.out ?? dirname(dirname(resolve(file)));
  // Re-rendering is not a run: it must not append to a CI step summary a second time.
  const paths = await writeReports(report, dir, formats, { ...process.env, GITHUB_STEP_SUMMARY: undefined });
  for (const f of formats) out.write(`${f}: ${paths[f]}\n`);
  return 0;
}

/** --out names a directory (created when missing): an existing file there is a usage error before anything is written. */
async function requireDirectoryOrNothing(out: string): Promise<void> {
  const isFile = await stat(out).then(
    (st) => !st.isDirectory(),
    () => false, // Missing (it is created) or unreadable (the write says why).
  );
  if (isFile) throw usageError(`--out: ${out} is a file, not a directory`, 'give a directory (created if missing) for <out>/<id>/report.*, or --out - to print one format');
}
