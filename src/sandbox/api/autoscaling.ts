/**
 * Auto Scaling (awsQuery, 2011-01-01). Handlers validate requests and change the World; the reconciler
 * behind ctx.autoscaling does the launching, replacing and registering. Split by concern:
 * autoscaling-groups (group CRUD), -instances (members, activities), -traffic (processes, target groups),
 * -tags, -hooks (lifecycle hooks), -warm-pool; -render holds the XML shapes.
 */
import { CLASSIC_ASG_HANDLERS } from './classic-autoscaling.js';
import { GROUP_HANDLERS } from './autoscaling-groups.js';
import { HOOK_HANDLERS } from './autoscaling-hooks.js';
import { INSTANCE_HANDLERS } from './autoscaling-instances.js';
import { TAG_HANDLERS } from './autoscaling-tags.js';
import { TRAFFIC_HANDLERS } from './autoscaling-traffic.js';
import { WARM_POOL_HANDLERS } from './autoscaling-warm-pool.js';
import type { ServiceDef } from './router.js';

export const AUTOSCALING_SERVICE: ServiceDef = {
  signingName: 'autoscaling',
  version: '2011-01-01',
  protocol: 'query',
  xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: { ...GROUP_HANDLERS, ...INSTANCE_HANDLERS, ...TRAFFIC_HANDLERS, ...CLASSIC_ASG_HANDLERS, ...TAG_HANDLERS, ...HOOK_HANDLERS, ...WARM_POOL_HANDLERS },
};
