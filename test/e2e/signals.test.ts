/**
 * SIGINT/SIGTERM in every phase of `run`, on the real binary against the sandbox. The sandbox's stallActions
 * knob parks the process inside a phase (a read it waits on forever), so the signal lands exactly there:
 * discovery (DescribeAutoScalingGroups), the capacity snapshot (DescribeTargetHealth), planning (blackhole-az's
 * DescribeSubnets). The prompt runs on a real pty (util-linux `script`), where Ctrl-C and Ctrl-D are keystrokes.
 *
 * Every case: the documented code (130, or 3 for "not confirmed"), "nothing was injected", a report when
 * discovery had succeeded (before it there is no group to report on: one line, no report file), the world as
 * it was (same InService instances, no chaos NACL, no lease tag left on the group), and a prompt exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DescribeAutoScalingGroupsCommand, DescribeTagsCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClients } from '../../src/aws/clients.js';
import { createRng } from '../../src/core/random.js';
import { validateRunOptions } from '../../src/experiment/config.js';
import { realDeps } from '../../src/experiment/deps.js';
import { runExperiment } from '../../src/experiment/runner.js';
import { runWithConfig } from '../../src/cli/commands/run.js';
import { onInterrupt } from '../../src/core/signals.js';
import type { Report } from '../../src/experiment/types.js';
import type { EmbeddedSandbox } from '../../src/sandbox/embedded.js';
import { BIN, SANDBOX_ALLOWANCES, sandboxEnv, withStackResolve } from '../helpers/cli.js';
import { TEST_CREDENTIALS } from '../helpers/sandbox.js';
import { chaosNacls, cliFor, fastRunArgs, setKnobs, until, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox, type StackSandbox } from '../helpers/stack-sandbox.js';

/** A stream standing in for stdout/stderr (not a TTY) that hands each write to `onWrite` as it happens. */
function capture(onWrite: (text: string) => void) {
  let all = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = chunk.toString();
      all += text;
      onWrite(text);
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => all };
}

/** From the signal to the process's exit: prompt, never a hang waiting for a call that will not return. */
const PROMPT_EXIT_MS = 10_000;

