/**
 * Shared by the end-to-end tests: a snapshot of every subnet's NACL association (the thing that
 * must be identical before and after), the chaos NACLs left, and the run arguments.
 */
import type { ChildProcess } from 'node:child_process';
import { DeleteTagsCommand, DescribeTagsCommand, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DescribeNetworkAclsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { beforeAll, beforeEach } from 'vitest';
import { waitForSteadyState, type EmbeddedSandbox, type SandboxEvent, type StackClients, type StallRule } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, type CliOptions, type CliResult } from './cli.js';
import { waitForWorldEvent } from './sandbox.js';

/** subnet id → NACL id, for every subnet (association ids are excluded: they change on every swap). */
export async function associations(ec2: EC2Client): Promise<Record<string, string>> {
  const out = await ec2.send(new DescribeNetworkAclsCommand({}));
  const map: Record<string, string> = {};
  for (const acl of out.NetworkAcls ?? []) for (const a of acl.Associations ?? []) map[a.SubnetId!] = acl.NetworkAclId!;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** NACLs carrying the chaos-ec2 experiment tag. */
export async function chaosNacls(ec2: EC2Client): Promise<{ id: string; experimentId: string }[]> {
  const out = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag-key', Values: ['chaos-ec2:experiment-id'] }] }));
  return (out.NetworkAcls ?? []).map((a) => ({ id: a.NetworkAclId!, experimentId: a.Tags?.find((t) => t.Key === 'chaos-ec2:experiment-id')?.Value ?? '' }));
}

/**
 * `chaos-ec2 run` on demo-asg with demo-sized timings (1 s baseline, 250 ms polls, 30 s recovery timeout), as
 * every e2e file runs it; `extra` adds or overrides flags (for a repeated flag, the last one wins).
 */
export function fastRunArgs(reportDir: string, ...extra: string[]): string[] {
  return [
    'run',
    '--asg',
    'demo-asg',
    '--baseline',
    '1s',
    '--rate',
    '40',
    '--timeout',
    '1s',
    '--poll',
    '250ms',
    '--steady',
    '2s',
    '--recovery-timeout',
    '30s',
    '--report-dir',
    reportDir,
    ...extra,
  ];
}

export function blackholeArgs(reportDir: string, ...extra: string[]): string[] {
  return fastRunArgs(reportDir, '--fault', 'blackhole-az', ...extra);
}

export function cliFor(emb: EmbeddedSandbox, extraEnv: Record<string, string | undefined> = {}) {
  return (args: string[], opts: Omit<CliOptions, 'env'> = {}) => runCli(args, { timeoutMs: 90_000, ...opts, env: { ...sandboxEnv(emb.sandbox.endpoint), ...extraEnv } });
}

export async function setKnobs(emb: EmbeddedSandbox, body: unknown): Promise<void> {
  const r = await fetch(`${emb.sandbox.endpoint}/_sandbox/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`knobs: ${r.status} ${await r.text()}`);
}

/** The sequence number of the sandbox's latest event: pass it on to look only at what happens afterwards. */
export const lastSeq = (emb: EmbeddedSandbox): number => emb.sandbox.world.events().at(-1)?.seq ?? 0;

export type ApiStalled = Extract<SandboxEvent, { type: 'api-stalled' }>;

/**
 * Kills the real chaos-ec2 process at an exact point of a sequence of AWS calls, with no hook inside chaos-ec2:
 * arms the sandbox's stallActions knob with `rule`, runs the CLI, and SIGKILLs it — no handler, no finally, like
 * a power cut — as soon as the sandbox holds the (after + 1)-th call of the action (the `api-stalled` event).
 * The process is then blocked inside that call, so every earlier call has been answered and none after it made.
 * Afterwards the held call stays held (keepHeld), so the state left behind is exactly the state at the kill.
 */
export async function killWhenStalled(emb: EmbeddedSandbox, cli: ReturnType<typeof cliFor>, args: string[], rule: StallRule): Promise<{ result: CliResult; stalled: ApiStalled }> {
  await setKnobs(emb, { stallActions: [rule] });
  const since = lastSeq(emb);
  let child: ChildProcess | undefined;
  const run = cli(args, { onSpawn: (c) => (child = c) });
  const stalled = await Promise.race([
    waitForWorldEvent(emb.sandbox.world, (e) => e.seq > since && e.type === 'api-stalled' && e.action === rule.action, 60_000),
    // A run that ends first (refused, failed) never reaches the call: fail at once, with what it printed.
    run.then((r) => new Error(`the run ended (exit ${r.code}) before call ${rule.after + 1} of ${rule.action}:\n${r.stdout}${r.stderr}`)),
  ]).catch((err: unknown) => err as Error);
  child?.kill('SIGKILL');
  const result = await run;
  await keepHeld(emb, rule.action);
  if (stalled instanceof Error) throw stalled;
  return { result, stalled: stalled as ApiStalled };
}

/**
 * Lets new calls of `action` through again while the ones already held stay held until the sandbox closes
 * (then answered 503 and never applied). Clearing the knob instead would release them, and a held call then
 * completes normally: the killed process's last request would land late — in the middle of a `recover` — and
 * change the very state the test is checking.
 */
export function keepHeld(emb: EmbeddedSandbox, action: string): Promise<void> {
  return setKnobs(emb, { stallActions: [{ action, after: Number.MAX_SAFE_INTEGER }] });
}

/**
 * Steady, and still steady a moment later: after a blackhole, Auto Scaling may still be replacing an instance
 * it marked unhealthy while the AZ was dark, so one steady reading is not enough to start the next run.
 */
export async function waitForSettled(emb: EmbeddedSandbox, clients: StackClients, holdMs = 1500, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await waitForSteadyState(clients, emb.stack, Math.max(1000, deadline - Date.now()));
    const since = lastSeq(emb);
    await new Promise((r) => setTimeout(r, holdMs));
    const changed = emb.sandbox.world.events(since).some((e) => e.type === 'asg-health' || e.type === 'activity' || e.type === 'instance-state');
    if (!changed) return;
    if (Date.now() > deadline) throw new Error('the group did not settle');
  }
}

/** Runs the CLI and calls `act` once, as soon as the output matches `trigger` (default: the first subnet swap). */
export function runWithHook(
  cli: ReturnType<typeof cliFor>,
  args: string[],
  act: (child: ChildProcess, text: () => string) => Promise<void> | void,
  trigger: RegExp = /association-replaced/,
) {
  let fired = false;
  let latest = '';
  return cli(args, {
    onOutput: (text, child) => {
      latest = text;
      if (fired || !trigger.test(text)) return;
      fired = true;
      void act(child, () => latest);
    },
  });
}

/** Polls a condition with a deadline (for output the child has not printed yet; no event to await). */
export async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The experiment id from a run's output (plan header or report line). */
export function experimentIdOf(text: string): string | undefined {
  return /\b(exp-\d{8}T\d{6}Z-[0-9a-f]{6})\b/.exec(text)?.[1];
}

/**
 * Deletes every chaos-ec2 group lease (`chaos-ec2:lease:*` tags) on the group. A SIGKILLed run keeps its lease
 * until its expiry (minutes), by design; a test that needs a second run on the same group afterwards, without
 * recovering the first, clears it the way an operator could with the Auto Scaling API.
 */
export async function clearLeases(asg: AutoScalingClient, group = 'demo-asg'): Promise<string[]> {
  const tags = (await asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: [group] }] }))).Tags ?? [];
  const leases = tags.filter((t) => t.Key?.startsWith('chaos-ec2:lease:'));
  if (leases.length) await asg.send(new DeleteTagsCommand({ Tags: leases.map((t) => ({ ResourceId: group, ResourceType: 'auto-scaling-group', Key: t.Key! })) }));
  return leases.map((t) => t.Key!);
}

/**
 * For a file whose every test starts from a steady group: steady once before the first test, then settled (steady
 * and staying so) before each — a previous test's replacements may still be in flight.
 */
export function settleBeforeEachTest(t: { emb: EmbeddedSandbox; clients: StackClients }): void {
  beforeAll(async () => {
    await waitForSteadyState(t.clients, t.emb.stack, 30_000);
  });
  beforeEach(async () => {
    await waitForSettled(t.emb, t.clients);
  }, 45_000);
}
