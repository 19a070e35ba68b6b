/**
 * Signing half of libs/signature: PAdES B-B structure, incremental updates, key loading, RFC 3161
 * timestamps, and acceptance by independent implementations (poppler's pdfsig, OpenSSL, pkijs).
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as pkijs from 'pkijs';
import { addDocumentTimestamp, loadSignerKey, signPdf } from '../src/sign';
import { IncrementalUpdate } from '../src/sign/incremental';
import { PDFDict, PDFName } from 'pdf-lib';
import { OID } from '../src/sign/der';
import { byteRanges, getTestPki, makePdf, signAs, startTsaServer, TestCert } from './pki';

const PDFSIG = '/usr/bin/pdfsig';
const hasPdfsig = fs.existsSync(PDFSIG);
const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'own-sign-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function writeTmp(bytes: Uint8Array, ext = 'pdf'): string {
  const f = path.join(tmp, `f${n++}.${ext}`);
  fs.writeFileSync(f, bytes);
  return f;
}

/** pdfsig's per-signature "Signature Validation" lines (it cannot check our test chain: -nocert). */
function pdfsig(pdf: Uint8Array): { validations: string[]; totalSigned: boolean[]; out: string } {
  let out: string;
  try {
    out = execFileSync(PDFSIG, ['-nocert', writeTmp(pdf)], { encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  const validations = [...out.matchAll(/Signature Validation: (.*)/g)].map((m) => m[1].trim());
  const totalSigned = [...out.matchAll(/ - (Total document signed|Not total document signed)/g)].map((m) => m[1] === 'Total document signed');
  return { validations, totalSigned, out };
}

function cmsAt(pdf: Uint8Array, i: number): { cms: Uint8Array; content: Uint8Array } {
  const [a, b, c, d] = byteRanges(pdf)[i];
  const hex = Buffer.from(pdf.subarray(b + 1, c - 1)).toString('latin1');
  // the DER is followed by zero padding: cut at the outer length
  const der = Buffer.from(hex.length % 2 ? hex + '0' : hex, 'hex');
  const len = der[1] & 0x80 ? 2 + (der[1] & 0x7f) + der.subarray(2, 2 + (der[1] & 0x7f)).reduce((s, x) => s * 256 + x, 0) : 2 + der[1];
  return { cms: new Uint8Array(der.subarray(0, len)), content: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]) };
}

function signedData(cms: Uint8Array): pkijs.SignedData {
  const ci = pkijs.ContentInfo.fromBER(cms);
  return new pkijs.SignedData({ schema: ci.content });
}

const pki = getTestPki();
let base: Uint8Array;
let baseClassic: Uint8Array;
beforeAll(async () => {
  base = await makePdf(); // xref stream + object streams
  baseClassic = await makePdf({ objectStreams: false }); // classic xref table
});

describe('PAdES B-B structure', () => {
  it('appends an incremental update covering the whole file except /Contents', async () => {
    const signed = await signAs(base, pki.signer, { reason: 'Phê duyệt', location: 'Hà Nội' });
    expect(Buffer.from(signed.subarray(0, base.length)).equals(Buffer.from(base))).toBe(true);
    const [br] = byteRanges(signed);
    expect(br[0]).toBe(0);
    expect(br[2] + br[3]).toBe(signed.length);
    expect(br[1]).toBeGreaterThan(base.length);
    const text = Buffer.from(signed.subarray(base.length)).toString('latin1');
    expect(text).toContain('/SubFilter /ETSI.CAdES.detached');
    expect(text).toMatch(/\/M \(D:\d{14}\+07'00'\)/);
    expect(text).toMatch(/\/Prev \d+/);
    expect(text).toContain('/Type /XRef'); // the original ends in an xref stream: so does the update
  });

  it('writes a classic xref table after a classic-table original', async () => {
    const signed = await signAs(baseClassic, pki.signer);
    const text = Buffer.from(signed.subarray(baseClassic.length)).toString('latin1');
    expect(text).toMatch(/\nxref\n/);
    expect(text).toMatch(/trailer\n<< \/Size \d+ \/Root \d+ 0 R/);
  });

  it('has contentType, messageDigest, signing-certificate-v2 and no signingTime; digest and signature verify (pkijs)', async () => {
    const signed = await signAs(base, pki.signer);
    const { cms, content } = cmsAt(signed, 0);
    const sd = signedData(cms);
    const si = sd.signerInfos[0];
    const types = si.signedAttrs!.attributes.map((a) => a.type);
    expect(types.sort()).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
    expect(types).not.toContain(OID.signingTime);
    expect(si.digestAlgorithm.algorithmId).toBe(OID.sha256);
    const md = si.signedAttrs!.attributes.find((a) => a.type === OID.messageDigest)!.values[0] as unknown as { valueBlock: { valueHexView: Uint8Array } };
    expect(Buffer.from(md.valueBlock.valueHexView).equals(crypto.createHash('sha256').update(content).digest())).toBe(true);
    expect(await sd.verify({ signer: 0, data: content.buffer.slice(content.byteOffset, content.byteOffset + content.length) as ArrayBuffer })).toBe(true);
    expect(sd.certificates).toHaveLength(3);
  });

  it.each([
    ['RSA PKCS#1 v1.5', pki.signer, 'PKCS1', '1.2.840.113549.1.1.11'],
    ['RSASSA-PSS', pki.signer, 'PSS', '1.2.840.113549.1.1.10'],
    ['ECDSA P-256', pki.signerEcdsa, undefined, '1.2.840.10045.4.3.2'],
    ['RSASSA-PSS key (id-RSASSA-PSS SPKI)', pki.signerRsaPss, undefined, '1.2.840.113549.1.1.10'],
  ] as Array<[string, TestCert, 'PKCS1' | 'PSS' | undefined, string]>)('%s', async (_l, cert, pad, algOid) => {
    const signed = await signAs(baseClassic, cert, { rsaPadding: pad });
    const { cms, content } = cmsAt(signed, 0);
    const sd = signedData(cms);
    expect(sd.signerInfos[0].signatureAlgorithm.algorithmId).toBe(algOid);
    expect(await sd.verify({ signer: 0, data: new Uint8Array(content).buffer as ArrayBuffer })).toBe(true);
  });

  it('keeps earlier signatures byte-identical when a second one is added', async () => {
    const one = await signAs(base, pki.signer);
    const two = await signAs(one, pki.seal);
    expect(Buffer.from(two.subarray(0, one.length)).equals(Buffer.from(one))).toBe(true);
    expect(byteRanges(two)).toHaveLength(2);
    expect(Buffer.from(two).toString('latin1')).toContain('/T (Signature2)');
  });

  it('does not modify the input buffer', async () => {
    const copy = base.slice();
    await signAs(base, pki.signer, { visible: { page: 2, rect: [50, 50, 250, 100], text: 'Bản sao điện tử' } });
    expect(Buffer.from(base).equals(Buffer.from(copy))).toBe(true);
  });

  it('refuses a field name that already exists', async () => {
    const one = await signAs(base, pki.signer, { fieldName: 'ChuKy' });
    await expect(signAs(one, pki.seal, { fieldName: 'ChuKy' })).rejects.toThrow(/already exists/);
  });

  it('writes a Vietnamese field name as a text string and refuses dotted names', async () => {
    const signed = await signAs(base, pki.seal, { fieldName: 'Chữ ký cơ quan' });
    expect(Buffer.from(signed.subarray(base.length)).toString('latin1')).toContain('/T <FEFF');
    await expect(signAs(base, pki.seal, { fieldName: 'a.b' })).rejects.toThrow(/without '\.'/);
  });

  it('SHA-1 is available (weak-algorithm test documents only)', async () => {
    const signed = await signAs(base, pki.signer, { digestAlgorithm: 'SHA-1' });
    const sd = signedData(cmsAt(signed, 0).cms);
    expect(sd.signerInfos[0].digestAlgorithm.algorithmId).toBe(OID.sha1);
  });
});

describe('RFC 3161 signature timestamp', () => {
  it('embeds a token whose imprint is SHA-256 of the signature value (injected provider)', async () => {
    const at = new Date(Date.now() - 3600_000);
    const signed = await signAs(base, pki.seal, { timestamped: at });
    const sd = signedData(cmsAt(signed, 0).cms);
    const si = sd.signerInfos[0];
    const attr = si.unsignedAttrs!.attributes.find((a) => a.type === OID.signatureTimeStampToken)!;
    const token = new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: attr.values[0] }).content });
    const tst = pkijs.TSTInfo.fromBER(token.encapContentInfo.eContent!.valueBlock.valueHexView);
    const imprint = crypto.createHash('sha256').update(si.signature.valueBlock.valueHexView).digest();
    expect(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint)).toBe(true);
    expect(Math.abs(tst.genTime.getTime() - at.getTime())).toBeLessThan(1000);
    const sigValue = si.signature.valueBlock.valueHexView.slice();
    expect(await token.verify({ signer: 0, data: sigValue.buffer as ArrayBuffer })).toBe(true);
  });

  it('refuses a token that stamps another imprint', async () => {
    const wrong = async (): Promise<Uint8Array> => pki.timestamp(new Uint8Array(32));
    await expect(signPdf(base, pki.signerKey(), { timestamp: wrong })).rejects.toThrow(/different imprint/);
  });

  it('accepts a token wrapped in a BER (indefinite-length) TimeStampResp', async () => {
    const provider = async (imprint: Uint8Array): Promise<Uint8Array> => {
      const token = await pki.timestamp(imprint);
      // SEQUENCE (indefinite) { PKIStatusInfo { 0 }, token } 00 00
      return new Uint8Array(Buffer.concat([Buffer.from([0x30, 0x80, 0x30, 0x03, 0x02, 0x01, 0x00]), Buffer.from(token), Buffer.from([0, 0])]));
    };
    const signed = await signPdf(base, pki.signerKey(), { timestamp: provider });
    expect(byteRanges(signed)).toHaveLength(1);
  });

  it('fetches the token from tsaUrl over HTTP', async () => {
    const server = await startTsaServer({ certificate: pki.tsa.der, privateKey: pki.tsa.privateKey, chain: [pki.tsa.der, pki.intermediate.der, pki.root.der] });
    try {
      const signed = await signPdf(base, pki.signerKey(pki.signer), { tsaUrl: server.url });
      expect(server.requests).toBe(1);
      const si = signedData(cmsAt(signed, 0).cms).signerInfos[0];
      expect(si.unsignedAttrs!.attributes.map((a) => a.type)).toContain(OID.signatureTimeStampToken);
    } finally {
      await server.close();
    }
  });

  (hasOpenssl ? it : it.skip)('openssl ts -verify accepts the token', async () => {
    const signed = await signAs(base, pki.signer, { timestamped: true });
    const si = signedData(cmsAt(signed, 0).cms).signerInfos[0];
    const attr = si.unsignedAttrs!.attributes.find((a) => a.type === OID.signatureTimeStampToken)!;
    const token = writeTmp(new Uint8Array(attr.values[0].toBER()), 'tst');
    const data = writeTmp(new Uint8Array(si.signature.valueBlock.valueHexView), 'bin');
    const ca = writeTmp(Buffer.from(pki.root.pem), 'pem');
    const untrusted = writeTmp(Buffer.from(pki.tsa.pem + pki.intermediate.pem), 'pem');
    const out = execFileSync('openssl', ['ts', '-verify', '-token_in', '-in', token, '-data', data, '-CAfile', ca, '-untrusted', untrusted], { encoding: 'utf8' });
    expect(out).toMatch(/Verification: OK/);
  });
});

