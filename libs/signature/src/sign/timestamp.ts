/** RFC 3161 client side: build a TimeStampReq, POST it, pull the token out of the response. */
import * as crypto from 'node:crypto';
import { Tlv, bool, children, compareBytes, content, decodeOid, int, intBytes, octets, readTlv, raw, seq } from './der';
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
    const nonce = crypto.randomBytes(8);
    const req = buildTimeStampRequest(imprint, 'SHA-256', nonce);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', Accept: 'application/timestamp-reply' },
      body: req,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`timestamp: TSA answered HTTP ${res.status}`);
    const token = extractTimeStampToken(new Uint8Array(await res.arrayBuffer()));
    checkTokenMatches(token, imprint, nonce);
    return token;
  };
}

/**
 * Message imprint and nonce of a TimeStampToken, read without verifying it (the verifier does
 * that); used to refuse a token that answers another request. Null when the token can't be read.
 */
export function tokenImprint(token: Uint8Array): { hashedMessage: Uint8Array; nonce: Uint8Array | null } | null {
  try {
    const ci = children(token, readTlv(token, 0));
    const sd = children(token, children(token, ci[1])[0]);
    const encap = children(token, sd[2]);
    const eContent = children(token, encap[1])[0];
    // eContent OCTET STRING may be BER-constructed: concatenate its segments.
    const parts: Uint8Array[] = eContent.tag === 0x24 ? children(token, eContent).map((t: Tlv) => content(token, t)) : [content(token, eContent)];
    const tst = Buffer.concat(parts);
    const f = children(tst, readTlv(tst, 0));
    const mi = children(tst, f[2]);
    const afterGenTime = f.slice(5);
    const nonce = afterGenTime.find((t) => t.tag === 0x02);
    return { hashedMessage: new Uint8Array(content(tst, mi[1])), nonce: nonce ? new Uint8Array(content(tst, nonce)) : null };
  } catch {
    return null;
  }
}

/** Throws when the token is readable but stamps something else (or echoes another nonce). */
export function checkTokenMatches(token: Uint8Array, imprint: Uint8Array, nonce?: Uint8Array): void {
  const got = tokenImprint(token);
  if (!got) return;
  if (compareBytes(got.hashedMessage, imprint) !== 0) throw new Error('timestamp: the token stamps a different imprint');
  if (nonce && got.nonce && compareBytes(stripZeros(got.nonce), stripZeros(nonce)) !== 0) throw new Error('timestamp: nonce mismatch');
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}
