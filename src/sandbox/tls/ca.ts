/**
 * The sandbox's private certificate authority: it stands in for ACM (which would issue a certificate for
 * the service's own domain, e.g. `shop.example.test`, and which the sandbox does not model). Keys come
 * from node:crypto (fast, native); certificates are built and signed with node-forge, a well-kept X.509
 * library. The CA certificate is written to a file in a fresh temp folder so a client can trust it
 * (`--ca-cert FILE`, NODE_EXTRA_CA_CERTS, curl --cacert); the sandbox removes the folder when it stops.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const { pki, md } = forge;

interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  privatePem: string;
}

async function rsaKeyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { publicKey: pki.publicKeyFromPem(publicKey), privateKey: pki.privateKeyFromPem(privateKey), privatePem: privateKey };
}

/** A positive serial number (the top bit clear), 16 random bytes as X.509 allows up to 20. */
function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  // A little in the past, so a client whose clock is slightly behind still accepts it.
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
}

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export class SandboxCa {
  private constructor(
    readonly dir: string,
    readonly caCertFile: string,
    readonly caCertPem: string,
    private readonly cert: forge.pki.Certificate,
    private readonly key: forge.pki.rsa.PrivateKey,
  ) {}

  static async create(name = 'chaos-ec2 sandbox CA'): Promise<SandboxCa> {
    const keys = await rsaKeyPair();
    const cert = pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = serial();
    validity(cert, 30);
    const subject = [
      { name: 'commonName', value: name },
      { name: 'organizationName', value: 'chaos-ec2 sandbox' },
    ];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }]);
    cert.sign(keys.privateKey, md.sha256.create());
    const caCertPem = pki.certificateToPem(cert);
    const dir = await mkdtemp(join(tmpdir(), 'chaos-sandbox-ca-'));
    const caCertFile = join(dir, 'sandbox-ca.pem');
    await writeFile(caCertFile, caCertPem, { mode: 0o644 });
    return new SandboxCa(dir, caCertFile, caCertPem, cert, keys.privateKey);
  }

  /** A server certificate for `domain` (SAN DNS name; `*.example.test` style wildcards allowed), signed by the CA. */
  async issue(domain: string): Promise<IssuedCertificate> {
    const keys = await rsaKeyPair();
    const cert = pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = serial();
    validity(cert, 13);
    cert.setSubject([{ name: 'commonName', value: domain }]);
    cert.setIssuer(this.cert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: domain }] },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.cert.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.key, md.sha256.create());
    return { certPem: pki.certificateToPem(cert) + this.caCertPem, keyPem: keys.privatePem };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
