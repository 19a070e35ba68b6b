/**
 * verifyPdf: every signature and document timestamp of a PDF, in revision order, judged strictly.
 * The verdict of a signature is the first failing check in SIGNATURE_VERDICTS order. Never throws.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { DigestInfo, describeSignatureAlg, digestByOid, hashBytes, publicKey } from './crypto/algorithms';
import { Cert, certInfo, nameAttr, nameToString, parseCert, parseCertificates, splitPem } from './crypto/certificates';
import { CmsError, ParsedCms, checkSignerInfo, findSignerCert, parseCms } from './cms/cms';
import { msg } from './messages';
import { PdfDocument, XrefState } from './pdf/document';
import { readDss } from './pdf/dss';
import { PdfDict, PdfString, dictOf, isString, textOf } from './pdf/objects';
import { ByteSource, bufferSource, fileSource } from './pdf/source';
import { FoundSignature, docMdpPermission, fieldMdpLocks, findSignatures } from './pdf/signatures';
import {
  DocumentReport,
  Indication,
  LocalizedMessage,
  RevocationInfo,
  SignatureReport,
  SignatureVerdict,
} from './report';
import { ChainResult, buildChain, validityProblems } from './validation/chain';
import { analyseModifications } from './validation/modifications';
import { Origin, RevocationPool } from './validation/revocation';
import { DigestRequest, RangeDigests } from './validation/digests';
import { TimestampCheck, checkTimestamp, parseTstInfo } from './validation/timestamps';

const SHA256 = digestByOid('2.16.840.1.101.3.4.2.1')!;
const MAX_SIGNATURES = 256;

export interface VerifyOptions {
  /** Each a DER or PEM certificate (PEM may hold several). Only these are trusted. */
  trustAnchors: Uint8Array[];
  /** DER or PEM CRLs handed to the verifier. */
  crls?: Uint8Array[];
  /** Default: now. */
  validationTime?: Date;
  /** When revocation can't be checked: a warning (default) or an INDETERMINATE result. */
  revocationPolicy?: 'WARN' | 'INDETERMINATE';
  /** Bound on one /Contents (and any PDF string), in bytes. Default 16 MiB. */
  maxContentsBytes?: number;
  /**
   * Random-access input only (verifyPdfSource, verifyPdfFile): the largest damaged file (broken
   * cross-reference) that may be read whole to be reconstructed; a larger one is CORRUPT. Keeps the
   * memory bound of those entry points on hostile input. Default 64 MiB.
   */
  maxReconstructBytes?: number;
}

const SUB_INDICATION: Record<SignatureVerdict, [Indication, string | null]> = {
  MALFORMED_CMS: ['TOTAL_FAILED', 'FORMAT_FAILURE'],
  INVALID_BYTERANGE: ['TOTAL_FAILED', 'FORMAT_FAILURE'],
  INVALID_DIGEST: ['TOTAL_FAILED', 'HASH_FAILURE'],
  INVALID_SIGNATURE: ['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE'],
  UNSUPPORTED_ALGORITHM: ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'],
  WEAK_ALGORITHM: ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'],
  MODIFIED_AFTER_SIGNING: ['TOTAL_FAILED', 'FORMAT_FAILURE'],
  UNTRUSTED_CHAIN: ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'],
  REVOKED: ['TOTAL_FAILED', 'REVOKED'],
  EXPIRED: ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'],
  VALID: ['TOTAL_PASSED', null],
};

const INVALID_VERDICTS = new Set<SignatureVerdict>([
  'MALFORMED_CMS',
  'INVALID_BYTERANGE',
  'INVALID_DIGEST',
  'INVALID_SIGNATURE',
  'MODIFIED_AFTER_SIGNING',
  'REVOKED',
]);

/** A failing check: stops the evaluation of one signature with its verdict. */
class Verdict {
  constructor(
    readonly verdict: SignatureVerdict,
    readonly message: LocalizedMessage,
    readonly subIndication?: string,
  ) {}
}

interface Ctx {
  digests: RangeDigests;
  src: ByteSource;
  doc: PdfDocument;
  final: XrefState;
  anchors: Cert[];
  dssCerts: Cert[];
  revocation: RevocationPool;
  at: Date;
  policy: 'WARN' | 'INDETERMINATE';
  maxContents: number;
}

