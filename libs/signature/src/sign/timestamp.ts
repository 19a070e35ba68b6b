/** RFC 3161 client side: build a TimeStampReq, POST it, pull the token out of the response. */
import * as crypto from 'node:crypto';
import { bool, children, content, decodeOid, int, intBytes, octets, readTlv, raw, seq } from './der';
import { DigestAlgorithm, digestAlgorithmId } from './cms';

/** A token provider receives the message imprint (hash of the CMS signature value) and returns a
 * DER TimeStampToken (ContentInfo); a whole TimeStampResp is accepted too. */
export type TimestampProvider = (imprint: Uint8Array) => Promise<Uint8Array>;

export function buildTimeStampRequest(imprint: Uint8Array, hash: DigestAlgorithm = 'SHA-256', nonce?: Uint8Array): Uint8Array {
  return seq(int(1), seq(digestAlgorithmId(hash), octets(imprint)), ...(nonce ? [intBytes(nonce)] : []), bool(true));
}

/**
 * Accepts a TimeStampResp or a bare TimeStampToken; returns the token. Throws when the TSA refused
 * (PKIStatus other than granted / grantedWithMods).
 */
export function extractTimeStampToken(der: Uint8Array): Uint8Array {
  const top = readTlv(der, 0);
  const kids = children(der, top);
  if (kids.length === 0) throw new Error('timestamp: empty structure');
  if (kids[0].tag === 0x06) {
    if (decodeOid(content(der, kids[0])) !== '1.2.840.113549.1.7.2') throw new Error('timestamp: token is not SignedData');
    return der.slice(top.start, top.end);
  }
  // TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken OPTIONAL }
  const statusInfo = children(der, kids[0]);
  const status = content(der, statusInfo[0]);
  const code = status.length ? status[status.length - 1] : 255;
  if (code !== 0 && code !== 1) throw new Error(`timestamp: TSA refused the request (PKIStatus ${code})`);
  if (!kids[1]) throw new Error('timestamp: response carries no token');
  return raw(der, kids[1]).slice();
}

/** Provider that POSTs to an RFC 3161 TSA over HTTP(S) (Node 20 global fetch). */
export function httpTimestampProvider(url: string, timeoutMs = 15000): TimestampProvider {
  return async (imprint) => {
    const req = buildTimeStampRequest(imprint, 'SHA-256', crypto.randomBytes(8));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: req,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`timestamp: TSA answered HTTP ${res.status}`);
    return extractTimeStampToken(new Uint8Array(await res.arrayBuffer()));
  };
}