describe('signals in every phase of run', () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-signals-');
  let emb: EmbeddedSandbox;
  let clients: StackSandbox['clients'];
  let runs = 0;
  let reportDir: string;
  let before: World;
  beforeAll(() => {
    ({ emb, clients } = t);
  });
  beforeEach(async () => {
    await waitForSettled(emb, clients);
    reportDir = join(t.dir, `run-${++runs}`);
    mkdirSync(reportDir);
    before = await world();
  });
  afterEach(async () => {
    // Releases any call still held; the CLI has exited by now.
    await setKnobs(emb, { stallActions: [] });
  });

  interface World {
    inService: string[];
    nacls: unknown[];
    leases: string[];
  }
  async function world(): Promise<World> {
    const g = (await clients.asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['demo-asg'] }))).AutoScalingGroups![0]!;
    const tags = (await clients.asg.send(new DescribeTagsCommand({ Filters: [{ Name: 'auto-scaling-group', Values: ['demo-asg'] }] }))).Tags ?? [];
    return {
      inService: (g.Instances ?? [])
        .filter((i) => i.LifecycleState === 'InService')
        .map((i) => i.InstanceId!)
        .sort(),
      nacls: await chaosNacls(clients.ec2),
      leases: tags.map((x) => x.Key!).filter((k) => k.startsWith('chaos-ec2:lease:')),
    };
  }
  /** The world after the run, read once the knob no longer holds the test's own calls. */
  async function expectWorldUnchanged(): Promise<void> {
    await setKnobs(emb, { stallActions: [] });
    expect(await world()).toEqual({ ...before, leases: [] });
  }
  const reports = (): Report[] =>
    readdirSync(reportDir)
      .map((id) => join(reportDir, id, 'report.json'))
      .filter((p) => existsSync(p))
      .map((p) => JSON.parse(readFileSync(p, 'utf8')) as Report);
  /** Resolves at the sandbox's `api-stalled` event for `action`: the process is now waiting inside that call. */
  const stalled = (action: string) =>
    new Promise<void>((resolve) => {
      const off = emb.sandbox.world.subscribe((e) => {
        if (e.type === 'api-stalled' && e.action === action) {
          off();
          resolve();
        }
      });
    });

  const args = (...extra: string[]) => fastRunArgs(reportDir, '--rate', '20', ...extra);

  /** Spawns the run (stdin not a TTY) and hands back the child as soon as it has printed anything. */
  function spawnRun(argv: string[]) {
    let child: ChildProcess | undefined;
    let text = '';
    const result = cliFor(emb)(argv, {
      timeoutMs: 60_000,
      onOutput: (all, c) => {
        child = c;
        text = all;
      },
    });
    return {
      result,
      text: () => text,
      child: async () => {
        await until(() => child !== undefined);
        return child!;
      },
    };
  }

  /** Parks the run inside `action`, sends `sig`, and returns the result and how long the exit took. */
  async function interruptInside(action: string, sig: NodeJS.Signals, argv: string[]) {
    await setKnobs(emb, { stallActions: [{ action, after: 0 }] });
    const parked = stalled(action);
    const run = spawnRun(argv);
    await parked;
    const child = await run.child();
    const sent = Date.now();
    child.kill(sig);
    const r = await run.result;
    return { r, exitMs: Date.now() - sent };
  }

  it('SIGINT during discovery: 130, one line saying nothing was injected, no report (there is no group yet)', async () => {
    const { r, exitMs } = await interruptInside('DescribeAutoScalingGroups', 'SIGINT', args('--yes'));
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('chaos-ec2: interrupted during discovery; nothing was injected');
    expect(r.stderr).not.toMatch(/unexpected error|at .*\.js:\d+/);
    expect(exitMs).toBeLessThan(PROMPT_EXIT_MS);
    expect(reports()).toEqual([]);
    await expectWorldUnchanged();
  });

  it('SIGTERM during discovery: the same (a supervisor stopping the run)', async () => {
    const { r } = await interruptInside('DescribeAutoScalingGroups', 'SIGTERM', args('--yes'));
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGTERM received');
    expect(r.stderr).toContain('interrupted during discovery; nothing was injected');
    await expectWorldUnchanged();
  });

  it('SIGINT while reading the capacity: 130 with a report (aborted, nothing injected), no lease taken', async () => {
    const { r, exitMs } = await interruptInside('DescribeTargetHealth', 'SIGINT', args('--yes'));
    expect(r.code, r.stderr).toBe(130);
    expect(exitMs).toBeLessThan(PROMPT_EXIT_MS);
    const [report, ...more] = reports();
    expect(more).toEqual([]);
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 130, reason: 'interrupted while reading the capacity; nothing was injected' });
    await expectWorldUnchanged();
  });

  it('SIGINT while planning (blackhole-az reads the subnets): 130 with a report, no NACL, no lease', async () => {
    const { r, exitMs } = await interruptInside('DescribeSubnets', 'SIGINT', args('--fault', 'blackhole-az', '--yes'));
    expect(r.code, r.stderr).toBe(130);
    expect(exitMs).toBeLessThan(PROMPT_EXIT_MS);
    expect(reports()).toMatchObject([{ verdict: 'aborted', exitCode: 130, reason: 'interrupted while planning; nothing was injected' }]);
    await expectWorldUnchanged();
  });

  it('SIGINT during the baseline: 130 with a report, nothing injected, the lease released', async () => {
    const run = spawnRun(args('--yes', '--baseline', '30s'));
    await until(() => /baseline …/.test(run.text()));
    const child = await run.child();
    const sent = Date.now();
    child.kill('SIGINT');
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    expect(Date.now() - sent).toBeLessThan(PROMPT_EXIT_MS);
    expect(reports()).toMatchObject([{ verdict: 'aborted', exitCode: 130, reason: 'interrupted during the baseline; nothing was injected' }]);
    await expectWorldUnchanged();
  });

  it('SIGINT while observing after terminate-instances: 130, the report says what was done, no lease left', async () => {
    const run = spawnRun(args('--yes'));
    await until(() => /fault-injected/.test(run.text()), 30_000);
    const child = await run.child();
    child.kill('SIGINT');
    const r = await run.result;
    expect(r.code, r.stderr).toBe(130);
    const [report] = reports();
    expect(report).toMatchObject({ verdict: 'aborted', exitCode: 130 });
    // Terminated instances are not brought back (the group replaces them): only the NACLs and the lease are checked.
    await setKnobs(emb, { stallActions: [] });
    const after = await world();
    expect({ nacls: after.nacls, leases: after.leases }).toEqual({ nacls: [], leases: [] });
  });

  it('an interrupt that lands as the answer comes in (in process): the yes counts for nothing — 130, no journal, no lease', async () => {
    // No pty can time a signal to fall between the answer and the journal; the runner is driven directly,
    // with the real clients against the sandbox, and a prompt that is answered "yes" as the signal aborts.
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    const aws = await createClients({ region: 'us-east-1', endpoint: emb.sandbox.endpoint });
    try {
      const cfg = validateRunOptions({ asg: 'demo-asg', baseline: '1s', rate: '20', reportDir }, {});
      const ac = new AbortController();
      const confirm = async () => {
        ac.abort(new Error('SIGINT'));
        return true;
      };
      const outcome = await runExperiment(cfg, realDeps({ clients: aws, rng: createRng('signals'), signal: ac.signal, emit: () => undefined, version: 'test', confirm }));
      expect(outcome.exitCode).toBe(130);
      expect(outcome.report).toMatchObject({ verdict: 'aborted', exitCode: 130, reason: 'interrupted at the confirmation prompt; nothing was injected' });
      // execute() never started: no journal folder was created.
      expect(readdirSync(reportDir)).toEqual([]);
      await expectWorldUnchanged();
    } finally {
      aws.destroy();
      vi.unstubAllEnvs();
    }
  });

  it('SIGINT while the report is being written (in process): the decided code stands, every report file is written', async () => {
    // The report phase makes no AWS call the sandbox could park, and it takes milliseconds: no external signal
    // can be timed to land inside it. The command runs in process with the real clients, and the signal is
    // raised from the write that opens the phase ("writing the report"), before any report file exists.
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    const exits: number[] = [];
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exits.push(code ?? 0);
      return undefined as never;
    }) as typeof process.exit);
    let atPhase: string[] | undefined;
    const out = capture((text) => {
      if (!text.startsWith('writing the report')) return;
      atPhase = readdirSync(reportDir).flatMap((id) => readdirSync(join(reportDir, id)));
      process.emit('SIGINT', 'SIGINT');
    });
    try {
      const cfg = validateRunOptions(
        {
          asg: 'demo-asg',
          region: 'us-east-1',
          baseline: '1s',
          rate: '20',
          timeout: '1s',
          poll: '250ms',
          steady: '2s',
          recoveryTimeout: '30s',
          reportDir,
          yes: true,
          format: 'md,junit,html',
          resolve: emb.info.resolve, // the stack's DNSName resolves nowhere: pin its nodes (GET /_sandbox/stack)
          bootAllowance: SANDBOX_ALLOWANCES['--boot-allowance'], // the fast profile boots in under a second
          nlbRegistrationAllowance: SANDBOX_ALLOWANCES['--nlb-registration-allowance'],
        },
        {},
      );
      const code = await runWithConfig(cfg, { stdout: out.stream, stderr: out.stream, stdin: process.stdin }, { endpoint: emb.sandbox.endpoint });
      expect(code, out.text()).toBe(0);
      // The phase began with the journal only; the signal stopped none of the files that followed.
      expect(atPhase).toEqual(['journal.jsonl']);
      const [report, ...more] = reports();
      expect(more).toEqual([]);
      expect(report).toMatchObject({ verdict: 'pass', exitCode: 0 });
      const folder = readdirSync(reportDir)[0]!;
      expect(readdirSync(join(reportDir, folder)).sort()).toEqual(['journal.jsonl', 'report.html', 'report.json', 'report.junit.xml', 'report.md']);
      expect(out.text()).toContain('SIGINT received: the run has ended (exit 0); finishing its report');
      expect(out.text()).not.toContain('whatever is injected is rolled back');
      expect(exits).toEqual([]);
    } finally {
      exit.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('a second SIGINT while the report is being written exits at once with the decided code, not 130', async () => {
    const exits: number[] = [];
    const writes: string[] = [];
    const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      exits.push(code ?? 0);
      return undefined as never;
    }) as typeof process.exit);
    const handle = onInterrupt(
      () => ({ injected: false, message: 'Nothing was injected.' }),
      (s) => writes.push(s),
    );
    try {
      handle.decided(1);
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([]);
      expect(handle.signal.aborted).toBe(false);
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([1]);
      expect(writes.join('')).toMatch(/the run has ended \(exit 1\)[^]*exiting immediately \(exit 1\)/);
    } finally {
      handle.dispose();
      exit.mockRestore();
    }
  });

  describe('the confirmation prompt, on a pty', () => {
    it('Ctrl-C at the prompt: 130 with a report, nothing injected; no spinner drew over the prompt meanwhile', async () => {
      const p = ptyRun(args(), { cols: 100 });
      await until(() => PROMPT.test(p.text()), 30_000);
      // Nothing can be awaited for the absence of output: a few spinner frames' time (ora draws every 80 ms).
      const atPrompt = p.text().length;
      await new Promise((r) => setTimeout(r, 400));
      expect(p.text().slice(atPrompt)).toBe('');
      p.write('\x03');
      const r = await p.result;
      expect(r.code, r.text).toBe(130);
      expect(r.text).toContain('interrupted at the confirmation prompt; nothing was injected');
      expect(r.text).not.toMatch(/AbortError|unexpected error/);
      expect(reports()).toMatchObject([{ verdict: 'aborted', exitCode: 130 }]);
      await expectWorldUnchanged();
    });

    it('Ctrl-D (end of input) at the prompt: 3, not confirmed', async () => {
      const p = ptyRun(args(), { cols: 100 });
      await until(() => PROMPT.test(p.text()), 30_000);
      p.write('\x04');
      const r = await p.result;
      expect(r.code, r.text).toBe(3);
      expect(r.text).toContain('not confirmed; nothing was changed');
      expect(r.text).not.toMatch(/AbortError|unexpected error/);
      expect(reports()).toMatchObject([{ verdict: 'aborted', exitCode: 3 }]);
      await expectWorldUnchanged();
    });

    it('kill -INT while the prompt waits: 130 at once (the prompt does not keep waiting)', async () => {
      const p = ptyRun(args(), { cols: 100 });
      await until(() => PROMPT.test(p.text()), 30_000);
      const sent = Date.now();
      process.kill(await p.pid(), 'SIGINT');
      const r = await p.result;
      expect(r.code, r.text).toBe(130);
      expect(Date.now() - sent).toBeLessThan(PROMPT_EXIT_MS);
      expect(r.text).toContain('interrupted at the confirmation prompt; nothing was injected');
      await expectWorldUnchanged();
    });

    it('a pty with 0 columns: no spinner (plain lines), no core spun, and SIGTERM still ends the run', async () => {
      await setKnobs(emb, { stallActions: [{ action: 'DescribeAutoScalingGroups', after: 0 }] });
      const parked = stalled('DescribeAutoScalingGroups');
      const p = ptyRun(args('--yes'), { cols: 0 });
      await parked;
      const pid = await p.pid();
      // CPU time the process uses over a second while it waits on the stalled call: a spinning ora is ~1 s.
      const cpu0 = cpuMs(pid);
      await new Promise((r) => setTimeout(r, 1000));
      expect(cpuMs(pid) - cpu0).toBeLessThan(300);
      process.kill(pid, 'SIGTERM');
      const r = await p.result;
      expect(r.code, r.text).toBe(130);
      expect(r.text).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z discover …/);
      expect(r.text).toContain('interrupted during discovery; nothing was injected');
      await expectWorldUnchanged();
    });
  });

  const PROMPT = /Type 'yes' to continue: /;

  /**
   * Runs the CLI on a fresh pty (util-linux `script`) of the given size: stdin, stdout and stderr are all the
   * terminal, as for a person at a shell. `write` types into it; `pid` is the CLI's own process id.
   */
  function ptyRun(argv: string[], size: { cols: number; rows?: number }) {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const env = { ...process.env, ...sandboxEnv(emb.sandbox.endpoint) };
    const cmd = `stty cols ${size.cols} rows ${size.rows ?? 40}; echo "pid:$$"; exec ${[process.execPath, BIN, ...withStackResolve(argv, env)].map(quote).join(' ')}`;
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const result = new Promise<{ code: number | null; text: string }>((resolve) => {
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, text });
      });
    });
    return {
      result,
      text: () => text,
      write: (s: string) => child.stdin.write(s),
      pid: async () => {
        await until(() => /pid:(\d+)/.test(text));
        return Number(/pid:(\d+)/.exec(text)![1]);
      },
    };
  }
});

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks are 100 per second). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
