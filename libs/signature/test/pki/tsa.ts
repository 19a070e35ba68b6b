/** Local RFC 3161 time-stamping authority for tests: token builder and an optional HTTP server. */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { OID, children, content, decodeOid, generalizedTime, int, intBytes, octets, oid, readTlv, seq } from '../../src/sign/der';
import { DigestAlgorithm, buildSignedData, digest, digestAlgorithmId, schemeForKey, signingCertificateAttribute } from '../../src/sign/cms';
import { randomSerial } from './x509';

export interface TsaIdentity {
  certificate: Uint8Array;
  privateKey: crypto.KeyObject;
  /** certificates to embed in the token: TSA first, then issuers */
  chain: Uint8Array[];
}

export interface TimestampOptions {
  /** genTime (default: now) */
  time?: Date;
  hash?: DigestAlgorithm;
  nonce?: Uint8Array;
  policy?: string;
}

/** Builds a DER TimeStampToken (ContentInfo/SignedData over a TSTInfo) for `imprint`. */
export async function buildTimeStampToken(tsa: TsaIdentity, imprint: Uint8Array, opts: TimestampOptions = {}): Promise<Uint8Array> {
  const hash = opts.hash ?? 'SHA-256';
  const tstInfo = seq(
    int(1),
    oid(opts.policy ?? '1.3.6.1.4.1.99999.3161.1'),
    seq(digestAlgorithmId(hash), octets(imprint)),
    intBytes(randomSerial()),
    generalizedTime(opts.time ?? new Date()),
    seq(int(1)), // accuracy: 1 s
    ...(opts.nonce ? [intBytes(opts.nonce)] : []),
  );
  return buildSignedData({
    digestAlgorithm: 'SHA-256',
    scheme: schemeForKey(tsa.privateKey),
    privateKey: tsa.privateKey,
    signerCertificate: tsa.certificate,
    certificates: tsa.chain,
    eContentType: OID.tstInfo,
    eContent: tstInfo,
    messageDigest: digest('SHA-256', tstInfo),
    signedAttributes: [signingCertificateAttribute(tsa.certificate, 'SHA-256')],
  });
}

/** Minimal TSA over HTTP (POST application/timestamp-query), for tests of `tsaUrl`. */
export async function startTsaServer(tsa: TsaIdentity, opts: { time?: Date } = {}): Promise<{ url: string; requests: number; close: () => Promise<void> }> {
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      void (async () => {
        try {
          const body = new Uint8Array(Buffer.concat(chunks));
          // TimeStampReq ::= SEQUENCE { version, messageImprint, reqPolicy?, nonce?, certReq? }
          const top = children(body, readTlv(body, 0));
          const mi = children(body, top[1]);
          const alg = decodeOid(content(body, children(body, mi[0])[0]));
          const hash: DigestAlgorithm = alg === OID.sha1 ? 'SHA-1' : alg === OID.sha384 ? 'SHA-384' : alg === OID.sha512 ? 'SHA-512' : 'SHA-256';
          const nonceTlv = top.slice(2).find((t) => t.tag === 0x02);
          const token = await buildTimeStampToken(tsa, content(body, mi[1]), {
            hash,
            time: opts.time,
            nonce: nonceTlv ? content(body, nonceTlv) : undefined,
          });
          const resp = seq(seq(int(0)), token);
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' });
          res.end(Buffer.from(resp));
        } catch (e) {
          res.writeHead(400);
          res.end(String(e));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
