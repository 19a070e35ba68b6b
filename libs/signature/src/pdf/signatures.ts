/**
 * Finds signature fields and their signature dictionaries (signatures and document timestamps).
 * Signatures are identified by their dictionary object, so one signature referenced from two fields
 * counts once.
 */
import { PdfDocument, XrefState } from './document';
import { PdfDict, PdfRef, PdfString, PdfValue, dictOf, isArray, isDict, isName, isRef, isString, nameOf, textOf } from './objects';

export interface FoundSignature {
  fieldNames: string[];
  /** The signature dictionary's object (null when it is direct inside the field). */
  sigRef: PdfRef | null;
  /** Object holding the dictionary (the field's, when direct); used to check where /Contents lies. */
  holderNum: number | null;
  dict: PdfDict;
  /** True when string positions in `dict` are positions in the file (not inside an object stream). */
  positionsInFile: boolean;
  contents: PdfString | null;
  byteRange: number[] | null;
  byteRangeRaw: PdfValue | undefined;
  type: string | null; // Sig | DocTimeStamp | null
  subFilter: string | null;
  filter: string | null;
  /** The signature dictionary exists but could not be parsed within the limits. */
  unreadable: boolean;
}

const MAX_FIELDS = 100_000;

/** Signature fields reachable from the AcroForm of `state`. */
export function findSignatures(doc: PdfDocument, state: XrefState): FoundSignature[] {
  const root = dictOf(doc.resolve(state.trailer?.map.get('Root'), state));
  const acro = dictOf(doc.resolve(root?.map.get('AcroForm'), state));
  const fields = doc.resolve(acro?.map.get('Fields'), state);
  const found = new Map<string, FoundSignature>();
  if (!isArray(fields)) return [];
  const visited = new Set<number>();
  let count = 0;

  const walk = (v: PdfValue | undefined, parentName: string, inheritedFT: string | null, depth: number, parentHolder: number | null): void => {
    if (depth > 32 || ++count > MAX_FIELDS) return;
    let holder = parentHolder;
    if (isRef(v)) {
      if (visited.has(v.num)) return; // cycles, and widgets shared by fields
      visited.add(v.num);
      holder = v.num;
    }
    const f = dictOf(doc.resolve(v, state));
    if (!f) return;
    const t = textOf(f.map.get('T'));
    const name = t === null ? parentName : parentName ? `${parentName}.${t}` : t;
    const ft = nameOf(f.map.get('FT')) ?? inheritedFT;
    const kids = doc.resolve(f.map.get('Kids'), state);
    const val = f.map.get('V');
    if (ft === 'Sig' && val !== undefined && val !== null) {
      const sigRef = isRef(val) ? val : null;
      let sigDict = dictOf(doc.resolve(val, state));
      let unreadable = false;
      if (!sigDict && isRef(val) && state.entries.get(val.num)?.type !== 'f' && state.entries.has(val.num)) {
        // A value that exists but cannot be read (e.g. an oversized /Contents): still a signature,
        // reported as malformed rather than silently ignored.
        sigDict = { kind: 'dict', map: new Map() };
        unreadable = true;
      }
      if (sigDict) {
        const key = sigRef ? `r${sigRef.num}` : `d${holder}:${name}`;
        const existing = found.get(key);
        if (existing) existing.fieldNames.push(name);
        else {
          const holderNum = sigRef ? sigRef.num : holder;
          const contents = sigDict.map.get('Contents');
          const br = doc.resolve(sigDict.map.get('ByteRange'), state);
          found.set(key, {
            fieldNames: [name],
            sigRef,
            holderNum,
            dict: sigDict,
            positionsInFile: holderNum !== null && doc.offsetOf(holderNum, state) !== null,
            contents: isString(contents) ? contents : null,
            byteRange: isArray(br) && br.items.every((x) => typeof x === 'number') ? (br.items as number[]) : null,
            byteRangeRaw: br,
            type: nameOf(sigDict.map.get('Type')),
            subFilter: nameOf(sigDict.map.get('SubFilter')),
            filter: nameOf(sigDict.map.get('Filter')),
            unreadable,
          });
        }
      }
    }
    if (isArray(kids)) for (const k of kids.items) walk(k, name, ft, depth + 1, holder);
  };
  for (const f of fields.items) walk(f, '', null, 0, null);
  return [...found.values()];
}

/** DocMDP permission (1–3) of a certification signature, or null for approval signatures. */
export function docMdpPermission(doc: PdfDocument, sig: PdfDict, state: XrefState): number | null {
  const refs = doc.resolve(sig.map.get('Reference'), state);
  if (!isArray(refs)) return null;
  for (const r of refs.items) {
    const d = dictOf(doc.resolve(r, state));
    if (!d || !isName(d.map.get('TransformMethod'), 'DocMDP')) continue;
    const params = dictOf(doc.resolve(d.map.get('TransformParams'), state));
    const p = doc.resolve(params?.map.get('P'), state);
    return typeof p === 'number' && p >= 1 && p <= 3 ? p : 2;
  }
  return null;
}

/** FieldMDP locks declared by a signature: { action, fields }. */
export function fieldMdpLocks(doc: PdfDocument, sig: PdfDict, state: XrefState): { action: string; fields: string[] }[] {
  const out: { action: string; fields: string[] }[] = [];
  const refs = doc.resolve(sig.map.get('Reference'), state);
  if (!isArray(refs)) return out;
  for (const r of refs.items) {
    const d = dictOf(doc.resolve(r, state));
    if (!d || !isName(d.map.get('TransformMethod'), 'FieldMDP')) continue;
    const params = dictOf(doc.resolve(d.map.get('TransformParams'), state));
    const action = nameOf(params?.map.get('Action')) ?? 'All';
    const fl = doc.resolve(params?.map.get('Fields'), state);
    const fields = isArray(fl) ? fl.items.map((x) => textOf(doc.resolve(x, state)) ?? '').filter((s) => s) : [];
    out.push({ action, fields });
  }
  return out;
}

export { isDict };
