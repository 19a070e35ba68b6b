/** Signer key loading from PKCS#12 or PEM; the chain is reordered signer-first. */
import * as crypto from 'node:crypto';
import * as forge from 'node-forge';

export interface SignerKey {
  /** DER certificates, signer first, then its issuers in order */
  certificateChain: Uint8Array[];
  privateKey: crypto.KeyObject;
}

export type SignerKeyInput =
  | { pkcs12: Uint8Array; password: string }
  | { keyPem: string; certPem: string /* may hold the chain */; keyPassword?: string };

const binary = (b: Uint8Array): string => Buffer.from(b).toString('binary');
const fromBinary = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'binary'));

export function pemCertificates(pem: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
  return out;
}

export function loadSignerKey(input: SignerKeyInput): SignerKey {
  let privateKey: crypto.KeyObject | undefined;
  let certs: Uint8Array[] = [];
  if ('pkcs12' in input) {
    const asn1 = forge.asn1.fromDer(binary(input.pkcs12));
    const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, input.password);
    for (const sc of p12.safeContents) {
      for (const bag of sc.safeBags) {
        if (bag.type === forge.pki.oids.certBag) {
          const a = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: forge.asn1.Asn1 }).asn1;
          if (a) certs.push(fromBinary(forge.asn1.toDer(a).getBytes()));
        } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
          if (privateKey) continue;
          if (bag.key) {
            privateKey = crypto.createPrivateKey(forge.pki.privateKeyToPem(bag.key));
          } else {
            // forge parses RSA only; EC (and other) PrivateKeyInfo comes back as ASN.1.
            const a = (bag as { asn1?: forge.asn1.Asn1 }).asn1;
            if (a) privateKey = crypto.createPrivateKey({ key: Buffer.from(forge.asn1.toDer(a).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
          }
        }
      }
    }
  } else {
    privateKey = crypto.createPrivateKey(input.keyPassword ? { key: input.keyPem, passphrase: input.keyPassword } : input.keyPem);
    certs = pemCertificates(input.certPem);
  }
  if (!privateKey) throw new Error('signer key: no private key found');
  if (certs.length === 0) throw new Error('signer key: no certificate found');
  return { privateKey, certificateChain: orderChain(certs, privateKey) };
}

/** Signer (the certificate matching the key) first, then each issuer; unrelated certificates dropped. */
export function orderChain(certs: Uint8Array[], privateKey: crypto.KeyObject): Uint8Array[] {
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const parsed = certs.map((der) => ({ der, x: new crypto.X509Certificate(Buffer.from(der)) }));
  const leaf = parsed.find((c) => Buffer.compare(c.x.publicKey.export({ type: 'spki', format: 'der' }), spki) === 0);
  if (!leaf) throw new Error('signer key: no certificate matches the private key');
  const chain = [leaf];
  const used = new Set([leaf]);
  for (;;) {
    const last = chain[chain.length - 1].x;
    if (last.checkIssued(last)) break; // self-signed root
    const issuer = parsed.find((c) => !used.has(c) && last.checkIssued(c.x) && last.verify(c.x.publicKey));
    if (!issuer) break;
    chain.push(issuer);
    used.add(issuer);
  }
  return chain.map((c) => c.der);
}
