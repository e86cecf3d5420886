/**
 * Live progress while an experiment observes: one subscriber of the engine's events (the JSON report is
 * another). On a TTY it is an ora spinner whose text is the current state; elsewhere (CI logs, pipes) it is
 * plain timestamped lines, at most one per second so a 30-minute run does not flood a log.
 *
 * stdout is reserved for the report in `--json` mode: then nothing is ever written to `stream`, and progress
 * goes as plain lines to `stderr` when one is given, or nowhere.
 *
 * The spinner needs a terminal it can draw in: a TTY that reports a usable width. A pty with 0 columns (as
 * `docker run -t` gives before the size is known) gets plain lines instead — ora divides by the width to
 * count the rows to clear, and at 0 it loops forever, spinning a core and starving the signal handlers. It
 * never runs while the operator is asked for input either: run.ts stops it before the plan and prompt.
 *
 * This is the only module that imports ora, and only dynamically, so commands that never show progress
 * (plan, report, validate) do not load it.
 */
import { formatDuration } from '../core/duration.js';
import { formatLatency } from './text.js';

export interface ProgressState {
  phase: string;
  /** Requests per second sent. */
  rate: number;
  /** Failed / completed over the last window, as a fraction (0.02 = 2 %). */
  errorRate: number;
  p99: number | null;
  healthy: number;
  desired: number;
  inService: number;
  elapsedMs: number;
}

export interface ProgressOptions {
  /** Where progress is shown outside `--json` mode (normally process.stdout or process.stderr). */
  stream: NodeJS.WritableStream;
  isTTY: boolean;
  json?: boolean;
  /** In `--json` mode, progress goes here as plain lines; omit it to show no progress at all. */
  stderr?: NodeJS.WritableStream;
  /** Spinner color; the caller turns it off under NO_COLOR. */
  color?: boolean;
  /** Clock for the line prefix and rate limiting (tests pass a fake one). */
  now?: () => number;
}

export interface Progress {
  update(state: ProgressState): void;
  /** Prints a line (a timeline event) above the spinner, or as its own plain line. */
  log(line: string): void;
  /** Stops the spinner; resolves once ora (if it was loading) is settled, so nothing renders afterwards. */
  stop(): Promise<void>;
}

/** `observe · 50 req/s · err 2.0% · p99 35ms · healthy 3/4 · 12s` */
export function formatProgress(s: ProgressState): string {
  // Before the probe has run a second (discover, plan, confirm) there are no figures to show yet.
  if (s.elapsedMs === 0 && s.rate === 0 && s.desired === 0) return `${s.phase} …`;
  const parts = [s.phase, `${Math.round(s.rate)} req/s`, `err ${(s.errorRate * 100).toFixed(1)}%`, `p99 ${formatLatency(s.p99)}`, `healthy ${s.healthy}/${s.desired}`];
  // InService only earns a place when it differs from desired: that gap is the ASG still replacing.
  if (s.inService !== s.desired) parts.push(`InService ${s.inService}/${s.desired}`);
  parts.push(elapsed(s.elapsedMs));
  return parts.join(' · ');
}

const elapsed = (ms: number): string => (ms < 60_000 ? `${Math.floor(Math.max(0, ms) / 1000)}s` : formatDuration(ms));

export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  if (opts.json) return opts.stderr ? plainProgress(opts.stderr, now) : silent;
  if (!opts.isTTY || !hasUsableWidth(opts.stream)) return plainProgress(opts.stream, now);
  return spinnerProgress(opts.stream, opts.color ?? true);
}

/** The narrowest terminal a one-line spinner is drawn in; below it, plain lines read better anyway. */
export const MIN_SPINNER_COLUMNS = 20;

/** True when the stream reports a width a spinner line fits in (a TTY of 0 or unknown columns does not). */
export function hasUsableWidth(stream: NodeJS.WritableStream): boolean {
  const cols = (stream as { columns?: number }).columns;
  return typeof cols === 'number' && Number.isFinite(cols) && cols >= MIN_SPINNER_COLUMNS;
}

const silent: Progress = { update() {}, log() {}, stop: async () => {} };

const MIN_INTERVAL_MS = 1000;

function plainProgress(out: NodeJS.WritableStream, now: () => number): Progress {
  let last = -Infinity;
  let stopped = false;
  const line = (text: string): void => {
    out.write(`${new Date(now()).toISOString()} ${text}\n`);
  };
  return {
    update(state) {
      if (stopped) return;
      const t = now();
      if (t - last < MIN_INTERVAL_MS) return;
      last = t;
      line(formatProgress(state));
    },
    log(text) {
      // Timeline events are never rate-limited: they are the record of what happened.
      if (!stopped) line(text);
    },
    stop: async () => {
      stopped = true;
    },
  };
}

type Spinner = import('ora').Ora;

function spinnerProgress(out: NodeJS.WritableStream, color: boolean): Progress {
  let spinner: Spinner | undefined;
  let text = '';
  let stopped = false;
  const view = spinnerView(out);
  const fit = (s: string): string => {
    // A spinner line that wraps cannot be cleared in place; keep it to one terminal row.
    const cols = view.columns;
    const chars = [...s];
    return chars.length <= cols - 3 ? s : `${chars.slice(0, cols - 4).join('')}…`;
  };
  const loading = import('ora').then(
    ({ default: ora }) => {
      if (stopped) return;
      spinner = ora({
        stream: view as unknown as NodeJS.WritableStream,
        isEnabled: true,
        color: color ? 'cyan' : false,
        // discardStdin puts stdin in raw mode, where Ctrl+C no longer raises SIGINT: the runner's rollback on
        // interrupt depends on that signal, so stdin is left alone.
        discardStdin: false,
        text: fit(text),
      }).start();
    },
    () => {
      // Without ora there is no spinner; log lines still print, and the run itself must not fail over it.
    },
  );
  return {
    update(state) {
      if (stopped) return;
      text = formatProgress(state);
      if (spinner) spinner.text = fit(text);
    },
    log(line) {
      if (stopped) return;
      if (!spinner) {
        out.write(`${line}\n`);
        return;
      }
      spinner.clear();
      out.write(`${line}\n`);
      spinner.render();
    },
    async stop() {
      stopped = true;
      await loading;
      spinner?.stop();
    },
  };
}

/**
 * The stream as ora sees it: the same terminal, but its width never below MIN_SPINNER_COLUMNS. The spinner only
 * starts on a usable width; a terminal resized to 0 columns mid-run must not send ora's row count (width / 0)
 * into an endless loop — at worst a line wraps.
 */
function spinnerView(out: NodeJS.WritableStream) {
  const tty = out as NodeJS.WriteStream;
  return {
    isTTY: true,
    get columns(): number {
      return hasUsableWidth(out) ? tty.columns : MIN_SPINNER_COLUMNS;
    },
    get rows(): number | undefined {
      return tty.rows;
    },
    // ora calls these without callbacks.
    write: (chunk: string) => tty.write(chunk),
    cursorTo: (x: number) => tty.cursorTo(x),
    moveCursor: (dx: number, dy: number) => tty.moveCursor(dx, dy),
    clearLine: (dir: -1 | 0 | 1) => tty.clearLine(dir),
    once: (event: string, fn: () => void) => tty.once(event, fn),
    removeListener: (event: string, fn: () => void) => tty.removeListener(event, fn),
  };
}