interface Candidate {
  found: FoundSignature;
  /** The version of the signature dictionary that was signed (differs from `found` if replaced). */
  dict: PdfDict;
  contents: PdfString | null;
  byteRange: number[] | null;
  positionsInFile: boolean;
  replaced: boolean;
  removed: boolean;
  end: number;
  parsed: ParsedCms | null;
  cmsError: string | null;
}

export async function verifyPdf(pdf: Uint8Array, options: VerifyOptions): Promise<DocumentReport> {
  return verifyPdfSync(pdf, options);
}

/** Last-resort report for unusable arguments (e.g. a caller passing no bytes or a bad date). */
function badInputReport(e: unknown): DocumentReport {
  return {
    summary: 'CORRUPT',
    signatureCount: 0,
    sha256: '',
    size: 0,
    validationTime: new Date().toISOString(),
    trustStoreFingerprint: '',
    signatures: [],
    messages: [msg('CORRUPT_PDF', `unusable input: ${(e as Error)?.message ?? String(e)}`)],
  };
}

/** Synchronous core of verifyPdf (CPU-bound; no I/O). Never throws. */
export function verifyPdfSync(pdf: Uint8Array, options: VerifyOptions): DocumentReport {
  try {
    if (!(pdf instanceof Uint8Array)) throw new TypeError('pdf must be a Uint8Array');
  } catch (e) {
    return badInputReport(e);
  }
  return verifyPdfSource(bufferSource(pdf), options);
}

/**
 * Verifies a PDF read through a random-access source: objects are parsed from small windows and the
 * signed ranges hashed by streaming, so memory does not grow with the file (except for files whose
 * xref is broken, which are read whole to be reconstructed). verifyPdf is this over an in-memory
 * source: one verification logic. Never throws; a failing read gives a CORRUPT report.
 */
export function verifyPdfSource(src: ByteSource, options: VerifyOptions): DocumentReport {
  try {
    if (!src || !Number.isSafeInteger(src.size) || src.size < 0 || typeof src.read !== 'function') throw new TypeError('source must have a size and read()');
    return verifyChecked(src, options ?? { trustAnchors: [] });
  } catch (e) {
    return badInputReport(e);
  }
}

/** Below this size verifyPdfFile reads the file whole: one read beats many small ones (measured ~1 ms on 1 MB). */
const READ_WHOLE_BELOW = 4 * 1024 * 1024;

/**
 * Verifies a PDF file without loading it (see verifyPdfSource; files under 4 MiB are read whole).
 * Rejects when the file cannot be opened (or, under 4 MiB, read); a read failing later gives a
 * CORRUPT report, as from verifyPdfSource. The file must not change while it is verified.
 */
export async function verifyPdfFile(path: string, options: VerifyOptions): Promise<DocumentReport> {
  const fd = fs.openSync(path, 'r');
  try {
    const src = fileSource(fd);
    if (src.size < READ_WHOLE_BELOW) return verifyPdfSync(src.read(0, src.size), options);
    return verifyPdfSource(src, options);
  } finally {
    fs.closeSync(fd);
  }
}

function verifyChecked(src: ByteSource, options: VerifyOptions): DocumentReport {
  const at = options.validationTime ?? new Date();
  if (Number.isNaN(at.getTime())) throw new TypeError('invalid validationTime');
  const anchors = (options.trustAnchors ?? []).flatMap((a) => parseCertificates(a));
  const digests = new RangeDigests(src);
  const report: DocumentReport = {
    summary: 'CORRUPT',
    signatureCount: 0,
    sha256: '',
    size: src.size,
    validationTime: at.toISOString(),
    trustStoreFingerprint: crypto
      .createHash('sha256')
      .update([...new Set(anchors.map((a) => a.sha256))].sort().join('\n'))
      .digest('hex'),
    signatures: [],
    messages: [],
  };
  try {
    verifyInto(report, src, options, at, anchors, digests);
  } catch (e) {
    // Defensive: any unexpected failure is a structured CORRUPT result, never an exception.
    report.summary = 'CORRUPT';
    report.messages.push(msg('CORRUPT_PDF', (e as Error)?.message ?? String(e)));
  }
  // Usually already computed in the shared pass over the file (see RangeDigests).
  report.sha256 = digests.digest(SHA256, [0, src.size]).toString('hex');
  return report;
}

