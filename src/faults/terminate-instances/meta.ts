import { INSTANCE_SELECTION } from '../options.js';
import type { FaultMeta } from '../fault-meta.js';

export const meta: FaultMeta = {
  kind: 'terminate-instances',
  summary: 'terminate random healthy instances of the group (EC2 TerminateInstances); Auto Scaling must replace them',
  demoFlags: { count: '1' },
  options: INSTANCE_SELECTION,
};
