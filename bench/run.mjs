// The one benchmark command: every performance figure of issue 13 with its comparison and PASS/FAIL.
//
//   npm run build && npm run bench                 # full: 10 s closed-loop runs, 60 s open-model windows
//   npm run bench -- --quick                       # ~2 min: 3 s runs, 10 s open-model windows
//   npm run bench -- --long 3600                   # adds the hour at 2,000 req/s (RSS/heap every minute)
//   npm run bench -- --only probe                  # one module: probe, cold-start, sandbox-scale
//
// Each module exports run({ quick, long }) → { title, lines, checks: [{ name, value, target, pass }] }.
// Exit code 0 when every check passed, 1 otherwise. All traffic stays on 127.0.0.1. bench/README.md says how
// the figures are taken and records the last ones.
import { existsSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    long: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = a.quick;
const long = Number(a.long ?? 0);
if (!Number.isFinite(long) || long < 0) throw new Error('--long takes seconds, e.g. --long 3600');
if (!existsSync(new URL('../dist/observe/load-probe.js', import.meta.url))) {
  console.error('bench: build first (npm run build)');
  process.exit(2);
}

const MODULES = [
  { key: 'probe', file: './probe/suite.mjs' },
  { key: 'cold-start', file: './cold-start.mjs' },
  { key: 'sandbox-scale', file: './sandbox-scale.mjs' },
  // Only with `--only memory --long S`: the probe module's memory run alone (the full run includes it).
  { key: 'memory', file: './probe/suite.mjs', askedOnly: true, opts: { memoryOnly: true } },
];

const taskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const started = Date.now();
console.log(`chaos-ec2 bench${quick ? ' --quick' : ''}${long ? ` --long ${long}` : ''} — ${new Date().toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GB, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, taskset ${taskset ? 'yes' : 'no'}`,
);

const results = [];
for (const m of MODULES) {
  if ((a.only || m.askedOnly) && a.only !== m.key) continue;
  const url = new URL(m.file, import.meta.url);
  if (!existsSync(url)) {
    console.log(`\n== ${m.key}: not available (${m.file} is not in this tree)`);
    continue;
  }
  const mod = await import(url.href);
  console.log(`\n== ${m.key}`);
  const t = Date.now();
  let streamed = 0;
  try {
    const r = await mod.run({
      ...m.opts,
      quick,
      long,
      log: (l) => {
        streamed++;
        console.log(`  ${l}`);
      },
    });
    // A module that does not stream its lines through `log` has them printed now.
    if (!streamed) for (const l of r.lines) console.log(`  ${l}`);
    results.push(r);
    console.log(`  (${Math.round((Date.now() - t) / 1000)} s)`);
  } catch (err) {
    console.log(`  FAILED to run: ${err?.stack ?? err}`);
    results.push({ title: m.key, lines: [], checks: [{ name: `${m.key} ran`, value: 'error', target: 'runs', pass: false }] });
  }
}

console.log('\n== summary');
const rows = results.flatMap((r) => r.checks.map((c) => [c.pass ? 'PASS' : 'FAIL', c.name, String(c.value), c.target]));
const w = [4, ...[1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), 5))];
for (const r of rows) console.log(`  ${r[0]}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  target ${r[3]}`);
const failed = rows.filter((r) => r[0] === 'FAIL').length;
console.log(`\n${rows.length - failed} of ${rows.length} checks passed in ${Math.round((Date.now() - started) / 1000)} s${quick ? ' (quick mode: shorter windows)' : ''}`);
process.exitCode = failed ? 1 : 0;
