/**
 * EC2 (ec2 query protocol, 2016-11-15): the service definition. Handlers live by concern in ec2-*.ts;
 * EC2 throttles with RequestLimitExceeded / HTTP 503 (not the Throttling / 400 of the awsQuery services).
 */
import { INSTANCE_STATE_HANDLERS } from './ec2-instance-state.js';
import { INSTANCE_HANDLERS } from './ec2-instances.js';
import { LAUNCH_TEMPLATE_HANDLERS } from './ec2-launch-templates.js';
import { NACL_HANDLERS } from './ec2-nacls.js';
import { NETWORK_HANDLERS } from './ec2-network.js';
import { NETWORK_INTERFACE_HANDLERS } from './ec2-network-interfaces.js';
import { TAG_HANDLERS } from './ec2-tags.js';
import type { ServiceDef } from './router.js';

export const EC2_SERVICE: ServiceDef = {
  signingName: 'ec2',
  version: '2016-11-15',
  protocol: 'ec2',
  throttle: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  handlers: {
    ...INSTANCE_HANDLERS,
    ...INSTANCE_STATE_HANDLERS,
    ...NETWORK_HANDLERS,
    ...NETWORK_INTERFACE_HANDLERS,
    ...NACL_HANDLERS,
    ...TAG_HANDLERS,
    ...LAUNCH_TEMPLATE_HANDLERS,
  },
};
