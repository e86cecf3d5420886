/**
 * Elastic Load Balancing v2 (awsQuery, 2015-12-01), Application Load Balancers only. Handlers validate
 * and change the World; the data plane behind ctx.dataplane serves listeners and runs health checks.
 * Split by resource: elbv2-load-balancers, -listeners, -rules (with -actions), -target-groups, -targets, -tags; -render holds the
 * XML shapes.
 */
import { LISTENER_HANDLERS } from './elbv2-listeners.js';
import { LOAD_BALANCER_HANDLERS } from './elbv2-load-balancers.js';
import { RULE_HANDLERS } from './elbv2-rules.js';
import { ELBV2_TAG_HANDLERS } from './elbv2-tags.js';
import { TARGET_GROUP_HANDLERS } from './elbv2-target-groups.js';
import { TARGET_HANDLERS } from './elbv2-targets.js';
import type { ServiceDef } from './router.js';

export const ELBV2_SERVICE: ServiceDef = {
  signingName: 'elasticloadbalancing',
  version: '2015-12-01',
  protocol: 'query',
  xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {
    ...LOAD_BALANCER_HANDLERS,
    ...LISTENER_HANDLERS,
    ...RULE_HANDLERS,
    ...TARGET_GROUP_HANDLERS,
    ...TARGET_HANDLERS,
    ...ELBV2_TAG_HANDLERS,
  },
};
