/**
 * The only place that constructs AWS SDK clients. Region, profile and endpoint come from flags or the SDK's
 * standard chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ~/.aws/config). Retries are `adaptive`:
 * client-side rate limiting on top of the standard retry of throttling and transient errors, so a large
 * group's polling backs off instead of failing an experiment halfway.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { usageError } from '../core/errors.js';

export interface AwsConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  /** Total attempts per call, first try included (default 5). */
  maxAttempts?: number;
}

export interface AwsClients {
  ec2: EC2Client;
  asg: AutoScalingClient;
  elb: ElasticLoadBalancingV2Client;
  sts: STSClient;
  region: string;
  endpoint: string | undefined;
  destroy(): void;
}

export async function createClients(cfg: AwsConfig): Promise<AwsClients> {
  const base = {
    ...(cfg.region ? { region: cfg.region } : {}),
    ...(cfg.profile ? { profile: cfg.profile } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    retryMode: 'adaptive',
    maxAttempts: cfg.maxAttempts ?? 5,
  };
  const ec2 = new EC2Client(base);
  let region: string;
  try {
    region = await ec2.config.region();
  } catch {
    ec2.destroy();
    throw usageError('no AWS region configured', 'pass --region, set AWS_REGION, or set a region in your AWS profile');
  }
  const clients = {
    ec2,
    asg: new AutoScalingClient(base),
    elb: new ElasticLoadBalancingV2Client(base),
    sts: new STSClient(base),
  };
  return {
    ...clients,
    region,
    endpoint: cfg.endpoint ?? process.env.AWS_ENDPOINT_URL,
    destroy() {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}
