// One measured run in a fresh process (so each tool starts cold and its memory is its own), printing one
// JSON line. Usage: node worker.mjs <probe|autocannon> <url> <json-options>
import { readFileSync } from 'node:fs';

const [tool, url, raw] = process.argv.slice(2);
const o = JSON.parse(raw ?? '{}');
const mb = (n) => Math.round((n / 1048576) * 10) / 10;
const gc = () => globalThis.gc?.();

async function probe() {
  const { LoadProbe } = await import(new URL('../../dist/observe/load-probe.js', import.meta.url).href);
  const p = new LoadProbe({ url, ...o });
  // Memory samples after a forced GC every `memEvery` seconds: what the probe keeps, not garbage yet to collect.
  const mem = [];
  p.on('second', (s) => {
    if (o.memEvery && (s.t + 1) % o.memEvery === 0) {
      gc();
      const m = process.memoryUsage();
      mem.push({ t: s.t + 1, rssMb: mb(m.rss), heapMb: mb(m.heapUsed) });
    }
  });
  const s = await p.run();
  return {
    tool: 'chaos-ec2 probe',
    mode: s.mode,
    reqPerSec: s.achievedRate,
    sent: s.sent,
    failed: s.failed,
    late: s.late,
    p50: s.latencyMs.p50,
    p99: s.latencyMs.p99,
    max: s.latencyMs.max,
    saturatedSeconds: s.saturatedSeconds,
    mem,
  };
}

async function cannon() {
  const { default: autocannon } = await import('autocannon');
  const r = await autocannon({ url, connections: o.connections, duration: o.durationMs / 1000 });
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

const result = tool === 'autocannon' ? await cannon() : await probe();
const peak = process.resourceUsage().maxRSS; // KiB
process.stdout.write(
  `${JSON.stringify({ ...result, peakRssMb: Math.round(peak / 102.4) / 10, node: process.version, pkg: JSON.parse(readFileSync(new URL('../../package.json', import.meta.url))).version })}\n`,
);
