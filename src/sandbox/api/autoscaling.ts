// STUB — replaced by the real handlers.
import type { ServiceDef } from './router.js';

export const AUTOSCALING_SERVICE: ServiceDef = {
  signingName: 'autoscaling',
  version: '2011-01-01',
  protocol: 'query',
  throttle: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  handlers: {},
};
