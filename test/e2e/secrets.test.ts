/**
 * Secrets never leave the process: canary secrets go in through every input path — flags (`--url` credentials
 * and token, a `--header`), an experiment file (a header from `${CHAOS_TOKEN}`), the environment, and the
 * endpoint URL — and no byte of stdout, stderr, the report files (all four formats) or the journal carries one.
 * Usage errors that quote the bad value (a URL of the wrong scheme, a bad header) are checked too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedSandbox } from '../../src/sandbox/index.js';
import { cliFor, waitForSettled } from '../helpers/e2e.js';
import { useStackSandbox, type StackSandbox } from '../helpers/stack-sandbox.js';

const CANARIES = {
  urlPassword: 'CanaryUrlPass71',
  urlToken: 'CanaryUrlTok72',
  header: 'CanaryHeader73',
  fileEnv: 'CanaryFileEnv74',
  endpointPassword: 'CanaryEndpoint75',
  ftpPassword: 'CanaryFtp76',
  crlfHeader: 'CanaryCrlf77',
};

/** Every file under `dir`, recursively, as text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [{ path: p, text: readFileSync(p, 'utf8') }];
  });
}

function expectNoCanary(where: string, text: string): void {
  for (const [name, secret] of Object.entries(CANARIES)) {
    expect(text.includes(secret), `${name} leaked into ${where}`).toBe(false);
    expect(text.includes(encodeURIComponent(secret)), `${name} (URL-encoded) leaked into ${where}`).toBe(false);
  }
}

describe('secrets never leave the process', () => {
  const t = useStackSandbox({ instances: 4, azs: 2 }, 'chaos-secrets-');
  let emb: EmbeddedSandbox;
  let clients: StackSandbox['clients'];
  let reportDir: string;
  let work: string;
  beforeAll(() => {
    ({ emb, clients, dir: reportDir } = t);
    work = mkdtempSync(join(tmpdir(), 'chaos-secrets-work-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const common = ['--baseline', '1s', '--rate', '20', '--timeout', '1s', '--poll', '250ms', '--steady', '2s', '--recovery-timeout', '30s', '--yes'];

  it('a run with a secret URL and header, every format written: no output and no file holds them', async () => {
    await waitForSettled(emb, clients);
    const u = new URL(emb.stack.url);
    const url = `http://probe:${CANARIES.urlPassword}@${u.host}/?token=${CANARIES.urlToken}&page=1`;
    const r = await cliFor(emb)([
      'run',
      '--asg',
      'demo-asg',
      '--url',
      url,
      '--header',
      `Authorization: Bearer ${CANARIES.header}`,
      '--format',
      'md,junit,html',
      '--json',
      '--report-dir',
      reportDir,
      ...common,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expectNoCanary('stdout', r.stdout);
    expectNoCanary('stderr', r.stderr);
    const files = filesUnder(reportDir);
    expect(files.map((f) => f.path).some((p) => p.endsWith('journal.jsonl'))).toBe(true);
    expect(files.map((f) => f.path).some((p) => p.endsWith('report.html'))).toBe(true);
    for (const f of files) expectNoCanary(f.path, f.text);
    // The probe did use them: the report shows the URL's shape with the values hidden.
    expect(r.stdout).toContain('http://***:***@');
  });

  it('an experiment file whose header comes from ${CHAOS_TOKEN}: neither a run nor its errors print the token', async () => {
    await waitForSettled(emb, clients);
    const file = join(work, 'secret.yaml');
    const dir = join(work, 'reports');
    writeFileSync(
      file,
      [
        'version: 1',
        'experiments:',
        '  - name: with-token',
        '    target: { asg: demo-asg }',
        '    probe: { rate: 20, timeout: 1s, baseline: 1s, headers: { X-Token: "${CHAOS_TOKEN}" } }',
        '    timings: { poll: 250ms, steady: 2s, recoveryTimeout: 30s }',
        '',
      ].join('\n'),
    );
    const env = { CHAOS_TOKEN: CANARIES.fileEnv };
    const ok = await cliFor(emb, env)(['run', '-f', file, '--yes', '--report-dir', dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expectNoCanary('stdout', ok.stdout);
    expectNoCanary('stderr', ok.stderr);
    for (const f of filesUnder(dir)) expectNoCanary(f.path, f.text);

    // The same token in a header whose name is invalid, and beside a bad key: the file:line errors name the
    // header, never its value — for `validate` and for `run -f`.
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, ['version: 1', 'experiments:', '  - name: bad', '    target: { asg: demo-asg }', '    probe: { rate: 0, headers: { "Bad Name": "${CHAOS_TOKEN}" } }', ''].join('\n'));
    for (const args of [
      ['validate', '-f', bad],
      ['run', '-f', bad, '--yes', '--report-dir', dir],
    ]) {
      const r = await cliFor(emb, env)(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/Bad Name/);
      expectNoCanary('stdout', r.stdout);
      expectNoCanary('stderr', r.stderr);
    }
  });

  it('usage errors that quote a bad value never print its secret part (URL, endpoint URL, header with CR/LF)', async () => {
    const cli = cliFor(emb);
    const cases: [string[], RegExp][] = [
      [['run', '--asg', 'demo-asg', '--url', `ftp://admin:${CANARIES.ftpPassword}@host/`], /--url: .* must be http:\/\/ or https:\/\//],
      [['run', '--asg', 'demo-asg', '--endpoint-url', `ftp://user:${CANARIES.endpointPassword}@127.0.0.1:1`], /--endpoint-url: .* must be http:\/\/ or https:\/\//],
      [['run', '--asg', 'demo-asg', '--header', `X-Debug: a\r\nX-Injected: ${CANARIES.crlfHeader}`], /--header: the value of X-Debug contains CR, LF or NUL/],
      [['probe', `ftp://admin:${CANARIES.ftpPassword}@host/`, '--duration', '1s'], /.*/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--report-dir', reportDir]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // one line, no stack
      expectNoCanary(`stderr of ${args.join(' ')}`, r.stderr);
      expectNoCanary(`stdout of ${args.join(' ')}`, r.stdout);
    }
  });

  it('the environment: AWS credentials from the environment appear nowhere, even with an endpoint URL carrying a password', async () => {
    await waitForSettled(emb, clients);
    const dir = join(work, 'env-reports');
    const u = new URL(emb.sandbox.endpoint);
    // A password in the endpoint URL reaches the report's settings and the plan unless redacted.
    const endpoint = `http://ops:${CANARIES.endpointPassword}@${u.host}`;
    const r = await cliFor(emb)(['run', '--asg', 'demo-asg', '--endpoint-url', endpoint, '--dry-run', '--json', '--report-dir', dir]);
    expectNoCanary('stdout', r.stdout);
    expectNoCanary('stderr', r.stderr);
    // The sandbox's secret key (from AWS_SECRET_ACCESS_KEY) is never printed either.
    expect(r.stdout + r.stderr).not.toContain('sandbox-secret');
    for (const f of filesUnder(dir)) expectNoCanary(f.path, f.text);
  });
});
