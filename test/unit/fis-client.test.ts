/**
 * The FIS client's own machinery, against a real HTTP server on port 0 that answers as FIS would: the SigV4
 * signer against AWS's published test vector, what goes on the wire (paths, query, body with experimentOptions),
 * dates, the SDK's error shape (so errors.ts classifies it), retries of throttling and 5xx, abort and timeout.
 * The client against the sandbox's FIS is covered in test/sandbox/fis*.test.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { awsError } from '../../src/aws/errors.js';
import { FisClient, FisServiceError, fisEndpoint } from '../../src/aws/fis.js';
import { createSigner, errorCode } from '../../src/aws/fis-transport.js';

describe('SigV4 signer', () => {
  it('matches the AWS SigV4 test suite vector get-vanilla', async () => {
    // AWS's "Signature Version 4 test suite", get-vanilla: GET / on example.amazonaws.com, service "service".
    const signer = createSigner({ service: 'service', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
    const signed = await signer.sign(
      { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', query: {}, headers: { host: 'example.amazonaws.com' } },
      { signingDate: new Date('2015-08-30T12:36:00Z') },
    );
    expect(signed.headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
});

describe('errorCode', () => {
  it('reads x-amzn-errortype first, then the body, without namespace or suffix', () => {
    expect(errorCode('ValidationException:http://internal.amazon.com/coral/', { code: 'Other' })).toBe('ValidationException');
    expect(errorCode(undefined, { __type: 'com.amazonaws.fis#ResourceNotFoundException' })).toBe('ResourceNotFoundException');
    expect(errorCode(undefined, { code: 'ConflictException' })).toBe('ConflictException');
    expect(errorCode(undefined, {})).toBeUndefined();
  });
});

interface Seen {
  method: string;
  url: string;
  authorization: string;
  body: string;
}

type Answer = (req: Seen, res: ServerResponse) => void;

let server: Server | undefined;
let client: FisClient | undefined;

afterEach(async () => {
  client?.destroy();
  client = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
    server = undefined;
  }
});

/** A FIS stand-in: records every request and answers with the next of `answers` (the last one repeats). */
async function fakeFis(answers: Answer[], opts: { requestTimeoutMs?: number; maxAttempts?: number } = {}): Promise<{ seen: Seen[]; client: FisClient }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization ?? '', body };
      seen.push(s);
      answers[Math.min(seen.length - 1, answers.length - 1)]!(s, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new FisClient({
    endpoint,
    region: 'eu-west-1',
    credentials: () => Promise.resolve({ accessKeyId: 'AKIATEST', secretAccessKey: 'secret' }),
    maxAttempts: opts.maxAttempts ?? 3,
    requestTimeoutMs: opts.requestTimeoutMs ?? 2_000,
  });
  return { seen, client };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-1', ...headers }).end(JSON.stringify(body));
  };

const EXPERIMENT = {
  id: 'EXPabc123',
  state: { status: 'pending', reason: 'Experiment is pending.' },
  creationTime: 1_764_540_000.5,
  actions: { kill: { actionId: 'aws:ec2:terminate-instances', state: { status: 'pending' }, startTime: 1_764_540_001 } },
  experimentOptions: { actionsMode: 'skip-all' },
};

