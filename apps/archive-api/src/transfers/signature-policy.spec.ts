import { verifyPdf, type SignatureReport } from '@archive/signature';
import { getTestPki, makeTinyPdf, signAs } from '../../../../libs/signature/test/pki';
import type { TransfersConfig } from '../config/app-config';
import { decideSignature, isAgencySignature } from './signature-policy';

const FLAG_ALL: TransfersConfig['policy'] = {
  untrusted: 'flag',
  expired: 'flag',
  weak: 'flag',
  unsigned: 'flag',
  missingAgencySignature: 'flag',
  notVerified: 'flag',
};

/** A signature report whose signer certificate has the given subject attributes (the rest from a real report). */
function withSubject(base: SignatureReport, attrs: { CN: string; O?: string; UID?: string }): SignatureReport {
  const subject = [`CN=${attrs.CN}`, attrs.O ? `O=${attrs.O}` : null, attrs.UID ? `UID=${attrs.UID}` : null, 'C=VN'].filter(Boolean).join(', ');
  return {
    ...base,
    signer: { ...base.signer!, name: attrs.CN, organization: attrs.O ?? null },
    chain: [{ ...base.chain[0]!, subject, commonName: attrs.CN, organization: attrs.O }, ...base.chain.slice(1)],
  };
}

describe('signature policy: the agency signature (NĐ 30/2020: the signer AND the agency)', () => {
  let person: SignatureReport;
  let seal: SignatureReport;
  beforeAll(async () => {
    const pki = getTestPki();
    const signed = await signAs(await signAs(await makeTinyPdf('policy'), pki.signer), pki.seal);
    const report = await verifyPdf(signed, { trustAnchors: pki.trustAnchors, crls: pki.crls });
    expect(report.signatures.map((s) => s.verdict)).toEqual(['VALID', 'VALID']);
    [person, seal] = report.signatures as [SignatureReport, SignatureReport];
  });

  it('tells the seal from the person on real certificates of the test PKI (CN = O)', () => {
    expect(isAgencySignature(seal)).toBe(true);
    expect(isAgencySignature(person)).toBe(false);
  });

  it('recognises an organisation certificate by its budget-unit UID (MNS:) or the registered agency name, never a person by UID', () => {
    const org = { CN: 'Sở Nội vụ tỉnh Bình Định', O: 'Ủy ban nhân dân tỉnh Bình Định' };
    expect(isAgencySignature(withSubject(person, org))).toBe(false);
    expect(isAgencySignature(withSubject(person, { ...org, UID: 'MNS:1234567' }))).toBe(true);
    expect(isAgencySignature(withSubject(person, org), 'Sở  Nội vụ tỉnh Bình Định')).toBe(true);
    // a tax code alone proves nothing: persons have one too
    expect(isAgencySignature(withSubject(person, { CN: 'Nguyễn Văn An', O: 'Sở Nội vụ', UID: 'MST:8012345678' }))).toBe(false);
    // a person's ID wins over a name that looks like the organisation's
    expect(isAgencySignature(withSubject(person, { CN: 'Sở Nội vụ', O: 'Sở Nội vụ', UID: 'CCCD:052012345678' }))).toBe(false);
    expect(isAgencySignature(withSubject(person, { CN: 'Nguyễn Văn An', O: 'Sở Nội vụ', UID: 'CMND:215000111' }), 'Nguyễn Văn An')).toBe(false);
  });

  it('flags MISSING_AGENCY_SIGNATURE only when no signature is the agency’s', async () => {
    const pki = getTestPki();
    const personOnly = await verifyPdf(await signAs(await makeTinyPdf('policy person'), pki.signer), { trustAnchors: pki.trustAnchors, crls: pki.crls });
    expect(decideSignature(personOnly, FLAG_ALL).flags).toEqual(['MISSING_AGENCY_SIGNATURE']);
    const named = decideSignature(personOnly, FLAG_ALL, personOnly.signatures[0]!.signer!.organization);
    expect(named.flags).toEqual(['MISSING_AGENCY_SIGNATURE']); // the person's O is the agency, but CN is a person's name
    const rejected = decideSignature(personOnly, { ...FLAG_ALL, missingAgencySignature: 'reject' });
    expect(rejected.rejected).toBe(true);
    expect(rejected.errors.map((e) => e.code)).toEqual(['MISSING_AGENCY_SIGNATURE']);
  });
});
