// STUB — replaced by the real handlers.
import type { ServiceDef } from './router.js';

export const ELBV2_SERVICE: ServiceDef = {
  signingName: 'elasticloadbalancing',
  version: '2015-12-01',
  protocol: 'query',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {},
};