describe('document timestamp (ETSI.RFC3161)', () => {
  it('appends a /DocTimeStamp whose token imprint is SHA-256 over the byte ranges', async () => {
    const signed = await signAs(base, pki.signer);
    const stamped = await addDocumentTimestamp(signed, { timestamp: pki.timestampProvider() });
    expect(Buffer.from(stamped.subarray(0, signed.length)).equals(Buffer.from(signed))).toBe(true);
    expect(Buffer.from(stamped.subarray(signed.length)).toString('latin1')).toContain('/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161');
    const { cms, content } = cmsAt(stamped, 1);
    const token = signedData(cms);
    expect(token.encapContentInfo.eContentType).toBe(OID.tstInfo);
    const tst = pkijs.TSTInfo.fromBER(token.encapContentInfo.eContent!.valueBlock.valueHexView);
    expect(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(crypto.createHash('sha256').update(content).digest())).toBe(true);
    if (hasOpenssl) {
      const out = execFileSync('openssl', ['ts', '-verify', '-token_in', '-in', writeTmp(cms, 'tst'), '-data', writeTmp(content, 'bin'), '-CAfile', writeTmp(Buffer.from(pki.root.pem), 'pem'), '-untrusted', writeTmp(Buffer.from(pki.tsa.pem + pki.intermediate.pem), 'pem')], { encoding: 'utf8' });
      expect(out).toMatch(/Verification: OK/);
    }
    if (hasPdfsig) expect(pdfsig(stamped).validations[0]).toBe('Signature is Valid.'); // the earlier signature
  });

  it('refuses to sign a document certified with DocMDP P=1', async () => {
    const u = await IncrementalUpdate.open(base);
    const catalog = u.context.lookup(u.catalogRef, PDFDict);
    const sigRef = u.context.register(u.context.obj({ Type: 'Sig', Reference: [{ Type: 'SigRef', TransformMethod: 'DocMDP', TransformParams: { Type: 'TransformParams', P: 1, V: '1.2' } }] }));
    catalog.set(PDFName.of('Perms'), u.context.obj({ DocMDP: sigRef }));
    u.markChanged(u.catalogRef);
    const certified = u.build().bytes;
    await expect(signAs(certified, pki.seal)).rejects.toThrow(/DocMDP P=1/);
  });
});