function verifyInto(report: DocumentReport, src: ByteSource, options: VerifyOptions, at: Date, anchors: Cert[], digests: RangeDigests): void {
  const head = Buffer.from(src.read(0, 1024)).toString('latin1');
  if (!head.includes('%PDF-')) {
    report.messages.push(msg('CORRUPT_PDF', 'no %PDF- header'));
    return;
  }
  const maxContents = options.maxContentsBytes ?? 16 * 1024 * 1024;
  const doc = new PdfDocument(src, {
    maxStringBytes: maxContents,
    maxSections: 4096,
    maxDecodedStream: 64 * 1024 * 1024,
    maxObjectLoads: 500_000,
    maxMaterializeBytes: options.maxReconstructBytes ?? 64 * 1024 * 1024,
  });
  const final = doc.finalState();
  if (!final.trailer || !dictOf(doc.resolve(final.trailer.map.get('Root'), final))) {
    report.messages.push(msg('CORRUPT_PDF', 'no document catalog'));
    return;
  }
  if (doc.reconstructed) report.messages.push(msg('PDF_RECONSTRUCTED'));

  const all = collectCandidates(doc, final, maxContents);
  // Bound the work on hostile files with thousands of signature fields.
  const candidates = all.slice(0, MAX_SIGNATURES);
  report.signatureCount = all.length;
  if (candidates.length === 0) {
    report.summary = 'UNSIGNED';
    report.messages.push(msg('UNSIGNED'));
    return;
  }

  // Revocation data and certificates available to every signature of the document.
  const dss = readDss(doc, final);
  const crls: { der: Uint8Array; origin: Origin }[] = [];
  const ocsps: { der: Uint8Array; origin: Origin }[] = [];
  for (const c of options.crls ?? []) for (const der of splitPem(c, 'X509 CRL')) crls.push({ der, origin: 'SUPPLIED' });
  for (const der of dss.crls) crls.push({ der, origin: 'DSS' });
  for (const der of dss.ocsps) ocsps.push({ der, origin: 'DSS' });
  for (const c of candidates) {
    for (const der of c.parsed?.crls ?? []) crls.push({ der, origin: 'CMS' });
    for (const der of c.parsed?.ocsps ?? []) ocsps.push({ der, origin: 'CMS' });
  }
  const revocation = new RevocationPool({ crls, ocsps });
  const dssCerts = dss.certs.map((d) => parseCert(d)).filter((c): c is Cert => !!c);
  // One pass over the file computes every range digest and the document's SHA-256.
  const requests: DigestRequest[] = [{ alg: SHA256, ranges: [0, src.size] }];
  for (const c of candidates) {
    const br = c.byteRange;
    if (!c.parsed || !br || br.length !== 4 || !br.every((x) => Number.isSafeInteger(x) && x >= 0)) continue;
    if (br[0] !== 0 || br[2] < br[1] || br[2] + br[3] > src.size) continue;
    if (c.parsed.digest) requests.push({ alg: c.parsed.digest, ranges: br });
    if (c.found.subFilter === 'ETSI.RFC3161') {
      try {
        const ialg = digestByOid(parseTstInfo(c.parsed).messageImprint.hashAlgorithm.algorithmId);
        if (ialg) requests.push({ alg: ialg, ranges: br });
      } catch {
        /* reported when the signature is evaluated */
      }
    }
  }
  digests.precompute(requests);
  const ctx: Ctx = {
    digests,
    src,
    doc,
    final,
    anchors,
    dssCerts,
    revocation,
    at,
    policy: options.revocationPolicy ?? 'WARN',
    maxContents,
  };

  // Document timestamps first: a valid one is proof of existence for every earlier revision.
  const reports: SignatureReport[] = new Array(candidates.length);
  const poeByEnd: { end: number; time: Date }[] = [];
  const order = candidates.map((c, i) => ({ c, i }));
  const isDocTs = (c: Candidate): boolean => c.found.subFilter === 'ETSI.RFC3161' || c.found.type === 'DocTimeStamp';
  for (const { c, i } of order.filter((o) => isDocTs(o.c)).reverse()) {
    const { report: r, poe } = evaluate(ctx, c, i, poeByEnd);
    reports[i] = r;
    if (poe) poeByEnd.push({ end: c.end, time: poe });
  }
  for (const { c, i } of order.filter((o) => !isDocTs(o.c))) reports[i] = evaluate(ctx, c, i, poeByEnd).report;
  report.signatures = reports;
  if (all.length > MAX_SIGNATURES) {
    report.messages.push({
      code: 'TOO_MANY_SIGNATURES',
      vi: `Tài liệu có ${all.length} chữ ký; chỉ ${MAX_SIGNATURES} chữ ký đầu tiên được kiểm tra`,
      en: `The document has ${all.length} signatures; only the first ${MAX_SIGNATURES} were checked`,
    });
    report.summary = 'INDETERMINATE';
    if (reports.some((r) => INVALID_VERDICTS.has(r.verdict))) report.summary = 'INVALID';
    return;
  }

  const verdicts = reports.map((r) => r.verdict);
  if (verdicts.every((v) => v === 'VALID')) report.summary = 'VALID';
  else if (verdicts.some((v) => INVALID_VERDICTS.has(v))) report.summary = 'INVALID';
  else report.summary = 'INDETERMINATE';
}

