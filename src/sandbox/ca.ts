/**
 * A certificate authority generated per run for the loopback servers: a root, an
 * intermediate and leaf certificates on demand, all ECDSA P-256 with SHA-256, made with
 * @peculiar/x509 on WebCrypto (its default provider is Node's global `crypto`). Clients
 * trust the root through `trustedCaPem`, never by turning verification off. A second
 * `createTestCa()` gives an unrelated CA, whose certificates the first CA's clients
 * reject as untrusted.
 */

// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect
// metadata API; the import must run before the library loads.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/** A leaf certificate with its key, PEM-encoded. */
export interface IssuedCertificate {
  /** The leaf certificate alone. */
  certPem: string;
  /** The leaf's private key (PKCS #8). */
  keyPem: string;
  /** Leaf then intermediate: what a server sends. */
  chainPem: string;
  notBefore: Date;
  notAfter: Date;
}

export interface IssueOptions {
  notBefore?: Date;
  notAfter?: Date;
  /**
   * Put the names in the subject CN only and leave out the subjectAltName extension.
   * RFC 8461 section 3.3 (through RFC 6125) requires clients to reject such a certificate.
   */
  commonNameOnly?: boolean;
}

export interface TestCa {
  /** The root certificate, for clients' `trustedCaPem`. */
  certPem: string;
  /** Issues a server certificate for the DNS names, signed by the intermediate. */
  issue(names: string[], options?: IssueOptions): Promise<IssuedCertificate>;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

/** Creates a new root and intermediate. `name` goes into their subject CN. */
export async function createTestCa(name = "mta-sts-gitops test CA"): Promise<TestCa> {
  const now = Date.now();
  const rootKeys = await generateKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name} root`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    keys: rootKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });

  const intermediateKeys = await generateKeys();
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${name} intermediate`,
    issuer: root.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediatePem = intermediate.toString("pem");

  // One key pair and one authority key identifier serve every leaf: a key per leaf adds
  // cost (the benchmark issues about a thousand) and no test needs distinct keys.
  const leafKeys = await generateKeys();
  const leafKeyPem = await exportKeyPem(leafKeys.privateKey);
  // A parsed public key spares the generator an export of the CryptoKey per certificate.
  const leafPublicKey = await x509.PublicKey.create(leafKeys.publicKey);
  const leafKeyIdentifier = await x509.SubjectKeyIdentifierExtension.create(leafKeys.publicKey);
  const authorityKeyIdentifier = await x509.AuthorityKeyIdentifierExtension.create(
    intermediateKeys.publicKey,
  );

  return {
    certPem: root.toString("pem"),

    async issue(names, options = {}) {
      if (names.length === 0) {
        throw new Error("test CA: issue() needs at least one DNS name");
      }
      const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
      const notAfter = options.notAfter ?? new Date(Date.now() + 90 * DAY_MS);
      const extensions: x509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        leafKeyIdentifier,
        authorityKeyIdentifier,
      ];
      if (options.commonNameOnly !== true) {
        extensions.push(
          new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns", value }))),
        );
      }

      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: `CN=${names[0]}`,
        issuer: intermediate.subject,
        notBefore,
        notAfter,
        publicKey: leafPublicKey,
        signingKey: intermediateKeys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions,
      });

      const certPem = leaf.toString("pem");
      return {
        certPem,
        keyPem: leafKeyPem,
        chainPem: `${certPem}\n${intermediatePem}\n`,
        notBefore,
        notAfter,
      };
    },
  };
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
}

async function exportKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** Returns a random positive 16-byte serial number in hex (RFC 5280 allows up to 20 bytes). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}
