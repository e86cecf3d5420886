/**
 * Test certificates: a private CA and server certificates it signs, made with node-forge (keys from Node's
 * own generator, which is native and fast). Real PEM, verified by Node's real TLS stack in the tests.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(keyPem);
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e), keyPem };
}

let serial = 1;
function base(cn: string, days: number, from = new Date(Date.now() - 60_000)): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + days * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  return cert;
}

export class TestCa {
  private readonly key = keyPair();
  readonly cert: forge.pki.Certificate;
  readonly pem: string;

  constructor(name = 'chaos-ec2 test CA') {
    this.cert = base(name, 30);
    this.cert.publicKey = this.key.publicKey;
    this.cert.setIssuer(this.cert.subject.attributes);
    this.cert.setExtensions([
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true },
    ]);
    this.cert.sign(this.key.privateKey, forge.md.sha256.create());
    this.pem = forge.pki.certificateToPem(this.cert);
  }

  /** A server certificate for `names` (DNS names; IP addresses become IP SANs). */
  issue(names: string[], opts: { expired?: boolean } = {}): Pem {
    const k = keyPair();
    const cert = base(names[0] ?? 'server', 10, opts.expired ? new Date(Date.now() - 20 * 86_400_000) : undefined);
    cert.publicKey = k.publicKey;
    cert.setIssuer(this.cert.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ]);
    cert.sign(this.key.privateKey, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(cert), key: k.keyPem };
  }
}