/** Signatures of the final document plus any whose field was removed later, in revision order. */
function collectCandidates(doc: PdfDocument, final: XrefState, maxContents: number): Candidate[] {
  const found = findSignatures(doc, final);
  const seen = new Set(found.filter((f) => f.sigRef).map((f) => f.sigRef!.num));
  const removed = new Set<FoundSignature>();
  // Signatures present in an earlier revision but no longer reachable: a removed signature.
  for (const s of doc.sections.slice(-64, -1)) {
    const st = doc.stateAt(s.offset + 1);
    for (const f of findSignatures(doc, st)) {
      if (f.sigRef && !seen.has(f.sigRef.num)) {
        seen.add(f.sigRef.num);
        removed.add(f);
        found.push(f);
      }
    }
  }
  const out = found.map((f): Candidate => {
    const c: Candidate = {
      found: f,
      dict: f.dict,
      contents: f.contents,
      byteRange: f.byteRange,
      positionsInFile: f.positionsInFile,
      replaced: false,
      removed: removed.has(f),
      end: f.byteRange && f.byteRange.length >= 4 ? f.byteRange[2] + f.byteRange[3] : f.contents?.end ?? 0,
      parsed: null,
      cmsError: null,
    };
    if (f.sigRef && !selfConsistent(c)) {
      // The dictionary may have been replaced after signing (spoofing): find the signed version.
      for (const sec of [...doc.sections].reverse()) {
        const st = doc.stateAt(sec.offset + 1);
        const d = dictOf(doc.getObject(f.sigRef, st));
        if (!d) continue;
        const contents = d.map.get('Contents');
        const br = doc.resolve(d.map.get('ByteRange'), st);
        const alt: Candidate = {
          ...c,
          dict: d,
          contents: isString(contents) ? contents : null,
          byteRange: br && typeof br === 'object' && br.kind === 'array' && br.items.every((x) => typeof x === 'number') ? (br.items as number[]) : null,
          positionsInFile: doc.offsetOf(f.sigRef.num, st) !== null,
        };
        if (selfConsistent(alt)) {
          Object.assign(c, alt, { replaced: true, end: alt.byteRange![2] + alt.byteRange![3] });
          break;
        }
      }
    }
    const contents = c.contents;
    if (f.unreadable) c.cmsError = 'signature dictionary unreadable (malformed or over the size limits)';
    else if (!contents) c.cmsError = 'no /Contents string';
    else if (contents.bytes.length > maxContents) c.cmsError = 'too large';
    else {
      try {
        c.parsed = parseCms(contents.bytes);
      } catch (e) {
        c.cmsError = e instanceof CmsError ? e.message : `CMS unreadable: ${(e as Error).message}`;
      }
    }
    return c;
  });
  // A new signature dictionary copying the /ByteRange of a signature whose field was removed is the
  // same signature, replaced (spoofing): report it once, verified as signed, flagged as replaced.
  for (const c of out.filter((x) => !x.removed && !x.replaced && !selfConsistent(x) && x.byteRange)) {
    const orig = out.find((o) => o.removed && selfConsistent(o) && o.byteRange!.join(' ') === c.byteRange!.join(' '));
    if (!orig) continue;
    Object.assign(c, {
      dict: orig.dict,
      contents: orig.contents,
      byteRange: orig.byteRange,
      positionsInFile: true,
      replaced: true,
      end: orig.end,
      parsed: orig.parsed,
      cmsError: orig.cmsError,
    });
    out.splice(out.indexOf(orig), 1);
  }
  return out.sort((a, b) => a.end - b.end);
}

