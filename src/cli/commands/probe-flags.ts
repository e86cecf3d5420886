/**
 * `chaos-ec2 probe` flags. Every value is validated here, so a bad flag ends with a one-line usage error
 * naming it (exit 2) before any socket is opened. The command module (and with it undici) is imported only
 * when the command runs.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { parseIntFlag, parseNumberFlag } from '../flags.js';
import type { SetExitCode } from '../../core/errors.js';
import type { ProbeFlags } from './probe.js';

function durationFlag(name: string, minMs: number, maxMs: number): (v: string) => number {
  return (v) => {
    let ms: number;
    try {
      ms = parseDuration(v, name);
    } catch {
      throw new InvalidArgumentError(`${name} takes a duration like 500ms, 30s or 5m (got '${v}')`);
    }
    if (ms < minMs || ms > maxMs) throw new InvalidArgumentError(`${name} must be between ${minMs}ms and ${maxMs / 1000}s (got ${v})`);
    return ms;
  };
}

function headerFlag(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const i = v.indexOf(':');
  const name = i > 0 ? v.slice(0, i).trim() : '';
  // RFC 9110 token characters; undici would reject anything else later, with a less helpful message.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new InvalidArgumentError(`--header takes 'Name: value' (got '${v}')`);
  return { ...prev, [name.toLowerCase()]: v.slice(i + 1).trim() };
}

function statusListFlag(v: string): number[] {
  const codes = v.split(',').map((s) => s.trim());
  if (codes.length === 0 || codes.some((c) => !/^[1-5]\d\d$/.test(c))) {
    throw new InvalidArgumentError(`--expect-status takes HTTP status codes separated by commas, e.g. 200,204 (got '${v}')`);
  }
  return codes.map(Number);
}

function methodFlag(v: string): string {
  if (!/^[A-Za-z]+$/.test(v)) throw new InvalidArgumentError(`--method takes an HTTP method such as GET or HEAD (got '${v}')`);
  return v.toUpperCase();
}

export function parseProbeUrl(v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new InvalidArgumentError(`URL must be an absolute http:// or https:// URL (got '${v}')`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`URL must use http or https (got '${url.protocol}')`);
  return url.toString();
}

export function addProbeCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('probe')
    .description('measure a URL under load: per-second success, errors and latency (from the intended send time), then a summary')
    .argument('<url>', 'http:// or https:// URL to probe', parseProbeUrl)
    .option('--rate <n>', 'requests per second, open model (constant arrival rate); without it: closed loop, as fast as possible', parseNumberFlag('--rate', 0.1, 100_000))
    .option('--connections <n>', 'connections (default: closed loop 10; open model enough for rate × timeout, up to 1000)', parseIntFlag('--connections', 1, 10_000))
    .addOption(new Option('--duration <duration>', 'how long to send').argParser(durationFlag('--duration', 100, 24 * 3_600_000)).default(10_000, '10s'))
    .option('--max-requests <n>', 'stop after this many requests', parseIntFlag('--max-requests', 1, 1_000_000_000))
    .addOption(new Option('--timeout <duration>', 'per-request timeout').argParser(durationFlag('--timeout', 10, 60_000)).default(2000, '2s'))
    .option('--method <method>', 'HTTP method', methodFlag, 'GET')
    .addOption(new Option('--header <header>', "request header 'Name: value' (repeatable)").argParser(headerFlag).default({}, 'none'))
    .option('--expect-status <codes>', 'status codes that count as success, e.g. 200,204 (default: 2xx and 3xx)', statusListFlag)
    .option('--json', 'print only the final summary as JSON on stdout (per-second lines go to stderr)')
    .action(async (url: string, flags: ProbeFlags) => {
      const { runProbeCommand } = await import('./probe.js');
      setExitCode(await runProbeCommand(url, flags));
    });
}
