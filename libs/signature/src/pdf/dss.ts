/** The PAdES Document Security Store (/DSS in the catalog): certificates, CRLs and OCSP responses. */
import { PdfDocument, XrefState } from './document';
import { dictOf, isArray, isStream } from './objects';

export interface DssContent {
  certs: Uint8Array[];
  crls: Uint8Array[];
  ocsps: Uint8Array[];
}

const MAX_ITEMS = 10_000;

export function readDss(doc: PdfDocument, state: XrefState): DssContent {
  const out: DssContent = { certs: [], crls: [], ocsps: [] };
  const root = dictOf(doc.resolve(state.trailer?.map.get('Root'), state));
  const dss = dictOf(doc.resolve(root?.map.get('DSS'), state));
  if (!dss) return out;
  const take = (key: string, into: Uint8Array[]): void => {
    const arr = doc.resolve(dss.map.get(key), state);
    if (!isArray(arr)) return;
    for (const item of arr.items.slice(0, MAX_ITEMS)) {
      const s = doc.resolve(item, state);
      if (!isStream(s)) continue;
      try {
        into.push(doc.streamData(s));
      } catch {
        /* undecodable entry: ignored, revocation then stays unknown */
      }
    }
  };
  take('Certs', out.certs);
  take('CRLs', out.crls);
  take('OCSPs', out.ocsps);
  return out;
}
