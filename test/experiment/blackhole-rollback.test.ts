/**
 * blackhole-az in-process: every interrupt point after something may exist, and every rollback path —
 * asserted from what the runner did (exit code, verdict, reason, report, emitted events, journal) and from the
 * sandbox's ground truth (NACL created/deleted, associations swapped and restored, no chaos NACL left).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faultFor } from '../../src/faults/index.js';
import type { BlackholeReport } from '../../src/faults/blackhole-az/types.js';
import { Journal } from '../../src/experiment/journal.js';
import { join } from 'node:path';
import { setKnobs, type SandboxEvent } from '../../src/sandbox/index.js';
import { associations, chaosNaclIds, settle, startInProcessSandbox, type InProcessSandbox, type RunScript } from '../helpers/run-harness.js';

describe('blackhole-az rollback paths (in-process, sandbox ground truth)', () => {
  let sb: InProcessSandbox;
  let before: Record<string, string>;
  let seq: number;
  let az: string;
  let dark: string;

  beforeAll(async () => {
    sb = await startInProcessSandbox({ instances: 6, azs: 3 });
    before = await associations(sb.clients.ec2);
    ({ availabilityZone: az, subnetId: dark } = sb.emb.stack.subnets[0]!);
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    sb.emb.sandbox.ctx.knobs.failActions = [];
    // Longer quiet than elsewhere: after a dark AZ, late health-check results can still flip a target.
    await settle(sb, 500);
    seq = sb.lastSeq();
  });

  const run = (extra: Record<string, string | boolean> = {}, script: RunScript = {}) => sb.runInProcess({ fault: 'blackhole-az', az, duration: '5s', ...extra }, script);
  /** The NACL story the sandbox saw since the test began, in order. */
  const naclStory = () =>
    sb
      .events(seq)
      .filter(
        (e): e is Extract<SandboxEvent, { type: 'nacl-created' | 'nacl-deleted' | 'nacl-association' }> =>
          e.type === 'nacl-created' || e.type === 'nacl-deleted' || e.type === 'nacl-association',
      )
      .map((e) => (e.type === 'nacl-association' ? `${e.subnetId}: ${e.fromNetworkAclId} -> ${e.toNetworkAclId}` : `${e.type} ${e.networkAclId}`));
  const restored = async () => {
    expect(await associations(sb.clients.ec2)).toEqual(before);
    expect(await chaosNaclIds(sb.clients.ec2)).toEqual([]);
  };
  const chaosOf = (r: { report?: { fault: { detail?: unknown } | null } }) => (r.report!.fault!.detail as BlackholeReport).chaosNacls[0]!.networkAclId;

  it('the hold ends: restored, verified with a fresh describe, chaos NACL deleted; pass (exit 0); journal intent before every mutation', async () => {
    const r = await run({}, { second: (_, c) => (c.phase === 'hold' ? 'fail' : 'ok') });
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.verdict).toBe('pass');
    expect(r.report?.rollback?.status).toBe('complete');
    const bh = r.report!.fault!.detail as BlackholeReport;
    expect(bh.restoreVerification?.verified).toBe(true);
    const chaos = chaosOf(r);
    expect(naclStory()).toEqual([`nacl-created ${chaos}`, `${dark}: ${before[dark]} -> ${chaos}`, `${dark}: ${chaos} -> ${before[dark]}`, `nacl-deleted ${chaos}`]);
    // The hold lasted --duration on the run's clock: hold-ended 5 s after t0, then the rollback.
    const hold = r.report!.timeline.find((t) => t.event === 'hold-ended')!;
    expect(hold.atMs).toBeGreaterThanOrEqual(5000);
    expect(hold.atMs).toBeLessThan(5000 + 200);
    expect(r.phases).toEqual(['discover', 'baseline', 'inject', 'hold', 'rollback', 'observe']);
    const j = r.journal.map((e) => `${e.type}${e.action ? ` ${e.action}` : ''}`);
    expect(j).toEqual([
      'plan',
      'intent autoscaling:CreateOrUpdateTags',
      'intent ec2:CreateNetworkAcl',
      'done ec2:CreateNetworkAcl',
      'intent ec2:ReplaceNetworkAclAssociation',
      'done ec2:ReplaceNetworkAclAssociation',
      'rollback-intent ec2:ReplaceNetworkAclAssociation',
      'rollback-intent ec2:DeleteNetworkAcl',
      'rollback-done',
      'end',
    ]);
    await restored();
  });

  it('interrupted right after the chaos NACL was created, before any swap: the swap never happens, the NACL is deleted, 130', async () => {
    const r = await run({}, { on: (e, h) => e.type === 'timeline' && e.entry.event === 'nacl-created' && h.abort() });
    expect(r.outcome?.exitCode).toBe(130);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(new RegExp(`^interrupted before swapping ${dark} to the chaos NACL; stopping; everything injected was rolled back`));
    expect(r.report?.rollback?.status).toBe('complete');
    const chaos = chaosOf(r);
    expect(naclStory()).toEqual([`nacl-created ${chaos}`, `nacl-deleted ${chaos}`]);
    await restored();
  });

  it('interrupted during the hold: rolled back at once (long before --duration), 130', async () => {
    const r = await run({ duration: '10m' }, { on: (e, h) => e.type === 'phase' && e.phase === 'hold' && setTimeout(() => h.abort(), 20) });
    expect(r.outcome?.exitCode).toBe(130);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(/^interrupted by the operator; everything injected was rolled back/);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.report!.timeline.find((t) => t.event === 'hold-ended')!.atMs).toBeLessThan(60_000);
    // Interrupted: no waiting for recovery after the restore.
    expect(r.phases).not.toContain('observe');
    expect(naclStory()).toHaveLength(4);
    await restored();
  });

  it('stop condition: error rate above --abort-error-rate for --abort-after during the hold rolls back at once: aborted, exit 1', async () => {
    const r = await run({ duration: '10m', abortErrorRate: '0.05', abortAfter: '2s' }, { second: (_, c) => (c.injected ? 'fail' : 'ok') });
    expect(r.outcome?.exitCode).toBe(1);
    expect(r.report?.verdict).toBe('aborted');
    expect(r.report?.reason).toMatch(/^stop condition: error rate above 0\.05 for 2s; everything injected was rolled back/);
    expect(r.report?.stopCondition?.firedAtMs).toBeLessThan(5000);
    expect(r.report?.gates.find((g) => g.name === 'stop condition')?.pass).toBe(false);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.timeline).toContain('stop-condition');
    expect(r.phases).not.toContain('observe');
    await restored();
  });

  it('an AWS error mid-injection (the swap fails after the create): rolled back, the chaos NACL deleted, exit 1 verdict error', async () => {
    const r = await run({}, { on: (e, h) => e.type === 'phase' && e.phase === 'inject' && h.setKnobs({ failActions: ['ReplaceNetworkAclAssociation'] }) });
    expect(r.outcome?.exitCode).toBe(1);
    expect(r.report?.verdict).toBe('error');
    expect(r.report?.reason).toMatch(/ReplaceNetworkAclAssociation.*ServiceUnavailable.*; everything injected was rolled back/);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.report?.fault?.t0).toBeNull();
    const chaos = chaosOf(r);
    expect(naclStory()).toEqual([`nacl-created ${chaos}`, `nacl-deleted ${chaos}`]);
    expect(r.journal.map((e) => e.type)).toContain('rollback-done');
    await restored();
  });

  it('the restore fails for the whole rollback window: retried with backoff, then exit 4 with what remains and the recover command, which then works', async () => {
    // --recovery-timeout 5s: the rollback window is min(60 s, max(5 s, recovery timeout)) = 5 s of the run's clock.
    const r = await run({ recoveryTimeout: '5s' }, { on: (e, h) => e.type === 'phase' && e.phase === 'rollback' && h.setKnobs({ failActions: ['ReplaceNetworkAclAssociation'] }) });
    expect(r.outcome?.exitCode).toBe(4);
    expect(r.report?.verdict).toBe('error');
    expect(r.report?.rollback?.status).toBe('incomplete');
    expect(r.report!.rollback!.remaining.join('\n')).toContain(`${dark}: still on chaos NACL`);
    const cmd = r.report!.rollback!.recoverCommand!;
    expect(cmd).toBe(`chaos-ec2 recover --experiment-id ${r.report!.id} --region us-east-1 --endpoint-url ${sb.emb.sandbox.endpoint} --yes`);
    expect(r.report?.reason).toContain(`Run: ${cmd}`);
    const retries = r.report!.timeline.filter((t) => t.event === 'rollback-retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    // Given up at the window's end (by the run's clock), not before, and without waiting for recovery.
    const gaveUp = r.report!.timeline.find((t) => t.event === 'rollback-incomplete')!;
    const began = r.report!.timeline.find((t) => t.event === 'hold-ended')!;
    expect(gaveUp.atMs - began.atMs).toBeGreaterThanOrEqual(2500);
    expect(gaveUp.atMs - began.atMs).toBeLessThanOrEqual(5000 + 200);
    expect(r.phases).not.toContain('observe');
    // Ground truth: still dark, the chaos NACL (the undo record) kept.
    const chaos = chaosOf(r);
    expect((await associations(sb.clients.ec2))[dark]).toBe(chaos);
    expect(await chaosNaclIds(sb.clients.ec2)).toEqual([chaos]);

    // The fault's recover path (what the printed command runs) finishes it once the API answers again.
    sb.emb.sandbox.ctx.knobs.failActions = [];
    const fault = faultFor('blackhole-az');
    const ctx = { clients: sb.clients, reportDir: sb.reportDir, now: Date.now, readJournal: (id: string) => Journal.read(join(sb.reportDir, id, 'journal.jsonl')) };
    const found = await fault.recover.find(ctx, r.report!.id);
    expect(found.map((f) => f.experimentId)).toEqual([r.report!.id]);
    const undone = await fault.recover.undo(found, ctx);
    expect(undone).toMatchObject({ complete: true, remaining: [] });
    await restored();
  });

  it("the API stops answering during the restore: the unwind gives up at its deadline on the run's clock, exit 4 with the recover command; the held call, released, still completes", async () => {
    // The clock runs during AWS calls here: a call that never answers is exactly what the deadline is for.
    const r = await run(
      { recoveryTimeout: '5s' },
      {
        clockRunsDuringCalls: true,
        on: (e, h) => e.type === 'phase' && e.phase === 'rollback' && h.setKnobs({ stallActions: [{ action: 'ReplaceNetworkAclAssociation', after: 0 }] }),
      },
    );
    try {
      expect(r.outcome?.exitCode).toBe(4);
      expect(r.report?.rollback?.status).toBe('incomplete');
      expect(r.report!.rollback!.remaining.join('\n')).toMatch(/no answer from AWS within the rollback deadline \(5s\)/);
      expect(r.report?.reason).toContain(`Run: ${r.report!.rollback!.recoverCommand}`);
      expect(sb.events(seq).some((e) => e.type === 'api-stalled' && e.action === 'ReplaceNetworkAclAssociation')).toBe(true);
      // Ground truth when the run returned: still dark, the chaos NACL kept.
      const chaos = chaosOf(r);
      expect((await associations(sb.clients.ec2))[dark]).toBe(chaos);
    } finally {
      setKnobs(sb.emb.sandbox.ctx, { stallActions: [] });
    }
    // Released, the held swap completes and the unwind still in flight finishes: restored, NACL deleted.
    await sb.waitFor((e) => e.type === 'nacl-deleted' && e.networkAclId === chaosOf(r), 10_000);
    await restored();
  });

  it("the restore fails transiently: retried after a backoff on the run's clock and completed (no exit 4)", async () => {
    const r = await run(
      {},
      {
        on: (e, h) => {
          if (e.type === 'phase' && e.phase === 'rollback') h.setKnobs({ failActions: ['ReplaceNetworkAclAssociation'] });
          // The API recovers as soon as the runner says it will retry: the retry must then succeed.
          if (e.type === 'timeline' && e.entry.event === 'rollback-retry') h.setKnobs({ failActions: [] });
        },
      },
    );
    expect(r.outcome?.exitCode, r.report?.reason).toBe(0);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.timeline.filter((t) => t === 'rollback-retry')).toHaveLength(1);
    expect((r.report!.fault!.detail as BlackholeReport).restoreVerification?.verified).toBe(true);
    await restored();
  });

  it('a renderer that throws on every event never skips the rollback: same outcome, world restored', async () => {
    const r = await run({ duration: '10m' }, { throwingEmit: true, on: (e, h) => e.type === 'phase' && e.phase === 'hold' && h.abort() });
    expect(r.outcome?.exitCode).toBe(130);
    expect(r.report?.rollback?.status).toBe('complete');
    expect(r.events.some((e) => e.type === 'phase' && e.phase === 'rollback')).toBe(true);
    expect(naclStory()).toHaveLength(4);
    await restored();
  });
});
