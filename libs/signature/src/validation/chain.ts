/**
 * Certificate path building to CONFIGURED trust anchors only. An anchor is matched by name AND key:
 * either the certificate is the anchor (same subject and public key, any encoding), or the anchor's
 * subject is the certificate's issuer and the anchor's key verifies its signature. A certificate that
 * merely has the same subject name as an anchor (another PKI) is not trusted.
 */
import {
  Cert,
  bytesEqual,
  extKeyUsage,
  isCA,
  keyUsage,
  namesEqual,
  verifyCertSignature,
} from '../crypto/certificates';

export type Purpose = 'SIGNING' | 'TIMESTAMPING' | 'OCSP';

export interface ChainResult {
  /** TRUSTED: a path to an anchor exists and is structurally valid. */
  status: 'TRUSTED' | 'NO_CHAIN' | 'CHAIN_FAILURE';
  /** Leaf first; ends with the anchor when trusted (the best partial path otherwise). */
  chain: Cert[];
  anchor: Cert | null;
  problems: string[];
}

const MAX_DEPTH = 12;
const OID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';

const issuedBy = (c: Cert, issuer: Cert): boolean =>
  namesEqual(c.cert.issuer, c.issuerDer, issuer.cert.subject, issuer.subjectDer);

/** Same subject and same public key: the certificate stands for the anchor. */
export const sameEntity = (a: Cert, b: Cert): boolean =>
  bytesEqual(a.spki, b.spki) && namesEqual(a.cert.subject, a.subjectDer, b.cert.subject, b.subjectDer);

export function buildChain(leaf: Cert, pool: Cert[], anchors: Cert[], purpose: Purpose): ChainResult {
  const sigCache = new Map<string, boolean>();
  const signedBy = (c: Cert, i: Cert): boolean => {
    const k = `${c.sha256}:${i.sha256}`;
    let v = sigCache.get(k);
    if (v === undefined) {
      v = issuedBy(c, i) && verifyCertSignature(c, i);
      sigCache.set(k, v);
    }
    return v;
  };
  let best: Cert[] = [leaf];
  const found: Cert[][] = [];
  // Depth-first search; every path found is kept so that a structurally valid one can be preferred.
  const dfs = (path: Cert[]): void => {
    if (found.length >= 8) return;
    const c = path[path.length - 1];
    if (path.length > best.length) best = [...path];
    const asAnchor = anchors.find((a) => sameEntity(c, a));
    if (asAnchor) {
      found.push(path.slice(0, -1).concat(asAnchor));
      return;
    }
    for (const a of anchors) if (signedBy(c, a)) found.push([...path, a]);
    if (path.length >= MAX_DEPTH) return;
    for (const p of pool) {
      if (path.some((x) => x.sha256 === p.sha256 || sameEntity(x, p))) continue;
      if (signedBy(c, p)) dfs([...path, p]);
    }
  };
  dfs([leaf]);
  if (found.length === 0) {
    // Best effort for the report: follow issuer names even without verified signatures.
    const names = [...best];
    for (let i = 0; i < MAX_DEPTH; i++) {
      const c = names[names.length - 1];
      const next = pool.find((p) => !names.includes(p) && issuedBy(c, p));
      if (!next) break;
      names.push(next);
    }
    return { status: 'NO_CHAIN', chain: names, anchor: null, problems: ['no path to a configured trust anchor'] };
  }
  let firstFailure: ChainResult | null = null;
  for (const chain of found) {
    const problems = structuralProblems(chain, purpose);
    const res: ChainResult = { status: problems.length ? 'CHAIN_FAILURE' : 'TRUSTED', chain, anchor: chain[chain.length - 1], problems };
    if (!problems.length) return res;
    firstFailure ??= res;
  }
  return firstFailure!;
}

/** Basic constraints and key usage along the path (RFC 5280 §6.1.4, simplified). */
function structuralProblems(chain: Cert[], purpose: Purpose): string[] {
  const problems: string[] = [];
  const last = chain.length - 1; // the anchor: trusted as configured
  for (let i = 1; i < last; i++) {
    const c = chain[i];
    const ca = isCA(c);
    const v1 = c.cert.version < 2;
    if (!ca && !v1) problems.push(`certificate ${i} (${c.serialHex}) is not a CA (basicConstraints) but issued certificate ${i - 1}`);
    const ku = keyUsage(c);
    if (ku && !ku.has('keyCertSign')) problems.push(`certificate ${i} (${c.serialHex}) lacks keyCertSign`);
  }
  const leaf = chain[0];
  if (chain.length > 1 || last > 0) {
    const ku = keyUsage(leaf);
    if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation'))
      problems.push('signer certificate key usage allows neither digitalSignature nor nonRepudiation');
  }
  if (purpose === 'TIMESTAMPING') {
    const eku = extKeyUsage(leaf);
    if (!eku || !eku.includes(OID_KP_TIMESTAMPING)) problems.push('TSA certificate lacks extended key usage timeStamping');
  }
  return problems;
}

/** Certificates of the path (anchor excluded) not valid at `at`. */
export function validityProblems(chain: Cert[], at: Date, includeAnchor = false): { cert: Cert; expired: boolean }[] {
  const out: { cert: Cert; expired: boolean }[] = [];
  const n = includeAnchor ? chain.length : Math.max(1, chain.length - 1);
  for (let i = 0; i < n; i++) {
    const c = chain[i];
    if (at > c.cert.notAfter.value) out.push({ cert: c, expired: true });
    else if (at < c.cert.notBefore.value) out.push({ cert: c, expired: false });
  }
  return out;
}
