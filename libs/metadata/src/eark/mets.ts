/**
 * METS documents of the E-ARK CSIP 2.0.4 profile as used by TT 05/2025: the package (root) METS and
 * the representation METS. Only what we write is modelled here; reading is in `package-reader.ts`.
 */
import { attrs, esc } from './xml';

export const NS = {
  mets: 'http://www.loc.gov/METS/',
  csip: 'https://DILCIS.eu/XML/METS/CSIPExtensionMETS',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  premis: 'http://www.loc.gov/premis/v3',
} as const;

export const CSIP_PROFILE = 'https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml';
/** Value of csip:OTHERCONTENTINFORMATIONTYPE: the content follows the Vietnamese TT 05/2025 profile. */
export const TT05_CONTENT_TYPE = 'TT05/2025/TT-BNV';

export interface MetsFileRef {
  id: string;
  /** href relative to the METS file's folder. */
  href: string;
  size: number;
  sha256: string;
  mimeType: string;
  created: string;
}

export interface MetsMdRef extends MetsFileRef {
  mdType: 'EAD' | 'PREMIS' | 'OTHER';
  otherMdType?: string;
}

export interface MetsAgent {
  role: 'CREATOR' | 'ARCHIVIST' | 'PRESERVATION' | 'CUSTODIAN' | 'IPOWNER' | 'OTHER';
  type: 'ORGANIZATION' | 'INDIVIDUAL' | 'OTHER';
  otherType?: string;
  name: string;
  /** Agency identifier or software version, written as a METS note. */
  note?: string;
  noteType?: 'IDENTIFICATIONCODE' | 'SOFTWARE VERSION';
}

export interface MetsHeader {
  objId: string;
  label?: string;
  packageType: 'SIP' | 'AIP';
  createDate: string;
  recordStatus: string;
  agents: MetsAgent[];
}

