/**
 * `chaos-ec2 run` flags as data: one table gives commander its options and --help its text; values arrive as
 * typed strings and are validated together by experiment/config.ts (all problems at once).
 */
import type { Command } from 'commander';
import { GATE_FLAGS } from '../../experiment/gates.js';
import type { SetExitCode } from '../../core/errors.js';

interface FlagDef {
  flags: string;
  description: string;
  /** Shown in --help only; the real default lives in config.ts so experiment files share it. */
  shownDefault?: string;
  repeatable?: boolean;
}

export const RUN_FLAGS: FlagDef[] = [
  { flags: '-f, --file <path>', description: 'run the experiments of a YAML/JSON experiment file in order (other flags override the file)' },
  { flags: '--asg <name>', description: 'Auto Scaling group to test (required without --file)' },
  { flags: '--fault <kind>', description: 'fault to inject: terminate-instances | blackhole-az', shownDefault: 'terminate-instances' },
  { flags: '--count <n>', description: 'terminate-instances: instances to terminate', shownDefault: '1' },
  { flags: '--percent <p>', description: 'terminate-instances: share of InService instances to terminate (1-100, rounded down, at least 1)' },
  { flags: '--az <zone>', description: 'terminate-instances: only pick instances in this AZ; blackhole-az: the AZ to cut off (default: random among the group\'s AZs, seeded)' },
  { flags: '--duration <duration>', description: 'blackhole-az: how long the AZ stays cut off before it is restored', shownDefault: '60s' },
  { flags: '--include-lb-subnets', description: "blackhole-az: also cut off the load balancer's subnets in the AZ (a full-AZ outage)" },
  { flags: '--allow-shared-subnets', description: "blackhole-az: go ahead although network interfaces that are not the group's (other groups, databases, NAT gateways) share the target subnets and would be cut off too" },
  { flags: '--abort-error-rate <r>', description: 'stop condition: roll back at once if the error rate (0-1) stays above this for --abort-after' },
  { flags: '--abort-after <duration>', description: 'how long the error rate must stay above --abort-error-rate', shownDefault: '5s' },
  { flags: '--region <region>', description: 'AWS region (else AWS_REGION / profile)' },
  { flags: '--profile <name>', description: 'AWS profile (else AWS_PROFILE)' },
  { flags: '--endpoint-url <url>', description: 'AWS endpoint, e.g. a chaos-ec2 sandbox (else AWS_ENDPOINT_URL)' },
  { flags: '--url <url>', description: 'probe this URL instead of the one built from the load balancer listener' },
  { flags: '--path <path>', description: 'path appended to the listener URL', shownDefault: '/' },
  { flags: '--baseline <duration>', description: 'probe window before the fault that must meet the steady thresholds', shownDefault: '10s' },
  { flags: '--rate <n>', description: 'probe requests per second (open model, constant arrival rate)', shownDefault: '20' },
  { flags: '--timeout <duration>', description: 'per-request timeout of the probe', shownDefault: '2s' },
  { flags: '--method <method>', description: 'probe HTTP method', shownDefault: 'GET' },
  { flags: '--header <header>', description: "probe request header 'Name: value' (repeatable)", repeatable: true },
  { flags: '--expect-status <codes>', description: 'status codes that count as success, e.g. 200,204 (default: 2xx and 3xx)' },
  { flags: '--seed <seed>', description: 'seed for the random selection (recorded in the report)' },
  { flags: '--min-healthy <n|p%>', description: 'healthy targets that must remain (count or % of desired; blackhole-az: in the other AZs)', shownDefault: '50%' },
  { flags: '--min-healthy-per-az <n>', description: 'healthy targets that must remain in each AZ', shownDefault: '1' },
  { flags: '--poll <duration>', description: 'capacity polling interval', shownDefault: '5s' },
  { flags: '--recovery-timeout <duration>', description: 'give up waiting for recovery after this (a failed run, exit 1)', shownDefault: '10m' },
  { flags: '--steady <duration>', description: 'consecutive good seconds that count as recovered', shownDefault: '5s' },
  { flags: '--steady-error-rate <r>', description: 'highest error rate (0-1) of a good second', shownDefault: '0.01' },
  { flags: '--steady-p99 <duration>', description: 'highest p99 latency of a good second', shownDefault: '1s' },
  ...GATE_FLAGS.map((g) => ({ flags: g.flags, description: g.description })),
  { flags: '--format <list>', description: 'report files to write besides report.json: md,junit,html (json is always written)', shownDefault: 'json' },
  { flags: '--min-interval <duration>', description: 'refuse if the last run on this group started less than this ago (pacing for scheduled runs)' },
  { flags: '--report-dir <dir>', description: 'where reports and journals go (else CHAOS_EC2_REPORT_DIR)', shownDefault: './chaos-reports' },
  { flags: '--allow-untagged', description: 'allow a group without the chaos-ec2:opt-in=true tag' },
  { flags: '--dry-run', description: 'print the plan and check permissions with EC2 DryRun; change nothing' },
  { flags: '-y, --yes', description: 'do not ask for confirmation (required when stdin is not a TTY)' },
  { flags: '--json', description: 'print the JSON report alone on stdout' },
];

export function addRunCommand(program: Command, setExitCode: SetExitCode): void {
  const cmd = program
    .command('run')
    .description('inject a fault into an Auto Scaling group, probe its load balancer under load, and measure time to recovery');
  for (const f of RUN_FLAGS) {
    const desc = f.shownDefault ? `${f.description} (default: ${f.shownDefault})` : f.description;
    if (f.repeatable) cmd.option(f.flags, desc, (v: string, prev: string[] = []) => [...prev, v]);
    else cmd.option(f.flags, desc);
  }
  cmd.action(async (opts: Record<string, string | boolean | string[] | undefined>) => {
    // An experiment file runs each of its experiments through run.ts; a plain run goes there directly.
    if (typeof opts.file === 'string') {
      const { runExperimentFile } = await import('./run-file.js');
      const { file, ...overrides } = opts;
      setExitCode(await runExperimentFile(file, overrides));
      return;
    }
    const { runCommand } = await import('./run.js');
    setExitCode(await runCommand(opts));
  });
}
