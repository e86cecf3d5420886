/**
 * Safe under misuse: bad input, wrong commands and refusals, tried as a hostile user would. Each case runs the
 * real binary and asserts its documented exit code, a one-line message (plus at most a hint) naming what is
 * wrong, no stack trace, and — for every case — that the sandbox world is unchanged: the same InService
 * instances, the same NACL associations, no chaos NACL, no lease tag, and not one mutating AWS call.
 */
import { createServer, type Server } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand, DescribeTagsCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { associations, chaosNacls, cliFor, lastSeq, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox, type StackSandbox } from '../helpers/stack-sandbox.js';

interface Case {
  name: string;
  args: (ctx: Ctx) => string[];
  code: number;
  /** What the message must say (stderr, or stdout for refusals whose summary is printed there). */
  says: RegExp;
  /** Runs on its own, after the parallel batch (it talks to the sandbox or needs a quiet moment). */
  serial?: boolean;
}

interface Ctx {
  dir: string;
  file: string;
  big: string;
  malformed: string;
  partial: string;
  missing: string;
  busyPort: number;
  endpoint: string;
}

const RUN = ['run', '--asg', 'demo-asg', '--yes'];
const bad = (name: string, flags: string[], says: RegExp, code = 2): Case => ({ name, args: (c) => [...RUN, '--report-dir', c.dir, ...flags], code, says });

