/**
 * Bounded, safe access to an untrusted ZIP (yauzl). The central directory is listed once, every
 * entry name is decoded and checked (traversal, absolute, backslash, drive letters, NUL, symlinks,
 * duplicates), and declared sizes/ratios are bounded before anything is inflated. Entry streams are
 * additionally capped by byte count, so a lying header cannot inflate more than declared.
 */
import { PassThrough, Readable, Transform, TransformCallback } from 'node:stream';
import * as yauzl from 'yauzl';
import { EarkFailure, EarkResult, earkError, toEarkErrors } from './errors';
import { EarkLimits, resolveLimits } from './limits';

/**
 * Random access to the bytes of a ZIP without holding it in memory: the service implements it over
 * a file (`fs.createReadStream(path, { start, end: end - 1 })`) or an object store range GET.
 */
export interface ZipRangeSource {
  /** Total size of the ZIP in bytes. */
  size: number;
  /** Bytes [start, end) — `end` is exclusive. */
  createReadStream(start: number, end: number): Readable | Promise<Readable>;
  /** Called once when the package is closed. */
  close?(): void | Promise<void>;
}

export type ZipSource = Buffer | ZipRangeSource;

export interface ZipEntryInfo {
  /** Normalised (NFC) entry name, `/`-separated. */
  name: string;
  size: number;
  compressedSize: number;
  isDirectory: boolean;
}

class RangeReader extends yauzl.RandomAccessReader {
  constructor(private readonly source: ZipRangeSource) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    Promise.resolve()
      .then(() => this.source.createReadStream(start, end))
      .then((s) => {
        s.on('error', (e) => out.destroy(e));
        s.pipe(out);
      })
      .catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
    return out;
  }
  override close(cb: (e: Error | null) => void): void {
    Promise.resolve()
      .then(() => this.source.close?.())
      .then(() => cb(null), (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))));
  }
}
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function decodeName(entry: yauzl.Entry): string {
  const raw = (entry as unknown as { fileNameRaw: Buffer }).fileNameRaw;
  const hasUnicodeExtra = entry.extraFields.some((f) => f.id === 0x7075);
  const flagged = (entry.generalPurposeBitFlag & 0x800) !== 0;
  if (!flagged && !hasUnicodeExtra && raw.some((b) => b >= 0x80)) {
    // Many tools write UTF-8 names without setting the flag; prefer UTF-8 when it decodes cleanly
    // (CP437 would turn Vietnamese names into mojibake and no METS href would match).
    try {
      return utf8Strict.decode(raw).normalize('NFC');
    } catch {
      /* fall back to the standard CP437 decoding */
    }
  }
  // strictFileNames=true keeps backslashes so that we can reject them.
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, true).normalize('NFC');
}

/** Returns a reason when the entry name is unsafe to extract anywhere. */
export function unsafeNameReason(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.includes('\\')) return 'backslash in name';
  if (name.includes('\u0000')) return 'NUL in name';
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) return 'absolute path';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((p) => p === '..')) return 'parent directory reference';
  if (parts.some((p) => p === '' || p === '.')) return 'empty or "." path segment';
  return null;
}

function isSymlink(entry: yauzl.Entry): boolean {
  const madeBy = entry.versionMadeBy >> 8;
  // Unix (3) and macOS (19) store st_mode in the high 16 bits.
  if (madeBy !== 3 && madeBy !== 19) return false;
  return ((entry.externalFileAttributes >>> 16) & 0o170000) === 0o120000;
}