describe('acceptance by other implementations', () => {
  (hasPdfsig ? it : it.skip)('pdfsig: RSA, RSA-PSS, ECDSA, classic and stream xref, visible + timestamp, two signatures', async () => {
    const cases: Array<[string, Uint8Array]> = [
      ['rsa/xref-stream', await signAs(base, pki.signer)],
      ['rsa/classic', await signAs(baseClassic, pki.signer)],
      ['pss', await signAs(base, pki.signer, { rsaPadding: 'PSS' })],
      ['ecdsa', await signAs(baseClassic, pki.signerEcdsa)],
      [
        'visible+ts',
        await signAs(base, pki.signer, {
          timestamped: true,
          reason: 'Ký phê duyệt',
          visible: { page: 1, rect: [340, 60, 560, 130], text: 'Người ký: Nguyễn Văn An\nỦy ban nhân dân tỉnh Thử Nghiệm' },
        }),
      ],
    ];
    for (const [label, pdf] of cases) {
      const r = pdfsig(pdf);
      expect({ label, v: r.validations, t: r.totalSigned }).toEqual({ label, v: ['Signature is Valid.'], t: [true] });
    }
    const two = await signAs(await signAs(base, pki.signer, { visible: { page: 1, rect: [340, 60, 560, 130], text: 'Nguyễn Văn An' } }), pki.seal, {
      visible: { page: 1, rect: [300, 70, 400, 140], text: 'ỦY BAN NHÂN DÂN\nTỈNH THỬ NGHIỆM' },
      timestamped: true,
    });
    const r = pdfsig(two);
    expect(r.validations).toEqual(['Signature is Valid.', 'Signature is Valid.']);
    expect(r.totalSigned).toEqual([false, true]);
  });

  (hasOpenssl ? it : it.skip)('openssl cms -verify accepts the CMS and the chain to the test root', async () => {
    for (const [cert, pad] of [
      [pki.signer, 'PKCS1'],
      [pki.signer, 'PSS'],
      [pki.signerEcdsa, undefined],
      // NSS 3.87 (pdfsig) rejects CMS signatures from an id-RSASSA-PSS SPKI key; OpenSSL accepts them.
      [pki.signerRsaPss, undefined],
    ] as Array<[TestCert, 'PKCS1' | 'PSS' | undefined]>) {
      const { cms, content } = cmsAt(await signAs(base, cert, { rsaPadding: pad }), 0);
      execFileSync('openssl', [
        'cms', '-verify', '-inform', 'DER', '-binary', '-purpose', 'any',
        '-in', writeTmp(cms, 'p7s'), '-content', writeTmp(content, 'bin'), '-CAfile', writeTmp(Buffer.from(pki.root.pem), 'pem'), '-out', '/dev/null',
      ], { stdio: 'pipe' });
    }
  });
});

