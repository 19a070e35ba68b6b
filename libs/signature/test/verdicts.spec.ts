/**
 * Verdict matrix: documents built with the test PKI and our signer, judged by verifyPdf.
 * Each case states the verdict the issue (#3) and the fixtures README define; a failure here is a
 * verifier bug unless the case itself is shown wrong.
 */
import { verifyPdf } from '@archive/signature';
import type { DocumentReport, SignatureReport, VerifyOptions } from '@archive/signature';
import { addDocumentTimestamp } from '../src/sign';
import {
  addAnnotation,
  addPage,
  editPageContent,
  flipByte,
  getTestPki,
  makePdf,
  removePage,
  signAs,
} from './pki';

const pki = getTestPki();
const fake = getTestPki('lookalike');
const trusted = (extra: Partial<VerifyOptions> = {}): VerifyOptions => ({ trustAnchors: pki.trustAnchors, crls: pki.crls, ...extra });
const YEAR = 365 * 86_400_000;

async function verify(pdf: Uint8Array, opts: VerifyOptions = trusted()): Promise<DocumentReport> {
  return verifyPdf(pdf, opts);
}
const verdicts = (r: DocumentReport): string[] => r.signatures.map((s) => s.verdict);

const docs: Record<string, Uint8Array> = {};
beforeAll(async () => {
  const base = await makePdf({ pages: 3 });
  const classic = await makePdf({ pages: 2, objectStreams: false });
  const signer = await signAs(base, pki.signer, {
    reason: 'Phê duyệt văn bản',
    location: 'Hà Nội',
    visible: { page: 1, rect: [340, 60, 560, 130], text: 'Người ký: Nguyễn Văn An\nChức vụ: Chánh Văn phòng' },
  });
  docs.rsa = await signAs(classic, pki.signer);
  docs.pss = await signAs(base, pki.signer, { rsaPadding: 'PSS' });
  docs.ecdsa = await signAs(classic, pki.signerEcdsa);
  docs.pssKey = await signAs(base, pki.signerRsaPss);
  docs.signer = signer;
  docs.twoSignatures = await signAs(signer, pki.seal, {
    visible: { page: 1, rect: [300, 70, 400, 140], text: 'ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM' },
    timestamped: true,
  });
  docs.docTimestamped = await addDocumentTimestamp(docs.twoSignatures, { timestamp: pki.timestampProvider() });
  docs.editedAppend = await editPageContent(signer, { mode: 'append' });
  docs.editedReplace = await editPageContent(signer, { mode: 'replace' });
  docs.twoThenEdited = await editPageContent(docs.twoSignatures, { page: 2 });
  docs.pageAdded = await addPage(signer);
  docs.pageRemoved = await removePage(signer, 3);
  docs.annotated = await addAnnotation(signer);
  docs.flipped = flipByte(signer);
  const twoYearsAgo = new Date(pki.now.getTime() - 2 * YEAR);
  docs.expired = await signAs(base, pki.expired, { signingTime: twoYearsAgo });
  docs.expiredTimestamped = await signAs(base, pki.expired, { signingTime: twoYearsAgo, timestamped: twoYearsAgo });
  docs.revoked = await signAs(base, pki.revoked);
  docs.lookalike = await signAs(base, fake.signer);
  docs.sha1 = await signAs(base, pki.signer, { digestAlgorithm: 'SHA-1' });
  docs.unsigned = base;
});