const selfConsistent = (c: Pick<Candidate, 'byteRange' | 'contents' | 'positionsInFile'>): boolean =>
  !!c.byteRange && c.byteRange.length === 4 && !!c.contents && c.positionsInFile && c.byteRange[1] === c.contents.start && c.byteRange[2] === c.contents.end;

/** ByteRange sanity (ISO 32000-1 §12.8.1; PAdES): returns a problem or null. */
function byteRangeProblem(ctx: Ctx, c: Candidate): string | null {
  const br = c.byteRange;
  if (!br) return 'missing or not an array of numbers';
  if (br.length !== 4) return `has ${br.length} numbers instead of 4`;
  if (!br.every((x) => Number.isSafeInteger(x) && x >= 0)) return 'contains negative or non-integer numbers';
  const [a, l1, b, l2] = br;
  if (a !== 0) return 'does not start at 0';
  if (l1 <= 0 || l2 < 0) return 'empty range';
  if (b < a + l1) return 'ranges overlap';
  if (b + l2 > ctx.src.size) return 'points outside the file';
  if (!c.contents) return 'no /Contents';
  if (!c.positionsInFile) return 'signature dictionary is inside an object stream';
  if (l1 !== c.contents.start || b !== c.contents.end) return `the unsigned gap [${l1}, ${b}) is not exactly the /Contents string [${c.contents.start}, ${c.contents.end})`;
  const end = b + l2;
  const atRevisionEnd = ctx.doc.isRevisionEnd(end);
  if (!atRevisionEnd) return 'the signed range does not end at the end of a revision (%%EOF)';
  if (end < ctx.src.size && !ctx.doc.sections.some((s) => s.offset >= end) && !onlyPadding(ctx.src, end))
    return 'bytes after the signed range are not an incremental update';
  return null;
}