const CASES: Case[] = [
  // Durations: every timer can hold the maximum; beyond it is a one-line usage error, never a RangeError.
  bad('a 20-digit hold', ['--fault', 'blackhole-az', '--duration', '99999999999999999999h'], /--duration: .* must be from 1s to 12h/),
  bad("a hold beyond FIS's 12 h", ['--fault', 'blackhole-az', '--duration', '13h'], /--duration: .* must be from 1s to 12h/),
  bad('a recovery timeout beyond 24 h', ['--recovery-timeout', '25h'], /--recovery-timeout: .* must be from/),
  bad('a recovery timeout of 1000 h', ['--recovery-timeout', '1000h'], /--recovery-timeout: /),
  bad('a zero baseline', ['--baseline', '0s'], /--baseline: /),
  bad('a baseline that is not a duration', ['--baseline', 'soon'], /--baseline: .* is not a duration/),
  bad('a 10 ms poll', ['--poll', '10ms'], /--poll: /),
  bad('a zero timeout', ['--timeout', '0ms'], /--timeout: /),
  bad('a steady p99 that is not a duration', ['--steady-p99', 'forever'], /--steady-p99: /),
  bad('a min interval that is not a duration', ['--min-interval', 'soon'], /--min-interval: /),
  // Numbers and counts.
  bad('a zero rate', ['--rate', '0'], /--rate: /),
  bad('a negative rate', ['--rate', '-5'], /--rate: /),
  bad('an absurd rate', ['--rate', '1e9'], /--rate: /),
  bad('a rate that is not a number', ['--rate', 'abc'], /--rate: /),
  bad('a zero count', ['--count', '0'], /--count: /),
  bad('a fractional count', ['--count', '1.5'], /--count: /),
  bad('a percent above 100', ['--percent', '101'], /--percent: /),
  bad('a zero percent', ['--percent', '0'], /--percent: /),
  bad('both count and percent', ['--count', '1', '--percent', '10'], /--count.*--percent|--percent.*--count/),
  bad('a floor that is neither a count nor a percentage', ['--min-healthy', 'lots'], /--min-healthy: /),
  bad('a negative per-AZ floor', ['--min-healthy-per-az', '-1'], /--min-healthy-per-az: /),
  bad('an error rate above 1', ['--steady-error-rate', '2'], /--steady-error-rate: /),
  bad('an abort rate above 1', ['--abort-error-rate', '1.5'], /--abort-error-rate: /),
  bad('--abort-after without --abort-error-rate', ['--abort-after', '5s'], /--abort-after: /),
  bad('a gate duration that is not one', ['--max-service-ttr', 'soon'], /--max-service-ttr: /),
  bad('an availability gate above 100 %', ['--min-availability', '150%'], /--min-availability: /),
  // Faults and their options.
  bad('an unknown fault', ['--fault', 'explode'], /--fault: 'explode' is not one of/),
  bad('a count for a fault that takes none', ['--fault', 'blackhole-az', '--count', '2'], /--count: only with --fault/),
  bad('a network-fault option with terminate', ['--include-lb-subnets'], /--include-lb-subnets: only with --fault blackhole-az/),
  bad('a blast-radius override with terminate', ['--allow-shared-subnets'], /--allow-shared-subnets: only with --fault blackhole-az/),
  // The probe's request.
  bad('a header name with a space', ['--header', 'Bad Name: x'], /--header: /),
  bad('a header without a colon', ['--header', 'nocolon'], /--header: /),
  bad('a header value with CR/LF', ['--header', 'X-A: a\r\nX-B: b'], /--header: the value of X-A contains CR, LF or NUL/),
  bad('a method with a space', ['--method', 'GET /x'], /--method: /),
  bad('an empty method', ['--method', ''], /--method: /),
  bad('a status code below 100', ['--expect-status', '99'], /--expect-status: /),
  bad('a status list with a word', ['--expect-status', '200,abc'], /--expect-status: /),
  bad('an ftp probe URL', ['--url', 'ftp://admin:pw@host/'], /--url: .* must be http:\/\/ or https:\/\//),
  bad('a probe URL that is not one', ['--url', 'not a url'], /--url: .* is not a URL/),
  // Where chaos-ec2 talks and writes.
  bad('an ftp endpoint', ['--endpoint-url', 'ftp://x'], /--endpoint-url: .* must be http:\/\/ or https:\/\//),
  bad('a garbage endpoint', ['--endpoint-url', 'garbage'], /--endpoint-url: .* is not a URL/),
  bad('a region that is not a name', ['--region', 'mars-north-9!'], /--region: 'mars-north-9!' is not an AWS region name/),
  { name: 'a report dir that is a file', args: (c) => [...RUN, '--report-dir', c.file], code: 2, says: /report/ },
  { name: 'a report dir under /proc', args: () => [...RUN, '--report-dir', '/proc/sys/nope'], code: 2, says: /\/proc\/sys\/nope/ },
  bad('an unknown report format', ['--format', 'pdf'], /--format: /),
  // The command line itself.
  { name: 'no --asg', args: (c) => ['run', '--yes', '--report-dir', c.dir], code: 2, says: /--asg: required/ },
  bad('an unknown option', ['--no-such-flag'], /unknown option '--no-such-flag'/),
  { name: 'an unknown command', args: () => ['explode'], code: 2, says: /unknown command 'explode'/ },
  // Experiment files.
  { name: 'a missing experiment file', args: (c) => ['run', '-f', c.missing, '--yes'], code: 2, says: /cannot read experiment file .*no such file/ },
  { name: 'an experiment file over 1 MiB', args: (c) => ['run', '-f', c.big, '--yes'], code: 2, says: /at most 1 MiB is read/ },
  { name: 'a malformed experiment file (run)', args: (c) => ['run', '-f', c.malformed, '--yes'], code: 2, says: /malformed\.yaml:\d+ / },
  { name: 'a malformed experiment file (validate)', args: (c) => ['validate', '-f', c.malformed], code: 2, says: /malformed\.yaml:\d+ / },
  // The other commands.
  { name: 'recover with no mode', args: () => ['recover'], code: 2, says: /exactly one of --experiment-id ID, --all or --expired/ },
  { name: 'recover with two modes', args: () => ['recover', '--all', '--expired'], code: 2, says: /exactly one of/ },
  { name: 'recover with an empty id', args: () => ['recover', '--experiment-id', ''], code: 2, says: /--experiment-id: must not be empty/ },
  { name: 'report on a missing file', args: (c) => ['report', c.missing], code: 2, says: /cannot read report/ },
  { name: 'report on a partial report', args: (c) => ['report', c.partial], code: 2, says: /partial\.json/ },
  { name: 'history on a file', args: (c) => ['history', c.file], code: 2, says: /not a directory|is a file/ },
  { name: 'history on a missing directory', args: (c) => ['history', join(c.dir, 'nope')], code: 2, says: /no report directory at .*nope/ },
  { name: 'iam-policy for an unknown fault', args: () => ['iam-policy', '--faults', 'reboot'], code: 2, says: /--faults: 'reboot' has unknown fault reboot/ },
  { name: 'probe of an ftp URL', args: () => ['probe', 'ftp://x/'], code: 2, says: /must be http:\/\/ or https:\/\// },
  { name: 'probe at a zero rate', args: () => ['probe', 'http://127.0.0.1:1/', '--rate', '0'], code: 2, says: /--rate: / },
  { name: 'sandbox on a busy port', args: (c) => ['sandbox', '--port', String(c.busyPort)], code: 2, says: /--port: \d+ is already in use/ },
  { name: 'a demo with one instance', args: () => ['demo', '--instances', '1'], code: 2, says: /--instances: / },
  // Against the sandbox: found out with read-only calls, refused before anything is changed.
  { name: 'a group that does not exist', args: (c) => ['run', '--asg', 'nope-asg', '--yes', '--report-dir', c.dir], code: 2, says: /Auto Scaling group 'nope-asg' not found/, serial: true },
  {
    name: '--az with no instance of the group (terminate)',
    args: (c) => [...RUN, '--az', 'us-east-1z', '--report-dir', c.dir],
    code: 3,
    says: /us-east-1z[\s\S]*group's AZs: us-east-1a: 2, us-east-1b: 2/,
    serial: true,
  },
  {
    name: '--az the group has no subnet in (blackhole)',
    args: (c) => [...RUN, '--fault', 'blackhole-az', '--az', 'us-east-1z', '--report-dir', c.dir],
    code: 3,
    says: /no subnet in us-east-1z[\s\S]*us-east-1a \(2 healthy\)/,
    serial: true,
  },
  { name: 'a count that breaks the floor', args: (c) => [...RUN, '--count', '4', '--report-dir', c.dir], code: 3, says: /capacity floor/, serial: true },
  { name: 'no --yes without a TTY', args: (c) => ['run', '--asg', 'demo-asg', '--report-dir', c.dir], code: 3, says: /stdin is not a TTY and --yes was not given/, serial: true },
  { name: 'a region the endpoint does not serve', args: (c) => [...RUN, '--region', 'eu-west-1', '--report-dir', c.dir], code: 5, says: /eu-west-1/, serial: true },
  { name: 'an endpoint nobody answers on', args: (c) => [...RUN, '--endpoint-url', 'http://127.0.0.1:1', '--report-dir', c.dir], code: 5, says: /ECONNREFUSED|connect/, serial: true },
];

describe('misuse: every case exits with its documented code and one line, and changes nothing', () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-misuse-');
  let emb: EmbeddedSandbox;
  let clients: StackSandbox['clients'];
  let ctx: Ctx;
  let work: string;
  let busy: Server;
  let before: { inService: string[]; associations: Record<string, string> };
  let seq: number;

  const inService = async () =>
    ((await clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }))).AutoScalingGroups?.[0]?.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService')
      .map((i) => i.InstanceId!)
      .sort();

  beforeAll(async () => {
    ({ emb, clients } = t);
    work = mkdtempSync(join(tmpdir(), 'chaos-misuse-work-'));
    const dir = join(work, 'reports');
    mkdirSync(dir);
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    ctx = {
      dir,
      file: join(work, 'a-file'),
      big: join(work, 'big.yaml'),
      malformed: join(work, 'malformed.yaml'),
      partial: join(work, 'partial.json'),
      missing: join(work, 'missing.yaml'),
      busyPort: (busy.address() as { port: number }).port,
      endpoint: emb.sandbox.endpoint,
    };
    writeFileSync(ctx.file, 'not a directory');
    writeFileSync(ctx.big, `version: 1\n# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    writeFileSync(ctx.malformed, 'version: 1\nexperiments:\n  - name: x\n    target: { asg: demo-asg, colour: blue }\n    fault: { kind: explode }\n');
    writeFileSync(ctx.partial, JSON.stringify({ schemaVersion: 2 }));
    await waitForSettled(emb, clients);
    before = { inService: await inService(), associations: await associations(clients.ec2) };
    seq = lastSeq(emb);
  });
  afterAll(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  const check = async (c: Case) => {
    const r = await cliFor(emb)(c.args(ctx), { timeoutMs: 30_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.code, `${c.name}: ${out}`).toBe(c.code);
    expect(out, c.name).toMatch(c.says);
    // No stack, no internal-error path: a user's mistake is never a bug report.
    expect(out, c.name).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(out, c.name).not.toMatch(/internal error|unexpected error|RangeError|TypeError/);
    // One line: the message, and at most its hint (commander's own errors add the --help pointer).
    const errorLines = r.stderr.split('\n').filter((l) => /^(chaos-ec2: |error: )/.test(l));
    expect(errorLines.length, `${c.name}: ${r.stderr}`).toBeLessThanOrEqual(1);
  };

  it(`has at least 60 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  it('bad input and wrong commands (run 4 at a time)', async () => {
    const batch = CASES.filter((c) => !c.serial);
    for (let i = 0; i < batch.length; i += 4) await Promise.all(batch.slice(i, i + 4).map(check));
  }, 240_000);

  it('refusals and AWS errors against the sandbox', async () => {
    for (const c of CASES.filter((x) => x.serial)) await check(c);
  }, 240_000);

  it('and the world is exactly as before: InService ids, associations, no chaos NACL, no lease, no mutation', async () => {
    expect(await inService()).toEqual(before.inService);
    expect(await associations(clients.ec2)).toEqual(before.associations);
    expect(await chaosNacls(clients.ec2)).toEqual([]);
    const tags = (await clients.asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['demo-asg'] }] }))).Tags ?? [];
    expect(tags.filter((x) => x.Key?.startsWith('chaos-ec2:lease:'))).toEqual([]);
    const mutations = emb.sandbox.world.events(seq).filter((e) => e.type.startsWith('nacl') || (e.type === 'instance-state' && e.to !== 'running' && e.to !== 'pending'));
    expect(mutations).toEqual([]);
  });
});
