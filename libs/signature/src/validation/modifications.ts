/**
 * Changes after signing: compares the objects of the signed revision with the final document.
 *
 * Every object of the signed revision gets the roles of the paths it is reachable by from the
 * trailer (catalog, page tree, page, annotation, form field, appearance stream, DSS, …). A changed
 * object is permitted only if EVERY role it has permits that change: an appearance stream may be
 * replaced, but not if the same object is also page content (the "sneaky" overrides and shadow
 * attacks); a page may gain annotations but nothing else; the page tree, page content, resources and
 * signature dictionaries may not change at all. DocMDP P restricts further (ISO 32000-1 §12.8.2.2).
 */
import { PdfDocument, XrefState } from '../pdf/document';
import { PdfDict, PdfValue, dictOf, isArray, isDict, isName, isRef, isStream, nameOf, refKey, textOf } from '../pdf/objects';

type Role =
  | 'trailer' | 'catalog' | 'pages' | 'page' | 'annots' | 'annot' | 'annotpart' | 'acroform' | 'fields'
  | 'field' | 'fieldvalue' | 'sigdict' | 'ap' | 'dss' | 'info' | 'metadata' | 'extensions' | 'dr' | 'structure' | 'names' | 'general';

export interface ModificationResult {
  level: 'NONE' | 'PERMITTED' | 'DISALLOWED';
  details: string[];
}

const MAX_VISITS = 300_000;
/** Roles whose whole subtree may change freely. */
// 'structure' is the logical structure tree (tagged PDF): not rendered; signers add their widgets to it.
const FREE_ROLES = new Set<Role>(['ap', 'dss', 'info', 'metadata', 'extensions', 'dr', 'fieldvalue', 'annotpart', 'structure']);
const SUBTREE_ROLES = new Set<Role>([...FREE_ROLES, 'general']);

