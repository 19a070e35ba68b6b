/**
 * PREMIS 3 preservation metadata: objects (fixity SHA-256, size, format), events and agents.
 * Written for AIPs (mandatory there, §2.5); read back by `readPremis` for round trips and audits.
 */
import { NS } from './mets';
import { XNode, child, childrenNamed, descendants, el, esc } from './xml';

export interface PremisIdentifier {
  type: string;
  value: string;
}

export interface PremisObject {
  id: PremisIdentifier;
  category: 'file' | 'representation' | 'intellectual entity';
  /** For files. */
  sha256?: string;
  size?: number;
  formatName?: string;
  formatVersion?: string;
  originalName?: string;
  /** Package path of the file (storage/contentLocation). */
  path?: string;
  linkingEvents?: PremisIdentifier[];
}

export interface PremisEvent {
  id: PremisIdentifier;
  /** PREMIS event type vocabulary: ingestion, fixity check, validation, information package creation, … */
  type: string;
  dateTime: string;
  detail?: string;
  /** success | failure | warning, or a domain outcome such as the signature summary (VALID/INVALID/…). */
  outcome?: string;
  outcomeDetail?: string;
  agents: { id: PremisIdentifier; role?: string }[];
  objects: PremisIdentifier[];
}

export interface PremisAgent {
  id: PremisIdentifier;
  name: string;
  /** organization | person | software */
  type: string;
  note?: string;
}

export interface PremisDocument {
  objects: PremisObject[];
  events: PremisEvent[];
  agents: PremisAgent[];
}

const ident = (tag: string, i: PremisIdentifier, extra = '') =>
  `<premis:${tag}Identifier><premis:${tag}IdentifierType>${esc(i.type)}</premis:${tag}IdentifierType>` +
  `<premis:${tag}IdentifierValue>${esc(i.value)}</premis:${tag}IdentifierValue>${extra}</premis:${tag}Identifier>`;

const p = (name: string, text: string | number | undefined) => el(`premis:${name}`, text);