/** Only whitespace or NUL padding from `from` to the end of the file (bounded look). */
function onlyPadding(src: ByteSource, from: number): boolean {
  if (src.size - from > 4096) return false;
  const buf = src.read(from, src.size - from);
  for (let i = 0; i < buf.length; i++) if (![0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(buf[i])) return false;
  return true;
}

/** The signed bytes themselves: only for signatures without signed attributes (whole ranges in memory). */
function rangeParts(src: ByteSource, br: number[]): Uint8Array[] {
  return [src.read(br[0], br[1]), src.read(br[2], br[3])];
}

/** Evaluates one signature or document timestamp. */
function evaluate(ctx: Ctx, c: Candidate, index: number, laterPoe: { end: number; time: Date }[]): { report: SignatureReport; poe: Date | null } {
  const f = c.found;
  const isDocTs = f.subFilter === 'ETSI.RFC3161' || f.type === 'DocTimeStamp';
  const r: SignatureReport = {
    index,
    kind: isDocTs ? 'DOCUMENT_TIMESTAMP' : 'SIGNATURE',
    fieldName: f.fieldNames[0] ?? null,
    subFilter: f.subFilter,
    verdict: 'VALID',
    indication: 'TOTAL_PASSED',
    subIndication: null,
    signer: null,
    claimedSigningTime: pdfDate(textOf(c.dict.map.get('M'))),
    timestampTime: null,
    byteRange: c.byteRange,
    coverage: {
      coversWholeRevision: false,
      coversWholeDocument: false,
      signedRevisionLength: c.byteRange && c.byteRange.length === 4 ? c.end : null,
    },
    algorithms: { digest: null, signature: null },
    chain: [],
    trustAnchor: null,
    revocation: [],
    timestamp: null,
    modifications: { level: 'NONE', details: [] },
    messages: [],
  };
  if (f.fieldNames.length > 1) r.messages.push({ code: 'MULTIPLE_FIELDS', vi: `Chữ ký được tham chiếu từ nhiều trường: ${f.fieldNames.join(', ')}`, en: `Signature referenced from several fields: ${f.fieldNames.join(', ')}` });
  let poe: Date | null = null;
  try {
    poe = runChecks(ctx, c, r, isDocTs, laterPoe);
    r.messages.push(msg('VALID'));
  } catch (thrown) {
    // An unexpected error while checking one signature fails that signature, not the document.
    const e =
      thrown instanceof Verdict
        ? thrown
        : new Verdict('MALFORMED_CMS', msg('MALFORMED_CMS', `unexpected error: ${(thrown as Error)?.message ?? String(thrown)}`));
    r.verdict = e.verdict;
    r.messages.unshift(e.message);
    const [ind, sub] = SUB_INDICATION[e.verdict];
    r.indication = ind;
    r.subIndication = e.subIndication ?? sub;
  }
  // Only a document timestamp that validates is proof of existence for the revisions before it.
  return { report: r, poe: r.verdict === 'VALID' ? poe : null };
}

function runChecks(ctx: Ctx, c: Candidate, r: SignatureReport, isDocTs: boolean, laterPoe: { end: number; time: Date }[]): Date | null {
  const fail = (v: SignatureVerdict, code: string, detail = '', sub?: string): never => {
    throw new Verdict(v, msg(code, detail), sub);
  };
  // 1. CMS structure
  if (!c.parsed) return fail('MALFORMED_CMS', 'MALFORMED_CMS', c.cmsError ?? 'unreadable');
  const p = c.parsed;
  r.algorithms.digest = p.digest?.name ?? p.digestOid;
  r.algorithms.signature = describeSignatureAlg(p.sigAlg, p.digest) ?? p.sigAlgOid;
  if (p.signingTime) r.claimedSigningTime = p.signingTime.toISOString();
  const extra = [...ctx.dssCerts];
  const signer = findSignerCert(p, extra);
  if (signer) {
    r.signer = {
      name: nameAttr(signer.cert.subject, '2.5.4.3') ?? nameToString(signer.cert.subject),
      organization: nameAttr(signer.cert.subject, '2.5.4.10') ?? null,
      serialNumber: signer.serialHex,
      issuer: nameToString(signer.cert.issuer),
    };
  }
  // 2. ByteRange
  const brProblem = byteRangeProblem(ctx, c);
  if (brProblem) return fail('INVALID_BYTERANGE', 'INVALID_BYTERANGE', brProblem);
  const br = c.byteRange!;
  r.coverage.coversWholeRevision = true;
  r.coverage.coversWholeDocument = !ctx.doc.sections.some((s) => s.offset >= c.end);
  if (!r.coverage.coversWholeDocument) r.messages.push(msg('COVERAGE_PARTIAL'));
  const parts = (): Uint8Array[] => rangeParts(ctx.src, br);

  // 3–5. digest, signature, algorithms (per subfilter)
  const sub = c.found.subFilter;
  const known = ['adbe.pkcs7.detached', 'ETSI.CAdES.detached', 'adbe.pkcs7.sha1', 'ETSI.RFC3161'];
  if (!sub || !known.includes(sub)) return fail('UNSUPPORTED_ALGORITHM', 'UNSUPPORTED_ALGORITHM', `subfilter ${sub ?? '(none)'}`);
  if (!p.digest) return fail('UNSUPPORTED_ALGORITHM', 'UNSUPPORTED_ALGORITHM', `digest ${p.digestOid}`);
  // RFC 8419: EdDSA in CMS fixes the digest (Ed25519: SHA-512, Ed448: SHAKE256).
  const edDigest = p.sigAlg?.family === 'Ed25519' ? 'SHA-512' : p.sigAlg?.family === 'Ed448' ? 'SHAKE256' : null;
  let tsCheck: TimestampCheck | null = null;
  let contentDigest: Uint8Array;
  let signedParts: () => Uint8Array[];
  if (sub === 'adbe.pkcs7.sha1') {
    const sha1 = digestByOid('1.3.14.3.2.26')!;
    if (!p.eContent) return fail('INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'adbe.pkcs7.sha1 without encapsulated digest');
    if (!Buffer.from(p.eContent).equals(ctx.digests.digest(sha1, br))) return fail('INVALID_DIGEST', 'INVALID_DIGEST');
    contentDigest = hashBytes(p.digest, p.eContent);
    signedParts = () => [p.eContent!];
  } else if (sub === 'ETSI.RFC3161') {
    try {
      parseTstInfo(p);
    } catch (e) {
      return fail('MALFORMED_CMS', 'MALFORMED_CMS', (e as Error).message);
    }
    tsCheck = checkTimestamp(p, (alg) => ctx.digests.digest(alg, br), ctx.anchors, ctx.dssCerts);
    if (!tsCheck.info.imprintValid) return fail('INVALID_DIGEST', 'INVALID_DIGEST');
    contentDigest = hashBytes(p.digest, p.eContent!);
    signedParts = () => [p.eContent!];
    r.timestampTime = tsCheck.info.time || null;
    r.timestamp = tsCheck.info;
  } else {
    if (p.eContent !== null)
      return fail('INVALID_SIGNATURE', 'INVALID_SIGNATURE', 'a detached PDF signature must not encapsulate content');
    contentDigest = ctx.digests.digest(p.digest, br);
    signedParts = parts;
  }
  if (!signer) return fail('INVALID_SIGNATURE', 'SIGNER_CERT_MISSING');
  const chk = checkSignerInfo(p, signer, contentDigest, signedParts);
  if (!chk.digestOk) return fail('INVALID_DIGEST', 'INVALID_DIGEST');
  if (chk.signature === 'INVALID') return fail('INVALID_SIGNATURE', 'INVALID_SIGNATURE', chk.detail ?? 'signature value does not verify');
  if (chk.essOk === false) return fail('INVALID_SIGNATURE', 'ESS_MISMATCH');
  if (chk.signature === 'UNSUPPORTED') return fail('UNSUPPORTED_ALGORITHM', 'UNSUPPORTED_ALGORITHM', chk.detail ?? p.sigAlgOid);
  if (edDigest && p.digest.name !== edDigest)
    return fail('UNSUPPORTED_ALGORITHM', 'UNSUPPORTED_ALGORITHM', `${p.sigAlg!.family} requires ${edDigest}, not ${p.digest.name}`);
  const weak = weakness(p.digest, p.sigAlg?.hash ?? null, signer);
  if (weak) return fail('WEAK_ALGORITHM', 'WEAK_ALGORITHM', weak);

  // 6. changes after signing
  if (c.removed) return fail('MODIFIED_AFTER_SIGNING', 'MODIFIED_AFTER_SIGNING', 'the signature field was removed in a later revision');
  if (c.replaced) {
    r.modifications = { level: 'DISALLOWED', details: ['signature dictionary replaced in a later revision'] };
    return fail('MODIFIED_AFTER_SIGNING', 'MODIFIED_AFTER_SIGNING', 'the signature dictionary was replaced in a later revision');
  }
  if (!r.coverage.coversWholeDocument) {
    const old = ctx.doc.stateAt(c.end);
    let docMdp: number | null = null;
    const locks: { action: string; fields: string[] }[] = [];
    docMdp = docMdpPermission(ctx.doc, c.dict, old);
    locks.push(...fieldMdpLocks(ctx.doc, c.dict, old));
    r.modifications = analyseModifications(ctx.doc, old, ctx.final, { docMdp, lockedFields: locks });
    if (r.modifications.level === 'DISALLOWED')
      return fail('MODIFIED_AFTER_SIGNING', 'MODIFIED_AFTER_SIGNING', r.modifications.details.join('; '));
    if (r.modifications.level === 'PERMITTED') r.messages.push(msg('PERMITTED_CHANGES', r.modifications.details.join(', ')));
  }

  // Signature timestamps (RFC 3161 over the signature value): reported even if the chain fails later.
  let sigTsPoe: Date | null = null;
  if (!isDocTs) {
    for (const tok of p.timestampTokens) {
      const t = checkTimestamp(tok, (alg) => hashBytes(alg, p.signature), ctx.anchors, ctx.dssCerts);
      r.timestamp ??= t.info;
      r.timestampTime ??= t.info.time || null;
      if (t.usable && t.genTime && (!sigTsPoe || t.genTime < sigTsPoe)) {
        sigTsPoe = t.genTime;
        r.timestamp = t.info;
        r.timestampTime = t.info.time;
      } else if (!t.usable) r.messages.push(msg('TIMESTAMP_INVALID', t.problems.join('; ')));
    }
  }

  // 7. certificate path
  const pool = [...p.certs, ...extra];
  const chain: ChainResult = buildChain(signer, pool, ctx.anchors, isDocTs ? 'TIMESTAMPING' : 'SIGNING');
  r.chain = chain.chain.map(certInfo);
  if (chain.status !== 'TRUSTED')
    return fail('UNTRUSTED_CHAIN', 'UNTRUSTED_CHAIN', chain.problems.join('; '), chain.status === 'CHAIN_FAILURE' ? 'CERTIFICATE_CHAIN_GENERAL_FAILURE' : undefined);
  r.trustAnchor = chain.anchor ? certInfo(chain.anchor) : null;

  // Proof of existence: the signature's own timestamp (checked above), or a later document timestamp.
  let poe: Date | null = sigTsPoe;
  if (isDocTs && tsCheck) {
    // The document timestamp's own time is proof of existence for itself and everything before it.
    if (tsCheck.usable) poe = tsCheck.genTime;
    else if (!tsCheck.info.trusted) return fail('UNTRUSTED_CHAIN', 'UNTRUSTED_CHAIN', tsCheck.problems.join('; '));
  }
  for (const l of laterPoe) if (l.end > c.end && (!poe || l.time < poe)) poe = l.time;
  if (poe && !isDocTs) r.messages.push(msg('TIMESTAMP_POE', poe.toISOString()));
  // Certificates must be valid when the signature is known to have existed (else at validation time).
  const checkAt = isDocTs ? laterPoeFor(c, laterPoe) ?? ctx.at : poe ?? ctx.at;

  // 8. revocation
  const unknown: string[] = [];
  for (let i = 0; i + 1 < chain.chain.length; i++) {
    const info: RevocationInfo = ctx.revocation.check(chain.chain[i], chain.chain[i + 1]);
    r.revocation.push(info);
    if (info.status === 'REVOKED') {
      const when = info.revokedAt ? new Date(info.revokedAt) : null;
      const limit = poe ?? ctx.at;
      if (!when || when <= limit) return fail('REVOKED', 'REVOKED', `${info.certificateSerial}${info.revokedAt ? ` @ ${info.revokedAt}` : ''}`);
    } else if (info.status === 'UNKNOWN') unknown.push(info.certificateSerial);
  }

  // 9. validity period
  const bad = validityProblems(chain.chain, checkAt);
  if (bad.length)
    return fail('EXPIRED', 'EXPIRED', bad.map((b) => `${b.cert.serialHex} ${b.cert.cert.notBefore.value.toISOString()}–${b.cert.cert.notAfter.value.toISOString()} @ ${checkAt.toISOString()}`).join('; '));

  if (unknown.length) {
    if (ctx.policy === 'INDETERMINATE') return fail('UNTRUSTED_CHAIN', 'REVOCATION_UNKNOWN', unknown.join(', '), 'TRY_LATER');
    r.messages.push(msg('REVOCATION_UNKNOWN', unknown.join(', ')));
  }
  return isDocTs ? (tsCheck?.genTime ?? null) : poe;
}

function laterPoeFor(c: Candidate, laterPoe: { end: number; time: Date }[]): Date | null {
  let best: Date | null = null;
  for (const l of laterPoe) if (l.end > c.end && (!best || l.time < best)) best = l.time;
  return best;
}

/** Weak algorithms (SHA-1, MD5, RSA keys under 2048 bits… reported only below 1024 to stay lenient on legacy). */
function weakness(digest: DigestInfo, sigHash: DigestInfo | null, signer: Cert): string | null {
  if (digest.weak) return `digest ${digest.name}`;
  if (sigHash?.weak) return `signature hash ${sigHash.name}`;
  try {
    const key = publicKey(signer.spki);
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if ((key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && bits && bits < 1024) return `RSA key of ${bits} bits`;
  } catch {
    /* key problems surface in signature verification */
  }
  return null;
}

/** PDF date "D:YYYYMMDDHHmmSSOHH'mm'" to ISO, or null. */
function pdfDate(s: string | null): string | null {
  if (!s) return null;
  const m = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(s);
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', se = '00', tz, th = '00', tm = '00'] = m;
  const off = !tz || tz === 'Z' || tz === 'z' ? 'Z' : `${tz}${th}:${tm}`;
  const t = new Date(`${y}-${mo}-${d}T${h}:${mi}:${se}${off}`);
  return Number.isNaN(t.getTime()) ? null : t.toISOString();
}
