/**
 * Reads an E-ARK information package of TT 05/2025 (`SIP_hoso`, or an `AIP_hoso` from this system)
 * from a ZIP, checks its integrity and maps its metadata into the model.
 *
 * Integrity (rejected, never "fixed"): unsafe or duplicate ZIP entries, zip-bomb limits, a file
 * referenced by METS that is absent, a SIZE or checksum that does not match, a data file without a
 * SHA-256, a data file that METS does not reference, an href leaving the package.
 * Accepted deviations (reported as warnings): checksum hex in any case, `SHA256`/`sha-256`
 * spellings, `csip:` values written as elements instead of attributes, metadata files without a
 * checksum, a missing OAISPACKAGETYPE (read as SIP), extra non-data files (schemas, documentation),
 * percent-encoded or `./`-prefixed hrefs, packages zipped with or without their top folder.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback } from 'node:stream';
import type { ArchivalDocument, CaseFile } from '../model';
import { DocumentMetadata, readCaseFileEad, readDocumentEad } from './ead';
import { EarkError, EarkFailure, EarkResult, earkError, toEarkErrors } from './errors';
import { EarkLimits, resolveLimits } from './limits';
import { dirOf, resolveHref } from './paths';
import { PremisDocument, readPremis } from './premis';
import { XNode, child, childrenNamed, descendants, parseXml } from './xml';
import { ZipArchive, ZipSource } from './zip-reader';

export interface ReadPackageOptions {
  limits?: Partial<EarkLimits>;
  /**
   * Stream every data file once to check its SHA-256 before returning (default true). With false,
   * only presence and size are checked up front and `openFile` streams still fail on a mismatch.
   */
  verifyData?: boolean;
  /** Reject a package whose OAISPACKAGETYPE is not this one. */
  expectPackageType?: 'SIP' | 'AIP';
  /**
   * Give up (error TIMEOUT) when reading and verifying take longer than this, e.g. a range source
   * that stalls. No limit by default: verifying a large package legitimately takes minutes.
   */
  timeoutMs?: number;
}

export interface PackageDataFile {
  /** Path inside the package (without the ZIP's top folder), e.g. `representations/rep1/data/X.001.pdf`. */
  path: string;
  size: number;
  /** SHA-256 declared in METS, lower-case hex (verified when `verifyData`). */
  sha256: string;
  mimeType?: string;
  docOrdinal: number;
  representation: string;
}

export interface PackageAgent {
  role: string;
  type?: string;
  name: string;
  note?: string;
}

export interface EarkPackage {
  packageType: 'SIP' | 'AIP';
  objId: string;
  label?: string;
  createDate?: string;
  recordStatus?: string;
  agents: PackageAgent[];
  /** Top folder of the ZIP that holds the package (`''` when METS.xml is at the ZIP root). */
  rootFolder: string;
  /** Case file with its documents; each document's `path`/`sha256`/`size` are its data file's. */
  caseFile: CaseFile;
  dataFiles: PackageDataFile[];
  /** PREMIS content, when present (AIP). Keys of `representations` are representation names. */
  preservation?: { package?: PremisDocument; representations: Record<string, PremisDocument> };
  /**
   * Streams a data file out of the package (for staging). The stream fails with an `EarkFailure`
   * (code CHECKSUM_MISMATCH / ZIP_ENTRY_CORRUPT) before 'end' if the bytes do not match METS.
   * Rejects with an `EarkFailure` (FILE_MISSING) for a path that is not a data file.
   */
  openFile(path: string): Promise<Readable>;
  close(): Promise<void>;
}

interface Ref {
  /** Package-relative path. */
  path: string;
  href: string;
  metsPath: string;
  kind: 'mdRef' | 'file' | 'mptr';
  id?: string;
  use?: string;
  mdType?: string;
  dmdIds?: string[];
  checksum?: string;
  checksumType?: string;
  size?: string;
  mimeType?: string;
}

interface RepInfo {
  name: string;
  dir: string;
  metsPath: string;
  mets: XNode;
  refs: Ref[];
}

