/**
 * The pure safety parts added after the safety review: the terminate floor rechecked on a fresh snapshot,
 * URL secrets redacted outside the probe, renderers that throw, and the journal's best-effort writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { thrownBy as refusal } from '../helpers/errors.js';
import { ExitCode, throwIfInterrupted } from '../../src/core/errors.js';
import { redactUrl } from '../../src/core/redact.js';
import { Journal } from '../../src/experiment/journal.js';
import { safeEmit } from '../../src/experiment/runner.js';
import { checkFloorAfter } from '../../src/experiment/safety.js';
import { rollbackWindowMs } from '../../src/experiment/undo.js';

describe('checkFloorAfter (terminate recheck on the fresh snapshot)', () => {
  const floor = { minHealthy: 3, minHealthyPerAz: 1 };
  const t = (az: string) => ({ instanceId: `i-${az}`, availabilityZone: az });

  it('passes when the fresh counts still keep the floor, and says what remains', () => {
    expect(checkFloorAfter({ a: 2, b: 1, c: 1 }, [t('a')], floor)).toEqual({ healthy: 3, healthyByAz: { a: 1, b: 1, c: 1 } });
  });

  it('refuses (exit 3) when an instance was lost since planning and the overall floor would break', () => {
    // Planned on 4 healthy (4 - 1 = 3 ≥ 3); one failed during the baseline: 3 - 1 = 2 < 3.
    const e = refusal(() => checkFloorAfter({ a: 1, b: 1, c: 1 }, [t('a')], floor));
    expect(e.exitCode).toBe(ExitCode.Refused);
    expect(e.message).toMatch(/would leave 2 healthy, below --min-healthy 3/);
  });

  it('refuses when the victim AZ would be left below the per-AZ floor', () => {
    const e = refusal(() => checkFloorAfter({ a: 1, b: 3, c: 3 }, [t('a')], floor));
    expect(e.message).toMatch(/fewer than 1 healthy in a/);
  });
});

describe('throwIfInterrupted', () => {
  it('throws an exit-130 error naming the mutation only once the signal is aborted', () => {
    const ac = new AbortController();
    expect(() => throwIfInterrupted(ac.signal, 'terminating')).not.toThrow();
    ac.abort();
    const e = refusal(() => throwIfInterrupted(ac.signal, 'terminating'));
    expect(e.exitCode).toBe(ExitCode.Interrupted);
    expect(e.message).toMatch(/interrupted before terminating/);
  });
});

describe('redactUrl', () => {
  it('hides userinfo and every query value, keeps the shape', () => {
    expect(redactUrl('https://user:p%40ss@shop.example.com:8443/health?token=abc&x=1')).toBe('https://***:***@shop.example.com:8443/health?token=***&x=***');
    expect(redactUrl('http://user@h/p?flag')).toBe('http://***@h/p?flag=***');
  });
  it('leaves a URL without secrets unchanged', () => {
    expect(redactUrl('http://internal-alb-1.us-east-1.elb.amazonaws.com/')).toBe('http://internal-alb-1.us-east-1.elb.amazonaws.com/');
  });
  it('hides a query-looking tail of something that is not a URL', () => {
    expect(redactUrl('not a url?secret=1')).toBe('not a url?***');
  });
});

describe('safeEmit', () => {
  it('drops a subscriber exception instead of throwing it into the runner', () => {
    const seen: string[] = [];
    const emit = safeEmit((e) => {
      seen.push(e.type);
      throw new Error('write EPIPE');
    });
    expect(() => emit({ type: 'phase', phase: 'rollback' })).not.toThrow();
    expect(seen).toEqual(['phase']);
  });
});

describe('rollbackWindowMs', () => {
  it('is the recovery timeout, at least 5 s and at most 60 s', () => {
    expect(rollbackWindowMs({ recoveryTimeoutMs: 1_000 })).toBe(5_000);
    expect(rollbackWindowMs({ recoveryTimeoutMs: 30_000 })).toBe(30_000);
    expect(rollbackWindowMs({ recoveryTimeoutMs: 600_000 })).toBe(60_000);
  });
});

describe('Journal best-effort writes', () => {
  it('tryRecord returns the error of a failed write instead of throwing; tryClose never throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-journal-'));
    try {
      const j = await Journal.open(dir, 'exp-1');
      expect(await j.tryRecord({ type: 'plan' })).toBeUndefined();
      await j.close();
      // A closed handle fails like a dead disk would: the error comes back as a value.
      const err = await j.tryRecord({ type: 'rollback-intent' });
      expect(err).toBeInstanceOf(Error);
      await expect(j.record({ type: 'rollback-intent' })).rejects.toThrow();
      await expect(j.tryClose()).resolves.toBeUndefined();
      expect((await Journal.read(j.path)).map((e) => e.type)).toEqual(['plan']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
