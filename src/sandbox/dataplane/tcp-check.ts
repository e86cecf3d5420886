/**
 * A TCP health check, as Network Load Balancers run them for HealthCheckProtocol TCP: the target passes when
 * the connection opens within HealthCheckTimeoutSeconds; nothing is sent ("Health checks for Network Load
 * Balancer target groups": https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
 */
import { connect } from 'node:net';

export type TcpCheckOutcome = { ok: true } | { ok: false; reason: 'Target.Timeout' | 'Target.FailedHealthChecks' };

export function tcpCheck(port: number, timeoutMs: number): Promise<TcpCheckOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (outcome: TcpCheckOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: 'Target.Timeout' }));
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks' }));
  });
}
