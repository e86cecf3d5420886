/**
 * Loopback addresses for load balancer nodes. Each ALB node answers on its own IP, as on AWS, where the
 * load balancer's DNS name resolves to one address per enabled AZ ("Availability Zones and load balancer
 * nodes", ELB user guide: https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html).
 * Linux routes all of 127.0.0.0/8 to the loopback interface, so 127.x.y.z can be bound without privileges.
 *
 * Several sandboxes run in one test process and test files run in parallel processes: each allocator takes
 * /24 blocks from a process-wide counter that starts at a random block, so two sandboxes never share an
 * address within a process and rarely across processes (the data plane retries a port clash anyway).
 * 127.0.x.y is never used: 127.0.0.1 is everyone's, and Debian maps the host name to 127.0.1.1.
 */
import { randomInt } from 'node:crypto';

/** Blocks 127.a.b.0/24 with a in 1..254 and b in 0..255. */
const BLOCKS = 254 * 256;
let nextBlock = randomInt(BLOCKS);

function takeBlock(): number {
  const b = nextBlock;
  nextBlock = (nextBlock + 1) % BLOCKS;
  return b;
}

export class LoopbackAllocator {
  private block: number | undefined;
  private host = 0;

  /** The next free address (.1 to .254 of the current block, then a new block). */
  next(): string {
    if (this.block === undefined || this.host >= 254) {
      this.block = takeBlock();
      this.host = 0;
    }
    this.host++;
    return `127.${1 + Math.floor(this.block / 256)}.${this.block % 256}.${this.host}`;
  }
}
