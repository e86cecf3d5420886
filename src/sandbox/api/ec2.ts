// STUB — replaced by the real handlers.
import type { ServiceDef } from './router.js';

export const EC2_SERVICE: ServiceDef = {
  signingName: 'ec2',
  version: '2016-11-15',
  protocol: 'query',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {},
};
