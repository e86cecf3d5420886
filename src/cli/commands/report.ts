/**
 * `chaos-ec2 report <report.json> [--format json,md,junit,html] [--out DIR]`: re-renders a saved report.
 * Without --format it prints the terminal summary (as `run` did). With --format it writes the files under
 * `<out>/<id>/` (default: beside the report, i.e. the folder holding `<id>/`); `--out -` prints the one
 * format asked for on stdout instead. Reading goes through json.ts, so an old or foreign file is exit 2. The
 * report may be in an S3 report store: `report s3://BUCKET/PREFIX/<id>/report.json`.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../../core/errors.js';
import { readJsonReport, REPORT_FILE } from '../../report/json.js';
import { renderSummary } from '../../report/terminal.js';
import { FORMAT_FILES, parseFormats, renderFormat, writeReports } from '../../report/write.js';

export interface ReportFlags {
  format?: string;
  out?: string;
}

export async function reportCommand(file: string, flags: ReportFlags, out: NodeJS.WriteStream = process.stdout): Promise<number> {
  if (/^s3:\/\//i.test(file)) return reportFromS3(file, flags, out);
  return renderReport(file, flags, out);
}

/**
 * `report s3://BUCKET/PREFIX/<id>/report.json`: the report is read into the store's local mirror and rendered
 * from there; files re-rendered beside it (no --out) are uploaded beside it in S3 too. Credentials, region and
 * endpoint come from the environment, as for `history s3://…`.
 */
async function reportFromS3(url: string, flags: ReportFlags, out: NodeJS.WriteStream): Promise<number> {
  const m = /^s3:\/\/([^/]+)\/(?:(.*)\/)?([^/]+)\/report\.json$/i.exec(url);
  if (!m) throw usageError(`'${url}' is not the S3 URL of a report: s3://BUCKET[/PREFIX]/<id>/report.json`);
  const [, bucket, prefix, id] = m as unknown as [string, string, string | undefined, string];
  const { createClients } = await import('../../aws/clients.js');
  const { openReportStore } = await import('../report-store.js');
  const { pullIds, pushFile } = await import('../../report/s3-store.js');
  const clients = await createClients({});
  try {
    const uploads = flags.format !== undefined && flags.out === undefined;
    const store = await openReportStore(`s3://${bucket}/${prefix ?? ''}`, () => Promise.resolve(clients), uploads ? 'write' : 'read');
    if ((await pullIds(store.s3!, [id], [REPORT_FILE], 'report')) === 0) throw usageError(`no report at ${url}`, `list the runs: aws s3 ls s3://${bucket}/${prefix ? `${prefix}/` : ''}`);
    const code = await renderReport(join(store.dir, id, REPORT_FILE), flags, out);
    if (uploads) for (const f of parseFormats(flags.format!)) out.write(`uploaded: ${await pushFile(store.s3!, id, f === 'json' ? REPORT_FILE : FORMAT_FILES[f], 'report')}\n`);
    return code;
  } finally {
    clients.destroy();
  }
}

async function renderReport(file: string, flags: ReportFlags, out: NodeJS.WriteStream): Promise<number> {
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