const SUPPORTED_DIGESTS: Record<string, { algo: string; hexLength: number }> = {
  SHA256: { algo: 'sha256', hexLength: 64 },
  SHA512: { algo: 'sha512', hexLength: 128 },
  SHA384: { algo: 'sha384', hexLength: 96 },
  SHA1: { algo: 'sha1', hexLength: 40 },
  MD5: { algo: 'md5', hexLength: 32 },
};
const normType = (t: string | undefined) => (t ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Reads a SIP_hoso or AIP_hoso. Never throws: every problem is in the result's `errors`. */
export async function readPackage(source: ZipSource, options?: ReadPackageOptions | null): Promise<EarkResult<EarkPackage>> {
  options ??= {};
  const limits = resolveLimits(options.limits);
  const warnings: EarkError[] = [];
  let zip: ZipArchive | undefined;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    zip = await ZipArchive.open(source, limits);
    if (timedOut) throw new Error('timed out');
    return new PackageReader(zip, limits, options, warnings).read();
  })();
  const deadline =
    options.timeoutMs === undefined
      ? new Promise<never>(() => undefined)
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new EarkFailure(earkError('TIMEOUT', undefined, `Đọc gói quá ${options.timeoutMs} ms`, `Reading the package took longer than ${options.timeoutMs} ms`)));
          }, options.timeoutMs);
        });
  try {
    const pkg = await Promise.race([work, deadline]);
    return { ok: true, value: pkg, warnings };
  } catch (e) {
    // Closing the ZIP makes any read still in flight fail fast; its late rejection is swallowed.
    work.then((p) => p.close(), () => undefined).catch(() => undefined);
    zip?.close();
    return { ok: false, errors: toEarkErrors(e), warnings };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** `readPackage` under the name of the issue: a SIP, or an AIP_hoso of this system (Điều 17). */
export const readSip = readPackage;

/** `readPackage` that insists on an AIP. */
export function readAip(source: ZipSource, options: ReadPackageOptions = {}): Promise<EarkResult<EarkPackage>> {
  return readPackage(source, { ...options, expectPackageType: 'AIP' });
}

class PackageReader {
  private root = '';
  private readonly errors: EarkError[] = [];
  constructor(
    private readonly zip: ZipArchive,
    private readonly limits: EarkLimits,
    private readonly options: ReadPackageOptions,
    private readonly warnings: EarkError[],
  ) {}

  private warn = (e: EarkError) => this.warnings.push(e);

  private full(path: string): string {
    return this.root + path;
  }

  private exists(path: string): boolean {
    return this.zip.get(this.full(path)) !== undefined;
  }

  private async xml(path: string): Promise<XNode> {
    const buf = await this.zip.readBuffer(
      this.full(path),
      this.limits.maxXmlBytes,
      () => new EarkFailure(earkError('XML_TOO_LARGE', path, `Tệp XML vượt quá ${this.limits.maxXmlBytes} byte`, `XML file exceeds ${this.limits.maxXmlBytes} bytes`)),
    );
    return parseXml(buf, path, this.limits);
  }

  private fail(): void {
    if (this.errors.length) throw new EarkFailure(this.errors.splice(0));
  }

  async read(): Promise<EarkPackage> {
    this.locateRoot();
    const rootMets = await this.xml('METS.xml');
    if (rootMets.name !== 'mets') {
      throw new EarkFailure(earkError('METS_INVALID', 'METS.xml', 'Phần tử gốc của METS.xml không phải <mets>', 'Root element of METS.xml is not <mets>'));
    }
    const hdr = child(rootMets, 'metsHdr');
    const packageType = this.packageType(rootMets, hdr);
    const objId = rootMets.attrs['OBJID'] ?? '';
    if (!objId) this.warn(earkError('METS_INVALID', 'METS.xml', 'METS thiếu OBJID', 'METS has no OBJID'));

    const rootRefs = this.collectRefs(rootMets, 'METS.xml', '');
    const reps = await this.representations(rootRefs);
    this.fail();

    // Integrity of everything METS references (metadata, schemas, representation METS, data).
    const dataPaths = new Set<string>();
    for (const rep of reps) for (const r of rep.refs) if (r.kind === 'file' && this.isData(r, rep)) dataPaths.add(r.path);
    const allRefs = [...rootRefs, ...reps.flatMap((r) => r.refs)];
    await this.checkRefs(allRefs, dataPaths);
    this.checkUnreferenced(allRefs, reps);
    this.fail();

    // Descriptive metadata.
    const eadRef = rootRefs.find((r) => r.kind === 'mdRef' && /(^|\/)EAD[^/]*\.xml$/i.test(r.path) && r.path.startsWith('metadata/descriptive/'))
      ?? rootRefs.find((r) => r.kind === 'mdRef' && (r.mdType ?? '').toUpperCase() === 'EAD');
    if (!eadRef) {
      throw new EarkFailure(earkError('EAD_MISSING', 'metadata/descriptive/EAD.xml', 'METS không tham chiếu EAD.xml của hồ sơ', 'METS does not reference the case-file EAD.xml'));
    }
    const caseEad = readCaseFileEad(await this.xml(eadRef.path), eadRef.path, this.errors, this.warn);
    const { documents, dataFiles } = await this.documents(reps, caseEad.fileCode);
    this.fail();
    if (caseEad.totalDoc === undefined) {
      this.warn(earkError('EAD_INVALID', `${eadRef.path}#totalDoc`, 'Thiếu totalDoc; lấy theo số tài liệu trong gói', 'totalDoc missing; taken from the number of documents in the package'));
      caseEad.totalDoc = documents.length;
    }
    const caseFile: CaseFile = { ...caseEad, documents };

    const preservation = await this.preservation(rootRefs, reps);
    this.fail();

    const zip = this.zip;
    const root = this.root;
    const byPath = new Map(dataFiles.map((d) => [d.path, d]));
    return {
      packageType,
      objId,
      label: rootMets.attrs['LABEL'],
      createDate: hdr?.attrs['CREATEDATE'],
      recordStatus: hdr?.attrs['RECORDSTATUS'],
      agents: childrenNamed(hdr, 'agent').map((a) =>
        stripUndefined({ role: a.attrs['ROLE'] ?? '', type: a.attrs['TYPE'], name: child(a, 'name')?.text ?? '', note: child(a, 'note')?.text || undefined }),
      ),
      rootFolder: root,
      caseFile,
      dataFiles,
      preservation,
      async openFile(path: string): Promise<Readable> {
        const f = byPath.get(path);
        if (!f) throw new EarkFailure(earkError('FILE_MISSING', path, 'Không phải tệp dữ liệu của gói', 'Not a data file of the package'));
        const raw = await zip.openStream(root + path);
        return raw.pipe(verifyingStream(raw, path, 'sha256', f.sha256, f.size));
      },
      async close() {
        zip.close();
      },
    };
  }

  /** METS.xml at the ZIP root, or inside a single top folder (the package folder named after OBJID). */
  private locateRoot(): void {
    if (this.zip.get('METS.xml')) return;
    // macOS Finder adds a `__MACOSX/` resource-fork folder next to the package folder.
    const tops = new Set(this.zip.files().map((f) => f.name.split('/')[0]).filter((t) => t !== '__MACOSX'));
    if (tops.size === 1) {
      const top = [...tops][0];
      if (this.zip.get(`${top}/METS.xml`)) {
        this.root = `${top}/`;
        return;
      }
    }
    throw new EarkFailure(earkError('METS_MISSING', 'METS.xml', 'Gói không có METS.xml ở thư mục gốc', 'Package has no METS.xml at its root'));
  }

  private csipValue(nodes: (XNode | undefined)[], name: string): string | undefined {
    const values = new Set<string>();
    let asElement = false;
    for (const n of nodes) {
      if (!n) continue;
      const a = n.attrs[name];
      if (a) values.add(a.trim());
      const c = child(n, name);
      if (c && c.text) {
        values.add(c.text.trim());
        asElement = true;
      }
    }
    if (values.size > 1) {
      this.errors.push(earkError('CSIP_VALUE_AMBIGUOUS', 'METS.xml', `Giá trị csip:${name} mâu thuẫn: ${[...values].join(', ')}`, `Conflicting csip:${name} values: ${[...values].join(', ')}`));
      return undefined;
    }
    if (asElement) this.warn(earkError('CSIP_VALUE_AS_ELEMENT', 'METS.xml', `csip:${name} được ghi dạng phần tử thay vì thuộc tính`, `csip:${name} written as an element instead of an attribute`));
    return [...values][0];
  }

  private packageType(mets: XNode, hdr: XNode | undefined): 'SIP' | 'AIP' {
    const raw = this.csipValue([hdr, mets], 'OAISPACKAGETYPE');
    const t = raw?.toUpperCase();
    let type: 'SIP' | 'AIP';
    if (t === undefined) {
      this.warn(earkError('METS_INVALID', 'METS.xml', 'Thiếu csip:OAISPACKAGETYPE; coi là SIP', 'csip:OAISPACKAGETYPE missing; read as a SIP'));
      type = 'SIP';
    } else if (t === 'SIP' || t === 'AIP') {
      type = t;
    } else {
      throw new EarkFailure(earkError('PACKAGE_TYPE_UNSUPPORTED', 'METS.xml', `Không nhận loại gói ${raw}`, `Package type ${raw} is not accepted`));
    }
    if (this.options.expectPackageType && this.options.expectPackageType !== type) {
      throw new EarkFailure(earkError('PACKAGE_TYPE_UNSUPPORTED', 'METS.xml', `Cần gói ${this.options.expectPackageType}, nhận được ${type}`, `Expected a ${this.options.expectPackageType}, got a ${type}`));
    }
    return type;
  }

  /** Every href of one METS file, resolved against its folder. */
  private collectRefs(mets: XNode, metsPath: string, baseDir: string): Ref[] {
    const refs: Ref[] = [];
    const add = (node: XNode, kind: Ref['kind'], extra: Partial<Ref>, attrsFrom: XNode) => {
      const href = node.attrs['href'];
      if (href === undefined || href === '') {
        this.errors.push(earkError('METS_INVALID', metsPath, `Phần tử <${node.name}> thiếu xlink:href`, `<${node.name}> has no xlink:href`));
        return;
      }
      // Candidates in order: relative to this METS (percent-decoded, then as written), then relative
      // to the package root (a deviation some producers make). The first that exists wins.
      const candidates: [string | null, boolean][] = [
        [resolveHref(baseDir, href), false],
        [resolveHref(baseDir, href, false), false],
        ...(baseDir ? ([[resolveHref('', href), true], [resolveHref('', href, false), true]] as [string | null, boolean][]) : []),
      ];
      const found = candidates.find(([p]) => p !== null && this.exists(p));
      const path = found ? found[0] : candidates[0][0];
      if (found?.[1]) {
        this.warn(earkError('HREF_ROOT_RELATIVE', href, `Đường dẫn tính từ gốc gói thay vì từ ${metsPath}`, `Path relative to the package root instead of ${metsPath}`));
      }
      if (path === null) {
        this.errors.push(earkError('HREF_INVALID', href, `Tham chiếu ra ngoài gói hoặc không hợp lệ trong ${metsPath}`, `Reference outside the package or invalid, in ${metsPath}`));
        return;
      }
      refs.push(stripUndefined({
        path,
        href,
        metsPath,
        kind,
        checksum: attrsFrom.attrs['CHECKSUM'],
        checksumType: attrsFrom.attrs['CHECKSUMTYPE'],
        size: attrsFrom.attrs['SIZE'],
        mimeType: attrsFrom.attrs['MIMETYPE'],
        ...extra,
      }));
    };
    for (const sec of [...childrenNamed(mets, 'dmdSec'), ...childrenNamed(mets, 'amdSec').flatMap((a) => a.children)]) {
      for (const m of childrenNamed(sec, 'mdRef')) add(m, 'mdRef', { id: sec.attrs['ID'], mdType: m.attrs['MDTYPE'], use: sec.name }, m);
    }
    for (const grp of descendants(child(mets, 'fileSec') ?? { name: '', attrs: {}, children: [], text: '' }, 'fileGrp')) {
      for (const f of childrenNamed(grp, 'file')) {
        const locs = childrenNamed(f, 'FLocat');
        if (locs.length === 0) {
          this.errors.push(earkError('METS_INVALID', metsPath, `<file ID="${f.attrs['ID'] ?? ''}"> không có FLocat`, `<file ID="${f.attrs['ID'] ?? ''}"> has no FLocat`));
        }
        for (const loc of locs) {
          add(loc, 'file', { id: f.attrs['ID'], use: grp.attrs['USE'], dmdIds: (f.attrs['DMDID'] ?? '').split(/\s+/).filter(Boolean) }, f);
        }
      }
    }
    for (const sm of childrenNamed(mets, 'structMap')) for (const m of descendants(sm, 'mptr')) add(m, 'mptr', {}, m);
    return refs;
  }

  private async representations(rootRefs: Ref[]): Promise<RepInfo[]> {
    const metsPaths = new Set<string>();
    for (const r of rootRefs) {
      if ((r.kind === 'mptr' || (r.kind === 'file' && /^representations\//i.test(r.use ?? ''))) && /(^|\/)METS\.xml$/i.test(r.path)) metsPaths.add(r.path);
    }
    if (metsPaths.size === 0) {
      // Some producers omit the representation pointers; the CSIP layout still locates them.
      for (const f of this.zip.files()) {
        const rel = f.name.slice(this.root.length);
        if (f.name.startsWith(this.root) && /^representations\/[^/]+\/METS\.xml$/.test(rel)) metsPaths.add(rel);
      }
      if (metsPaths.size) {
        this.warn(earkError('METS_INVALID', 'METS.xml', 'METS gốc không tham chiếu METS của bản đại diện', 'Root METS does not point to the representation METS'));
      }
    }
    if (metsPaths.size === 0) {
      throw new EarkFailure(earkError('REPRESENTATION_MISSING', 'representations/', 'Gói không có bản đại diện (representations/*/METS.xml)', 'Package has no representation (representations/*/METS.xml)'));
    }
    const reps: RepInfo[] = [];
    for (const metsPath of [...metsPaths].sort()) {
      if (!this.exists(metsPath)) {
        this.errors.push(earkError('FILE_MISSING', metsPath, 'Thiếu METS của bản đại diện', 'Representation METS is missing'));
        continue;
      }
      const mets = await this.xml(metsPath);
      const dir = dirOf(metsPath);
      reps.push({ name: dir.split('/').pop() ?? dir, dir, metsPath, mets, refs: this.collectRefs(mets, metsPath, dir) });
    }
    return reps;
  }

  private isData(r: Ref, rep: RepInfo): boolean {
    return /^data/i.test(r.use ?? '') || r.path.startsWith(`${rep.dir}/data/`);
  }

  private async checkRefs(refs: Ref[], dataPaths: Set<string>): Promise<void> {
    const verified = new Set<string>();
    for (const r of refs) {
      if (!this.exists(r.path)) {
        this.errors.push(earkError('FILE_MISSING', r.path, `Tệp được tham chiếu trong ${r.metsPath} không có trong gói`, `File referenced in ${r.metsPath} is not in the package`));
        continue;
      }
      if (r.kind === 'mptr') continue; // pointer only; the fileSec entry carries size and checksum
      const entry = this.zip.get(this.full(r.path))!;
      if (r.size !== undefined && r.size !== '' && (!/^\d+$/.test(r.size.trim()) || Number(r.size) !== entry.size)) {
        this.errors.push(earkError('SIZE_MISMATCH', r.path, `Kích thước khai báo ${r.size} khác kích thước thực ${entry.size}`, `Declared SIZE ${r.size} differs from actual size ${entry.size}`));
        continue;
      }
      const isData = dataPaths.has(r.path);
      if (!r.checksum) {
        if (isData) this.errors.push(earkError('CHECKSUM_MISSING', r.path, 'Tệp dữ liệu không có mã kiểm tra SHA-256 trong METS', 'Data file has no SHA-256 checksum in METS'));
        else this.warn(earkError('CHECKSUM_NOT_DECLARED', r.path, 'Tệp không có mã kiểm tra trong METS', 'File has no checksum in METS'));
        continue;
      }
      const type = normType(r.checksumType);
      const digest = SUPPORTED_DIGESTS[type];
      if (!digest || (isData && type !== 'SHA256')) {
        this.errors.push(earkError('CHECKSUM_TYPE_UNSUPPORTED', r.path, `Loại mã kiểm tra "${r.checksumType ?? ''}" không được chấp nhận (cần SHA-256)`, `Checksum type "${r.checksumType ?? ''}" is not accepted (SHA-256 required)`));
        continue;
      }
      const expected = r.checksum.trim().toLowerCase();
      if (!/^[0-9a-f]+$/.test(expected) || expected.length !== digest.hexLength) {
        this.errors.push(earkError('CHECKSUM_MISMATCH', r.path, `Giá trị mã kiểm tra không hợp lệ: ${r.checksum}`, `Invalid checksum value: ${r.checksum}`));
        continue;
      }
      const key = `${r.path}\u0000${type}\u0000${expected}`;
      if (verified.has(key)) continue;
      verified.add(key);
      if (isData && this.options.verifyData === false) continue;
      const actual = await this.digest(r.path, digest.algo);
      if (actual !== expected) {
        this.errors.push(earkError('CHECKSUM_MISMATCH', r.path, `Mã kiểm tra ${r.checksumType} không khớp (khai báo ${expected}, thực tế ${actual})`, `${r.checksumType} checksum mismatch (declared ${expected}, actual ${actual})`));
      }
    }
  }

  private async digest(path: string, algo: string): Promise<string> {
    const hash = createHash(algo);
    const stream = await this.zip.openStream(this.full(path));
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  private checkUnreferenced(refs: Ref[], reps: RepInfo[]): void {
    const referenced = new Set(refs.map((r) => r.path));
    referenced.add('METS.xml');
    for (const rep of reps) referenced.add(rep.metsPath);
    const repDirs = reps.map((r) => r.dir);
    for (const f of this.zip.files()) {
      if (!f.name.startsWith(this.root)) continue;
      const rel = f.name.slice(this.root.length);
      if (referenced.has(rel)) continue;
      if (/^representations\/[^/]+\/data\//.test(rel) || repDirs.some((d) => rel.startsWith(`${d}/data/`))) {
        this.errors.push(earkError('FILE_UNREFERENCED', rel, 'Tệp dữ liệu không được METS tham chiếu', 'Data file is not referenced by METS'));
      } else {
        this.warn(earkError('FILE_EXTRA', rel, 'Tệp không được METS tham chiếu (bỏ qua)', 'File not referenced by METS (ignored)'));
      }
    }
  }

  private async documents(reps: RepInfo[], fileCode: string): Promise<{ documents: ArchivalDocument[]; dataFiles: PackageDataFile[] }> {
    const documents: ArchivalDocument[] = [];
    const dataFiles: PackageDataFile[] = [];
    for (const rep of reps) {
      const dmd = new Map<string, Ref>();
      let eadRefs = rep.refs.filter(
        (r) => (r.kind === 'mdRef' && r.use === 'dmdSec') || (r.kind === 'file' && r.path.startsWith(`${rep.dir}/metadata/descriptive/`) && /\.xml$/i.test(r.path)),
      );
      if (eadRefs.length === 0) {
        // No descriptive reference at all: fall back to the layout of §2.5 (files checked as extras).
        eadRefs = this.zip
          .files()
          .map((f) => f.name.slice(this.root.length))
          .filter((p) => p.startsWith(`${rep.dir}/metadata/descriptive/`) && /\/EAD[^/]*\.xml$/i.test(p))
          .map((path) => ({ path, href: path, metsPath: rep.metsPath, kind: 'mdRef' as const, use: 'dmdSec' }));
        if (eadRefs.length) {
          this.warn(earkError('METS_INVALID', rep.metsPath, 'METS không tham chiếu EAD_doc; dùng các tệp theo cấu trúc thư mục', 'METS references no EAD_doc; using the files of the standard layout'));
        }
      }
      for (const r of eadRefs) if (r.id) dmd.set(r.id, r);
      const metaByPath = new Map<string, DocumentMetadata>();
      for (const r of eadRefs) {
        if (metaByPath.has(r.path)) continue;
        metaByPath.set(r.path, readDocumentEad(await this.xml(r.path), r.path, this.errors, this.warn));
      }
      const files = uniqueBy(rep.refs.filter((r) => r.kind === 'file' && this.isData(r, rep)), (r) => r.path);
      if (files.length > this.limits.maxDocuments) {
        throw new EarkFailure(earkError('ZIP_TOO_MANY_ENTRIES', rep.metsPath, `Quá ${this.limits.maxDocuments} tài liệu`, `More than ${this.limits.maxDocuments} documents`));
      }
      const divDmd = structMapDmdByFileId(rep.mets);
      const used = new Set<string>();
      files.forEach((f, index) => {
        const eadPath = this.pairEad(f, dmd, metaByPath, divDmd, files.length, fileCode);
        if (!eadPath) {
          this.errors.push(earkError('EAD_DOC_MISSING', f.path, 'Không tìm thấy EAD_doc mô tả tệp dữ liệu', 'No EAD_doc describes this data file'));
          return;
        }
        used.add(eadPath);
        const meta = metaByPath.get(eadPath)!;
        const docOrdinal = meta.docOrdinal ?? ordinalFrom(meta, fileCode, f.path) ?? index + 1;
        const sha256 = (f.checksum ?? '').trim().toLowerCase();
        const size = this.zip.get(this.full(f.path))!.size;
        documents.push(stripUndefined({ ...meta, docOrdinal, path: f.path, sha256, size, mimeType: f.mimeType }) as ArchivalDocument);
        dataFiles.push(stripUndefined({ path: f.path, size, sha256, mimeType: f.mimeType, docOrdinal, representation: rep.name }));
      });
      for (const p of metaByPath.keys()) {
        if (!used.has(p)) this.errors.push(earkError('DOCUMENT_FILE_MISSING', p, 'Tài liệu được mô tả nhưng không có tệp dữ liệu', 'Document is described but has no data file'));
      }
    }
    const seen = new Map<number, string>();
    for (const d of documents) {
      const prev = seen.get(d.docOrdinal);
      if (prev !== undefined) {
        this.errors.push(earkError('DOCUMENT_ORDINAL_DUPLICATE', d.path, `Số thứ tự tài liệu ${d.docOrdinal} trùng với ${prev}`, `Document ordinal ${d.docOrdinal} duplicates ${prev}`));
      }
      seen.set(d.docOrdinal, d.path);
    }
    documents.sort((a, b) => a.docOrdinal - b.docOrdinal);
    dataFiles.sort((a, b) => a.docOrdinal - b.docOrdinal);
    return { documents, dataFiles };
  }

  /** file@DMDID, then the structMap div, then the EAD_doc_{data file stem}.xml naming rule, then 1:1. */
  private pairEad(f: Ref, dmd: Map<string, Ref>, meta: Map<string, DocumentMetadata>, divDmd: Map<string, string[]>, fileCount: number, fileCode: string): string | undefined {
    const byIds = (ids: string[]) => [...new Set(ids.map((id) => dmd.get(id)?.path).filter((p): p is string => !!p && meta.has(p)))];
    const direct = byIds(f.dmdIds ?? []);
    if (direct.length === 1) return direct[0];
    const viaDiv = byIds(f.id ? (divDmd.get(f.id) ?? []) : []);
    if (viaDiv.length === 1) return viaDiv[0];
    const name = f.path.split('/').pop() ?? '';
    const stem = name.replace(/\.[^.]*$/, '');
    const candidates = [...meta.keys()].filter((p) => {
      const base = (p.split('/').pop() ?? '').replace(/\.xml$/i, '');
      return base === `EAD_doc_${stem}` || base === `EAD_doc_${name}` || base === `EAD_${stem}` || base === `EAD_${name}`;
    });
    if (candidates.length === 1) return candidates[0];
    if (fileCount === 1 && meta.size === 1) return [...meta.keys()][0];
    // Data file `{fileCode}.{n}.ext` ↔ the EAD_doc whose docCode/docId ends with ordinal n.
    const n = /\.(\d{1,7})\.[^.]+$/.exec(name);
    if (n) {
      const byOrdinal = [...meta.entries()].filter(([, m]) => (m.docOrdinal ?? ordinalFrom(m, fileCode, '')) === Number(n[1]));
      if (byOrdinal.length === 1) return byOrdinal[0][0];
    }
    return undefined;
  }

  private async preservation(rootRefs: Ref[], reps: RepInfo[]): Promise<EarkPackage['preservation']> {
    const isPremis = (r: Ref) => r.kind === 'mdRef' && ((r.mdType ?? '').toUpperCase() === 'PREMIS' || /PREMIS[^/]*\.xml$/i.test(r.path));
    const pkgRef = rootRefs.find(isPremis);
    const result: NonNullable<EarkPackage['preservation']> = { representations: {} };
    if (pkgRef) result.package = readPremis(await this.xml(pkgRef.path));
    for (const rep of reps) {
      const ref = rep.refs.find(isPremis);
      if (ref) result.representations[rep.name] = readPremis(await this.xml(ref.path));
    }
    return pkgRef || Object.keys(result.representations).length ? result : undefined;
  }
}

function structMapDmdByFileId(mets: XNode): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sm of childrenNamed(mets, 'structMap')) {
    for (const div of descendants(sm, 'div')) {
      const ids = (div.attrs['DMDID'] ?? '').split(/\s+/).filter(Boolean);
      if (!ids.length) continue;
      for (const fptr of childrenNamed(div, 'fptr')) if (fptr.attrs['FILEID']) out.set(fptr.attrs['FILEID'], ids);
    }
  }
  return out;
}

/** docCode = fileCode + 7-digit ordinal; docId = fileCode + "." + ordinal; data file `{fileCode}.{n}.ext`. */
function ordinalFrom(meta: DocumentMetadata, fileCode: string, path: string): number | undefined {
  const tail = (s: string | undefined, re: RegExp) => {
    const m = s ? re.exec(s) : null;
    return m ? Number(m[1]) : undefined;
  };
  if (meta.docCode && fileCode && meta.docCode.startsWith(fileCode)) {
    const n = tail(meta.docCode.slice(fileCode.length), /^\.?(\d{1,7})$/);
    if (n) return n;
  }
  return (
    tail(meta.docCode, /(\d{7})$/) ??
    (meta.docId && fileCode && meta.docId.startsWith(`${fileCode}.`) ? tail(meta.docId.slice(fileCode.length), /^\.(\d+)$/) : undefined) ??
    (fileCode ? tail((path.split('/').pop() ?? '').replace(/\.[^.]*$/, ''), new RegExp(`^${escapeRe(fileCode)}\\.(\\d+)$`)) : undefined)
  );
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function uniqueBy<T>(list: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return list.filter((t) => (seen.has(key(t)) ? false : (seen.add(key(t)), true)));
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Pass-through that hashes and counts; fails before 'end' when the content differs from what METS
 * (or the caller) declared, so a consumer using `pipeline` never commits a bad file.
 */
export function verifyingStream(source: Readable | undefined, path: string, algo: string, expectedHex: string, expectedSize: number | undefined): Transform {
  const hash = createHash(algo);
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const actual = hash.digest('hex');
      if (expectedSize !== undefined && size !== expectedSize) {
        return cb(new EarkFailure(earkError('SIZE_MISMATCH', path, `Kích thước ${size} khác khai báo ${expectedSize}`, `Size ${size} differs from declared ${expectedSize}`)));
      }
      if (actual !== expectedHex.toLowerCase()) {
        return cb(new EarkFailure(earkError('CHECKSUM_MISMATCH', path, `Mã kiểm tra không khớp (khai báo ${expectedHex.toLowerCase()}, thực tế ${actual})`, `Checksum mismatch (declared ${expectedHex.toLowerCase()}, actual ${actual})`)));
      }
      cb();
    },
  });
  // Errors of the source (corrupt entry) surface on the stream the caller holds.
  source?.on('error', (e) => t.destroy(e));
  return t;
}
