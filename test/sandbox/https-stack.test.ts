import { existsSync, readFileSync } from 'node:fs';
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteListenerCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_HOST, nodeAddresses, startEmbeddedSandbox, type EmbeddedSandbox } from '../../src/sandbox/index.js';
import { httpGet } from '../helpers/http.js';
import { clientConfig, expectAwsError } from '../helpers/sandbox.js';

/**
 * The HTTPS demo stack, shaped like production: an HTTPS listener on a certificate for the service's own
 * name from the sandbox CA, a fixed-response 404 default action, and a host-header rule that forwards.
 */
describe('sandbox HTTPS stack', () => {
  let emb: EmbeddedSandbox;
  let elb: ElasticLoadBalancingV2Client;
  let ca: string;
  let node: string;

  beforeAll(async () => {
    emb = await startEmbeddedSandbox({ port: 0, profile: 'fast', https: true, stack: { instances: 2, azs: 2 } });
    elb = new ElasticLoadBalancingV2Client(clientConfig(emb.sandbox.endpoint));
    ca = readFileSync(emb.info.caCertFile!, 'utf8');
    node = nodeAddresses(emb.sandbox.world, emb.stack.loadBalancerArn)[1]!;
  });
  afterAll(async () => {
    elb?.destroy();
    await emb?.close();
  });

  it('has an HTTPS listener with an ACM-shaped certificate, a 404 default action and a host-header rule forwarding', async () => {
    const l = (await elb.send(new DescribeListenersCommand({ ListenerArns: [emb.stack.listenerArn] }))).Listeners![0]!;
    expect(l).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-2016-08',
      Certificates: [{ CertificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:123456789012:certificate\/[0-9a-f-]{36}$/) }],
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: emb.stack.listenerArn }))).Rules!;
    expect(rules.map((r) => r.Priority)).toEqual(['10', 'default']);
    expect(rules[0]).toMatchObject({
      RuleArn: emb.stack.ruleArn,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [DEMO_HOST] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: emb.stack.targetGroupArn }],
    });
    expect(emb.info).toEqual({
      url: emb.stack.url,
      host: DEMO_HOST,
      resolve: [expect.stringMatching(/:\d+:127\.\d+\.\d+\.\d+,127\.\d+\.\d+\.\d+$/), `${DEMO_HOST}:${l.Port}:${nodeAddresses(emb.sandbox.world, emb.stack.loadBalancerArn).join(',')}`],
      caCertFile: expect.stringMatching(/sandbox-ca\.pem$/),
      fisRoleArn: `arn:aws:iam::${emb.sandbox.world.accountId}:role/chaos-ec2-fis`,
    });
    expect(emb.stack.url).toMatch(/^https:\/\//);
  });

  it('serves the service name with a certificate the sandbox CA verifies, on every node', async () => {
    const url = `https://${DEMO_HOST}:${new URL(emb.stack.url).port}/orders`;
    for (const address of nodeAddresses(emb.sandbox.world, emb.stack.loadBalancerArn)) {
      const res = await httpGet(url, { connectTo: address, ca });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ instanceId: expect.stringMatching(/^i-/), path: '/orders' });
    }
  });

  it('fails verification without the CA, and for a name the certificate does not cover', async () => {
    const port = new URL(emb.stack.url).port;
    await expect(httpGet(`https://${DEMO_HOST}:${port}/`, { connectTo: node })).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/),
    });
    await expect(httpGet(`https://demo-asg-alb.example:${port}/`, { connectTo: node, ca })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('authenticate-oidc before the forward: 302 to the IdP without a session cookie, the forward with one; deny → 401; HTTPS listeners only', async () => {
    const oidc = (on?: string): Action => ({
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: 'https://idp.example.test',
        AuthorizationEndpoint: 'https://idp.example.test/authorize',
        TokenEndpoint: 'https://idp.example.test/token',
        UserInfoEndpoint: 'https://idp.example.test/userinfo',
        ClientId: 'shop-client',
        ClientSecret: 'very-secret',
        ...(on ? { OnUnauthenticatedRequest: on as 'deny' } : {}),
      },
    });
    const forward: Action = { Type: 'forward', Order: 2, TargetGroupArn: emb.stack.targetGroupArn };
    const create = (Priority: number, path: string, actions: Action[]) =>
      elb.send(new CreateRuleCommand({ ListenerArn: emb.stack.listenerArn, Priority, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }], Actions: actions }));
    const account = (await create(1, '/account/*', [oidc(), forward])).Rules![0]!.RuleArn!;
    const admin = (await create(2, '/admin', [oidc('deny'), forward])).Rules![0]!.RuleArn!;
    try {
      const shown = (await elb.send(new DescribeRulesCommand({ RuleArns: [account] }))).Rules![0]!;
      expect(shown.Actions![0]).toMatchObject({ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: { ClientId: 'shop-client', Issuer: 'https://idp.example.test' } });
      expect(shown.Actions![0]!.AuthenticateOidcConfig!.ClientSecret).toBeUndefined();
      const base = `https://${DEMO_HOST}:${new URL(emb.stack.url).port}`;
      const login = await httpGet(`${base}/account/orders`, { connectTo: node, ca });
      expect(login.status).toBe(302);
      expect(login.headers.location).toMatch(/^https:\/\/idp\.example\.test\/authorize\?response_type=code&client_id=shop-client&scope=openid$/);
      const session = await httpGet(`${base}/account/orders`, { connectTo: node, ca, headers: { cookie: 'AWSELBAuthSessionCookie-0=abc' } });
      expect(session.status).toBe(200);
      expect((await httpGet(`${base}/admin`, { connectTo: node, ca })).status).toBe(401);
      // An HTTP listener cannot authenticate.
      const plain = (
        await elb.send(
          new CreateListenerCommand({
            LoadBalancerArn: emb.stack.loadBalancerArn,
            Protocol: 'HTTP',
            Port: 8080,
            DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
          }),
        )
      ).Listeners![0]!.ListenerArn!;
      await expectAwsError(
        elb.send(new CreateRuleCommand({ ListenerArn: plain, Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/x'] } }], Actions: [oidc(), forward] })),
        'InvalidLoadBalancerActionException',
      );
      await elb.send(new DeleteListenerCommand({ ListenerArn: plain }));
    } finally {
      for (const arn of [account, admin]) await elb.send(new DeleteRuleCommand({ RuleArn: arn }));
    }
  });

  it('GET /_sandbox/stack answers the same { url, host, resolve, caCertFile }', async () => {
    const res = await fetch(`${emb.sandbox.endpoint}/_sandbox/stack`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(emb.info);
  });

  it('CreateListener HTTPS needs a known certificate', async () => {
    const base = {
      LoadBalancerArn: emb.stack.loadBalancerArn,
      Protocol: 'HTTPS' as const,
      Port: 8443,
      DefaultActions: [{ Type: 'forward' as const, TargetGroupArn: emb.stack.targetGroupArn }],
    };
    await expectAwsError(elb.send(new CreateListenerCommand(base)), 'ValidationError');
    await expectAwsError(
      elb.send(new CreateListenerCommand({ ...base, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000' }] })),
      'CertificateNotFoundException',
    );
  });

  it('removes the CA folder when the sandbox stops', async () => {
    const other = await startEmbeddedSandbox({ port: 0, profile: 'fast', https: true, stack: { instances: 1, azs: 2 } });
    const file = other.info.caCertFile!;
    expect(existsSync(file)).toBe(true);
    await other.close();
    expect(existsSync(file)).toBe(false);
  });
});
