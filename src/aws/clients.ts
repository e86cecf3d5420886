/**
 * The only place that constructs AWS SDK clients. Region, profile and endpoint come from flags or the SDK's
 * standard chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ~/.aws/config). Retries are `adaptive`:
 * client-side rate limiting on top of the standard retry of throttling and transient errors, so a large
 * group's polling backs off instead of failing an experiment halfway.
 *
 * Every call has a timeout (the SDK's default is none): a rollback must never hang on a dead connection while
 * an AZ is dark. connectionTimeout bounds the TCP/TLS connect, requestTimeout the whole request/response;
 * throwOnRequestTimeout makes a breach an error (retried like any transient failure) instead of a warning.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { usageError } from '../core/errors.js';
import { FisClient } from './fis.js';
import { sharedCredentials, type CredentialInfo, type MfaCodeProvider, type StaticCredentials } from './credentials.js';
import { noteEndpoint } from './errors.js';
import { isRegionName, REGION_EXAMPLE } from './region.js';

export interface AwsConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  /** Total attempts per call, first try included (default 5). */
  maxAttempts?: number;
  /** Per-call request timeout in ms (default 12 s). */
  requestTimeoutMs?: number;
  /** Static credentials (in-process tests against the sandbox); otherwise the SDK's node provider chain. */
  credentials?: StaticCredentials;
  /** Asks for a profile's MFA code (mfa_serial); without it such a profile is refused (credentials.ts). */
  mfaCode?: MfaCodeProvider;
}

export const CONNECTION_TIMEOUT_MS = 3_000;
export const REQUEST_TIMEOUT_MS = 12_000;

function requestTimeout(cfg: AwsConfig): number {
  return cfg.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
}

export interface AwsClients {
  ec2: EC2Client;
  asg: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  /** Classic Load Balancers (API 2012-06-01): made on first use, since most groups have none. */
  readonly elbClassic: ElasticLoadBalancingClient;
  /** The report store (`--report-dir s3://…`): made on first use. */
  readonly s3: S3Client;
  sts: STSClient;
  region: string;
  endpoint: string | undefined;
  /** The one set of credentials every client signs with: where they came from and when they expire. */
  credentialInfo(): Promise<CredentialInfo>;
  destroy(): void;
  /** AWS FIS (the `fis` engine): our own signed REST-JSON client (fis.ts says why), made on first use. */
  readonly fis: FisClient;
  /** CloudWatch (--stop-alarm, --metrics-namespace): made on first use, since most runs use neither. */
  readonly cloudwatch: CloudWatchClient;
}

const REGION_HINT = 'pass --region, set AWS_REGION, or set a region in your AWS profile';