describe('FisClient on the wire', () => {
  it('StartExperiment: signed for fis in the region, POST /experiments with experimentOptions in the body; dates parsed from epoch seconds', async () => {
    const { seen, client } = await fakeFis([json(200, { experiment: EXPERIMENT })]);
    const out = await client.startExperiment({ clientToken: 'tok-1', experimentTemplateId: 'EXT1', experimentOptions: { actionsMode: 'skip-all' }, tags: { a: 'b' } });
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/experiments');
    expect(seen[0]!.authorization).toMatch(/Credential=AKIATEST\/\d{8}\/eu-west-1\/fis\/aws4_request/);
    expect(JSON.parse(seen[0]!.body)).toEqual({ clientToken: 'tok-1', experimentTemplateId: 'EXT1', experimentOptions: { actionsMode: 'skip-all' }, tags: { a: 'b' } });
    expect(out.creationTime).toEqual(new Date(1_764_540_000_500));
    expect(out.actions!.kill!.startTime).toEqual(new Date(1_764_540_001_000));
    expect(out.experimentOptions?.actionsMode).toBe('skip-all');
  });

  it('paths and queries: ids and ARNs percent-encoded, pages followed until no nextToken', async () => {
    const { seen, client } = await fakeFis([
      json(200, { tags: { k: 'v' } }),
      json(200, { experiments: [{ id: 'EXP1', state: { status: 'running' } }], nextToken: 'p2' }),
      json(200, { experiments: [{ id: 'EXP2', state: { status: 'completed' } }] }),
      json(200, { resolvedTargets: [{ resourceType: 'aws:ec2:instance', targetName: 'Instances', targetInformation: { arn: 'arn:i' } }] }),
    ]);
    expect(await client.listTagsForResource('arn:aws:fis:eu-west-1:123456789012:experiment/EXP1')).toEqual({ k: 'v' });
    const list = await client.listExperiments({ experimentTemplateId: 'EXT1' });
    expect(list.map((e) => e.id)).toEqual(['EXP1', 'EXP2']);
    const targets = await client.listExperimentResolvedTargets('EXP1');
    expect(targets[0]!.targetInformation).toEqual({ arn: 'arn:i' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /tags/arn%3Aaws%3Afis%3Aeu-west-1%3A123456789012%3Aexperiment%2FEXP1',
      'GET /experiments?maxResults=100&experimentTemplateId=EXT1',
      'GET /experiments?maxResults=100&nextToken=p2&experimentTemplateId=EXT1',
      'GET /experiments/EXP1/resolvedTargets?maxResults=100',
    ]);
  });

  it('CreateExperimentTemplate makes one clientToken per call, kept across its retries', async () => {
    const { seen, client } = await fakeFis([json(503, { message: 'busy' }), json(200, { experimentTemplate: { id: 'EXT9', creationTime: 1 } })]);
    const t = await client.createExperimentTemplate({ description: 'd', stopConditions: [{ source: 'none' }], actions: {}, roleArn: 'arn:aws:iam::1:role/r' });
    expect(t.id).toBe('EXT9');
    expect(seen).toHaveLength(2);
    const tokens = seen.map((s) => (JSON.parse(s.body) as { clientToken: string }).clientToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });
});

describe('FisClient errors', () => {
  it("are in the SDK's shape: name from x-amzn-errortype, message, $metadata.httpStatusCode; not retried when the caller is wrong", async () => {
    const { seen, client } = await fakeFis([json(404, { message: 'Experiment EXPnope not found.' }, { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal' })]);
    const err = (await client.getExperiment('EXPnope').catch((e: unknown) => e)) as FisServiceError;
    expect(err).toBeInstanceOf(FisServiceError);
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.message).toBe('Experiment EXPnope not found.');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$metadata.requestId).toBe('req-1');
    expect(seen).toHaveLength(1);
    expect(awsError(err, 'GetExperiment', { phase: 'inject' }).message).toBe('GetExperiment: ResourceNotFoundException: Experiment EXPnope not found.');
  });

  it('retries throttling (429) and 5xx up to maxAttempts, then throws the last error with the attempt count', async () => {
    const { seen, client } = await fakeFis([json(429, { message: 'Rate exceeded' }, { 'x-amzn-errortype': 'ThrottlingException' })], { maxAttempts: 2 });
    const err = (await client.getExperiment('EXP1').catch((e: unknown) => e)) as FisServiceError;
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.attempts).toBe(2);
    expect(seen).toHaveLength(2);
  });

  it('an answer that is not JSON is reported as not an AWS response', async () => {
    const { client } = await fakeFis([(_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>')], { maxAttempts: 1 });
    const err = await client.getExperiment('EXP1').catch((e: unknown) => e);
    expect(awsError(err, 'GetExperiment', { phase: 'inject' }).message).toMatch(/^GetExperiment: HTTP 502 from http:\/\/127\.0\.0\.1:\d+\/experiments\/EXP1: not an AWS response$/);
  });

  it('a request that outlives requestTimeoutMs fails with TimeoutError (after its retries)', async () => {
    const { seen, client } = await fakeFis([() => undefined], { requestTimeoutMs: 150, maxAttempts: 2 });
    const err = (await client.getExperiment('EXP1').catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('TimeoutError');
    expect(seen).toHaveLength(2);
  });

  it('a kept-alive socket the server dropped is retried once on a new connection, even with one attempt', async () => {
    const perSocket = new WeakMap<object, number>();
    const { seen, client } = await fakeFis(
      [
        (req, res) => {
          const sock = res.socket!;
          const n = (perSocket.get(sock) ?? 0) + 1;
          perSocket.set(sock, n);
          // The second request on the first connection: dropped as a server does an idle socket it just closed.
          if (n === 2 && seen.length === 2) return void sock.destroy();
          json(200, { experiment: { id: req.url.split('/').pop(), state: { status: 'running' } } })(req, res);
        },
      ],
      { maxAttempts: 1 },
    );
    expect((await client.getExperiment('EXP1')).id).toBe('EXP1');
    expect((await client.getExperiment('EXP2')).id).toBe('EXP2');
    expect(seen.map((s) => s.url)).toEqual(['/experiments/EXP1', '/experiments/EXP2', '/experiments/EXP2']);
  });

  it("the caller's AbortSignal ends a call in flight with AbortError, not retried", async () => {
    const { seen, client } = await fakeFis([() => undefined], { requestTimeoutMs: 5_000 });
    const ac = new AbortController();
    const pending = client.stopExperiment('EXP1', { signal: ac.signal }).catch((e: unknown) => e);
    await expect.poll(() => seen.length).toBe(1);
    ac.abort();
    expect(((await pending) as Error).name).toBe('AbortError');
    expect(seen).toHaveLength(1);
  });
});

describe('fisEndpoint', () => {
  it('is the regional FIS endpoint', () => {
    expect(fisEndpoint('eu-west-1')).toBe('https://fis.eu-west-1.amazonaws.com');
    expect(fisEndpoint('cn-north-1')).toBe('https://fis.cn-north-1.amazonaws.com.cn');
  });
});