/** Roles of every object reachable from the trailer of `state`. */
function assignRoles(doc: PdfDocument, state: XrefState): { roles: Map<number, Set<Role>>; complete: boolean } {
  const roles = new Map<number, Set<Role>>();
  const visited = new Set<string>();
  let visits = 0;
  const queue: [PdfValue, Role][] = [];

  const visit = (v: PdfValue | undefined, role: Role, depth: number): void => {
    if (v === undefined || v === null || ++visits > MAX_VISITS || depth > 48) return;
    if (isRef(v)) {
      const target = doc.getObject(v, state);
      // Cross-references (outlines, destinations, /OpenAction, calculation order, …) reach pages,
      // fields and annotations by "general" paths: judge those objects by what they are.
      if (role === 'general' || role === 'annotpart' || role === 'annot') role = refine(target, role);
      const k = `${v.num}:${role}`;
      if (visited.has(k)) return;
      visited.add(k);
      let s = roles.get(v.num);
      if (!s) roles.set(v.num, (s = new Set()));
      s.add(role);
      // A signature dictionary is compared as a whole; its /Reference /Data points back at the catalog.
      if (target !== undefined && role !== 'sigdict') queue.push([target, role]);
      return;
    }
    if (isArray(v)) {
      const itemRole: Role = role === 'annots' ? 'annot' : role === 'fields' ? 'field' : role;
      for (const it of v.items) visit(it, itemRole, depth + 1);
      return;
    }
    const d = dictOf(v);
    if (!d) return;
    if (isStream(v) && SUBTREE_ROLES.has(role)) {
      for (const [, val] of d.map) visit(val, role, depth + 1);
      return;
    }
    children(d, role, (val, r) => visit(val, r, depth + 1));
  };

  const refine = (target: PdfValue | undefined, role: Role): Role => {
    const d = isDict(target) ? target : null;
    if (!d) return role;
    const type = nameOf(d.map.get('Type'));
    if (type === 'Page') return 'page';
    if (type === 'Pages') return 'pages';
    if (type === 'Catalog') return 'catalog';
    if (type === 'Sig' || type === 'DocTimeStamp') return 'sigdict';
    if (d.map.has('FT') || isName(d.map.get('Subtype'), 'Widget')) return 'field';
    if (type === 'Annot' || (d.map.has('Subtype') && d.map.has('Rect'))) return 'annot';
    return role;
  };

  const children = (d: PdfDict, role: Role, go: (v: PdfValue | undefined, r: Role) => void): void => {
    const m = d.map;
    if (role === 'sigdict') return;
    if (SUBTREE_ROLES.has(role)) {
      for (const [, val] of m) go(val, role);
      return;
    }
    for (const [k, val] of m) {
      switch (role) {
        case 'trailer':
          if (k === 'Root') go(val, 'catalog');
          else if (k === 'Info') go(val, 'info');
          else if (!['Prev', 'Size', 'XRefStm', 'ID', 'Index', 'W', 'Filter', 'DecodeParms', 'Length', 'Type'].includes(k)) go(val, 'general');
          break;
        case 'catalog':
          if (k === 'Pages') go(val, 'pages');
          else if (k === 'AcroForm') go(val, 'acroform');
          else if (k === 'DSS') go(val, 'dss');
          else if (k === 'Metadata') go(val, 'metadata');
          else if (k === 'Extensions') go(val, 'extensions');
          else if (k === 'Perms') go(val, 'sigdict');
          else if (k === 'StructTreeRoot') go(val, 'structure');
          else if (k === 'Names') go(val, 'names');
          else go(val, 'general');
          break;
        case 'pages':
        case 'page': {
          if (k === 'Parent') break;
          if (k === 'Kids') {
            const kids = doc.resolve(val, state);
            if (isRef(val)) go(val, 'general');
            if (isArray(kids))
              for (const kid of kids.items) {
                const kd = dictOf(doc.resolve(kid, state));
                go(kid, kd && isName(kd.map.get('Type'), 'Pages') ? 'pages' : 'page');
              }
          } else if (k === 'Annots' && role === 'page') go(val, 'annots');
          else go(val, 'general');
          break;
        }
        case 'annots':
          go(val, 'annot');
          break;
        case 'names':
          // The named-appearance tree (stamps) may grow; JavaScript, embedded files, destinations may not.
          go(val, k === 'AP' ? 'ap' : 'general');
          break;
        case 'acroform':
          if (k === 'Fields') go(val, 'fields');
          else if (k === 'DR') go(val, 'dr');
          else go(val, 'general');
          break;
        case 'fields':
          go(val, 'field');
          break;
        case 'annot':
        case 'field': {
          if (k === 'P' || k === 'Parent' || k === 'IRT') break;
          if (k === 'Kids') go(val, 'fields');
          else if (k === 'AP') go(val, 'ap');
          else if (k === 'V') {
            const ft = fieldType(doc, d, state);
            go(val, ft === 'Sig' ? 'sigdict' : 'fieldvalue');
          } else if (k === 'Popup') go(val, 'annot');
          // Actions (JavaScript, links) must not change behind a signature.
          else if (k === 'A' || k === 'AA') go(val, 'general');
          else go(val, 'annotpart');
          break;
        }
      }
    }
  };

  if (state.trailer) children(state.trailer, 'trailer', (v, r) => visit(v, r, 1));
  for (let i = 0; i < queue.length && visits <= MAX_VISITS; i++) {
    const [v, role] = queue[i];
    // Page-tree nodes can be reached through a plain reference from /Kids: re-derive from /Type.
    let r = role;
    const d = dictOf(v);
    if (d && (role === 'annot' || role === 'field')) {
      const isField = d.map.has('FT') || d.map.has('T') || d.map.has('Kids') || isName(d.map.get('Subtype'), 'Widget');
      r = isField ? 'field' : 'annot';
    }
    if (isArray(v)) {
      const itemRole: Role = r === 'annots' ? 'annot' : r === 'fields' ? 'field' : r;
      for (const it of v.items) visit(it, itemRole, 1);
    } else if (d) {
      if (isStream(v) || SUBTREE_ROLES.has(r)) for (const [, val] of d.map) visit(val, r, 1);
      else children(d, r, (val, rr) => visit(val, rr, 1));
    }
  }
  return { roles, complete: visits <= MAX_VISITS };
}

