// One measured run in a fresh process (so each tool starts cold and its memory is its own), printing one JSON
// line. Usage: node worker.mjs <probe|autocannon|calibrate|node-cost> <url> <json-options>
//   probe, autocannon: { connections, durationMs, rate?, pipelining?, memEvery? (s, needs --expose-gc) }
//   calibrate: the plan-time calibration (loopback sink in this process; url unused)
//   node-cost: ns per request of the per-node accounting (url unused)
import { readFileSync } from 'node:fs';

const [tool, url, raw] = process.argv.slice(2);
const o = JSON.parse(raw ?? '{}');
const mb = (n) => Math.round((n / 1048576) * 10) / 10;
// RSS in its two parts (Linux): anonymous memory is the process's own (V8's heap pages, buffers, sockets);
// file-backed pages are the mapped executable and libraries (bench/README.md "Memory over time").
function rssParts() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { anonMb: mb(kb('RssAnon') * 1024), fileMb: mb(kb('RssFile') * 1024) };
  } catch {
    return {};
  }
}
const dist = (f) => new URL(`../../dist/observe/${f}`, import.meta.url).href;

async function probe() {
  const { LoadProbe } = await import(dist('load-probe.js'));
  const p = new LoadProbe({ url, ...o });
  // Memory samples after a forced GC every `memEvery` seconds: what the probe keeps, not garbage yet to collect.
  const mem = [];
  let first = null;
  p.on('second', (s) => {
    if (s.t === 0) first = { sent: s.sent, late: s.late, p99: s.p99, saturated: s.saturated };
    if (o.memEvery && (s.t + 1) % o.memEvery === 0) {
      globalThis.gc?.();
      const m = process.memoryUsage();
      mem.push({ t: s.t + 1, rssMb: mb(m.rss), heapMb: mb(m.heapUsed), ...rssParts() });
    }
  });
  const s = await p.run();
  return {
    tool: 'chaos-ec2 probe',
    mode: s.mode,
    reqPerSec: s.achievedRate,
    sent: s.sent,
    ok: s.ok,
    failed: s.failed,
    late: s.late,
    p50: s.latencyMs.p50,
    p99: s.latencyMs.p99,
    max: s.latencyMs.max,
    saturatedSeconds: s.saturatedSeconds,
    firstSecond: first,
    mem,
  };
}

async function cannon() {
  const { default: autocannon } = await import('autocannon');
  const r = await autocannon({ url, connections: o.connections, duration: o.durationMs / 1000, ...(o.pipelining ? { pipelining: o.pipelining } : {}) });
  return {
    tool: 'autocannon',
    mode: 'closed',
    reqPerSec: Math.round((r.requests.total / r.duration) * 10) / 10,
    sent: r.requests.sent,
    failed: r.errors + r.timeouts + r.non2xx,
    late: null,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}

async function calibration() {
  const { calibrate } = await import(dist('calibrate.js'));
  return { tool: 'calibrate', ...(await calibrate({ cacheFile: false })) };
}

// The per-node accounting's work for one request (a `sent` and a `completed` on the node's own buckets),
// timed alone: its cost as a share of the probe's per-request time is what it takes from throughput.
async function nodeCost() {
  const { SecondBuckets } = await import(dist('buckets.js'));
  const b = new SecondBuckets({ startEpochMs: Date.now() });
  const n = 2_000_000;
  const round = (count, offset) => {
    for (let i = 0; i < count; i++) {
      const at = offset + (i / count) * 10_000;
      b.sent(at, false);
      b.completed(at, 0.2 + (i % 50) / 100, 0.15, null);
    }
    b.flush(offset + 11_000);
  };
  round(200_000, 0); // warm-up (JIT)
  const t = process.hrtime.bigint();
  round(n, 20_000);
  return { tool: 'node-cost', nsPerRequest: Math.round(Number(process.hrtime.bigint() - t) / n) };
}

const run = { probe, autocannon: cannon, calibrate: calibration, 'node-cost': nodeCost }[tool];
if (!run) throw new Error(`unknown tool ${tool}`);
const result = await run();
const peak = process.resourceUsage().maxRSS; // KiB
process.stdout.write(
  `${JSON.stringify({ ...result, peakRssMb: Math.round(peak / 102.4) / 10, node: process.version, pkg: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url))).version })}\n`,
);
