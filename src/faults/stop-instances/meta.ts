import { DURATION, INSTANCE_SELECTION } from '../options.js';
import type { FaultMeta } from '../fault-meta.js';

export const meta: FaultMeta = {
  kind: 'stop-instances',
  summary: 'stop random healthy instances of the group (EC2 StopInstances); Auto Scaling must replace them; victims still stopped after --duration are started',
  demoFlags: { count: '1', duration: '5s' },
  options: [...INSTANCE_SELECTION, { def: DURATION, help: 'how long before still-stopped victims are started' }],
};
