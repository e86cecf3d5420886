// STUB — replaced by the real Auto Scaling reconciler.
import type { AutoScalingApi, SandboxContext } from './context.js';
import type { ScalingActivity } from './world/types.js';

export class Reconciler implements AutoScalingApi {
  constructor(readonly ctx: SandboxContext) {}
  start(): void {}
  stop(): void {}
  nudge(): void {}
  terminateInGroup(_instanceId: string, _dec: boolean): ScalingActivity {
    throw new Error('not implemented');
  }
}
