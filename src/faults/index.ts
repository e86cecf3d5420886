import { usageError } from '../core/errors.js';
import type { FaultKind } from '../experiment/types.js';
import { terminateInstancesFault } from './terminate-instances.js';
import type { Fault } from './types.js';

const FAULTS: Partial<Record<FaultKind, Fault>> = {
  'terminate-instances': terminateInstancesFault,
};

export function faultFor(kind: FaultKind): Fault {
  const f = FAULTS[kind];
  if (!f) throw usageError(`fault '${kind}' is not available yet`, 'use --fault terminate-instances');
  return f;
}
