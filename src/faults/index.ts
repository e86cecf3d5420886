import type { FaultKind } from '../experiment/types.js';
import { blackholeAzFault } from './blackhole-az.js';
import { terminateInstancesFault } from './terminate-instances.js';
import type { Fault } from './types.js';

const FAULTS: Record<FaultKind, Fault> = {
  'terminate-instances': terminateInstancesFault,
  'blackhole-az': blackholeAzFault,
};

export function faultFor(kind: FaultKind): Fault {
  return FAULTS[kind];
}
