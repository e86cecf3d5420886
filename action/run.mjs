#!/usr/bin/env node
// The GitHub Action's step (action.yml at the repository root): turns the action's inputs into one
// `chaos-ec2 run` command line, runs it, sets the outputs `verdict`, `exit-code` and `report-path` BEFORE it
// exits, and exits with the run's own code so the step fails exactly when the run does (exit codes: README).
// The Markdown summary reaches the job summary through chaos-ec2 itself ($GITHUB_STEP_SUMMARY, report/write.ts).
// Inputs arrive as INPUT_<NAME> variables (action.yml maps them: composite actions do not set them).
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'chaos-ec2.js');

/** Inputs that are one flag each, with the flag they set (checked against the CLI's flags by a test). */
export const FLAG_INPUTS = {
  asg: '--asg',
  fault: '--fault',
  region: '--region',
  'report-dir': '--report-dir',
  format: '--format',
  'max-service-ttr': '--max-service-ttr',
  'max-capacity-ttr': '--max-capacity-ttr',
  'min-availability': '--min-availability',
  'recovery-timeout': '--recovery-timeout',
  'min-interval': '--min-interval',
  'notify-format': '--notify-format',
};

/** What the verdict is when there is no single JSON report to read it from (an experiment file). */
const VERDICT_BY_CODE = { 0: 'pass', 1: 'fail', 3: 'aborted', 130: 'aborted' };

const input = (env, name) => (env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim();

/** The chaos-ec2 arguments for these inputs. */
export function commandLine(env) {
  const file = input(env, 'experiment-file');
  const args = file ? ['run', '--file', file] : ['run'];
  for (const [name, flag] of Object.entries(FLAG_INPUTS)) {
    const v = input(env, name);
    if (v) args.push(flag, v);
  }
  // One webhook per line: they are secrets and usually come from ${{ secrets.… }}.
  for (const url of input(env, 'notify')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean))
    args.push('--notify', url);
  // Anything else, whitespace-separated (no shell quoting: a value with spaces belongs in an experiment file).
  args.push(...input(env, 'args').split(/\s+/).filter(Boolean));
  // Unattended by nature; the JSON report on stdout gives the verdict (a single run only).
  args.push('--yes');
  if (!file) args.push('--json');
  return args;
}

export async function main(env = process.env) {
  const args = commandLine(env);
  const single = !input(env, 'experiment-file');
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', single ? 'pipe' : 'inherit', 'inherit'] });
  let stdout = '';
  child.stdout?.on('data', (c) => (stdout += c));
  const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  let verdict = VERDICT_BY_CODE[code] ?? 'error';
  const dir = (input(env, 'report-dir') || env.CHAOS_EC2_REPORT_DIR || './chaos-reports').replace(/\/+$/, '');
  let reportPath = dir;
  if (single && stdout.trim()) {
    try {
      const report = JSON.parse(stdout);
      verdict = report.verdict;
      reportPath = `${dir}/${report.id}/report.json`;
    } catch {
      // Not a report (a usage error prints none): the exit code's verdict stands.
    }
  }
  const out = `verdict=${verdict}\nexit-code=${code}\nreport-path=${reportPath}\n`;
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, out);
  else process.stdout.write(out);
  return code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
