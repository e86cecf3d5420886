// STUB — replaced by the real data plane.
import type { DataPlaneApi, SandboxContext } from '../context.js';
import type { Listener } from '../world/types.js';

export class DataPlane implements DataPlaneApi {
  constructor(readonly ctx: SandboxContext) {}
  start(): void {}
  async stop(): Promise<void> {}
  async openListener(_listener: Listener): Promise<number> {
    return 0;
  }
  async closeListener(_arn: string): Promise<void> {}
}