function fieldType(doc: PdfDocument, d: PdfDict, state: XrefState): string | null {
  let cur: PdfDict | null = d;
  for (let i = 0; cur && i < 32; i++) {
    const ft = nameOf(cur.map.get('FT'));
    if (ft) return ft;
    cur = dictOf(doc.resolve(cur.map.get('Parent'), state));
  }
  return null;
}

/** Structural equality of two values (references compared by number, streams by bytes). */
function deepEqual(doc: PdfDocument, a: PdfValue | undefined, b: PdfValue | undefined, depth = 0): boolean {
  if (depth > 64) return false;
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'name':
      return a.name === (b as typeof a).name;
    case 'ref':
      return refKey(a) === refKey(b as typeof a);
    case 'string':
      return Buffer.compare(Buffer.from(a.bytes), Buffer.from((b as typeof a).bytes)) === 0;
    case 'array': {
      const bb = b as typeof a;
      return a.items.length === bb.items.length && a.items.every((x, i) => deepEqual(doc, x, bb.items[i], depth + 1));
    }
    case 'dict': {
      const bb = b as typeof a;
      if (a.map.size !== bb.map.size) return false;
      for (const [k, v] of a.map) if (!bb.map.has(k) || !deepEqual(doc, v, bb.map.get(k), depth + 1)) return false;
      return true;
    }
    case 'stream': {
      const bb = b as typeof a;
      if (!deepEqual(doc, { kind: 'dict', map: withoutLength(a.dict) }, { kind: 'dict', map: withoutLength(bb.dict) }, depth + 1)) return false;
      if (a.dataEnd - a.dataStart !== bb.dataEnd - bb.dataStart) return false;
      // In chunks: from a random-access source a stream is read piecewise, never whole.
      const chunk = 1024 * 1024;
      for (let off = 0; off < a.dataEnd - a.dataStart; off += chunk) {
        const n = Math.min(chunk, a.dataEnd - a.dataStart - off);
        const da = doc.bytes(a.dataStart + off, a.dataStart + off + n);
        const db = doc.bytes(bb.dataStart + off, bb.dataStart + off + n);
        if (Buffer.compare(Buffer.from(da.buffer, da.byteOffset, da.length), Buffer.from(db.buffer, db.byteOffset, db.length)) !== 0) return false;
      }
      return true;
    }
  }
}

const withoutLength = (d: PdfDict): Map<string, PdfValue> => {
  const m = new Map(d.map);
  m.delete('Length');
  return m;
};

function changedKeys(doc: PdfDocument, a: PdfDict, b: PdfDict): string[] {
  const keys = new Set([...a.map.keys(), ...b.map.keys()]);
  return [...keys].filter((k) => !deepEqual(doc, a.map.get(k), b.map.get(k)));
}

/** Items of an array (direct or indirect) as comparable keys. */
function arrayKeys(doc: PdfDocument, v: PdfValue | undefined, state: XrefState): string[] | null {
  const arr = doc.resolve(v, state);
  if (!isArray(arr)) return v === undefined || v === null ? [] : null;
  return arr.items.map((x) => (isRef(x) ? refKey(x) : JSON.stringify(x)));
}
const isSubset = (a: string[] | null, b: string[] | null): boolean => !!a && !!b && a.every((x) => b.includes(x));

export interface ModificationOptions {
  docMdp: number | null;
  /** Names of fields locked by FieldMDP of this or earlier signatures. */
  lockedFields: { action: string; fields: string[] }[];
}