export async function createClients(cfg: AwsConfig): Promise<AwsClients> {
  // Checked before any client exists: the SDK would reject a malformed name only when resolving it, with a
  // message about hostname components. A well-formed name that is not a real region is AWS's (or the
  // sandbox's) to refuse, on the first call.
  if (cfg.region !== undefined && !isRegionName(cfg.region)) {
    throw usageError(`--region: '${cfg.region}' is not an AWS region name ${REGION_EXAMPLE}`);
  }
  // One provider for all clients: assume-role, credential_process or an MFA prompt happen once per run.
  const creds = sharedCredentials({
    ...(cfg.profile ? { profile: cfg.profile } : {}),
    ...(cfg.credentials ? { static: cfg.credentials } : {}),
    ...(cfg.mfaCode ? { mfaCode: cfg.mfaCode } : {}),
  });
  const base = {
    ...(cfg.region ? { region: cfg.region } : {}),
    ...(cfg.profile ? { profile: cfg.profile } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    credentials: creds.provider,
    retryMode: 'adaptive',
    maxAttempts: cfg.maxAttempts ?? 5,
  };
  // One handler per client: destroy() on a client closes its handler's sockets.
  const handler = () => new NodeHttpHandler({ connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: requestTimeout(cfg), throwOnRequestTimeout: true });
  const ec2 = withEndpointOnErrors(new EC2Client({ ...base, requestHandler: handler() }));
  let region: string;
  try {
    region = await ec2.config.region();
  } catch (err) {
    ec2.destroy();
    // The SDK rejects a region it cannot put in a host name ("Region not accepted: region=\"…\" …"); an
    // empty or absent one is simply missing.
    const given = /region="([^"]+)"/.exec((err as Error)?.message ?? '')?.[1];
    if (given) throw usageError(`AWS region '${given}' (from AWS_REGION or your AWS profile) is not an AWS region name ${REGION_EXAMPLE}`, REGION_HINT);
    throw usageError('no AWS region configured', REGION_HINT);
  }
  if (!isRegionName(region)) {
    ec2.destroy();
    throw usageError(`AWS region '${region}' (from AWS_REGION or your AWS profile) is not an AWS region name ${REGION_EXAMPLE}`, REGION_HINT);
  }
  const clients = {
    ec2,
    asg: withEndpointOnErrors(new AutoScalingClient({ ...base, requestHandler: handler() })),
    elb: withEndpointOnErrors(new ElasticLoadBalancingV2Client({ ...base, requestHandler: handler() })),
    sts: withEndpointOnErrors(new STSClient({ ...base, requestHandler: handler() })),
  };
  let elbClassic: ElasticLoadBalancingClient | undefined;
  let s3: S3Client | undefined;
  let fis: FisClient | undefined;
  let cloudwatch: CloudWatchClient | undefined;
  return {
    ...clients,
    get elbClassic() {
      return (elbClassic ??= withEndpointOnErrors(new ElasticLoadBalancingClient({ ...base, requestHandler: handler() })));
    },
    // With an endpoint (a sandbox, an S3-compatible store) buckets are addressed by path, which any host name
    // serves; against AWS the SDK's virtual-hosted default stays.
    get s3() {
      return (s3 ??= withEndpointOnErrors(new S3Client({ ...base, ...((base.endpoint ?? process.env.AWS_ENDPOINT_URL) ? { forcePathStyle: true } : {}), requestHandler: handler() })));
    },
    region,
    endpoint: cfg.endpoint ?? process.env.AWS_ENDPOINT_URL,
    credentialInfo: () => creds.info(),
    destroy() {
      for (const c of Object.values(clients)) c.destroy();
      elbClassic?.destroy();
      s3?.destroy();
      fis?.destroy();
      cloudwatch?.destroy();
    },
    // Same region, credentials, attempts and timeout as the SDK clients. Endpoint: --endpoint-url, else
    // AWS_ENDPOINT_URL_FIS / AWS_ENDPOINT_URL as the SDK reads them, else FIS's regional endpoint.
    get fis() {
      const endpoint = cfg.endpoint ?? process.env.AWS_ENDPOINT_URL_FIS ?? process.env.AWS_ENDPOINT_URL;
      return (fis ??= new FisClient({ region, credentials: creds.provider, maxAttempts: cfg.maxAttempts ?? 5, requestTimeoutMs: requestTimeout(cfg), ...(endpoint ? { endpoint } : {}) }));
    },
    get cloudwatch() {
      return (cloudwatch ??= withEndpointOnErrors(new CloudWatchClient({ ...base, requestHandler: handler() })));
    },
  };
}

interface MiddlewareClient {
  middlewareStack: {
    add(
      mw: (next: (args: { request?: unknown }) => Promise<unknown>) => (args: { request?: unknown }) => Promise<unknown>,
      opts: { step: 'deserialize'; name: string; priority: 'high' },
    ): void;
  };
}

/**
 * Every error a client's call ends in carries the URL the request went to (errors.ts noteEndpoint): an answer
 * that is not AWS's — a proxy's or an emulator's HTML error page — is then reported with its status and where
 * it came from, not as the SDK's "XML parse error". Outermost in the deserialize step, so it sees the
 * deserializer's errors and the request as sent.
 */
function withEndpointOnErrors<C>(client: C): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const r = args.request as { protocol?: string; hostname?: string; port?: number; path?: string } | undefined;
        if (r?.hostname) noteEndpoint(err, `${r.protocol ?? 'https:'}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path && r.path !== '/' ? r.path : ''}`);
        throw err;
      }
    },
    { step: 'deserialize', name: 'chaosEc2EndpointOnErrors', priority: 'high' },
  );
  return client;
}
