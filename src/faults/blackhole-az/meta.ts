import type { FaultMeta } from '../fault-meta.js';

export const meta: FaultMeta = {
  kind: 'blackhole-az',
  summary: "cut one Availability Zone's subnets off the network (a deny-all network ACL swapped in for --duration, then restored)",
  // The AZ is dark for a few seconds, then restored; the demo then waits for recovery.
  demoFlags: { duration: '5s' },
};
