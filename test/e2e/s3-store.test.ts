/**
 * `--report-dir s3://bucket/prefix` end to end: the real binary against the sandbox, whose S3 serves the
 * bucket. Runs write their reports (and rendered formats, and the journal) to S3, where the AWS CLI reads them
 * back; `history s3://…` shows them with the trend; `--min-interval` reads the store and refuses; a bucket that
 * does not exist is refused before anything is injected.
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/experiment/types.js';
import { awsCliGate, runAwsCli } from '../helpers/aws-cli.js';
import { s3Client } from '../helpers/s3.js';
import { cliFor, fastRunArgs, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox } from '../helpers/stack-sandbox.js';

const cliGate = awsCliGate('s3-store.test.ts');
const STORE = 's3://chaos-reports/team';

describe('reports, history and report in S3', { timeout: 240_000 }, () => {
  const t = useStackSandbox({ instances: 4, azs: 3 }, 'chaos-s3-');
  let s3: S3Client;
  let local: string;
  const cli = (args: string[]) => cliFor(t.emb, { CHAOS_EC2_LOCAL_DIR: local })(args);

  beforeAll(async () => {
    local = mkdtempSync(join(tmpdir(), 'chaos-s3-mirror-'));
    s3 = s3Client(t.emb.sandbox.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'chaos-reports' }));
  });
  afterAll(() => {
    s3?.destroy();
    rmSync(local, { recursive: true, force: true });
  });

  it('three runs write to S3 (read back with the AWS CLI), history shows them newest first, --min-interval refuses the fourth', async () => {
    const ids: string[] = [];
    for (const seed of ['s3-1', 's3-2', 's3-3']) {
      await waitForSettled(t.emb, t.clients);
      const r = await cli([...fastRunArgs(STORE, '--yes', '--seed', seed, '--format', 'md,junit,html'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as Report;
      ids.push(report.id);
      expect(r.stderr).toContain(`uploaded: ${STORE}/${report.id}/report.json`);
    }
    if (cliGate.run) {
      const ls = await runAwsCli(t.emb.sandbox.endpoint, ['s3', 'ls', `${STORE}/${ids[0]}/`]);
      expect(ls.code, ls.stderr).toBe(0);
      for (const f of ['report.json', 'report.md', 'junit.xml', 'report.html', 'journal.jsonl']) expect(ls.stdout).toContain(f);
      const dest = join(local, 'copied.json');
      const cp = await runAwsCli(t.emb.sandbox.endpoint, ['s3', 'cp', `${STORE}/${ids[0]}/report.json`, dest]);
      expect(cp.code, cp.stderr).toBe(0);
      expect((JSON.parse(readFileSync(dest, 'utf8')) as Report).id).toBe(ids[0]);
    }

    // history from S3 alone: a fresh mirror, so nothing can come from the local copies of the runs above.
    const fresh = mkdtempSync(join(tmpdir(), 'chaos-s3-fresh-'));
    try {
      const h = await cliFor(t.emb, { CHAOS_EC2_LOCAL_DIR: fresh })(['history', STORE, '--json']);
      expect(h.code, h.stderr).toBe(0);
      const out = JSON.parse(h.stdout) as { runs: { id: string }[]; trends: unknown[] };
      expect(out.runs.map((x) => x.id)).toEqual([...ids].reverse());
      expect(out.trends.length).toBeGreaterThan(0);

      // report s3://…: read from the store, rendered, and the rendered file uploaded beside it.
      const rep = await cliFor(t.emb, { CHAOS_EC2_LOCAL_DIR: fresh })(['report', `${STORE}/${ids[1]}/report.json`, '--format', 'md']);
      expect(rep.code, rep.stderr).toBe(0);
      expect(rep.stdout).toContain(`uploaded: ${STORE}/${ids[1]}/report.md`);
      const missing = await cliFor(t.emb, { CHAOS_EC2_LOCAL_DIR: fresh })(['report', `${STORE}/exp-nope/report.json`]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(`no report at ${STORE}/exp-nope/report.json`);

      const seqBefore = t.emb.sandbox.world.events().at(-1)?.seq ?? 0;
      const fourth = await cliFor(t.emb, { CHAOS_EC2_LOCAL_DIR: fresh })(fastRunArgs(STORE, '--yes', '--min-interval', '1h'));
      expect(fourth.code).toBe(3);
      expect(fourth.stderr, fourth.stderr).toContain(`the last experiment on demo-asg (${ids[2]}) started`);
      expect(t.emb.sandbox.world.events(seqBefore).filter((e) => e.type === 'instance-state' && e.to === 'shutting-down')).toEqual([]);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('a bucket that does not exist: exit 5 before anything is injected, with a hint', async () => {
    const seq = t.emb.sandbox.world.events().at(-1)?.seq ?? 0;
    const r = await cli(fastRunArgs('s3://no-such-bucket-here/x', '--yes'));
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/report store s3:\/\/no-such-bucket-here\/x: bucket no-such-bucket-here does not exist/);
    expect(r.stderr).toMatch(/aws s3 mb s3:\/\/no-such-bucket-here/);
    expect(t.emb.sandbox.world.events(seq).filter((e) => e.type === 'instance-state' || e.type === 'nacl-association')).toEqual([]);
  });

  it('an s3:// dir that is not a bucket name: exit 2 before any AWS call', async () => {
    const r = await cli(fastRunArgs('s3://Bad_Bucket/x', '--yes'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report-dir: 's3:\/\/Bad_Bucket\/x' is not an S3 location/);
  });
});