describe('verdict matrix', () => {
  it.each([
    ['RSA PKCS#1 v1.5', 'rsa', /RSA/],
    ['RSASSA-PSS', 'pss', /PSS/],
    ['ECDSA P-256', 'ecdsa', /EC/],
    ['RSASSA-PSS key (id-RSASSA-PSS SPKI)', 'pssKey', /PSS/],
  ])('%s → VALID', async (_label, key, alg) => {
    const r = await verify(docs[key]);
    expect(verdicts(r)).toEqual(['VALID']);
    expect(r.summary).toBe('VALID');
    const s = r.signatures[0];
    expect(s.algorithms.digest).toMatch(/SHA-?256/);
    expect(s.algorithms.signature).toMatch(alg);
    expect(s.indication).toBe('TOTAL_PASSED');
  });

  it('report fields of a valid PAdES B-B signature', async () => {
    const r = await verify(docs.signer);
    expect(r.signatureCount).toBe(1);
    const s: SignatureReport = r.signatures[0];
    expect(s.kind).toBe('SIGNATURE');
    expect(s.subFilter).toBe('ETSI.CAdES.detached');
    expect(s.fieldName).toBe('Signature1');
    expect(s.signer?.name).toBe('Nguyễn Văn An');
    expect(s.signer?.organization).toBe('Ủy ban nhân dân tỉnh Thử Nghiệm');
    expect(s.claimedSigningTime).not.toBeNull();
    expect(s.coverage.coversWholeDocument).toBe(true);
    expect(s.chain.length).toBe(3);
    expect(s.trustAnchor?.commonName ?? s.trustAnchor?.subject).toMatch(/Test RootCA chuyên dùng Chính phủ G2/);
    expect(s.revocation.find((x) => x.certificateSerial.toLowerCase().replace(/^0+/, '') === pki.signer.serialHex.replace(/^0+/, ''))?.status).toBe('GOOD');
  });

  it('two signatures (signer + agency seal, seal timestamped) → both VALID, the later revision PERMITTED', async () => {
    const r = await verify(docs.twoSignatures);
    expect(verdicts(r)).toEqual(['VALID', 'VALID']);
    expect(r.summary).toBe('VALID');
    expect(r.signatures[0].signer?.name).toBe('Nguyễn Văn An');
    expect(r.signatures[1].signer?.name).toBe('Ủy ban nhân dân tỉnh Thử Nghiệm');
    expect(r.signatures[0].coverage.coversWholeDocument).toBe(false);
    expect(r.signatures[0].modifications.level).not.toBe('DISALLOWED');
    expect(r.signatures[1].timestampTime).not.toBeNull();
    expect(r.signatures[1].timestamp?.trusted).toBe(true);
  });

  it('signer + seal + document timestamp → three VALID, the last a DOCUMENT_TIMESTAMP', async () => {
    const r = await verify(docs.docTimestamped);
    expect(verdicts(r)).toEqual(['VALID', 'VALID', 'VALID']);
    expect(r.signatures.map((s) => s.kind)).toEqual(['SIGNATURE', 'SIGNATURE', 'DOCUMENT_TIMESTAMP']);
    expect(r.signatures[2].subFilter).toBe('ETSI.RFC3161');
    expect(r.signatures[2].timestampTime).not.toBeNull();
    expect(r.summary).toBe('VALID');
  });

  it('annotation added after signing (no DocMDP) → VALID', async () => {
    const r = await verify(docs.annotated);
    expect(verdicts(r)).toEqual(['VALID']);
    expect(r.signatures[0].modifications.level).toBe('PERMITTED');
  });

  it.each([
    ['page content stream appended', 'editedAppend', ['MODIFIED_AFTER_SIGNING']],
    ['page content stream object replaced', 'editedReplace', ['MODIFIED_AFTER_SIGNING']],
    ['page added', 'pageAdded', ['MODIFIED_AFTER_SIGNING']],
    ['page removed', 'pageRemoved', ['MODIFIED_AFTER_SIGNING']],
    ['signer + seal, then page 2 edited', 'twoThenEdited', ['MODIFIED_AFTER_SIGNING', 'MODIFIED_AFTER_SIGNING']],
  ])('%s → MODIFIED_AFTER_SIGNING', async (_label, key, expected) => {
    const r = await verify(docs[key]);
    expect(verdicts(r)).toEqual(expected);
    expect(r.summary).toBe('INVALID');
    for (const s of r.signatures) expect(s.modifications.level).toBe('DISALLOWED');
  });

  it('byte flipped inside the signed range → INVALID_DIGEST', async () => {
    const r = await verify(docs.flipped);
    expect(verdicts(r)).toEqual(['INVALID_DIGEST']);
    expect(r.summary).toBe('INVALID');
    expect(r.signatures[0].indication).toBe('TOTAL_FAILED');
  });

  it('expired signer certificate, no timestamp → EXPIRED', async () => {
    const r = await verify(docs.expired);
    expect(verdicts(r)).toEqual(['EXPIRED']);
    expect(r.summary).not.toBe('VALID');
  });

  it('expired signer, timestamped while the certificate was valid → VALID', async () => {
    const r = await verify(docs.expiredTimestamped);
    expect(verdicts(r)).toEqual(['VALID']);
    expect(r.summary).toBe('VALID');
    expect(r.signatures[0].timestamp?.imprintValid).toBe(true);
    expect(r.signatures[0].timestamp?.trusted).toBe(true);
  });

  it('revoked signer certificate with the CRL supplied → REVOKED', async () => {
    const r = await verify(docs.revoked);
    expect(verdicts(r)).toEqual(['REVOKED']);
    expect(r.summary).toBe('INVALID');
    const rev = r.signatures[0].revocation.find((x) => x.status === 'REVOKED');
    expect(rev?.source).toBe('CRL');
  });

  it('look-alike PKI (same names, other keys) → UNTRUSTED_CHAIN', async () => {
    const r = await verify(docs.lookalike);
    expect(verdicts(r)).toEqual(['UNTRUSTED_CHAIN']);
    expect(r.summary).not.toBe('VALID');
    expect(r.signatures[0].trustAnchor).toBeNull();
  });

  it('genuine signature with no anchors configured → UNTRUSTED_CHAIN', async () => {
    const r = await verify(docs.rsa, { trustAnchors: [] });
    expect(verdicts(r)).toEqual(['UNTRUSTED_CHAIN']);
    expect(r.summary).not.toBe('VALID');
  });

  it('genuine signature judged against the look-alike anchors → UNTRUSTED_CHAIN', async () => {
    const r = await verify(docs.rsa, { trustAnchors: fake.trustAnchors, crls: fake.crls });
    expect(verdicts(r)).toEqual(['UNTRUSTED_CHAIN']);
  });

  it('SHA-1 digest → WEAK_ALGORITHM', async () => {
    const r = await verify(docs.sha1);
    expect(verdicts(r)).toEqual(['WEAK_ALGORITHM']);
    expect(r.summary).not.toBe('VALID');
  });

  it('unsigned PDF → UNSIGNED', async () => {
    const r = await verify(docs.unsigned);
    expect(r.summary).toBe('UNSIGNED');
    expect(r.signatureCount).toBe(0);
  });

  it('no CRL supplied: never a false VALID under the INDETERMINATE policy; a warning under WARN', async () => {
    const strict = await verify(docs.rsa, { trustAnchors: pki.trustAnchors, revocationPolicy: 'INDETERMINATE' });
    expect(strict.signatures[0].indication).toBe('INDETERMINATE');
    expect(strict.summary).not.toBe('VALID');
    const lenient = await verify(docs.rsa, { trustAnchors: pki.trustAnchors, revocationPolicy: 'WARN' });
    expect(verdicts(lenient)).toEqual(['VALID']);
    expect(lenient.signatures[0].messages.length + lenient.messages.length).toBeGreaterThan(0);
  });
});
