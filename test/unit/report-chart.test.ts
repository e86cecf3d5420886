import { describe, expect, it } from 'vitest';
import type { ProbeSecond } from '../../src/experiment/types.js';
import { plotWidth, renderChart, toColumns } from '../../src/report/chart.js';
import { stripAnsi } from './report-fixtures.js';

const GUTTER = 11;

/** n seconds at 10 req/s; t0 falls `t0Second` seconds in, 300 ms into that second. */
function seconds(n: number, t0Second: number, edit: (s: ProbeSecond) => void = () => {}): ProbeSecond[] {
  return Array.from({ length: n }, (_, t) => {
    const s: ProbeSecond = {
      t,
      atMs: (t - t0Second) * 1000 - 300,
      sent: 10,
      ok: 10,
      failed: 0,
      late: 0,
      p50: 2,
      p99: 4,
      max: 5,
      saturated: false,
      errorsByKind: {},
    };
    edit(s);
    s.ok = s.sent - s.failed;
    return s;
  });
}

const rowsOf = (out: string): string[] => out.split('\n');
const rowStartingWith = (out: string, label: string): string | undefined => rowsOf(out).find((l) => l.trimStart().startsWith(label));

describe('renderChart', () => {
  it('renders an exact, deterministic chart for a short run', () => {
    const input = seconds(6, 2, (s) => {
      if (s.t === 2) s.failed = 4;
      if (s.t === 3) s.failed = 1;
      if (s.t === 2 || s.t === 3) s.p99 = 16;
    });
    const out = renderChart(input, { width: 40, color: false, height: 2 });
    expect(out).toBe(
      [
        'errors per second  (peak 4 at -300ms)',
        '        4 ┤  █',
        '        0 ┤  █▄',
        'p99 latency per second  (peak 16ms at -300ms)',
        '     16ms ┤  ██',
        '        0 ┤▄▄██▄▄',
        '       t0    ▲',
        '           -2.3s +3.7s',
      ].join('\n'),
    );
    expect(renderChart(input, { width: 40, color: false, height: 2 })).toBe(out);
  });

  it('returns a placeholder for empty input', () => {
    expect(renderChart([], { width: 80, color: false })).toBe('(no per-second probe data)');
  });

  it('keeps the maximum of each column when downsampling', () => {
    // 300 s into 69 columns: 5 s per column. One 50-error second among 1-error seconds must survive.
    const input = seconds(300, 30, (s) => {
      s.failed = s.t === 137 ? 50 : 1;
      s.p99 = s.t === 212 ? 900 : 4;
    });
    const { columns, secondsPerColumn } = toColumns(input, plotWidth(80));
    expect(secondsPerColumn).toBe(5);
    expect(columns).toHaveLength(60);
    expect(columns[27]?.errors).toBe(50);
    expect(columns.filter((c) => c.errors === 50)).toHaveLength(1);
    expect(columns[42]?.p99).toBe(900);

    const out = renderChart(input, { width: 80, color: false });
    const topErrors = rowsOf(out)[1] as string;
    expect(topErrors.slice(GUTTER)).toBe(`${' '.repeat(27)}█`);
    // Every 1-error column still shows at least the lowest glyph on the bottom row.
    const bottomErrors = (rowsOf(out)[4] as string).slice(GUTTER);
    expect([...bottomErrors].every((c) => c !== ' ')).toBe(true);
    expect(out).toContain('1 column = 5.0s, max shown');
    // Column 27 holds seconds 135-139; second 135 starts 104.7 s after t0.
    expect(out).toContain('peak 50 at +1m45s');
    expect(out).toContain('peak 900ms at +3m00s');
    for (const line of rowsOf(out)) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it('marks the column whose second contains t0', () => {
    const out = renderChart(seconds(40, 10), { width: 80, color: false });
    expect((rowStartingWith(out, 't0') as string).indexOf('▲')).toBe(GUTTER + 10);

    const down = renderChart(seconds(400, 123), { width: 80, color: false });
    // 400 s into 69 columns: 6 s per column; second 123 is in column 20.
    expect((rowStartingWith(down, 't0') as string).indexOf('▲')).toBe(GUTTER + 20);
  });

  it('omits the t0 marker when t0 is outside the data or marking is off', () => {
    expect(renderChart(seconds(20, -5), { width: 80, color: false })).not.toContain('▲');
    expect(renderChart(seconds(20, 5), { width: 80, color: false, markT0: false })).not.toContain('▲');
  });

  it('marks saturated seconds on their own row', () => {
    const out = renderChart(
      seconds(30, 5, (s) => {
        s.saturated = s.t === 3 || s.t === 17;
      }),
      { width: 80, color: false },
    );
    const row = rowStartingWith(out, 'saturated') as string;
    expect(row.slice(GUTTER)).toBe(`${' '.repeat(3)}·${' '.repeat(13)}·`);
    expect(renderChart(seconds(30, 5), { width: 80, color: false })).not.toContain('saturated');
  });

  it('leaves seconds without any completed request blank in the latency chart', () => {
    const out = renderChart(
      seconds(5, 1, (s) => {
        if (s.t === 2) s.p99 = null;
      }),
      { width: 80, color: false, height: 1 },
    );
    const latency = rowsOf(out)[3] as string;
    expect(latency.slice(GUTTER)).toBe('██ ██');
  });

  it('colors only when asked, and coloring changes nothing else', () => {
    const input = seconds(50, 10, (s) => {
      s.failed = s.t % 7;
      s.saturated = s.t === 20;
    });
    const plain = renderChart(input, { width: 80, color: false });
    const colored = renderChart(input, { width: 80, color: true });
    expect(plain).not.toContain('\u001b[');
    expect(colored).toContain('\u001b[31m');
    expect(stripAnsi(colored)).toBe(plain);
  });
});