/** Classifies every change between `oldState` (signed revision) and `newState` (final document). */
export function analyseModifications(doc: PdfDocument, oldState: XrefState, newState: XrefState, opts: ModificationOptions): ModificationResult {
  const disallowed: string[] = [];
  const permitted = new Set<string>();
  let formFill = false;
  let annotations = false;

  const oldRoot = oldState.trailer?.map.get('Root');
  const newRoot = newState.trailer?.map.get('Root');
  if (!isRef(oldRoot) || !isRef(newRoot) || oldRoot.num !== newRoot.num) {
    if (!deepEqual(doc, oldRoot, newRoot)) disallowed.push('document catalog replaced (/Root changed)');
  }
  // Trailer keys other than bookkeeping must not change (an /Info update is tolerated).
  if (oldState.trailer && newState.trailer) {
    for (const k of changedKeys(doc, oldState.trailer, newState.trailer)) {
      if (!newState.trailer.map.has(k)) continue; // writers drop private keys in update trailers
      if (['Prev', 'Size', 'XRefStm', 'ID', 'Info', 'Root', 'Index', 'W', 'Filter', 'DecodeParms', 'Length', 'Type', 'Extends'].includes(k)) continue;
      // Private trailer entries (e.g. LibreOffice's /AdditionalStreams) are not rendered; objects they
      // reached before are still protected through their roles below.
      if (k === 'Encrypt') disallowed.push(`trailer entry /${k} changed`);
      else permitted.add(`trailer /${k}`);
    }
  }

  const { roles, complete } = assignRoles(doc, oldState);
  // Never judge a document as unchanged from a partial view: beyond the work limits, refuse.
  if (!complete) disallowed.push('document too large or too deeply linked to analyse within the limits');
  const nums = new Set<number>([...oldState.entries.keys(), ...newState.entries.keys()]);
  for (const num of nums) {
    const ok = doc.locationKey(num, oldState);
    const nk = doc.locationKey(num, newState);
    if (ok === nk) continue;
    const ref = { kind: 'ref' as const, num, gen: 0 };
    const oldV = ok ? doc.getObject(ref, oldState) : undefined;
    const newV = nk ? doc.getObject(ref, newState) : undefined;
    if (ok && nk && deepEqual(doc, oldV, newV)) continue;
    // Containers of other objects (object/xref streams) are compared through what they contain.
    const od = dictOf(oldV);
    if (od && (isName(od.map.get('Type'), 'ObjStm') || isName(od.map.get('Type'), 'XRef'))) continue;
    const r = roles.get(num);
    if (!ok) continue; // a new object: judged through the objects that reference it
    if (!r || r.size === 0) {
      permitted.add('unreferenced objects changed');
      continue;
    }
    const what = `object ${num} (${[...r].join('/')})`;
    if (!nk || newV === undefined) {
      if ([...r].every((x) => FREE_ROLES.has(x))) permitted.add(`${what} removed`);
      else disallowed.push(`${what} removed`);
      continue;
    }
    for (const role of r) {
      const verdict = judge(role, oldV, newV);
      if (verdict === true) continue;
      disallowed.push(`${what}: ${verdict}`);
      break;
    }
  }

  function judge(role: Role, oldV: PdfValue | undefined, newV: PdfValue | undefined): true | string {
    const o = dictOf(oldV);
    const n = dictOf(newV);
    if (FREE_ROLES.has(role)) {
      if (role === 'ap' || role === 'fieldvalue') formFill = true;
      if (role === 'annotpart') annotations = true;
      permitted.add(role === 'dss' ? 'DSS' : role === 'ap' ? 'appearance streams' : role);
      return true;
    }
    switch (role) {
      case 'annots':
      case 'fields':
        if (isSubset(arrayKeys(doc, oldV, oldState), arrayKeys(doc, newV, newState))) {
          permitted.add(role === 'annots' ? 'annotations added' : 'form fields added');
          return true;
        }
        return `${role} removed`;
      case 'catalog': {
        if (!o || !n || isStream(newV)) return 'catalog type changed';
        for (const k of changedKeys(doc, o, n)) {
          if (['DSS', 'Extensions', 'Metadata', 'Version', 'StructTreeRoot'].includes(k)) permitted.add(k === 'DSS' ? 'DSS' : `catalog /${k}`);
          else if (k === 'Names') {
            // Only the named-appearance tree (/AP, used by stamp annotations) may change.
            const no = dictOf(doc.resolve(o.map.get(k), oldState)) ?? { kind: 'dict' as const, map: new Map() };
            const nn = dictOf(doc.resolve(n.map.get(k), newState)) ?? { kind: 'dict' as const, map: new Map() };
            const bad = changedKeys(doc, no, nn).filter((x) => x !== 'AP');
            if (bad.length) return `catalog /Names /${bad[0]} changed`;
            annotations = true;
            permitted.add('named appearances');
          }
          else if (k === 'AcroForm') {
            const ao = dictOf(doc.resolve(o.map.get(k), oldState));
            const an = dictOf(doc.resolve(n.map.get(k), newState));
            if (!an) return 'AcroForm removed';
            if (ao) {
              const res = judgeAcroForm(ao, an);
              if (res !== true) return res;
            } else permitted.add('AcroForm added');
          } else return `catalog /${k} changed`;
        }
        return true;
      }
      case 'acroform':
        if (!o || !n) return 'AcroForm type changed';
        return judgeAcroForm(o, n);
      case 'names': {
        if (!o || !n) return 'name dictionary replaced';
        const bad = changedKeys(doc, o, n).filter((x) => x !== 'AP');
        if (bad.length) return `/Names /${bad[0]} changed`;
        annotations = true;
        permitted.add('named appearances');
        return true;
      }
      case 'page': {
        if (!o || !n || isStream(newV)) return 'page object replaced';
        for (const k of changedKeys(doc, o, n)) {
          if (k === 'Tabs' || k === 'StructParents') {
            permitted.add(`page /${k}`);
            continue;
          }
          if (k !== 'Annots') return `page /${k} changed`;
          if (!isSubset(arrayKeys(doc, o.map.get(k), oldState), arrayKeys(doc, n.map.get(k), newState))) return 'page annotations removed';
          permitted.add('annotations added');
          classifyNewAnnots(arrayKeys(doc, o.map.get(k), oldState) ?? [], n.map.get(k));
        }
        return true;
      }
      case 'field':
      case 'annot': {
        if (!o || !n || isStream(newV)) return 'form field/annotation replaced';
        const isSig = fieldType(doc, o, oldState) === 'Sig';
        for (const k of changedKeys(doc, o, n)) {
          if (k === 'V') {
            if (isSig && o.map.has('V') && o.map.get('V') !== null) return 'signature value of a signed field replaced';
            if (!isSig) {
              const name = textOf(o.map.get('T')) ?? '';
              if (isLocked(name)) return `field "${name}" locked by FieldMDP`;
              formFill = true;
            }
          } else if (k === 'Kids') {
            if (!isSubset(arrayKeys(doc, o.map.get(k), oldState), arrayKeys(doc, n.map.get(k), newState))) return 'field kids removed';
          } else if (k === 'AP' && sharedAppearance(o.map.get('AP'))) {
            return 'appearance replaced although the old appearance objects are also used elsewhere';
          } else if (k === 'AP' && role === 'field' && !valueChanged(o, n)) {
            // A new appearance for an unchanged value shows something other than what was signed
            // (the "replace" shadow attack); filling or signing a field changes its value too.
            return 'field appearance changed without a change of its value';
          } else if (['AS', 'AP', 'MK', 'F', 'Ff', 'Lock', 'SV', 'DA', 'DV', 'M', 'I'].includes(k)) {
            if (role === 'annot') annotations = true;
            else formFill = true;
          } else if (role === 'annot' && !['Rect', 'Contents', 'C', 'T', 'Popup', 'NM', 'CreationDate', 'Subj', 'RC', 'CA', 'Open'].includes(k)) {
            return `annotation /${k} changed`;
          } else if (role === 'annot') annotations = true;
          else return `form field /${k} changed`;
        }
        permitted.add(role === 'field' ? 'form filling' : 'annotations modified');
        return true;
      }
      default:
        return 'content changed';
    }
  }

  /** Did the field value (/V, possibly inherited from the parent field) change? */
  function valueChanged(o: PdfDict, n: PdfDict): boolean {
    const valueOf = (d: PdfDict, st: XrefState): PdfValue | undefined => {
      let cur: PdfDict | null = d;
      for (let i = 0; cur && i < 32; i++) {
        if (cur.map.has('V')) return cur.map.get('V');
        cur = dictOf(doc.resolve(cur.map.get('Parent'), st));
      }
      return undefined;
    };
    return !deepEqual(doc, valueOf(o, oldState), valueOf(n, newState));
  }

  /** Old appearance objects (the /AP dict or its N/R/D entries) reachable by paths other than /AP. */
  function sharedAppearance(ap: PdfValue | undefined): boolean {
    const refs: number[] = [];
    if (isRef(ap)) refs.push(ap.num);
    const d = dictOf(doc.resolve(ap, oldState));
    for (const k of ['N', 'R', 'D']) {
      const v = d?.map.get(k);
      if (isRef(v)) refs.push(v.num);
      const sub = dictOf(v);
      if (sub && !isStream(v)) for (const [, x] of sub.map) if (isRef(x)) refs.push(x.num);
    }
    return refs.some((n) => [...(roles.get(n) ?? [])].some((r) => !FREE_ROLES.has(r)));
  }

  function judgeAcroForm(o: PdfDict, n: PdfDict): true | string {
    for (const k of changedKeys(doc, o, n)) {
      if (k === 'Fields') {
        if (!isSubset(arrayKeys(doc, o.map.get(k), oldState), arrayKeys(doc, n.map.get(k), newState))) return 'form fields removed';
        permitted.add('form fields added');
      } else if (['SigFlags', 'DR', 'DA', 'NeedAppearances'].includes(k)) permitted.add(`AcroForm /${k}`);
      else return `AcroForm /${k} changed`;
    }
    return true;
  }

  function classifyNewAnnots(oldKeys: string[], newAnnots: PdfValue | undefined): void {
    const arr = doc.resolve(newAnnots, newState);
    if (!isArray(arr)) return;
    for (const a of arr.items) {
      if (isRef(a) && oldKeys.includes(refKey(a))) continue;
      const d = dictOf(doc.resolve(a, newState));
      if (d && isName(d.map.get('Subtype'), 'Widget')) {
        // The widget of a new document timestamp is allowed even under DocMDP P=1 (PAdES LTV).
        if (!isDocTimestampWidget(d)) formFill = true;
      } else annotations = true;
    }
  }

  function isDocTimestampWidget(w: PdfDict): boolean {
    let cur: PdfDict | null = w;
    for (let i = 0; cur && i < 32; i++) {
      if (cur.map.has('V')) {
        const v = dictOf(doc.resolve(cur.map.get('V'), newState));
        return !!v && (isName(v.map.get('Type'), 'DocTimeStamp') || isName(v.map.get('SubFilter'), 'ETSI.RFC3161'));
      }
      cur = dictOf(doc.resolve(cur.map.get('Parent'), newState));
    }
    return false;
  }

  function isLocked(name: string): boolean {
    return opts.lockedFields.some((l) => (l.action === 'All' ? true : l.action === 'Include' ? l.fields.includes(name) : !l.fields.includes(name)));
  }

  // DocMDP: P=1 no changes (other than DSS / document timestamps), P=2 form filling and signing.
  if (opts.docMdp === 1 && (formFill || annotations)) disallowed.push('changes not allowed by the certification signature (DocMDP P=1)');
  if (opts.docMdp === 2 && annotations) disallowed.push('annotations not allowed by the certification signature (DocMDP P=2)');

  if (doc.exhausted) disallowed.push('object budget exhausted: changes could not be analysed completely');
  if (disallowed.length) return { level: 'DISALLOWED', details: disallowed.slice(0, 20) };
  const changed = [...nums].some((n) => doc.locationKey(n, oldState) !== doc.locationKey(n, newState));
  if (!changed && permitted.size === 0) return { level: 'NONE', details: [] };
  return { level: 'PERMITTED', details: permitted.size ? [...permitted] : ['new objects (signatures, timestamps, DSS)'] };
}

export { isDict };
