/**
 * The GitHub Action (action.yml + action/run.mjs): its inputs are real `chaos-ec2 run` flags, every input
 * reaches the step, and the step run as the action runs it (`node action/run.mjs` with INPUT_* variables,
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files) against the sandbox sets its outputs, writes the job summary,
 * and exits with the run's code — also when the run fails a gate.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GATE_FLAGS, flagName } from '../../src/experiment/gates.js';
import { RUN_FLAGS } from '../../src/cli/commands/run-flags.js';
import { FLAG_INPUTS, commandLine } from '../../action/run.mjs';
import { SANDBOX_ALLOWANCES, sandboxEnv } from '../helpers/cli.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; run: string; env?: Record<string, string> }[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
const envName = (input: string) => `INPUT_${input.toUpperCase().replace(/-/g, '_')}`;

describe('action.yml', () => {
  it('is a composite action whose every input is a real flag and reaches the step', () => {
    expect(action.runs.using).toBe('composite');
    const flags = new Set([...RUN_FLAGS.map((d) => d.flag), ...GATE_FLAGS.map(flagName)]);
    const step = action.runs.steps.find((s) => s.id === 'run')!;
    for (const name of Object.keys(action.inputs)) {
      expect(action.inputs[name]!.description, name).toBeTruthy();
      expect(step.env?.[envName(name)], name).toBe(`\${{ inputs.${name} }}`);
      const flag = (FLAG_INPUTS as Record<string, string>)[name] ?? { 'experiment-file': '--file', notify: '--notify' }[name];
      if (name !== 'args') expect(flags.has(flag!), `${name} → ${flag}`).toBe(true);
    }
    // Every flag input is declared, and the outputs come from the step that sets them.
    for (const name of Object.keys(FLAG_INPUTS)) expect(action.inputs[name], name).toBeDefined();
    for (const out of ['verdict', 'exit-code', 'report-path']) expect(action.outputs[out]!.value).toBe(`\${{ steps.run.outputs.${out} }}`);
  });

  it('builds one command line from the inputs (webhooks one per line, unattended)', () => {
    const args = commandLine({
      INPUT_ASG: 'web',
      INPUT_FAULT: 'blackhole-az',
      INPUT_MAX_SERVICE_TTR: '30s',
      INPUT_NOTIFY: 'https://a.example/x\n\nhttps://b.example/y',
      INPUT_ARGS: ' --rate 5  --poll 1s ',
    });
    expect(args).toEqual([
      'run',
      '--asg',
      'web',
      '--fault',
      'blackhole-az',
      '--max-service-ttr',
      '30s',
      '--notify',
      'https://a.example/x',
      '--notify',
      'https://b.example/y',
      '--rate',
      '5',
      '--poll',
      '1s',
      '--yes',
      '--json',
    ]);
    expect(commandLine({ INPUT_EXPERIMENT_FILE: 'gameday.yaml' })).toEqual(['run', '--file', 'gameday.yaml', '--yes']);
  });
});

describe('the action step against the sandbox', { timeout: 120_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-action-');

  function step(inputs: Record<string, string>): Promise<{ code: number; outputs: Record<string, string>; summary: string; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-action-gh-'));
    const output = join(dir, 'output');
    const summary = join(dir, 'summary.md');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    // What every test run against the fast sandbox passes (helpers/cli.ts): its nodes' addresses and boot times.
    const fast = [
      '--baseline 1s --rate 40 --timeout 1s --poll 250ms --steady 2s',
      ...t.emb.info.resolve.map((r) => `--resolve ${r}`),
      ...Object.entries(SANDBOX_ALLOWANCES).map(([flag, value]) => `${flag} ${value}`),
    ].join(' ');
    const env: Record<string, string | undefined> = { ...process.env, ...sandboxEnv(t.emb.sandbox.endpoint), GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, INPUT_ARGS: fast };
    for (const [k, v] of Object.entries(inputs)) env[envName(k)] = v;
    return new Promise((resolve) => {
      execFile(process.execPath, [join(ROOT, 'action', 'run.mjs')], { env: env, timeout: 100_000 }, (err, _stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const outputs = Object.fromEntries(
          readFileSync(output, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        resolve({ code, outputs, summary: readFileSync(summary, 'utf8'), stderr });
      });
    });
  }

  it('a passing run: outputs set, the Markdown in the job summary, exit 0', async () => {
    const r = await step({ asg: 'demo-asg', 'report-dir': t.dir, 'recovery-timeout': '30s', 'max-capacity-ttr': '10m' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: 'pass', 'exit-code': '0' });
    expect(JSON.parse(readFileSync(r.outputs['report-path']!, 'utf8'))).toMatchObject({ verdict: 'pass' });
    expect(r.summary).toMatch(/terminate-instances on demo-asg/);
  });

  it('a failed gate fails the step with the run exit code, and the outputs are still set', async () => {
    const r = await step({ asg: 'demo-asg', 'report-dir': t.dir, 'recovery-timeout': '30s', 'max-capacity-ttr': '1ms' });
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ verdict: 'fail', 'exit-code': '1' });
    expect(r.outputs['report-path']).toMatch(/report\.json$/);
  });
});
