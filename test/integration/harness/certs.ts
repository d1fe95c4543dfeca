/**
 * Certificates for the test registries: one CA the tests trust, and leaves that produce each TLS
 * failure a real client sees. ECDSA P-256 keeps generation fast (a few ms per key).
 */
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate with its key, as PEM, and where both were written. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
  certPath: string;
  keyPath: string;
}

/** Which certificate a TLS server presents. Each one but `valid` makes a trusting client fail differently. */
export type LeafKind = 'valid' | 'expiring' | 'expired' | 'wrong-host' | 'unknown-ca';

export interface TestCertificates {
  /** Directory holding every PEM below. */
  dir: string;
  /** The CA the tests trust: pass `ca.certPem` as `caCertificates`. */
  ca: CertKeyPair;
  /** Leaves, by kind; all but `unknown-ca` are signed by `ca`. */
  leaves: Record<LeafKind, CertKeyPair>;
  /** Deletes `dir`. */
  remove(): Promise<void>;
}

interface Issuer {
  name: string;
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

/** Generates the CA and one leaf of each kind into a new temporary directory. */
export async function createTestCertificates(dir?: string): Promise<TestCertificates> {
  const target = dir ?? (await mkdtemp(join(tmpdir(), 'canary-certs-')));
  await mkdir(target, { recursive: true });
  const ca = await createCa('CN=registry-canary test CA');
  const strangerCa = await createCa('CN=registry-canary unknown CA');
  const now = Date.now();
  const loopback = { dns: ['localhost'], ips: ['127.0.0.1'] };

  const leaves: Record<LeafKind, x509.X509Certificate & { keys: CryptoKeyPair }> = {
    valid: await createLeaf(
      ca,
      'CN=127.0.0.1',
      loopback,
      new Date(now - DAY_MS),
      new Date(now + 365 * DAY_MS),
    ),
    // Valid, but only for 5 more days: a CERT_EXPIRING warning, not a failure.
    expiring: await createLeaf(
      ca,
      'CN=127.0.0.1',
      loopback,
      new Date(now - 30 * DAY_MS),
      new Date(now + 5 * DAY_MS),
    ),
    // Expired yesterday, issued by the trusted CA: the only thing wrong with it is the date.
    expired: await createLeaf(
      ca,
      'CN=127.0.0.1',
      loopback,
      new Date(now - 30 * DAY_MS),
      new Date(now - DAY_MS),
    ),
    // Trusted and current, but for a name the tests never connect to.
    'wrong-host': await createLeaf(
      ca,
      'CN=registry.wrong.example',
      { dns: ['registry.wrong.example'], ips: [] },
      new Date(now - DAY_MS),
      new Date(now + 365 * DAY_MS),
    ),
    // Right name and dates, but signed by a CA the client was never given.
    'unknown-ca': await createLeaf(
      strangerCa,
      'CN=127.0.0.1',
      loopback,
      new Date(now - DAY_MS),
      new Date(now + 365 * DAY_MS),
    ),
  };

  const written = {} as Record<LeafKind, CertKeyPair>;
  for (const [kind, leaf] of Object.entries(leaves) as [LeafKind, (typeof leaves)[LeafKind]][]) {
    written[kind] = await writePair(target, `leaf-${kind}`, leaf, leaf.keys.privateKey);
  }
  return {
    dir: target,
    ca: await writePair(target, 'ca', ca.cert, ca.keys.privateKey),
    leaves: written,
    remove: () => rm(target, { recursive: true, force: true }),
  };
}

/** An ECDSA P-256 key pair, extractable so it can be written as PEM. */
export type { CryptoKeyPair };

export async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A PKCS#8 PEM of a private key. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** A self-signed certificate for `name`, e.g. the token server's signing certificate. */
export async function createSelfSigned(name: string, keys: CryptoKeyPair): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 365 * DAY_MS),
  });
}

async function createCa(name: string): Promise<Issuer> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: ALGORITHM,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { name, keys, cert };
}

async function createLeaf(
  issuer: Issuer,
  subject: string,
  names: { dns: string[]; ips: string[] },
  notBefore: Date,
  notAfter: Date,
): Promise<x509.X509Certificate & { keys: CryptoKeyPair }> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: issuer.name,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
    ],
  });
  return Object.assign(cert, { keys });
}

async function writePair(
  dir: string,
  name: string,
  cert: x509.X509Certificate,
  key: CryptoKey,
): Promise<CertKeyPair> {
  const certPem = cert.toString('pem');
  const keyPem = await privateKeyPem(key);
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  await writeFile(certPath, `${certPem}\n`);
  await writeFile(keyPath, `${keyPem}\n`, { mode: 0o600 });
  return { certPem, keyPem, certPath, keyPath };
}
