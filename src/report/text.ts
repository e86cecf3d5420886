/**
 * Text helpers for the terminal renderers: styles, widths, wrapping, t0-relative times. Styles are plain
 * SGR codes rather than node:util styleText because on Node 20 styleText always emits escapes; the caller
 * decides instead (NO_COLOR and non-TTY streams are resolved once at the edge and passed in as `color`).
 */
import { formatDuration } from '../core/duration.js';

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  inverse: [7, 27],
} as const;

export type Style = keyof typeof CODES;

/** Returns a painter that wraps text in the given styles, or returns it untouched when color is off. */
export function painter(color: boolean): (text: string, ...styles: Style[]) => string {
  if (!color) return (text) => text;
  return (text, ...styles) => styles.reduce((acc, s) => `\u001b[${CODES[s][0]}m${acc}\u001b[${CODES[s][1]}m`, text);
}

/** Visible width of a string: escape sequences take no columns (all glyphs we emit are one column wide). */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return [...text.replace(/\u001b\[[0-9;]*m/g, '')].length;
}

/** Pads to a visible width (escape sequences ignored); `right` aligns to the right. */
export function pad(text: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return right ? fill + text : text + fill;
}

/** Cuts plain text to `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * Word-wraps plain text to `width` columns; continuation lines get `indent` spaces. A word longer than a
 * line (an ARN, a URL) is hard-split rather than overflowing the terminal.
 */
export function wrap(text: string, width: number, indent = 0): string[] {
  const lines: string[] = [];
  let line = '';
  const room = () => width - (lines.length === 0 ? 0 : indent);
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while ([...word].length > room()) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...word];
      lines.push(chars.slice(0, room()).join(''));
      word = chars.slice(room()).join('');
    }
    if (!word) continue;
    if (!line) line = word;
    else if ([...line].length + 1 + [...word].length <= room()) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : ' '.repeat(indent) + l));
}

/** A time relative to t0 as people read it in the timeline and chart axis: `+12.3s`, `-4.0s`, `+850ms`. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${formatDuration(Math.abs(ms))}`;
}

/** A latency in ms: sub-millisecond loopback figures keep their decimals, the rest read like durations. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  return formatDuration(ms);
}
