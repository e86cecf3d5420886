/**
 * `recover` and the FIS templates a crashed run left behind, through the real FIS client against the sandbox:
 * chaos-ec2's templates are deleted (after their experiment is stopped), never one tagged keep-template, one
 * without chaos-ec2's tag, or one another (not chaos-ec2) experiment is still running from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import type { FisClient } from '../../src/aws/fis.js';
import { fisRecovery } from '../../src/experiment/engines/fis-recover.js';
import type { RecoverContext } from '../../src/faults/types.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { fisClient, network, subnetArn, template, waitForExperiment } from '../sandbox/fis-fixture.js';

let sb: TestSandbox;
let fis: FisClient;
let ctx: RecoverContext;
let subnets: string[];

beforeAll(async () => {
  // One FIS second is 10 ms: PT12H lasts 7 minutes, far longer than the test.
  sb = await startTestSandbox({ timings: { fisSecondMs: 10 } });
  fis = fisClient(sb);
  subnets = network(sb.ctx).subnets;
  ctx = { clients: { fis } as unknown as AwsClients, reportDir: '/nonexistent', now: Date.now, readJournal: () => Promise.resolve(undefined) };
});

afterAll(async () => {
  fis.destroy();
  await sb.close();
});

const TAG = 'chaos-ec2:experiment-id';
const make = (tags: Record<string, string>, subnet = subnets[0]!) => fis.createExperimentTemplate(template(sb.ctx, 'disrupt', [subnetArn(sb.ctx, subnet)], { tags }, { duration: 'PT12H' }));
const running = async (templateId: string, tags: Record<string, string>) => {
  const x = await fis.startExperiment({ clientToken: `${templateId}-start`, experimentTemplateId: templateId, tags });
  await waitForExperiment(sb, x.id, 'running');
  return x.id;
};

describe('recover: FIS templates left by a crashed run', () => {
  it("deletes chaos-ec2's templates, stopping their experiment first; leaves kept, foreign and busy ones", async () => {
    const left = await make({ [TAG]: 'cx-left' });
    const kept = await make({ [TAG]: 'cx-kept', 'chaos-ec2:keep-template': 'true' });
    const foreign = await make({ team: 'payments' });
    // A chaos-ec2 template a NON-chaos-ec2 experiment runs from: not ours to stop, so its template stays.
    const busy = await make({ [TAG]: 'cx-busy' }, subnets[1]);
    const busyRun = await running(busy.id, { owner: 'someone-else' });
    // A chaos-ec2 experiment still running: stopped, then its template deleted.
    const live = await make({ [TAG]: 'cx-live' });
    const liveRun = await running(live.id, { [TAG]: 'cx-live', 'chaos-ec2:fault': 'blackhole-az' });

    const items = await fisRecovery.recover.find(ctx);
    expect(items.map((i) => [i.kind, i.experimentId]).sort()).toEqual([
      ['fis-experiment', 'cx-live'],
      ['fis-template', 'cx-left'],
      ['fis-template', 'cx-live'],
    ]);
    expect(items.every((i) => i.expiresAt === null)).toBe(true);

    const r = await fisRecovery.recover.undo(items, ctx);
    expect(r.remaining).toEqual([]);
    expect(r.complete).toBe(true);
    expect(r.done).toContain(`stopped FIS experiment ${liveRun}`);
    expect(r.done).toContain(`deleted FIS experiment template ${left.id}`);
    expect(r.done).toContain(`deleted FIS experiment template ${live.id}`);
    // The template was deleted only after FIS reported its experiment ended.
    expect(r.done.indexOf(`deleted FIS experiment template ${live.id}`)).toBeGreaterThan(r.done.findIndex((l) => l.startsWith(`FIS experiment ${liveRun} `)));
    const ids = (await fis.listExperimentTemplates()).map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining([kept.id, foreign.id, busy.id]));
    expect(ids).not.toContain(left.id);
    expect(ids).not.toContain(live.id);
    expect((await fis.getExperiment(busyRun)).state.status).toBe('running');
    // Idempotent: nothing of ours is left to find.
    expect(await fisRecovery.recover.find(ctx)).toEqual([]);
    await fis.stopExperiment(busyRun);
  });

  it('--experiment-id: only that experiment’s template', async () => {
    const a = await make({ [TAG]: 'cx-a' });
    const b = await make({ [TAG]: 'cx-b' });
    const items = await fisRecovery.recover.find(ctx, 'cx-a');
    expect(items.map((i) => (i.data as { id: string }).id)).toEqual([a.id]);
    await fisRecovery.recover.undo(items, ctx);
    const ids = (await fis.listExperimentTemplates()).map((t) => t.id);
    expect(ids).toContain(b.id);
    expect(ids).not.toContain(a.id);
  });
});
