// Load-probe benchmark: chaos-ec2's probe next to autocannon on the same local target, then the open model's
// accuracy and its memory over a long run. Run after `npm run build`:
//
//   node bench/probe/run.mjs                 # ~100 s: 10 s runs, a 60 s memory run
//   node bench/probe/run.mjs --quick         # ~25 s: 3 s runs, a 15 s memory run
//   node bench/probe/run.mjs --connections 50 --rate 2000 --long-rate 500 --long 60
//
// All traffic goes to 127.0.0.1; every run is bounded by its duration. Each run is a fresh process.
import { spawn, execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    'long-rate': { type: 'string', default: '500' },
    long: { type: 'string' },
  },
});
const dur = Number(a.duration ?? (a.quick ? 3 : 10)) * 1000;
const longS = Number(a.long ?? (a.quick ? 15 : 60));
const connections = Number(a.connections);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));

function startServer() {
  const child = spawn(process.execPath, [here('./server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ child, url: `http://127.0.0.1:${String(d).trim()}/` }));
  });
}

function worker(tool, url, opts, nodeArgs = []) {
  const out = execFileSync(process.execPath, [...nodeArgs, here('./worker.mjs'), tool, url, JSON.stringify(opts)], {
    encoding: 'utf8',
    timeout: (opts.durationMs ?? 60_000) + 60_000,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

const fmt = (v, unit = '') => (v === null || v === undefined ? '—' : `${v}${unit}`);
function table(rows) {
  const head = ['run', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'late', 'peak RSS MB'];
  const body = rows.map((r) => [r.run, fmt(r.reqPerSec), fmt(r.p50), fmt(r.p99), fmt(r.max), fmt(r.failed), fmt(r.late), fmt(r.peakRssMb)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => String(b[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...body.map(line)].join('\n');
}

const { child: server, url } = await startServer();
console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), target ${url} (separate process)`);
const rows = [];
try {
  console.log(`\n1. closed loop, ${connections} connections, ${dur / 1000} s each`);
  const cannon = worker('autocannon', url, { connections, durationMs: dur });
  rows.push({ run: `autocannon -c ${connections}`, ...cannon });
  const closed = worker('probe', url, { connections, durationMs: dur });
  rows.push({ run: `chaos-ec2 probe -c ${connections}`, ...closed });
  console.log(table(rows.slice(-2)));
  console.log(`   chaos-ec2 probe / autocannon throughput: ${(closed.reqPerSec / cannon.reqPerSec).toFixed(2)}`);

  const rate = Number(a.rate);
  console.log(`\n2. open model, ${rate} req/s for ${dur / 1000} s`);
  const open = worker('probe', url, { rate, durationMs: dur });
  rows.push({ run: `chaos-ec2 probe --rate ${rate}`, ...open });
  console.log(table(rows.slice(-1)));
  console.log(
    `   achieved ${open.reqPerSec} of ${rate} req/s (${((open.reqPerSec / rate) * 100).toFixed(1)} %), ${open.late} late of ${open.sent} (${((open.late / open.sent) * 100).toFixed(2)} %), ${open.saturatedSeconds} saturated s`,
  );

  const longRate = Number(a['long-rate']);
  console.log(`\n3. memory: open model, ${longRate} req/s for ${longS} s (heap after forced GC, every ${Math.max(1, Math.round(longS / 6))} s)`);
  const long = worker('probe', url, { rate: longRate, durationMs: longS * 1000, memEvery: Math.max(1, Math.round(longS / 6)) }, ['--expose-gc']);
  rows.push({ run: `chaos-ec2 probe --rate ${longRate}, ${longS} s`, ...long });
  console.log(table(rows.slice(-1)));
  console.log(`   t (s)   ${long.mem.map((m) => String(m.t).padStart(6)).join(' ')}`);
  console.log(`   heap MB ${long.mem.map((m) => String(m.heapMb).padStart(6)).join(' ')}`);
  console.log(`   RSS MB  ${long.mem.map((m) => String(m.rssMb).padStart(6)).join(' ')}`);
  const first = long.mem[0];
  const last = long.mem.at(-1);
  if (first && last && last.t > first.t) {
    const perMin = ((last.heapMb - first.heapMb) / (last.t - first.t)) * 60;
    console.log(
      `   heap growth ${(last.heapMb - first.heapMb).toFixed(1)} MB over ${last.t - first.t} s (${perMin.toFixed(2)} MB/min, ${(longRate * (last.t - first.t)).toLocaleString()} requests)`,
    );
  }

  console.log('\nall runs:');
  console.log(table(rows));
} finally {
  server.kill('SIGTERM');
}