function metsOpen(h: MetsHeader): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<mets:mets xmlns:mets="${NS.mets}" xmlns:csip="${NS.csip}" xmlns:xlink="${NS.xlink}" xmlns:xsi="${NS.xsi}"` +
    attrs({
      OBJID: h.objId,
      LABEL: h.label,
      TYPE: 'Mixed',
      'csip:CONTENTINFORMATIONTYPE': 'OTHER',
      'csip:OTHERCONTENTINFORMATIONTYPE': TT05_CONTENT_TYPE,
      PROFILE: CSIP_PROFILE,
    }) +
    '>\n' +
    `  <mets:metsHdr${attrs({ CREATEDATE: h.createDate, RECORDSTATUS: h.recordStatus, 'csip:OAISPACKAGETYPE': h.packageType })}>\n` +
    h.agents
      .map(
        (a) =>
          `    <mets:agent${attrs({ ROLE: a.role, TYPE: a.type, OTHERTYPE: a.type === 'OTHER' ? a.otherType : undefined })}>` +
          `<mets:name>${esc(a.name)}</mets:name>` +
          (a.note ? `<mets:note${attrs({ 'csip:NOTETYPE': a.noteType })}>${esc(a.note)}</mets:note>` : '') +
          '</mets:agent>\n',
      )
      .join('') +
    '  </mets:metsHdr>\n'
  );
}

function fileAttrs(f: MetsFileRef): Record<string, string | number> {
  return { MIMETYPE: f.mimeType, SIZE: f.size, CREATED: f.created, CHECKSUM: f.sha256.toUpperCase(), CHECKSUMTYPE: 'SHA-256' };
}

function mdRef(m: MetsMdRef): string {
  return (
    `<mets:mdRef${attrs({ ID: `${m.id}-ref`, LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': m.href, MDTYPE: m.mdType, OTHERMDTYPE: m.mdType === 'OTHER' ? m.otherMdType : undefined })}` +
    `${attrs(fileAttrs(m))}/>`
  );
}

function dmdSecs(refs: MetsMdRef[]): string {
  return refs.map((r) => `  <mets:dmdSec${attrs({ ID: r.id, CREATED: r.created, STATUS: 'CURRENT' })}>\n    ${mdRef(r)}\n  </mets:dmdSec>\n`).join('');
}

function amdSec(refs: MetsMdRef[]): string {
  if (!refs.length) return '';
  return (
    '  <mets:amdSec>\n' +
    refs.map((r) => `    <mets:digiprovMD${attrs({ ID: r.id, STATUS: 'CURRENT' })}>\n      ${mdRef(r)}\n    </mets:digiprovMD>\n`).join('') +
    '  </mets:amdSec>\n'
  );
}

function file(f: MetsFileRef, dmdId?: string): string {
  return (
    `      <mets:file${attrs({ ID: f.id, ...fileAttrs(f), DMDID: dmdId })}>\n` +
    `        <mets:FLocat${attrs({ LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': f.href })}/>\n` +
    '      </mets:file>\n'
  );
}

export interface RootMetsInput extends MetsHeader {
  descriptive: MetsMdRef[];
  preservation: MetsMdRef[];
  schemas: MetsFileRef[];
  documentation: MetsFileRef[];
  representations: { name: string; mets: MetsFileRef }[];
}

export function writeRootMets(m: RootMetsInput): string {
  const grp = (use: string, id: string, files: MetsFileRef[]) =>
    files.length ? `    <mets:fileGrp${attrs({ ID: id, USE: use })}>\n${files.map((f) => file(f)).join('')}    </mets:fileGrp>\n` : '';
  const dmdIds = m.descriptive.map((d) => d.id).join(' ') || undefined;
  const admIds = m.preservation.map((d) => d.id).join(' ') || undefined;
  return (
    metsOpen(m) +
    dmdSecs(m.descriptive) +
    amdSec(m.preservation) +
    '  <mets:fileSec ID="uuid-filesec">\n' +
    grp('Schemas', 'uuid-grp-schemas', m.schemas) +
    grp('Documentation', 'uuid-grp-documentation', m.documentation) +
    m.representations.map((r) => grp(`Representations/${r.name}`, `uuid-grp-${r.name}`, [r.mets])).join('') +
    '  </mets:fileSec>\n' +
    `  <mets:structMap ID="uuid-structmap" TYPE="PHYSICAL" LABEL="CSIP">\n` +
    `    <mets:div${attrs({ ID: 'uuid-div-root', LABEL: m.objId })}>\n` +
    `      <mets:div${attrs({ ID: 'uuid-div-metadata', LABEL: 'Metadata', DMDID: dmdIds, ADMID: admIds })}/>\n` +
    (m.schemas.length
      ? `      <mets:div ID="uuid-div-schemas" LABEL="Schemas">\n${m.schemas.map((s) => `        <mets:fptr FILEID="${esc(s.id)}"/>\n`).join('')}      </mets:div>\n`
      : '') +
    (m.documentation.length
      ? `      <mets:div ID="uuid-div-documentation" LABEL="Documentation">\n${m.documentation.map((s) => `        <mets:fptr FILEID="${esc(s.id)}"/>\n`).join('')}      </mets:div>\n`
      : '') +
    m.representations
      .map(
        (r) =>
          `      <mets:div${attrs({ ID: `uuid-div-${r.name}`, LABEL: `Representations/${r.name}` })}>\n` +
          `        <mets:mptr${attrs({ LOCTYPE: 'URL', 'xlink:type': 'simple', 'xlink:href': r.mets.href, 'xlink:title': r.mets.id })}/>\n` +
          '      </mets:div>\n',
      )
      .join('') +
    '    </mets:div>\n  </mets:structMap>\n</mets:mets>\n'
  );
}

export interface RepresentationMetsInput extends MetsHeader {
  descriptive: MetsMdRef[];
  preservation: MetsMdRef[];
  /** Data files with the ID of the dmdSec (EAD_doc) describing each. */
  data: { file: MetsFileRef; dmdId?: string }[];
}

export function writeRepresentationMets(m: RepresentationMetsInput): string {
  const dmdIds = m.descriptive.map((d) => d.id).join(' ') || undefined;
  const admIds = m.preservation.map((d) => d.id).join(' ') || undefined;
  return (
    metsOpen(m) +
    dmdSecs(m.descriptive) +
    amdSec(m.preservation) +
    '  <mets:fileSec ID="uuid-filesec">\n' +
    '    <mets:fileGrp ID="uuid-grp-data" USE="Data">\n' +
    m.data.map((d) => file(d.file, d.dmdId)).join('') +
    '    </mets:fileGrp>\n  </mets:fileSec>\n' +
    `  <mets:structMap ID="uuid-structmap" TYPE="PHYSICAL" LABEL="CSIP">\n` +
    `    <mets:div${attrs({ ID: 'uuid-div-root', LABEL: m.objId })}>\n` +
    `      <mets:div${attrs({ ID: 'uuid-div-metadata', LABEL: 'Metadata', DMDID: dmdIds, ADMID: admIds })}/>\n` +
    '      <mets:div ID="uuid-div-data" LABEL="Data">\n' +
    m.data.map((d) => `        <mets:fptr FILEID="${esc(d.file.id)}"/>\n`).join('') +
    '      </mets:div>\n    </mets:div>\n  </mets:structMap>\n</mets:mets>\n'
  );
}
