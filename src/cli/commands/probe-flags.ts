/**
 * `chaos-ec2 probe` flags, from the same definitions as `run`'s probe options (--rate, --timeout, --method,
 * --header, --expect-status share their parsers and limits) plus the probe's own. Every value is validated
 * before the action, all problems at once, as a one-line usage error each (exit 2) before any socket is
 * opened. The command module (and with it the probe) is imported only when the command runs.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { duration, int, OptionError, url, type OptionDef } from '../../core/options.js';
import type { SetExitCode } from '../../core/errors.js';
import { EXPECT_STATUS, HEADER, HOST, JSON_OUT, METHOD, RATE, TIMEOUT, TRANSPORT_OPTIONS } from '../../experiment/run-options.js';
import { addOptions } from '../options.js';
import type { ProbeFlags } from './probe.js';

const PROBE_OPTIONS: readonly OptionDef[] = [
  // Same parser and limits as `run --rate`; here without a default: no rate means a closed loop.
  { ...RATE, default: undefined, help: 'requests per second, open model (constant arrival rate); without it: closed loop, as fast as possible' },
  { name: 'connections', flag: '--connections', arg: '<n>', parser: int(1, 10_000), defaultText: 'closed loop 10; open model enough for rate × timeout, up to 1000', help: 'connections' },
  // A day of per-second summaries is ~24 MB (README "Performance"); the timer stays far below 2^31-1 ms.
  { name: 'duration', flag: '--duration', arg: '<duration>', parser: duration(100, 24 * 3_600_000), default: 10_000, help: 'how long to send (100ms-24h)' },
  // Like autocannon's -p; refused with --rate (probe.ts): only a closed loop may queue requests on a connection.
  { name: 'pipelining', flag: '--pipelining', arg: '<n>', parser: int(1, 100), defaultText: '1', help: 'closed loop only: requests in flight per connection (HTTP/1.1 pipelining)' },
  { name: 'maxRequests', flag: '--max-requests', arg: '<n>', parser: int(1, 1_000_000_000), help: 'stop after this many requests' },
  TIMEOUT,
  METHOD,
  HEADER,
  EXPECT_STATUS,
  // --probe, --host, --resolve, --ca-cert, --insecure: the same transport as `run`'s probe.
  ...TRANSPORT_OPTIONS.map((d) =>
    d === HOST ? { ...d, defaultText: "the URL's host", help: "Host header and TLS server name (SNI) of the probe; it still connects to the URL host's addresses" } : d,
  ),
  { ...JSON_OUT, help: 'print only the final summary as JSON on stdout (per-second lines go to stderr)' },
];

const URL_PARSER = url();

export function parseProbeUrl(v: string): string {
  try {
    return URL_PARSER.parse(v);
  } catch (err) {
    throw err instanceof OptionError ? new InvalidArgumentError(`URL ${err.message}`) : err;
  }
}

export function addProbeCommand(program: Command, setExitCode: SetExitCode): void {
  addOptions(program.command('probe'), PROBE_OPTIONS, { parse: true })
    .description('measure a URL under load: per-second success, errors and latency (from the intended send time), then a summary')
    .argument('<url>', 'http:// or https:// URL to probe', parseProbeUrl)
    .action(async (url: string, flags: ProbeFlags) => {
      const { runProbeCommand } = await import('./probe.js');
      setExitCode(await runProbeCommand(url, flags));
    });
}