export class ZipArchive {
  private closed = false;
  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly byName: Map<string, { info: ZipEntryInfo; entry: yauzl.Entry }>,
  ) {}

  static async open(source: ZipSource, limits: EarkLimits): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    const options: yauzl.Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true };
    try {
      zip = Buffer.isBuffer(source)
        ? await yauzl.fromBufferPromise(source, options)
        : await yauzl.fromRandomAccessReaderPromise(new RangeReader(source), source.size, options);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      if (!Buffer.isBuffer(source)) await Promise.resolve(source.close?.()).catch(() => undefined);
      throw new EarkFailure(earkError('ZIP_INVALID', undefined, `Tệp ZIP không hợp lệ: ${detail}`, `Invalid ZIP file: ${detail}`));
    }
    // Errors outside a listing (e.g. the source failing to close) must not become uncaught 'error'
    // events; the listing and reads in flight report theirs through their own promise/stream.
    zip.on('error', () => undefined);
    try {
      if (zip.entryCount > limits.maxEntries) {
        throw new EarkFailure(
          earkError('ZIP_TOO_MANY_ENTRIES', undefined, `Gói có ${zip.entryCount} mục, vượt giới hạn ${limits.maxEntries}`, `Package has ${zip.entryCount} entries, above the limit of ${limits.maxEntries}`),
        );
      }
      const entries = await listEntries(zip);
      const byName = new Map<string, { info: ZipEntryInfo; entry: yauzl.Entry }>();
      let total = 0;
      const errors = [];
      for (const entry of entries) {
        const name = decodeName(entry);
        const reason = unsafeNameReason(name);
        if (reason) {
          errors.push(earkError('ZIP_UNSAFE_PATH', name, `Tên mục không an toàn trong gói (${reason})`, `Unsafe entry name in package (${reason})`));
          continue;
        }
        if (isSymlink(entry)) {
          errors.push(earkError('ZIP_SYMLINK', name, 'Gói chứa liên kết tượng trưng (symlink)', 'Package contains a symbolic link'));
          continue;
        }
        const isDirectory = name.endsWith('/');
        const key = isDirectory ? name.slice(0, -1) : name;
        if (byName.has(key)) {
          errors.push(earkError('ZIP_DUPLICATE_ENTRY', name, 'Tên mục bị trùng trong gói', 'Duplicate entry name in package'));
          continue;
        }
        if (isDirectory) {
          byName.set(key, { info: { name: key, size: 0, compressedSize: 0, isDirectory }, entry });
          continue;
        }
        if (entry.isEncrypted()) {
          errors.push(earkError('ZIP_ENCRYPTED', name, 'Mục trong gói bị mã hóa', 'Package entry is encrypted'));
          continue;
        }
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
          errors.push(earkError('ZIP_UNSUPPORTED_COMPRESSION', name, `Phương thức nén ${entry.compressionMethod} không được hỗ trợ`, `Compression method ${entry.compressionMethod} is not supported`));
          continue;
        }
        if (entry.uncompressedSize > limits.maxEntryBytes) {
          errors.push(earkError('ZIP_ENTRY_TOO_LARGE', name, `Mục vượt quá ${limits.maxEntryBytes} byte`, `Entry exceeds ${limits.maxEntryBytes} bytes`));
          continue;
        }
        if (
          entry.uncompressedSize > limits.compressionRatioThresholdBytes &&
          entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxCompressionRatio
        ) {
          errors.push(earkError('ZIP_COMPRESSION_RATIO', name, `Tỷ lệ nén vượt quá ${limits.maxCompressionRatio} (nghi ngờ zip bomb)`, `Compression ratio above ${limits.maxCompressionRatio} (suspected zip bomb)`));
          continue;
        }
        total += entry.uncompressedSize;
        byName.set(key, { info: { name: key, size: entry.uncompressedSize, compressedSize: entry.compressedSize, isDirectory }, entry });
      }
      if (total > limits.maxTotalBytes) {
        errors.push(earkError('ZIP_TOTAL_TOO_LARGE', undefined, `Tổng dung lượng giải nén vượt quá ${limits.maxTotalBytes} byte`, `Total uncompressed size exceeds ${limits.maxTotalBytes} bytes`));
      }
      if (errors.length) throw new EarkFailure(errors);
      return new ZipArchive(zip, byName);
    } catch (e) {
      zip.close();
      throw e;
    }
  }

  /** File entries (directories excluded). */
  files(): ZipEntryInfo[] {
    return [...this.byName.values()].map((v) => v.info).filter((i) => !i.isDirectory);
  }

  get(name: string): ZipEntryInfo | undefined {
    const v = this.byName.get(name.normalize('NFC'));
    return v && !v.info.isDirectory ? v.info : undefined;
  }

  /** Stream of one entry's bytes, capped at its declared size (never inflates past it). */
  async openStream(name: string): Promise<Readable> {
    const v = this.byName.get(name.normalize('NFC'));
    if (!v || v.info.isDirectory) {
      throw new EarkFailure(earkError('FILE_MISSING', name, 'Không tìm thấy tệp trong gói', 'File not found in package'));
    }
    if (this.closed) throw new EarkFailure(earkError('INTERNAL', name, 'Gói đã đóng', 'Package already closed'));
    let raw: Readable;
    try {
      raw = await this.zip.openReadStreamPromise(v.entry);
    } catch (e) {
      throw corrupt(name, e);
    }
    const cap = v.info.size;
    let seen = 0;
    const guard = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
        seen += chunk.length;
        if (seen > cap) return cb(corrupt(name, new Error('more data than declared')));
        cb(null, chunk);
      },
    });
    raw.on('error', (e) => guard.destroy(corrupt(name, e)));
    guard.on('close', () => {
      if (!raw.destroyed) raw.destroy();
    });
    return raw.pipe(guard);
  }

  /** Whole entry into memory; only for metadata, after checking its size against `maxBytes`. */
  async readBuffer(name: string, maxBytes: number, tooLarge: () => EarkFailure): Promise<Buffer> {
    const info = this.get(name);
    if (!info) throw new EarkFailure(earkError('FILE_MISSING', name, 'Không tìm thấy tệp trong gói', 'File not found in package'));
    if (info.size > maxBytes) throw tooLarge();
    const stream = await this.openStream(name);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }
}

function corrupt(name: string, e: unknown): EarkFailure {
  if (e instanceof EarkFailure) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new EarkFailure(earkError('ZIP_ENTRY_CORRUPT', name, `Mục trong gói bị hỏng: ${detail}`, `Corrupt package entry: ${detail}`));
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.on('error', (e: unknown) => {
      const detail = e instanceof Error ? e.message : String(e);
      reject(new EarkFailure(earkError('ZIP_INVALID', undefined, `Tệp ZIP không hợp lệ: ${detail}`, `Invalid ZIP file: ${detail}`)));
    });
    zip.readEntry();
  });
}

/**
 * Safe ZIP access for other package shapes (e.g. the `manifest.json` ZIP of API.md): the same name,
 * symlink, duplicate and zip-bomb checks as `readPackage`. Never throws; the archive's `openStream`
 * rejects with an `EarkFailure`. Call `close()` when done.
 */
export async function openZip(source: ZipSource, limits?: Partial<EarkLimits>): Promise<EarkResult<ZipArchive>> {
  try {
    return { ok: true, value: await ZipArchive.open(source, resolveLimits(limits)), warnings: [] };
  } catch (e) {
    return { ok: false, errors: toEarkErrors(e), warnings: [] };
  }
}