describe('loadSignerKey', () => {
  it('loads PKCS#12 (RSA) with the chain signer-first', () => {
    const p12 = pki.pkcs12(pki.seal, 'mật khẩu 123');
    const key = loadSignerKey({ pkcs12: p12, password: 'mật khẩu 123' });
    expect(key.certificateChain.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [pki.seal, pki.intermediate, pki.root].map((c) => Buffer.from(c.der).toString('hex')),
    );
    expect(key.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('rejects a wrong PKCS#12 password', () => {
    const p12 = pki.pkcs12(pki.seal, 'right');
    expect(() => loadSignerKey({ pkcs12: p12, password: 'wrong' })).toThrow();
  });

  (hasOpenssl ? it : it.skip)('loads an OpenSSL 3 PKCS#12 (AES-256, SHA-256 MAC) with an EC key', () => {
    const c = pki.signerEcdsa;
    const keyF = writeTmp(Buffer.from(c.keyPem), 'pem');
    const certF = writeTmp(Buffer.from(c.pem + pki.intermediate.pem + pki.root.pem), 'pem');
    const out = path.join(tmp, 'ec.p12');
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', keyF, '-in', certF, '-passout', 'pass:secret', '-out', out], { stdio: 'pipe' });
    const key = loadSignerKey({ pkcs12: fs.readFileSync(out), password: 'secret' });
    expect(key.privateKey.asymmetricKeyType).toBe('ec');
    expect(key.certificateChain).toHaveLength(3);
    expect(Buffer.from(key.certificateChain[0]).equals(Buffer.from(c.der))).toBe(true);
  });

  it('loads PEM key + shuffled chain and reorders it', async () => {
    const key = loadSignerKey({ keyPem: pki.signerEcdsa.keyPem, certPem: pki.root.pem + pki.signerEcdsa.pem + pki.intermediate.pem });
    expect(key.certificateChain.map((c) => Buffer.from(c).toString('hex'))).toEqual(
      [pki.signerEcdsa, pki.intermediate, pki.root].map((c) => Buffer.from(c.der).toString('hex')),
    );
    const signed = await signPdf(base, key);
    expect(byteRanges(signed)).toHaveLength(1);
  });

  it('refuses a certificate that does not match the key', () => {
    expect(() => loadSignerKey({ keyPem: pki.signer.keyPem, certPem: pki.seal.pem })).toThrow(/matches/);
  });
});

describe('incremental signing over third-party signed PDFs', () => {
  const dir = path.resolve(__dirname, '../../../../shared/fixtures/external-signed-pdfs');
  // Inputs whose own xref/ByteRange is broken: appending a revision legitimately changes how
  // poppler reads their (already invalid) first signature.
  const brokenInputs = new Set(['dss__pdf-eof.pdf', 'dss__pdf-signed-corrupted.pdf']);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.pdf') && !brokenInputs.has(f)) : [];

  (hasPdfsig && files.length ? it : it.skip)('our signature is valid and every earlier pdfsig result is unchanged (fixtures)', async () => {
    const mismatches: string[] = [];
    for (const f of files) {
      const input = new Uint8Array(fs.readFileSync(path.join(dir, f)));
      const before = pdfsig(input).validations;
      let out: Uint8Array;
      try {
        out = await signAs(input, pki.seal);
      } catch (e) {
        // certified "no changes" documents are refused on purpose
        if (/DocMDP P=1/.test(String(e))) continue;
        throw e;
      }
      const after = pdfsig(out).validations;
      const expected = [...before, 'Signature is Valid.'];
      if (JSON.stringify(after) !== JSON.stringify(expected)) mismatches.push(`${f}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    }
    expect(mismatches).toEqual([]);
  });
});
