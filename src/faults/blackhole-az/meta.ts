import { boolean, type OptionDef } from '../../core/options.js';
import { AZ, DURATION } from '../options.js';
import type { FaultMeta } from '../fault-meta.js';

const INCLUDE_LB_SUBNETS: OptionDef<boolean> = {
  name: 'includeLbSubnets',
  flag: '--include-lb-subnets',
  parser: boolean(),
  default: false,
  help: "also cut off the load balancer's subnets in the AZ (a full-AZ outage)",
  file: { section: 'fault' },
};

const ALLOW_SHARED_SUBNETS: OptionDef<boolean> = {
  name: 'allowSharedSubnets',
  flag: '--allow-shared-subnets',
  parser: boolean(),
  default: false,
  help: "go ahead although network interfaces that are not the group's (other groups, databases, NAT gateways) share the target subnets and would be cut off too",
  file: { section: 'fault' },
};

export const meta: FaultMeta = {
  kind: 'blackhole-az',
  summary: "cut one Availability Zone's subnets off the network (a deny-all network ACL swapped in for --duration, then restored)",
  // The AZ is dark for a few seconds, then restored; the demo then waits for recovery.
  demoFlags: { duration: '5s' },
  options: [
    { def: AZ, help: "the AZ to cut off (default: random among the group's AZs, seeded)" },
    { def: DURATION, help: 'how long the AZ stays cut off before it is restored' },
    { def: INCLUDE_LB_SUBNETS },
    { def: ALLOW_SHARED_SUBNETS },
  ],
};
