/**
 * Starts a sandbox: one HTTP endpoint on 127.0.0.1 that speaks the EC2, Auto Scaling, ELBv2, Classic ELB, STS and CloudWatch query
 * protocols (POST /; CloudWatch also AWS JSON 1.0) and S3's REST protocol (path-style, api/s3.ts), and serves the ground truth and fault knobs under /_sandbox/, with the data plane
 * (instance servers, load balancer proxies, health checks) and the Auto Scaling reconciler running behind it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng } from '../core/random.js';
import { AUTOSCALING_SERVICE } from './api/autoscaling.js';
import { CLOUDWATCH_SERVICE, isCloudWatchJson, serveCloudWatchJson } from './api/cloudwatch.js';
import { CLASSIC_ELB_SERVICE } from './api/classic-elb.js';
import { EC2_SERVICE } from './api/ec2.js';
import { ELBV2_SERVICE } from './api/elbv2.js';
import { FIS_KNOBS, handleFis, isFisRequest } from './api/fis.js';
import { Router } from './api/router.js';
import { handleS3, isS3Request, type S3Context } from './api/s3.js';
import { STS_SERVICE } from './api/sts.js';
import type { SandboxContext } from './context.js';
import { handleControl } from './control.js';
import { DataPlane } from './dataplane/index.js';
import { readBody } from './http-body.js';
import { FisStore } from './fis/store.js';
import { DEFAULT_KNOBS, type Knobs } from './knobs.js';
import { Lifecycle } from './lifecycle.js';
import { resolveTimings, type ProfileName, type Timings } from './profiles.js';
import { CloudWatchStore } from './cloudwatch/store.js';
import { Reconciler } from './reconciler.js';
import { S3Store } from './s3/store.js';
import { Timers } from './timers.js';
import { CertificateStore } from './tls/certificates.js';
import { World } from './world/world.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  profile?: ProfileName;
  timings?: Partial<Timings>;
  knobs?: Partial<Knobs>;
  region?: string;
  accountId?: string;
  /** AZs the region offers (default 6). */
  zoneCount?: number;
  /** Seed of the sandbox's own randomness (apiErrorRate draws), so a failing run can be replayed. */
  seed?: string;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:43121 — what AWS_ENDPOINT_URL / --endpoint-url take. */
  endpoint: string;
  port: number;
  world: World;
  ctx: SandboxContext;
  /** The stand-in for ACM: issue(domain) → a certificate ARN for HTTPS listeners; caCertFile to trust. */
  certificates: CertificateStore;
  close(): Promise<void>;
}

/**
 * The sandboxes running in this process, by endpoint: lets code in the same process (test helpers) find a
 * sandbox's demo stack without a request to it.
 */
const running = new Map<string, SandboxContext>();

export function runningSandbox(endpoint: string): SandboxContext | undefined {
  return running.get(endpoint.replace(/\/+$/, ''));
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const world = new World({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.accountId ? { accountId: opts.accountId } : {}),
    ...(opts.zoneCount ? { zoneCount: opts.zoneCount } : {}),
  });
  const timings = resolveTimings(opts.profile ?? 'fast', opts.timings);
  const knobs: Knobs = { ...DEFAULT_KNOBS, ...opts.knobs };
  const timers = new Timers(world.now);
  const lifecycle = new Lifecycle(world, timings, knobs, timers);
  // The context is assembled in two steps because the data plane and the reconciler take the context
  // themselves; both are constructed before anything can call into them.
  const cloudwatch = new CloudWatchStore(world, timings, timers);
  const ctx = { world, timings, knobs, timers, lifecycle, rng: createRng(opts.seed), s3: new S3Store(), cloudwatch } as SandboxContext;
  const dataplane = new DataPlane(ctx);
  ctx.dataplane = dataplane;
  const reconciler = new Reconciler(ctx);
  ctx.autoscaling = reconciler;
  // FIS reads its stop conditions from the CloudWatch store (alarmStateByArn).
  ctx.fis = new FisStore(ctx, () => ctx.cloudwatch);
  const certificates = new CertificateStore(world);
  const router = new Router(ctx, [EC2_SERVICE, AUTOSCALING_SERVICE, ELBV2_SERVICE, CLASSIC_ELB_SERVICE, STS_SERVICE, CLOUDWATCH_SERVICE]);

  const server = createServer((req, res) => {
    void serve(req, res, router, ctx).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sandbox error: ${(err as Error)?.message ?? String(err)}`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  dataplane.start();
  reconciler.start();
  cloudwatch.start();

  let closing: Promise<void> | undefined;
  const endpoint = `http://127.0.0.1:${port}`;
  running.set(endpoint, ctx);
  return {
    endpoint,
    port,
    world,
    ctx,
    certificates,
    close() {
      closing ??= (async () => {
        running.delete(endpoint);
        // Held (stallActions) calls are answered first, so their 503s can still go out while the rest stops.
        router.close();
        timers.close();
        reconciler.stop();
        await dataplane.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // The CA's temp folder (its key never leaves memory; the folder holds the CA certificate).
        await certificates.close();
      })();
      return closing;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * S3's throttling answer: 503 SlowDown, "Please reduce your request rate."
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
 */
const S3_KNOBS = { signingName: 's3', throttle: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' } };

async function serve(req: IncomingMessage, res: ServerResponse, router: Router, ctx: SandboxContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (url.pathname.startsWith('/_sandbox/')) {
    await handleControl(req, res, url, ctx);
    return;
  }
  if (isFisRequest(req, url)) {
    // REST-JSON, told apart by its signing name (or path) before S3's unsigned shape check.
    await handleFis(req, res, ctx, (action) => router.gate(FIS_KNOBS, action), ctx.world.newRequestId());
    return;
  }
  if (isS3Request(req, url)) {
    // S3 is REST, not `POST /` with an Action: it reads its own (larger, binary) bodies.
    const s3: S3Context = { store: ctx.s3, region: ctx.world.region, accountId: ctx.world.accountId, denied: () => ctx.knobs.s3AccessDenied, now: () => new Date(ctx.world.now()) };
    await handleS3(req, res, s3, (action) => router.gate(S3_KNOBS, action), ctx.world.newRequestId());
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    // Refused before it is parsed, so there is no Action or service to shape an AWS error envelope; the
    // SDK reports a bare HTTP 413, which is all a client needs (no chaos-ec2 request comes near 1 MiB).
    res.writeHead(413, { 'content-type': 'text/plain' }).end('request body too large');
    return;
  }
  if (isCloudWatchJson(req)) {
    // CloudWatch's AWS JSON 1.0 (the JS SDK); its awsQuery form (the AWS CLI) goes through the Router below.
    await serveCloudWatchJson(req, res, body, ctx, router);
    return;
  }
  const out = await router.handle(body, url.search, req.headers.authorization);
  res.writeHead(out.status, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': ctx.world.newRequestId() });
  res.end(out.body);
}
