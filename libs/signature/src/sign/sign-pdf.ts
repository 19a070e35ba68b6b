/**
 * PAdES baseline B-B signing (ETSI EN 319 142-1): ETSI.CAdES.detached, signed attributes
 * contentType + messageDigest + signing-certificate-v2 (no signingTime: the claimed time goes in
 * the signature dictionary's /M), optional RFC 3161 signature-time-stamp, appended as an
 * incremental update.
 */
import * as fs from 'node:fs';
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import fontkit from '@pdf-lib/fontkit';
import { OID, certificateParts, children, content, decodeOid, readTlv } from './der';
import { DigestAlgorithm, attribute, buildSignedData, digest, schemeForKey, signingCertificateAttribute } from './cms';
import { SignerKey } from './keys';
import { TimestampProvider, checkTokenMatches, extractTimeStampToken, httpTimestampProvider } from './timestamp';
import { IncrementalUpdate } from './incremental';

export interface VisibleAppearance {
  /** 1-based page number */
  page: number;
  /** [x1, y1, x2, y2] in PDF user space of that page */
  rect: [number, number, number, number];
  /** text shown in the box (Vietnamese is fine); `\n` separates lines */
  text: string;
}

export interface SignPdfOptions {
  reason?: string;
  location?: string;
  signerName?: string;
  fieldName?: string;
  /** claimed signing time, written to /M (default: now) */
  signingTime?: Date;
  visible?: VisibleAppearance;
  /** RFC 3161 TSA to POST the signature imprint to */
  tsaUrl?: string;
  /** injected RFC 3161 token provider (takes precedence over tsaUrl); receives the SHA-256 imprint */
  timestamp?: TimestampProvider;
  /** default SHA-256. SHA-1 exists only to produce weak-algorithm test documents. */
  digestAlgorithm?: DigestAlgorithm;
  /** for plain RSA keys: PKCS#1 v1.5 (default) or RSASSA-PSS */
  rsaPadding?: 'PKCS1' | 'PSS';
  /** TrueType/OpenType font for the visible appearance (default: DejaVu Sans from `dejavu-fonts-ttf`) */
  font?: Uint8Array;
  /** /SubFilter, default ETSI.CAdES.detached (adbe.pkcs7.detached for legacy consumers) */
  subFilter?: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
}

