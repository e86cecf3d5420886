/**
 * Classic Load Balancer records (Elastic Load Balancing API version 2012-06-01). Plain data, like types.ts:
 * the classic API renders them, the classic data plane serves and health-checks them, and only
 * world/classic-state.ts changes instance health (so every change is a ground-truth event).
 *
 * Field names follow the 2012-06-01 API shapes (LoadBalancerDescription, ListenerDescription, HealthCheck,
 * InstanceState): https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_LoadBalancerDescription.html
 */

export interface ClassicListener {
  /** HTTP | HTTPS | TCP | SSL (the sandbox serves HTTP listeners; the others are stored and reported). */
  protocol: string;
  /** The port clients connect to. In the sandbox it is the proxy's real loopback port, as for ALB listeners. */
  loadBalancerPort: number;
  /** The port the sandbox was asked for (80 in most stacks), kept for the error messages. */
  requestedPort: number;
  instanceProtocol: string;
  instancePort: number;
}

/** HealthCheck (API_HealthCheck): Target is `PROTOCOL:PORT[/path]`; seconds and counts as AWS stores them. */
export interface ClassicHealthCheck {
  target: string;
  interval: number;
  timeout: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
}

/** InstanceState (API_InstanceState): State, ReasonCode and Description as DescribeInstanceHealth gives them. */
export type ClassicInstanceStateName = 'InService' | 'OutOfService' | 'Unknown';
export type ClassicReasonCode = 'ELB' | 'Instance' | 'N/A';

export interface ClassicInstanceHealth {
  instanceId: string;
  state: ClassicInstanceStateName;
  reasonCode: ClassicReasonCode;
  description: string;
  consecutiveOk: number;
  consecutiveFail: number;
  registeredAt: number;
}

export interface ClassicLoadBalancer {
  loadBalancerName: string;
  dnsName: string;
  canonicalHostedZoneNameId: string;
  createdTime: Date;
  scheme: 'internet-facing' | 'internal';
  vpcId: string;
  /** One node per subnet (one subnet per AZ), sorted by zone. */
  subnets: { subnetId: string; zoneName: string }[];
  securityGroups: string[];
  listeners: ClassicListener[];
  healthCheck: ClassicHealthCheck;
  /** Registered instances, in registration order. */
  instances: Map<string, ClassicInstanceHealth>;
}

/**
 * The Description strings AWS documents for InstanceState (API_InstanceState, "Description"):
 * https://docs.aws.amazon.com/elasticloadbalancing/2012-06-01/APIReference/API_InstanceState.html
 */
export const CLASSIC_DESCRIPTION = {
  inService: 'N/A',
  registering: 'Instance registration is still in progress.',
  notPassed: 'Instance has not passed the configured HealthyThreshold number of health checks consecutively.',
  failed: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.',
  notRegistered: 'Instance is not currently registered with the LoadBalancer.',
  pending: 'Instance is in pending state.',
  stopped: 'Instance is in stopped state.',
  terminated: 'Instance is in terminated state.',
} as const;
