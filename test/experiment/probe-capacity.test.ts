/**
 * Plan time: a probe rate this machine cannot hold is refused (exit 3) with the measured ceiling, before the
 * probe starts and before anything is injected; a rate it can hold goes on. In-process, against the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateCheck } from '../../src/observe/calibrate.js';
import { mutations, startInProcessSandbox, type InProcessSandbox } from '../helpers/run-harness.js';

const refuse = async (): Promise<RateCheck> => ({ ok: false, calibration: { ceiling: 1234, closedLoopRate: 2468, tookMs: 200, fromCache: false } });

describe('probe rate calibration at plan time', () => {
  let sb: InProcessSandbox;
  beforeAll(async () => {
    sb = await startInProcessSandbox({ instances: 4, azs: 2 });
  });
  afterAll(async () => {
    await sb?.close();
  });

  it('a rate above the measured ceiling: exit 3, the reason gives the ceiling, nothing probed or changed', async () => {
    const seq = sb.lastSeq();
    const asked: number[] = [];
    const r = await sb.runInProcess(
      { rate: '5000', dryRun: true },
      {
        checkProbeRate: (rate) => {
          asked.push(rate);
          return refuse();
        },
      },
    );
    expect(asked).toEqual([5000]);
    expect(r.outcome?.exitCode).toBe(3);
    expect(r.report?.reason).toMatch(/--rate 5000 is more than this machine's probe can hold: its measured ceiling here is 1234 req\/s/);
    expect(r.report?.hint).toMatch(/lower --rate to 1234 or less/);
    expect(r.probe).toBeUndefined();
    expect(r.events.some((e) => e.type === 'plan')).toBe(false);
    expect(mutations(sb, seq)).toEqual([]);
  });

  it('a rate within it goes on to the plan (a dry run: exit 0)', async () => {
    const r = await sb.runInProcess({ rate: '50', dryRun: true }, { checkProbeRate: async () => ({ ok: true }) });
    expect(r.report?.reason).toBeUndefined();
    expect(r.outcome?.exitCode).toBe(0);
  });
});