let defaultFont: Uint8Array | undefined;
function loadDefaultFont(): Uint8Array {
  // The only file read in the lib: a font asset shipped in node_modules, read once per process.
  defaultFont ??= new Uint8Array(fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
  return defaultFont;
}

/** Text string for the PDF: UTF-16BE with BOM, as a hex string (safe for Vietnamese). */
export function pdfTextHex(s: string): string {
  const b = Buffer.from(s, 'utf16le');
  b.swap16();
  return `<FEFF${b.toString('hex').toUpperCase()}>`;
}

/** PDF date in Vietnam time (UTC+07:00), e.g. D:20261123224500+07'00'. */
export function pdfDate(d: Date): string {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `D:${v.getUTCFullYear()}${p(v.getUTCMonth() + 1)}${p(v.getUTCDate())}${p(v.getUTCHours())}${p(v.getUTCMinutes())}${p(v.getUTCSeconds())}+07'00'`;
}

function decodeText(o: unknown): string | null {
  return o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : null;
}

/** Fully qualified names of existing fields, to pick a free default name. */
function existingFieldNames(u: IncrementalUpdate, fields: PDFArray): Set<string> {
  const names = new Set<string>();
  const seen = new Set<PDFDict>();
  const walk = (arr: PDFArray, prefix: string, depth: number): void => {
    if (depth > 32) return;
    for (let i = 0; i < arr.size(); i++) {
      const f = u.context.lookup(arr.get(i));
      if (!(f instanceof PDFDict) || seen.has(f)) continue;
      seen.add(f);
      const t = decodeText(f.lookup(PDFName.of('T')));
      const full = t === null ? prefix : prefix ? `${prefix}.${t}` : t;
      if (full) names.add(full);
      const kids = f.lookup(PDFName.of('Kids'));
      if (kids instanceof PDFArray) walk(kids, full, depth + 1);
    }
  };
  walk(fields, '', 0);
  return names;
}

/** Common name from the certificate subject, for /Name when none is given. */
export function subjectCommonName(certDer: Uint8Array): string | null {
  const name = certificateParts(certDer).subject;
  const top = readTlv(name, 0);
  for (const rdn of children(name, top)) {
    for (const atv of children(name, rdn)) {
      const [type, value] = children(name, atv);
      if (decodeOid(content(name, type)) !== '2.5.4.3') continue;
      const v = content(name, value);
      if (value.tag === 0x1e) return Buffer.from(v).swap16().toString('utf16le');
      return Buffer.from(v).toString(value.tag === 0x0c ? 'utf8' : 'latin1');
    }
  }
  return null;
}

async function appearance(u: IncrementalUpdate, vis: VisibleAppearance | undefined, fontBytes: Uint8Array | undefined): Promise<PDFRef> {
  const ctx = u.context;
  if (!vis) {
    return ctx.register(ctx.stream('', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 0, 0] }));
  }
  const [x1, y1, x2, y2] = vis.rect;
  const w = Math.abs(x2 - x1);
  const h = Math.abs(y2 - y1);
  u.doc.registerFontkit(fontkit);
  const font = await u.doc.embedFont(fontBytes ?? loadDefaultFont(), { subset: true });
  const lines = vis.text.split(/\r?\n/);
  const pad = 3;
  let size = 10;
  const widest = Math.max(...lines.map((l) => font.widthOfTextAtSize(l, 1)), 0.001);
  size = Math.min(size, (w - 2 * pad) / widest, (h - 2 * pad) / (lines.length * 1.2));
  size = Math.max(3, Math.floor(size * 10) / 10);
  const ops: string[] = ['q', '0 0 0.55 RG 0.6 w', `0.3 0.3 ${(w - 0.6).toFixed(2)} ${(h - 0.6).toFixed(2)} re S`, 'BT', `/F1 ${size} Tf`, '0 0 0 rg'];
  lines.forEach((line, i) => {
    const y = h - pad - size * (i + 1) - size * 0.2 * i;
    ops.push(`1 0 0 1 ${pad} ${y.toFixed(2)} Tm`, `${font.encodeText(line).toString()} Tj`);
  });
  ops.push('ET', 'Q');
  const ref = ctx.register(
    ctx.flateStream(ops.join('\n'), {
      Type: 'XObject',
      Subtype: 'Form',
      BBox: [0, 0, w, h],
      Resources: { Font: { F1: font.ref } },
    }),
  );
  await font.embed(); // after encodeText: the subset holds exactly the glyphs used
  return ref;
}

/** DocMDP permission of a certified document (1 = no changes), or null when not certified. */
function docMdpPermission(u: IncrementalUpdate, catalog: PDFDict): number | null {
  const perms = catalog.lookup(PDFName.of('Perms'));
  if (!(perms instanceof PDFDict)) return null;
  const sig = perms.lookup(PDFName.of('DocMDP'));
  if (!(sig instanceof PDFDict)) return null;
  const refs = sig.lookup(PDFName.of('Reference'));
  if (refs instanceof PDFArray) {
    for (let i = 0; i < refs.size(); i++) {
      const r = u.context.lookup(refs.get(i));
      if (!(r instanceof PDFDict)) continue;
      const params = r.lookup(PDFName.of('TransformParams'));
      const p = params instanceof PDFDict ? params.lookup(PDFName.of('P')) : undefined;
      return p instanceof PDFNumber ? p.asNumber() : 2;
    }
  }
  return 2;
}

interface PreparedField {
  u: IncrementalUpdate;
  sigRef: PDFRef;
}

