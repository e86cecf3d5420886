/**
 * `chaos-ec2 history [DIR]`: past runs from the report directory, newest first, with a trend per group and
 * fault, so a team sees whether recovery is getting slower between game days.
 *
 * Trend: for each ASG + fault, the median TTR of the last N runs against the median of the N before them
 * (N = up to 3, fewer when there is less history; at least one run on each side). Changes within ±10 % are
 * "steady": TTRs move that much between identical runs (poll intervals, health-check timing).
 */
import { stat } from 'node:fs/promises';
import { formatDuration } from '../../core/duration.js';
import { usageError } from '../../core/errors.js';
import { isS3ReportDir } from '../report-store.js';
import { readReportHistory, type SkippedFile } from '../../report/pacing.js';
import type { Report } from '../../experiment/types.js';

export interface Trend {
  asg: string;
  fault: string;
  runs: number;
  service: string;
  capacity: string;
}

const STEADY = 0.1;

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Compares the newest `n` values with the `n` before them (values newest first; nulls = not recovered). */
export function trendOf(values: (number | null)[], n = 3): string {
  const k = Math.min(n, Math.floor(values.length / 2));
  if (k < 1) return 'not enough runs';
  const recent = values.slice(0, k);
  const before = values.slice(k, 2 * k);
  const fails = (xs: (number | null)[]) => xs.filter((v) => v === null).length;
  if (fails(recent) > fails(before)) return `worse: ${fails(recent)} of the last ${k} did not recover`;
  const a = median(recent.filter((v): v is number => v !== null));
  const b = median(before.filter((v): v is number => v !== null));
  if (a === null || b === null) return fails(recent) < fails(before) ? 'better: recovering again' : 'no figures';
  if (b === 0) return a === 0 ? 'steady' : `slower (${formatDuration(a)} from 0)`;
  const change = (a - b) / b;
  if (Math.abs(change) <= STEADY) return `steady (median ${formatDuration(a)})`;
  return `${change > 0 ? 'slower' : 'faster'} by ${Math.round(Math.abs(change) * 100)}% (median ${formatDuration(b)} → ${formatDuration(a)})`;
}

export function trends(reports: Report[], n = 3): Trend[] {
  const groups = new Map<string, Report[]>();
  for (const r of reports) {
    if (!r.fault?.injectedAt) continue;
    const key = `${r.target.asg}\u0000${r.fault.kind}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].map(([key, runs]) => {
    const [asg, fault] = key.split('\u0000') as [string, string];
    return {
      asg,
      fault,
      runs: runs.length,
      service: trendOf(
        runs.map((r) => r.recovery?.serviceRecoveredMs ?? null),
        n,
      ),
      capacity: trendOf(
        runs.map((r) => r.recovery?.capacityRecoveredMs ?? (r.recovery?.capacityRecovered ? 0 : null)),
        n,
      ),
    };
  });
}

/** `unreadable`: report files that are there but could not be used, named after the table with why. */
export function renderHistory(reports: Report[], skipped: number, n = 3, unreadable: SkippedFile[] = []): string {
  const named = unreadable.map((u) => `  ${u.path}: ${u.reason}`);
  if (reports.length === 0) {
    return [`no reports found${skipped ? ` (${skipped} unreadable folder${skipped > 1 ? 's' : ''} skipped)` : ''}`, ...named].join('\n');
  }
  const rows = [
    ['date (UTC)', 'target ASG', 'fault', 'verdict', 'service TTR', 'capacity TTR', 'id'],
    ...reports.map((r) => [
      r.startedAt.replace('T', ' ').slice(0, 16),
      r.target.asg,
      r.fault?.kind ?? '(none)',
      `${r.verdict} (${r.exitCode})`,
      r.recovery ? (r.recovery.serviceRecoveredMs !== null ? formatDuration(r.recovery.serviceRecoveredMs) : 'not recovered') : '—',
      r.recovery ? (r.recovery.capacityRecoveredMs !== null ? formatDuration(r.recovery.capacityRecoveredMs) : r.recovery.capacityRecovered ? 'never lost' : 'not recovered') : '—',
      r.id,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => [...(row[i] as string)].length)));
  const fmt = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  const out = [fmt(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)];
  const t = trends(reports, n);
  if (t.length) {
    out.push('', `Trend (median of the last ${n} runs vs the ${n} before, per group and fault):`);
    for (const x of t) out.push(`  ${x.asg} · ${x.fault} (${x.runs} run${x.runs > 1 ? 's' : ''}): service ${x.service}; capacity ${x.capacity}`);
  }
  if (skipped) out.push('', `${skipped} folder${skipped > 1 ? 's' : ''} without a readable report.json skipped`, ...named);
  return out.join('\n');
}

/**
 * `history s3://bucket/prefix`: the newest runs' reports are read from S3 into the store's local mirror (with
 * the credentials, region and endpoint of the environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL), which is
 * then read like any report directory. Reading needs s3:ListBucket and s3:GetObject only.
 */
async function fromS3(dir: string): Promise<string> {
  const { createClients } = await import('../../aws/clients.js');
  const { openReportStore, pullHistory } = await import('../report-store.js');
  let clients: Awaited<ReturnType<typeof createClients>> | undefined;
  try {
    const store = await openReportStore(dir, async () => (clients = await createClients({})), 'read');
    await pullHistory(store);
    return store.dir;
  } finally {
    clients?.destroy();
  }
}

/**
 * The directory must be there: for pacing a missing one is an empty history (nothing ran yet), but a user
 * asking for history of a path that does not exist has most likely mistyped it, and "no reports found"
 * would hide that.
 */
async function requireDirectory(dir: string): Promise<void> {
  const hint = 'give the directory your runs wrote to (their --report-dir; default ./chaos-reports, or $CHAOS_EC2_REPORT_DIR)';
  let isDir: boolean;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`history: no report directory at ${dir} (it does not exist)`, hint);
    return; // Any other failure is reported by the read itself, with its reason.
  }
  if (!isDir) throw usageError(`history: ${dir} is a file, not a report directory`, hint);
}

export async function historyCommand(dir: string, opts: { json?: boolean; last?: number }, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const local = isS3ReportDir(dir) ? await fromS3(dir) : dir;
  if (local === dir) await requireDirectory(dir);
  const { reports, skipped, unreadable } = await readReportHistory(local);
  const n = opts.last ?? 3;
  if (opts.json) {
    const runs = reports.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      asg: r.target.asg,
      fault: r.fault?.kind ?? null,
      verdict: r.verdict,
      exitCode: r.exitCode,
      serviceRecoveredMs: r.recovery?.serviceRecoveredMs ?? null,
      capacityRecoveredMs: r.recovery?.capacityRecoveredMs ?? null,
    }));
    out.write(`${JSON.stringify({ dir, runs, trends: trends(reports, n), skipped, unreadable }, null, 2)}\n`);
  } else out.write(`${renderHistory(reports, skipped, n, unreadable)}\n`);
  return 0;
}
