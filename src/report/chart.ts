/**
 * Per-second text chart for the terminal summary: errors per second and p99 latency per second, as two
 * bar charts sharing one time axis, with t0 and the seconds in which the probe itself was saturated marked.
 *
 * When there are more seconds than columns, each column covers k consecutive seconds and shows their
 * MAXIMUM: an outage of one second must stay visible in a one-hour run, which averaging would erase.
 * Output depends only on the input (no clock, no environment), so it is snapshot-testable.
 */
import { formatDuration } from '../core/duration.js';
import type { ProbeSecond } from '../experiment/types.js';
import { formatLatency, formatOffset, painter, pad, type Style } from './text.js';

export interface ChartOptions {
  /** Total width in columns, gutter included. */
  width: number;
  color: boolean;
  /** Rows per chart; each row resolves 8 levels. Default 4. */
  height?: number;
  /** Mark the column holding t0 (off when no fault was injected, so atMs has no meaning). Default true. */
  markT0?: boolean;
}

/** One chart column: k consecutive seconds reduced to their worst values. */
export interface ChartColumn {
  /** ms since t0 at which the first second of this column starts. */
  fromMs: number;
  seconds: number;
  errors: number;
  p99: number | null;
  saturated: boolean;
  t0: boolean;
}

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const LABEL = 9;
const GUTTER = LABEL + 2;
const MIN_PLOT = 10;

/** The number of plot columns a chart of total `width` has. */
export const plotWidth = (width: number): number => Math.max(MIN_PLOT, Math.floor(width) - GUTTER);

/** Reduces seconds to at most `cols` columns of ceil(n / cols) seconds each, keeping each column's maximum. */
export function toColumns(perSecond: ProbeSecond[], cols: number): { columns: ChartColumn[]; secondsPerColumn: number } {
  const k = Math.max(1, Math.ceil(perSecond.length / Math.max(1, cols)));
  const columns: ChartColumn[] = [];
  for (let i = 0; i < perSecond.length; i += k) {
    const group = perSecond.slice(i, i + k);
    const first = group[0] as ProbeSecond;
    let p99: number | null = null;
    for (const s of group) if (s.p99 !== null && (p99 === null || s.p99 > p99)) p99 = s.p99;
    columns.push({
      fromMs: first.atMs,
      seconds: group.length,
      errors: Math.max(...group.map((s) => s.failed)),
      p99,
      saturated: group.some((s) => s.saturated),
      // t0 lies in the second whose [atMs, atMs + 1000) interval crosses zero.
      t0: group.some((s) => s.atMs <= 0 && s.atMs + 1000 > 0),
    });
  }
  return { columns, secondsPerColumn: k };
}

/** Renders both charts, the marker rows and the time axis; lines joined with '\n', no trailing newline. */
export function renderChart(perSecond: ProbeSecond[], opts: ChartOptions): string {
  if (perSecond.length === 0) return '(no per-second probe data)';
  const paint = painter(opts.color);
  const height = Math.max(1, Math.floor(opts.height ?? 4));
  const { columns, secondsPerColumn } = toColumns(perSecond, plotWidth(opts.width));
  const lines: string[] = [];

  const errors = columns.map((c) => c.errors);
  lines.push(...bars('errors per second', errors, String, height, 'red', columns, paint));
  const p99 = columns.map((c) => c.p99);
  lines.push(...bars('p99 latency per second', p99, formatLatency, height, 'cyan', columns, paint));

  if (columns.some((c) => c.saturated)) {
    const row = columns.map((c) => (c.saturated ? paint('·', 'yellow') : ' ')).join('');
    lines.push(`${pad(paint('saturated', 'dim'), LABEL, true)}  ${row}`.trimEnd());
  }
  const t0 = opts.markT0 === false ? -1 : columns.findIndex((c) => c.t0);
  if (t0 >= 0) lines.push(`${pad('t0', LABEL, true)}  ${' '.repeat(t0)}${paint('▲', 'bold')}`);
  lines.push(axis(columns, secondsPerColumn, plotWidth(opts.width), paint));
  return lines.join('\n');
}

function bars(title: string, values: (number | null)[], label: (v: number) => string, height: number, style: Style, columns: ChartColumn[], paint: ReturnType<typeof painter>): string[] {
  let max = 0;
  let peakAt = -1;
  values.forEach((v, i) => {
    if (v !== null && v > max) {
      max = v;
      peakAt = i;
    }
  });
  const peak = peakAt < 0 ? 'none' : `peak ${label(max)} at ${formatOffset((columns[peakAt] as ChartColumn).fromMs)}`;
  const out = [`${paint(title, 'bold')}  ${paint(`(${peak})`, 'dim')}`];
  const steps = height * 8;
  // Any non-zero value gets at least the lowest glyph: one failed request in an hour must not vanish.
  const levels = values.map((v) => (v === null || v <= 0 || max === 0 ? 0 : Math.max(1, Math.round((v / max) * steps))));
  for (let r = 0; r < height; r++) {
    const base = (height - 1 - r) * 8;
    const row = levels
      .map((l) => (l - base >= 8 ? '█' : l - base <= 0 ? ' ' : BLOCKS[l - base - 1]))
      .join('')
      .trimEnd();
    const top = r === 0;
    const bottom = r === height - 1;
    const tick = top && bottom ? `${label(max)}` : top ? label(max) : bottom ? '0' : '';
    const rule = top || bottom ? '┤' : '│';
    out.push(`${pad(paint(tick, 'dim'), LABEL, true)} ${rule}${paint(row, style)}`.trimEnd());
  }
  return out;
}

function axis(columns: ChartColumn[], k: number, width: number, paint: ReturnType<typeof painter>): string {
  const first = columns[0] as ChartColumn;
  const last = columns[columns.length - 1] as ChartColumn;
  const start = formatOffset(first.fromMs);
  const end = formatOffset(last.fromMs + last.seconds * 1000);
  const used = Math.max(columns.length, start.length + end.length + 1);
  let middle = ' '.repeat(Math.max(1, used - start.length - end.length));
  const note = k > 1 ? ` 1 column = ${formatDuration(k * 1000)}, max shown ` : '';
  const room = Math.min(width, used) - start.length - end.length;
  if (note && note.length + 2 <= room) {
    const left = Math.floor((room - note.length) / 2);
    middle = ' '.repeat(left) + note + ' '.repeat(room - left - note.length);
  }
  return `${' '.repeat(LABEL)}  ${paint(start + middle + end, 'dim')}`;
}