/** Adds the signature field + widget (and its appearance) to a new revision; the /V is reserved. */
async function prepareField(pdf: Uint8Array, opts: { fieldName?: string; visible?: VisibleAppearance; font?: Uint8Array }, what: string): Promise<PreparedField> {
  const u = await IncrementalUpdate.open(pdf);
  const ctx = u.context;
  const catalogRef = u.catalogRef;
  const catalog = ctx.lookup(catalogRef, PDFDict);
  // Adding a signature to a document certified with "no changes" would break its certification.
  if (docMdpPermission(u, catalog) === 1) throw new Error(`${what}: the document is certified with DocMDP P=1 (no changes allowed)`);

  // AcroForm (direct in the catalog or indirect) with /SigFlags 3 and the new field.
  let acroOwner = catalogRef;
  let acroForm: PDFDict;
  const af = catalog.get(PDFName.of('AcroForm'));
  if (af instanceof PDFRef) {
    acroForm = ctx.lookup(af, PDFDict);
    acroOwner = af;
  } else if (af instanceof PDFDict) {
    acroForm = af;
  } else {
    acroForm = ctx.obj({});
    acroOwner = ctx.register(acroForm);
    catalog.set(PDFName.of('AcroForm'), acroOwner);
    u.markChanged(catalogRef);
  }
  const fields = u.editableArray(acroOwner, acroForm, 'Fields');
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));
  u.markChanged(acroOwner);

  const names = existingFieldNames(u, fields);
  let fieldName = opts.fieldName;
  if (fieldName === undefined) {
    let n = 1;
    while (names.has(`Signature${n}`)) n++;
    fieldName = `Signature${n}`;
  } else if (fieldName.includes('.') || fieldName === '') {
    throw new Error(`${what}: a field name must be non-empty and without '.' (it separates name parts)`);
  } else if (names.has(fieldName)) {
    throw new Error(`${what}: field "${fieldName}" already exists`);
  }

  const pages = u.doc.getPages();
  if (pages.length === 0) throw new Error(`${what}: document has no pages`);
  const pageIdx = opts.visible ? opts.visible.page - 1 : 0;
  if (pageIdx < 0 || pageIdx >= pages.length) throw new Error(`${what}: page ${opts.visible?.page} out of range 1..${pages.length}`);
  const page = pages[pageIdx];

  const apRef = await appearance(u, opts.visible, opts.font);
  const sigRef = u.reserveRaw();
  const widget = ctx.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: /^[A-Za-z0-9 _\-]*$/.test(fieldName) ? PDFString.of(fieldName) : PDFHexString.fromText(fieldName),
    V: sigRef,
    P: page.ref,
    Rect: opts.visible ? opts.visible.rect : [0, 0, 0, 0],
    F: opts.visible ? 4 : 132, // Print; invisible: Print|Locked, as Acrobat writes
    AP: { N: apRef },
  });
  const widgetRef = ctx.register(widget);
  fields.push(widgetRef);
  u.editableArray(page.ref, page.node, 'Annots').push(widgetRef);
  return { u, sigRef };
}

/**
 * Writes the signature dictionary with a /ByteRange + /Contents placeholder, builds the file,
 * patches /ByteRange, and fills /Contents with what `produce` returns for the signed ranges.
 * Retries with a larger hole when the CMS outgrows the estimate.
 */
async function fillSignature(
  f: PreparedField,
  dict: { head: string; tail: string[] },
  initialCapacity: number,
  produce: (ranges: [Uint8Array, Uint8Array]) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  let capacity = initialCapacity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const placeholder = '0'.repeat(capacity * 2);
    const brPlaceholder = '[0 0000000000 0000000000 0000000000]';
    const prefix = `<< ${dict.head} /ByteRange `;
    const afterBr = ' /Contents <';
    const body = prefix + brPlaceholder + afterBr + placeholder + '>' + dict.tail.map((t) => ` ${t}`).join('') + ' >>';
    f.u.setRaw(f.sigRef, new Uint8Array(Buffer.from(body, 'latin1')));

    const built = f.u.build();
    const out = built.bytes;
    const bodyOff = built.bodyOffsets.get(f.sigRef.objectNumber)!;
    const brOff = bodyOff + prefix.length;
    const contentsStart = brOff + brPlaceholder.length + afterBr.length - 1; // at '<'
    const contentsEnd = contentsStart + placeholder.length + 2; // after '>'
    const byteRange = [0, contentsStart, contentsEnd, out.length - contentsEnd];
    const brText = `[${byteRange.join(' ')}]`.padEnd(brPlaceholder.length, ' ');
    if (brText.length > brPlaceholder.length) throw new Error('document too large for the /ByteRange placeholder');
    out.set(Buffer.from(brText, 'latin1'), brOff);

    const cms = await produce([out.subarray(0, contentsStart), out.subarray(contentsEnd)]);
    if (cms.length > capacity) {
      capacity = cms.length + 2048;
      continue;
    }
    out.set(Buffer.from(Buffer.from(cms).toString('hex').toUpperCase(), 'latin1'), contentsStart + 1);
    return out;
  }
  throw new Error('signature does not fit its placeholder');
}