export function writePremis(doc: PremisDocument): string {
  const objects = doc.objects.map((o) => {
    const xsiType = o.category === 'file' ? 'premis:file' : o.category === 'representation' ? 'premis:representation' : 'premis:intellectualEntity';
    const chars =
      o.category === 'file'
        ? '<premis:objectCharacteristics><premis:compositionLevel>0</premis:compositionLevel>' +
          (o.sha256 ? `<premis:fixity>${p('messageDigestAlgorithm', 'SHA-256')}${p('messageDigest', o.sha256.toUpperCase())}</premis:fixity>` : '') +
          p('size', o.size) +
          (o.formatName ? `<premis:format><premis:formatDesignation>${p('formatName', o.formatName)}${p('formatVersion', o.formatVersion)}</premis:formatDesignation></premis:format>` : '') +
          '</premis:objectCharacteristics>'
        : '';
    return (
      `  <premis:object xsi:type="${xsiType}">` +
      ident('object', o.id) +
      chars +
      p('originalName', o.originalName) +
      (o.path
        ? `<premis:storage><premis:contentLocation>${p('contentLocationType', 'URI')}${p('contentLocationValue', o.path)}</premis:contentLocation></premis:storage>`
        : '') +
      (o.linkingEvents ?? []).map((e) => ident('linkingEvent', e)).join('') +
      '</premis:object>\n'
    );
  });
  const events = doc.events.map(
    (e) =>
      '  <premis:event>' +
      ident('event', e.id) +
      p('eventType', e.type) +
      p('eventDateTime', e.dateTime) +
      (e.detail ? `<premis:eventDetailInformation>${p('eventDetail', e.detail)}</premis:eventDetailInformation>` : '') +
      (e.outcome !== undefined
        ? `<premis:eventOutcomeInformation>${p('eventOutcome', e.outcome)}` +
          (e.outcomeDetail ? `<premis:eventOutcomeDetail>${p('eventOutcomeDetailNote', e.outcomeDetail)}</premis:eventOutcomeDetail>` : '') +
          '</premis:eventOutcomeInformation>'
        : '') +
      e.agents.map((a) => ident('linkingAgent', a.id, p('linkingAgentRole', a.role))).join('') +
      e.objects.map((o) => ident('linkingObject', o)).join('') +
      '</premis:event>\n',
  );
  const agents = doc.agents.map(
    (a) => '  <premis:agent>' + ident('agent', a.id) + p('agentName', a.name) + p('agentType', a.type) + p('agentNote', a.note) + '</premis:agent>\n',
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<premis:premis xmlns:premis="${NS.premis}" xmlns:xsi="${NS.xsi}" version="3.0">\n` +
    objects.join('') +
    events.join('') +
    agents.join('') +
    '</premis:premis>\n'
  );
}

function readIdent(node: XNode | undefined, tag: string): PremisIdentifier | undefined {
  if (!node) return undefined;
  const type = child(node, `${tag}IdentifierType`)?.text ?? '';
  const value = child(node, `${tag}IdentifierValue`)?.text ?? '';
  return value ? { type, value } : undefined;
}

const txt = (n: XNode | undefined) => (n && n.text !== '' ? n.text : undefined);

/** Lenient PREMIS 3 reader (prefixes dropped by the XML layer). */
export function readPremis(root: XNode): PremisDocument {
  const objects: PremisObject[] = childrenNamed(root, 'object').map((o) => {
    const xsiType = (o.attrs['type'] ?? '').replace(/^.*:/, '');
    const chars = child(o, 'objectCharacteristics');
    const fixity = childrenNamed(chars, 'fixity').find((f) => /^sha-?256$/i.test(child(f, 'messageDigestAlgorithm')?.text ?? ''));
    const format = child(child(chars, 'format'), 'formatDesignation');
    const size = txt(child(chars, 'size'));
    const loc = child(child(o, 'storage'), 'contentLocation');
    return stripUndefined({
      id: readIdent(child(o, 'objectIdentifier'), 'object') ?? { type: '', value: '' },
      category: xsiType === 'file' ? 'file' : xsiType === 'representation' ? 'representation' : 'intellectual entity',
      sha256: txt(child(fixity, 'messageDigest'))?.toLowerCase(),
      size: size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined,
      formatName: txt(child(format, 'formatName')),
      formatVersion: txt(child(format, 'formatVersion')),
      originalName: txt(child(o, 'originalName')),
      path: txt(child(loc, 'contentLocationValue')),
      linkingEvents: childrenNamed(o, 'linkingEventIdentifier')
        .map((n) => readIdent(n, 'linkingEvent'))
        .filter((x): x is PremisIdentifier => !!x),
    } as PremisObject);
  });
  const events: PremisEvent[] = childrenNamed(root, 'event').map((e) => {
    const outcome = child(e, 'eventOutcomeInformation');
    return stripUndefined({
      id: readIdent(child(e, 'eventIdentifier'), 'event') ?? { type: '', value: '' },
      type: txt(child(e, 'eventType')) ?? '',
      dateTime: txt(child(e, 'eventDateTime')) ?? '',
      detail: txt(child(child(e, 'eventDetailInformation'), 'eventDetail')),
      outcome: txt(child(outcome, 'eventOutcome')),
      outcomeDetail: txt(descendants(outcome ?? { name: '', attrs: {}, children: [], text: '' }, 'eventOutcomeDetailNote')[0]),
      agents: childrenNamed(e, 'linkingAgentIdentifier').map((n) =>
        stripUndefined({ id: readIdent(n, 'linkingAgent') ?? { type: '', value: '' }, role: txt(child(n, 'linkingAgentRole')) }),
      ),
      objects: childrenNamed(e, 'linkingObjectIdentifier')
        .map((n) => readIdent(n, 'linkingObject'))
        .filter((x): x is PremisIdentifier => !!x),
    } as PremisEvent);
  });
  const agents: PremisAgent[] = childrenNamed(root, 'agent').map((a) =>
    stripUndefined({
      id: readIdent(child(a, 'agentIdentifier'), 'agent') ?? { type: '', value: '' },
      name: txt(child(a, 'agentName')) ?? '',
      type: txt(child(a, 'agentType')) ?? '',
      note: txt(child(a, 'agentNote')),
    } as PremisAgent),
  );
  return { objects, events, agents };
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
