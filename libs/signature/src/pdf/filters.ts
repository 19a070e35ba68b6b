/** Stream decoding: only what xref streams, object streams and DSS entries use in practice. */
import * as zlib from 'zlib';
import { PdfDict, PdfParseError, PdfValue, isArray, isDict, isName } from './objects';

/** Decodes a stream's data; throws PdfParseError for unsupported filters or corrupt data. */
export function decodeStream(dict: PdfDict, raw: Uint8Array, maxOutput: number): Uint8Array {
  const f = dict.map.get('Filter');
  const filters: string[] = isName(f) ? [f.name] : isArray(f) ? f.items.map((n) => (isName(n) ? n.name : '')).filter((n) => n !== '') : [];
  const p = dict.map.get('DecodeParms') ?? dict.map.get('DP');
  const parms: (PdfValue | undefined)[] = isArray(p) ? p.items : [p];
  let data = raw;
  filters.forEach((name, i) => {
    switch (name) {
      case 'FlateDecode':
      case 'Fl':
        data = inflate(data, maxOutput);
        data = applyPredictor(data, parms[i]);
        break;
      case 'ASCIIHexDecode':
      case 'AHx':
        data = Buffer.from(Buffer.from(data).toString('latin1').replace(/[^0-9a-fA-F]/g, ''), 'hex');
        break;
      default:
        throw new PdfParseError(`unsupported filter ${name}`);
    }
  });
  return data;
}

function inflate(data: Uint8Array, maxOutput: number): Uint8Array {
  try {
    return zlib.inflateSync(data, { maxOutputLength: maxOutput, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    try {
      return zlib.inflateRawSync(data, { maxOutputLength: maxOutput, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new PdfParseError(`FlateDecode failed: ${(e as Error).message}`);
    }
  }
}

/** PNG predictors (10–15) as used by xref streams; TIFF predictor 2 is rare and not supported. */
function applyPredictor(data: Uint8Array, parms: PdfValue | undefined): Uint8Array {
  if (!isDict(parms)) return data;
  const pred = parms.map.get('Predictor');
  if (typeof pred !== 'number' || pred < 10) return data;
  const colors = numOr(parms.map.get('Colors'), 1);
  const bpc = numOr(parms.map.get('BitsPerComponent'), 8);
  const columns = numOr(parms.map.get('Columns'), 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen <= 0 || rowLen > 1 << 20) throw new PdfParseError('bad predictor parameters');
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = new Uint8Array(rows * rowLen);
  let prev = new Uint8Array(rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)];
    const row = out.subarray(r * rowLen, (r + 1) * rowLen);
    row.set(data.subarray(r * (rowLen + 1) + 1, (r + 1) * (rowLen + 1)));
    for (let i = 0; i < rowLen; i++) {
      const left = i >= bpp ? row[i - bpp] : 0;
      const up = prev[i];
      const ul = i >= bpp ? prev[i - bpp] : 0;
      switch (type) {
        case 1: row[i] = (row[i] + left) & 0xff; break;
        case 2: row[i] = (row[i] + up) & 0xff; break;
        case 3: row[i] = (row[i] + ((left + up) >> 1)) & 0xff; break;
        case 4: {
          const pa = Math.abs(up - ul), pb = Math.abs(left - ul), pc = Math.abs(left + up - 2 * ul);
          row[i] = (row[i] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : ul)) & 0xff;
          break;
        }
      }
    }
    prev = row;
  }
  return out;
}

const numOr = (v: PdfValue | undefined, d: number): number => (typeof v === 'number' ? v : d);