export async function signPdf(pdf: Uint8Array, key: SignerKey, options: SignPdfOptions = {}): Promise<Uint8Array> {
  const digestAlg = options.digestAlgorithm ?? 'SHA-256';
  const scheme = schemeForKey(key.privateKey, options.rsaPadding === 'PSS');
  const signerCert = key.certificateChain[0];
  if (!signerCert) throw new Error('signPdf: empty certificate chain');
  const field = await prepareField(pdf, options, 'signPdf');

  const provider: TimestampProvider | undefined = options.timestamp ?? (options.tsaUrl ? httpTimestampProvider(options.tsaUrl) : undefined);
  const tail = [`/M (${pdfDate(options.signingTime ?? new Date())})`];
  if (options.reason) tail.push(`/Reason ${pdfTextHex(options.reason)}`);
  if (options.location) tail.push(`/Location ${pdfTextHex(options.location)}`);
  const name = options.signerName ?? subjectCommonName(signerCert);
  if (name) tail.push(`/Name ${pdfTextHex(name)}`);
  const chainBytes = key.certificateChain.reduce((s, c) => s + c.length, 0);

  return fillSignature(
    field,
    { head: `/Type /Sig /Filter /Adobe.PPKLite /SubFilter /${options.subFilter ?? 'ETSI.CAdES.detached'}`, tail },
    chainBytes + 3072 + (provider ? 8192 : 0),
    (ranges) =>
      buildSignedData({
        digestAlgorithm: digestAlg,
        scheme,
        privateKey: key.privateKey,
        signerCertificate: signerCert,
        certificates: key.certificateChain,
        eContentType: OID.data,
        messageDigest: digest(digestAlg, ...ranges),
        signedAttributes: [signingCertificateAttribute(signerCert, digestAlg)],
        unsignedAttributes: provider
          ? async (sig) => {
              const imprint = digest('SHA-256', sig);
              const token = extractTimeStampToken(await provider(imprint));
              checkTokenMatches(token, imprint);
              return [attribute(OID.signatureTimeStampToken, token)];
            }
          : undefined,
      }),
  );
}

export interface ExternalSignOptions {
  /** /SubFilter of the signature dictionary (default ETSI.CAdES.detached) */
  subFilter?: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
  fieldName?: string;
  visible?: VisibleAppearance;
  font?: Uint8Array;
  reason?: string;
  location?: string;
  signerName?: string;
  /** written to /M (default now) */
  signingTime?: Date;
  /** bytes reserved for the CMS (default 16 KiB; a larger result triggers one retry) */
  estimatedSize?: number;
}

/**
 * Signature with an external CMS producer (HSM, USB token, remote signing service, another
 * library): `produce` gets the two signed byte ranges and returns the DER CMS SignedData.
 */
export async function signPdfExternal(
  pdf: Uint8Array,
  produce: (ranges: [Uint8Array, Uint8Array]) => Promise<Uint8Array>,
  options: ExternalSignOptions = {},
): Promise<Uint8Array> {
  const field = await prepareField(pdf, options, 'signPdfExternal');
  const tail = [`/M (${pdfDate(options.signingTime ?? new Date())})`];
  if (options.reason) tail.push(`/Reason ${pdfTextHex(options.reason)}`);
  if (options.location) tail.push(`/Location ${pdfTextHex(options.location)}`);
  if (options.signerName) tail.push(`/Name ${pdfTextHex(options.signerName)}`);
  return fillSignature(
    field,
    { head: `/Type /Sig /Filter /Adobe.PPKLite /SubFilter /${options.subFilter ?? 'ETSI.CAdES.detached'}`, tail },
    options.estimatedSize ?? 16384,
    produce,
  );
}

export interface DocumentTimestampOptions {
  tsaUrl?: string;
  /** injected provider (takes precedence); receives SHA-256 over the signed byte ranges */
  timestamp?: TimestampProvider;
  fieldName?: string;
}

/** PAdES document timestamp (/Type /DocTimeStamp, /SubFilter /ETSI.RFC3161), e.g. for B-LTA. */
export async function addDocumentTimestamp(pdf: Uint8Array, options: DocumentTimestampOptions): Promise<Uint8Array> {
  const provider = options.timestamp ?? (options.tsaUrl ? httpTimestampProvider(options.tsaUrl) : undefined);
  if (!provider) throw new Error('addDocumentTimestamp: tsaUrl or timestamp provider required');
  const field = await prepareField(pdf, { fieldName: options.fieldName }, 'addDocumentTimestamp');
  return fillSignature(field, { head: '/Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161', tail: [] }, 12288, async (ranges) => {
    const imprint = digest('SHA-256', ...ranges);
    const token = extractTimeStampToken(await provider(imprint));
    checkTokenMatches(token, imprint);
    return token;
  });
}
