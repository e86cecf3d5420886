/** `run -f` with command-line flags on top: fault-specific flags reach the experiments whose fault takes them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperimentFile, type RunOne } from '../../src/cli/commands/run-file.js';
import type { RunConfig } from '../../src/experiment/config.js';
import type { RunIo } from '../../src/cli/commands/run.js';

let dir = '';
let file = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-runfile-'));
  file = join(dir, 'mixed.yaml');
  await writeFile(file, ['experiments:', '  - name: kill', '    target: { asg: web }', '  - name: dark', '    target: { asg: web }', '    fault: { kind: blackhole-az }'].join('\n'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sink = { write: () => true } as unknown as NodeJS.WriteStream;
const io = { stdout: sink, stderr: sink, stdin: process.stdin } as RunIo;

describe('run -f with flag overrides', () => {
  it('--count goes to the instance fault, --duration and --include-lb-subnets to the one that holds an AZ', async () => {
    const seen: RunConfig[] = [];
    const runOne: RunOne = async (cfg) => (seen.push(cfg), 0);
    const code = await runExperimentFile(file, { count: '2', duration: '4s', includeLbSubnets: true, reportDir: dir }, io, runOne);
    expect(code).toBe(0);
    expect(seen.map((c) => [c.fault, c.count, c.durationMs, c.includeLbSubnets])).toEqual([
      ['terminate-instances', 2, 60_000, false],
      ['blackhole-az', undefined, 4000, true],
    ]);
  });

  it('a fault flag that no experiment of the file takes is a usage error, and nothing runs', async () => {
    let ran = 0;
    const only = join(dir, 'only-kill.yaml');
    await writeFile(only, 'experiments:\n  - target: { asg: web }\n');
    await expect(runExperimentFile(only, { allowSharedSubnets: true }, io, async () => (ran++, 0))).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('--allow-shared-subnets: only with --fault blackhole-az (no experiment of the file has one)'),
    });
    expect(ran).toBe(0);
  });
});
