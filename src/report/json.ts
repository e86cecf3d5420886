/**
 * The versioned JSON report on disk: `<dir>/<id>/report.json`. It is the contract with CI pipelines and
 * with `chaos-ec2 report`, so a reader must never see half of one: it is written to a temp file in the
 * same directory (same filesystem, so rename is atomic on POSIX) and renamed into place.
 */
import { redact } from '../core/redact.js';
import { mkdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ChaosError, ExitCode } from '../core/errors.js';
import { SCHEMA_VERSION, type Report } from '../experiment/types.js';
import { reportShapeProblem } from './report-shape.js';

export const REPORT_FILE = 'report.json';

/** Writes the report atomically and returns its path. */
export async function writeJsonReport(report: Report, dir: string): Promise<string> {
  // The id becomes a path segment: refuse anything that could climb out of `dir`.
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(report.id) || report.id.includes('..')) {
    throw new ChaosError(ExitCode.Usage, `report id '${report.id}' cannot be used as a directory name`, { phase: 'report' });
  }
  const folder = join(dir, report.id);
  await mkdir(folder, { recursive: true });
  const path = join(folder, REPORT_FILE);
  const tmp = join(folder, `.${REPORT_FILE}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, `${redact(JSON.stringify(report, null, 2))}\n`, { encoding: 'utf8', flag: 'wx' });
    // fsync before rename: otherwise a power loss can leave the renamed file empty on some filesystems.
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new ChaosError(ExitCode.Usage, `could not write the report to ${path}: ${(err as Error).message}`, {
      phase: 'report',
      hint: 'check that the report directory is writable (--report-dir)',
      cause: err,
    });
  }
  return path;
}

/**
 * Why a report file could not be used: the message names the file; `reason` says why without it, for the
 * lists that already name it (`history`, the --min-interval warning).
 */
export class ReportReadError extends ChaosError {
  constructor(
    message: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(ExitCode.Usage, message, { phase: 'report', hint: 'pass the report.json written by `chaos-ec2 run` (under --report-dir/<id>/)', cause });
  }
}

/**
 * Reads a report back; a missing file, bad JSON, an unknown schemaVersion or a report missing (or mistyping)
 * a field the renderers read is a usage error (exit 2).
 */
export async function readJsonReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ReportReadError(`cannot read report ${path}: ${why}`, why, err);
  }
  const bad = (verb: 'is' | 'has', reason: string, cause?: unknown) => new ReportReadError(`report ${path} ${verb} ${reason}`, reason, cause);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw bad('is', `not valid JSON: ${(err as Error).message}`, err);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('is', 'not a chaos-ec2 report (expected a JSON object)');
  const version = (data as { schemaVersion?: unknown }).schemaVersion;
  if (version !== 1 && version !== SCHEMA_VERSION) {
    const seen = version === undefined ? 'no schemaVersion' : `schemaVersion ${JSON.stringify(version)}`;
    throw bad('has', `${seen}; this chaos-ec2 reads schemaVersion 1 and ${SCHEMA_VERSION}`);
  }
  const report = version === 1 ? upgradeV1(data as Record<string, unknown>) : data;
  // The right version is not the whole report: every renderer trusts these fields, so a partial or
  // wrongly typed one is refused here, naming the field, rather than crashing one of them.
  const problem = reportShapeProblem(report);
  if (problem) throw bad('is', `not a complete chaos-ec2 report: ${problem}`);
  return report as Report;
}

/**
 * Schema 1 → 2: v1 kept the network fault's section in a top-level `blackhole` key; v2 keeps every fault's
 * own section under `fault.detail`. Nothing else changed, so old reports still render and still count in
 * `history` and pacing.
 */
function upgradeV1(v1: Record<string, unknown>): Report {
  const { blackhole, ...rest } = v1;
  const fault = rest.fault as Record<string, unknown> | null | undefined;
  return { ...rest, schemaVersion: SCHEMA_VERSION, fault: fault && blackhole !== undefined ? { ...fault, detail: blackhole } : (fault ?? null) } as unknown as Report;
}
