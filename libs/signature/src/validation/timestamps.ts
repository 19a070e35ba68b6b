/**
 * RFC 3161 timestamp tokens: signature timestamps (unsigned attribute over the signature value) and
 * document timestamps (ETSI.RFC3161 over the /ByteRange). A token is usable as proof of existence
 * only if its imprint and signature verify and its TSA chains to a configured anchor.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DigestInfo, digestByOid, hashBytes } from '../crypto/algorithms';
import { Cert, bytesEqual, certInfo } from '../crypto/certificates';
import { CmsError, OID_TST_INFO, ParsedCms, checkSignerInfo, findSignerCert, parseCms } from '../cms/cms';
import { TimestampInfo } from '../report';
import { ChainResult, buildChain, validityProblems } from './chain';

export interface TimestampCheck {
  info: TimestampInfo;
  genTime: Date | null;
  chain: ChainResult | null;
  signer: Cert | null;
  /** Usable as proof of existence (imprint, signature, trusted TSA valid at genTime). */
  usable: boolean;
  problems: string[];
  imprintAlgorithm: string | null;
}

export function parseTstInfo(p: ParsedCms): pkijs.TSTInfo {
  if (p.eContentType !== OID_TST_INFO || !p.eContent) throw new CmsError('not a timestamp token (no TSTInfo)');
  const asn = asn1js.fromBER(p.eContent);
  if (asn.offset === -1) throw new CmsError('TSTInfo is not valid DER');
  try {
    return new pkijs.TSTInfo({ schema: asn.result });
  } catch (e) {
    throw new CmsError(`bad TSTInfo: ${(e as Error).message}`);
  }
}

/** Verifies a token; `digestOf` gives the digest of the timestamped data. Never throws. */
export function checkTimestamp(
  token: Uint8Array | ParsedCms,
  digestOf: (alg: DigestInfo) => Uint8Array,
  anchors: Cert[],
  extraCerts: Cert[],
): TimestampCheck {
  const problems: string[] = [];
  const res: TimestampCheck = {
    info: { time: '', imprintValid: false, signatureValid: false, trusted: false },
    genTime: null,
    chain: null,
    signer: null,
    usable: false,
    problems,
    imprintAlgorithm: null,
  };
  try {
    const p = token instanceof Uint8Array ? parseCms(token) : token;
    const tst = parseTstInfo(p);
    res.genTime = tst.genTime;
    res.info.time = tst.genTime.toISOString();
    const ialg = digestByOid(tst.messageImprint.hashAlgorithm.algorithmId);
    res.imprintAlgorithm = ialg?.name ?? tst.messageImprint.hashAlgorithm.algorithmId;
    if (!ialg) problems.push('unsupported imprint hash algorithm');
    else {
      res.info.imprintValid = bytesEqual(digestOf(ialg), new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView));
      if (!res.info.imprintValid) problems.push('message imprint does not match');
    }
    const signer = findSignerCert(p, extraCerts);
    res.signer = signer;
    if (!signer) problems.push('TSA certificate not found');
    else {
      res.info.tsa = certInfo(signer);
      if (!p.digest) problems.push('unsupported digest algorithm');
      else {
        const chk = checkSignerInfo(p, signer, hashBytes(p.digest, p.eContent!), () => [p.eContent!]);
        res.info.signatureValid = chk.digestOk && chk.signature === 'VALID' && chk.essOk !== false;
        if (!res.info.signatureValid) problems.push(`token signature ${chk.digestOk ? chk.signature.toLowerCase() : 'digest mismatch'}`);
      }
      const chain = buildChain(signer, [...p.certs, ...extraCerts], anchors, 'TIMESTAMPING');
      res.chain = chain;
      res.info.trusted = chain.status === 'TRUSTED';
      if (!res.info.trusted) problems.push(`TSA not trusted: ${chain.problems.join('; ')}`);
      else if (validityProblems(chain.chain, tst.genTime).length) {
        res.info.trusted = false;
        problems.push('TSA certificate not valid at the timestamp time');
      }
    }
  } catch (e) {
    problems.push(e instanceof CmsError ? e.message : `timestamp unreadable: ${(e as Error).message}`);
  }
  res.usable = res.info.imprintValid && res.info.signatureValid && res.info.trusted;
  return res;
}
