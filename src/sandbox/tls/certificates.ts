/**
 * Where HTTPS listeners' certificates come from: the sandbox's stand-in for ACM. `issue(domain)` has the
 * sandbox CA (created on first use) sign a certificate and records it in the World under an ACM-shaped ARN,
 * which CreateListener then takes in `Certificates`, exactly as with a real ACM certificate.
 */
import { randomUUID } from 'node:crypto';
import type { World } from '../world/world.js';
import { SandboxCa } from './ca.js';

export class CertificateStore {
  private ca: Promise<SandboxCa> | undefined;
  private caFile: string | undefined;

  constructor(private readonly world: World) {}

  /** Issues a certificate for `domain` and returns its ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>). */
  async issue(domain: string): Promise<string> {
    this.ca ??= SandboxCa.create();
    const ca = await this.ca;
    this.caFile = ca.caCertFile;
    const { certPem, keyPem } = await ca.issue(domain);
    const certificateArn = `arn:aws:acm:${this.world.region}:${this.world.accountId}:certificate/${randomUUID()}`;
    this.world.certificates.set(certificateArn, { certificateArn, domainName: domain, certPem, keyPem });
    return certificateArn;
  }

  /** The CA certificate's file (PEM) once a certificate was issued; removed by close(). */
  get caCertFile(): string | undefined {
    return this.caFile;
  }

  async close(): Promise<void> {
    const ca = this.ca;
    this.ca = undefined;
    this.caFile = undefined;
    if (ca) await (await ca).remove();
  }
}
