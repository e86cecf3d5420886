/**
 * The sandbox world's ELBv2 listeners: their actions (forward, weighted forward, redirect, fixed-response,
 * authenticate), listener rules and conditions, and the certificates HTTPS/TLS listeners serve.
 */
/**
 * A listener or rule action (ELBv2 API Reference, "Action"). A forward keeps its groups as ForwardConfig
 * does (weights 0–999); `targetGroupArn` is set when it was given as the plain TargetGroupArn form, which
 * DescribeListeners/DescribeRules then echo beside ForwardConfig.
 */
export type ListenerAction =
  | { type: 'forward'; order?: number; targetGroupArn?: string; targetGroups: { targetGroupArn: string; weight: number }[]; stickiness?: { enabled: boolean; durationSeconds?: number } }
  | { type: 'redirect'; order?: number; redirect: RedirectConfig }
  | { type: 'fixed-response'; order?: number; fixedResponse: { statusCode: string; contentType?: string; messageBody?: string } }
  | { type: 'authenticate-oidc' | 'authenticate-cognito'; order?: number; authenticate: AuthenticateConfig };

/**
 * AuthenticateOidcConfig / AuthenticateCognitoConfig, as given (`fields`: the element name → value, e.g.
 * Issuer, AuthorizationEndpoint, UserPoolDomain; ClientSecret is kept but never shown back, as AWS does).
 */
export interface AuthenticateConfig {
  fields: Record<string, string>;
  extraParams: Record<string, string>;
  onUnauthenticatedRequest: 'deny' | 'allow' | 'authenticate';
  sessionCookieName: string;
}

/** RedirectConfig; absent parts keep the request's own (`#{protocol}`, `#{host}`, `#{port}`, `/#{path}`, `#{query}`). */
export interface RedirectConfig {
  protocol: string;
  port: string;
  host: string;
  path: string;
  query: string;
  statusCode: 'HTTP_301' | 'HTTP_302';
}

export type RuleConditionField = 'host-header' | 'path-pattern' | 'http-header' | 'query-string' | 'http-request-method' | 'source-ip';

/**
 * A rule condition (ELBv2 API Reference, "RuleCondition"). `values` holds the strings matched (for
 * query-string: the `key=value` pairs as `{ key?, value }` in `queryPairs` instead); `legacyValues` records
 * that the condition came in the old `Values` form (host-header/path-pattern), which AWS echoes back.
 */
export interface RuleCondition {
  field: RuleConditionField;
  values: string[];
  httpHeaderName?: string;
  queryPairs?: { key?: string; value: string }[];
  legacyValues?: boolean;
}

/** A listener rule; the default rule is not stored here but derived from the listener's default actions. */
export interface ListenerRule {
  ruleArn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: ListenerAction[];
}

/**
 * A server certificate the sandbox holds for HTTPS listeners, as ACM would (the sandbox has no ACM API: its
 * CA issues these, see tls/). The ARN has ACM's shape; CreateListener takes it in Certificates.
 */
export interface SandboxCertificate {
  certificateArn: string;
  domainName: string;
  certPem: string;
  keyPem: string;
}

export interface Listener {
  listenerArn: string;
  loadBalancerArn: string;
  port: number;
  /** HTTP/HTTPS on an Application Load Balancer; TCP/TLS/UDP/TCP_UDP on a Network Load Balancer. */
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP';
  defaultActions: ListenerAction[];
  /** ARN of the listener's default rule (DescribeRules lists it last, Priority 'default', IsDefault true). */
  defaultRuleArn: string;
  /** HTTPS: the default certificate first, then any others the listener offers by SNI. */
  certificateArns?: string[];
  sslPolicy?: string;
}
