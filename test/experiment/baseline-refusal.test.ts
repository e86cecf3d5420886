/**
 * A failed baseline explained by the probe's path rather than the service: certificate, DNS, internal load
 * balancer (pure), and the scheme look-up against the sandbox (DescribeLoadBalancers through the real SDK).
 */
import { CreateLoadBalancerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { coveredNames, explainRefusal, INTERNAL_REASON } from '../../src/experiment/baseline-refusal.js';
import type { Discovery } from '../../src/experiment/discover.js';
import { probedLoadBalancerIsInternal } from '../../src/experiment/lb-scheme.js';
import type { FailureKind, SecondSummary } from '../../src/observe/buckets.js';
import { startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { clientConfig } from '../helpers/sandbox.js';

const second = (t: number, errors: Partial<Record<FailureKind, number>>): SecondSummary => {
  const failed = Object.values(errors).reduce<number>((a, n) => a + (n ?? 0), 0);
  return {
    t,
    startMs: t * 1000,
    scheduled: 20,
    sent: 20,
    ok: 20 - failed,
    failed,
    late: 0,
    p50: 1,
    p90: 1,
    p99: 1,
    max: 1,
    lagMs: 0,
    saturated: false,
    errorsByKind: errors,
    firstFailureAtMs: null,
  };
};
const ctx = { host: 'shop.example.test', internal: false };

describe('explainRefusal', () => {
  it('certificate: names what it covers and suggests --host for a wrong name', () => {
    const r = explainRefusal([second(0, { tls: 20 }), second(1, { tls: 20 })], {
      ...ctx,
      host: 'lb-1.us-east-1.elb.amazonaws.com',
      certificate: { code: 'ERR_TLS_CERT_ALTNAME_INVALID', servername: 'lb-1.us-east-1.elb.amazonaws.com', altNames: 'DNS:*.example.com, DNS:api.example.com', nameMatches: false },
    });
    expect(r).toEqual({
      reason: 'baseline not steady: the TLS certificate did not verify for lb-1.us-east-1.elb.amazonaws.com (ERR_TLS_CERT_ALTNAME_INVALID); it covers *.example.com, api.example.com',
      hint: "pass --host api.example.com (the service's own name, sent as Host and TLS server name while connecting to the load balancer)",
    });
  });

  it('certificate: an unknown CA suggests --ca-cert, and --host too when the name is not covered either', () => {
    const r = explainRefusal([second(0, { tls: 18, timeout: 2 })], {
      ...ctx,
      certificate: { code: 'SELF_SIGNED_CERT_IN_CHAIN', servername: 'lb.test', altNames: 'DNS:shop.example.test', nameMatches: false },
    });
    expect(r?.reason).toBe('baseline not steady: the TLS certificate did not verify for lb.test (SELF_SIGNED_CERT_IN_CHAIN); it covers shop.example.test');
    expect(r?.hint).toBe(
      'pass --ca-cert FILE with the CA that signed it (a private CA), and --host shop.example.test: it does not cover lb.test; --insecure skips verification (flagged in the report)',
    );
    expect(explainRefusal([second(0, { tls: 20 })], { ...ctx, certificate: { code: 'CERT_HAS_EXPIRED', nameMatches: true, altNames: 'DNS:shop.example.test' } })?.hint).toBe(
      'pass --ca-cert FILE with the CA that signed it (a private CA); --insecure skips verification (flagged in the report)',
    );
  });

  it('a few tls failures among service errors are the service: no special refusal', () => {
    expect(explainRefusal([second(0, { tls: 2, http_503: 10 })], ctx)).toBeUndefined();
    expect(explainRefusal([second(0, {})], ctx)).toBeUndefined();
  });

  it('dns: every request without an address', () => {
    expect(explainRefusal([second(0, { dns: 20 })], ctx)?.reason).toBe('baseline not steady: the probe host shop.example.test does not resolve (every request failed: dns)');
    // A --resolve entry for another port leaves the name to DNS: the refusal says which entries were given.
    const typo = explainRefusal([second(0, { dns: 20 })], { ...ctx, target: 'lb-1.elb.test:443', resolve: ['lb-1.elb.test:80:127.0.1.1'] });
    expect(typo).toEqual({
      reason:
        'baseline not steady: the probe host lb-1.elb.test:443 does not resolve (every request failed: dns); no --resolve entry is for lb-1.elb.test:443 (given: lb-1.elb.test:80:127.0.1.1)',
      hint: "pass --resolve lb-1.elb.test:443:ADDR[,ADDR…] with the load balancer's addresses, or --url with a name that resolves",
    });
  });

  it('internal: only when the load balancer is internal and nothing but connect timeouts (and deadline timeouts behind them)', () => {
    const timeouts = [second(0, { connect_timeout: 15, timeout: 5 })];
    expect(explainRefusal(timeouts, { ...ctx, internal: true })?.reason).toBe(`baseline not steady: ${INTERNAL_REASON}`);
    expect(INTERNAL_REASON).toBe('the load balancer is internal: run chaos-ec2 from inside the VPC (e.g. a CI runner in a private subnet) or pass --url');
    expect(explainRefusal(timeouts, ctx)).toBeUndefined();
    expect(explainRefusal([second(0, { connect_timeout: 15, http_502: 1 })], { ...ctx, internal: true })).toBeUndefined();
    expect(explainRefusal([second(0, { timeout: 20 })], { ...ctx, internal: true })).toBeUndefined();
  });

  it('coveredNames reads DNS names only', () => {
    expect(coveredNames('DNS:a.test, IP Address:10.0.0.1, DNS:*.b.test')).toEqual(['a.test', '*.b.test']);
    expect(coveredNames(undefined)).toEqual([]);
  });
});

describe('probedLoadBalancerIsInternal (sandbox)', () => {
  let emb: EmbeddedSandbox;
  let elb: ElasticLoadBalancingV2Client;
  beforeAll(async () => {
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', stack: { instances: 1, azs: 2 } });
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
  });
  afterAll(async () => {
    elb?.destroy();
    await emb?.close();
  });

  it('reads Scheme from DescribeLoadBalancers when discovery did not record it; recorded schemes need no call', async () => {
    const subnets = emb.stack.lbSubnets.map((x) => x.subnetId);
    const made = async (name: string, scheme: 'internal' | 'internet-facing') =>
      (await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Scheme: scheme }))).LoadBalancers![0]!.LoadBalancerArn!;
    const internal = await made('private-alb', 'internal');
    const facing = await made('public-alb', 'internet-facing');
    const clients = { elb } as unknown as AwsClients;
    const d = (lbs: { arn: string; scheme?: string }[]) => ({ loadBalancers: lbs.map((l) => ({ name: '', dnsName: '', ...l })) }) as unknown as Discovery;
    expect(await probedLoadBalancerIsInternal(clients, d([{ arn: internal }]))).toBe(true);
    expect(await probedLoadBalancerIsInternal(clients, d([{ arn: facing }]))).toBe(false);
    // Recorded by discovery: no AWS call at all (a client that would throw proves it).
    const noCalls = { elb: { send: () => Promise.reject(new Error('no call expected')) } } as unknown as AwsClients;
    expect(await probedLoadBalancerIsInternal(noCalls, d([{ arn: 'x', scheme: 'internal' }]))).toBe(true);
  });
});
