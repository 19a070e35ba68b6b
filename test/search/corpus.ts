import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * A realistic Vietnamese corpus for the search suites, inserted with SQL straight into the catalogue
 * (transfers → case_files → documents) so the tests do not depend on the ingest pipeline. Generated
 * from a fixed seed: the same run, the same rows.
 */

export interface CorpusDoc {
  id: string;
  fileId: string;
  agencyId: string;
  subject: string;
  codeNumber: string | null;
  codeNotation: string | null;
  issuedDate: string;
  organName: string;
  typeName: string;
  mode: string;
  /** Effective mode: the stricter of the document's and its case file's. */
  effectiveMode: string;
  destroyed: boolean;
  fileTitle: string;
  signer: string;
}

export interface CorpusFile {
  id: string;
  agencyId: string;
  fileCode: string;
  title: string;
  keyword: string;
  mode: string;
  destroyed: boolean;
}

export interface Corpus {
  files: CorpusFile[];
  docs: CorpusDoc[];
}

export const TYPES: Record<string, { label: string; prefix: string }> = {
  '01': { label: 'Nghị quyết', prefix: 'NQ' },
  '02': { label: 'Quyết định', prefix: 'QĐ' },
  '03': { label: 'Chỉ thị', prefix: 'CT' },
  '07': { label: 'Thông báo', prefix: 'TB' },
  '10': { label: 'Kế hoạch', prefix: 'KH' },
  '14': { label: 'Báo cáo', prefix: 'BC' },
  '16': { label: 'Tờ trình', prefix: 'TTr' },
};

const ACTIONS = [
  'về việc bổ nhiệm cán bộ lãnh đạo',
  'về việc điều động công chức',
  'về việc khen thưởng tập thể và cá nhân có thành tích xuất sắc',
  'về việc kỷ luật cán bộ',
  'về việc nâng bậc lương thường xuyên',
  'phê duyệt kế hoạch đào tạo, bồi dưỡng cán bộ, công chức',
  'về công tác phòng, chống thiên tai và tìm kiếm cứu nạn',
  'về tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội',
  'về việc giao đất, cho thuê đất để đầu tư xây dựng',
  'về việc thành lập Hội đồng thẩm định',
  'kết luận cuộc họp giao ban',
  'về cải cách hành chính và chuyển đổi số',
  'về quản lý, sử dụng tài sản công',
  'về việc phê duyệt dự án đường giao thông nông thôn',
];
const TAILS = ['năm 2022', 'năm 2023', 'năm 2024', 'quý I', 'tháng 6', 'giai đoạn 2021-2025', 'trên địa bàn tỉnh', 'tại Ủy ban nhân dân huyện'];
const SIGNERS = ['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Đức Dũng', 'Phạm Thị Đào', 'Hoàng Minh Đức', 'Võ Thị Hương', 'Đặng Quốc Huy'];
const FILE_TOPICS = ['Hồ sơ tổ chức cán bộ', 'Hồ sơ thi đua khen thưởng', 'Hồ sơ quản lý đất đai', 'Hồ sơ cải cách hành chính', 'Hồ sơ đầu tư công'];

export interface AgencySpec {
  id: string;
  organs: { name: string; abbrev: string }[];
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCorpus(agencies: AgencySpec[], docCount: number, seed = 7): Corpus {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const files: CorpusFile[] = [];
  const docs: CorpusDoc[] = [];
  let number = 1;
  while (docs.length < docCount) {
    const agency = agencies[files.length % agencies.length];
    const year = 2020 + Math.floor(r() * 5);
    const topic = pick(FILE_TOPICS);
    // Case files: mostly public, some restricted, a few secret.
    const fileMode = r() < 0.75 ? '01' : r() < 0.7 ? '02' : '03';
    const file: CorpusFile = {
      id: randomUUID(),
      agencyId: agency.id,
      fileCode: `${agency.id}.${year}.${String(files.length + 1).padStart(3, '0')}.TC`,
      title: `${topic} năm ${year}`,
      keyword: topic.replace('Hồ sơ ', ''),
      mode: fileMode,
      destroyed: false,
    };
    files.push(file);
    const n = 3 + Math.floor(r() * 6);
    for (let i = 0; i < n && docs.length < docCount; i++) {
      const typeName = pick(Object.keys(TYPES));
      const organ = pick(agency.organs);
      const mode = fileMode === '03' ? '03' : r() < 0.85 ? fileMode : r() < 0.6 ? '02' : '03';
      const month = 1 + Math.floor(r() * 12);
      const day = 1 + Math.floor(r() * 28);
      docs.push({
        id: randomUUID(),
        fileId: file.id,
        agencyId: agency.id,
        subject: `${TYPES[typeName].label} ${pick(ACTIONS)} ${pick(TAILS)}`,
        codeNumber: String(number++),
        codeNotation: `${TYPES[typeName].prefix}-${organ.abbrev}`,
        issuedDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        organName: organ.name,
        typeName,
        mode,
        effectiveMode: mode > fileMode ? mode : fileMode,
        destroyed: false,
        fileTitle: file.title,
        signer: pick(SIGNERS),
      });
    }
  }
  return { files, docs };
}

/** A case file with its documents appended by hand (planted records the tests look for). */
export function plant(corpus: Corpus, file: Omit<CorpusFile, 'id' | 'destroyed'> & { destroyed?: boolean }, docs: Array<Partial<CorpusDoc> & Pick<CorpusDoc, 'subject'>>): CorpusDoc[] {
  const f: CorpusFile = { id: randomUUID(), destroyed: false, ...file };
  corpus.files.push(f);
  const out = docs.map((d, i): CorpusDoc => {
    const mode = d.mode ?? f.mode;
    return {
      id: randomUUID(),
      fileId: f.id,
      agencyId: f.agencyId,
      codeNumber: null,
      codeNotation: null,
      issuedDate: '2024-03-01',
      organName: 'Sở Nội vụ tỉnh Bình Định',
      typeName: '02',
      signer: SIGNERS[i % SIGNERS.length],
      ...d,
      mode,
      effectiveMode: mode > f.mode ? mode : f.mode,
      destroyed: f.destroyed,
      fileTitle: f.title,
    };
  });
  corpus.docs.push(...out);
  return out;
}

/** Inserts the corpus (one transfer per agency) in one transaction, as a transfer would. */
export async function insertCorpus(db: DataSource, corpus: Corpus): Promise<void> {
  await db.transaction(async (m: EntityManager) => {
    const transfers = new Map<string, string>();
    for (const agencyId of new Set(corpus.files.map((f) => f.agencyId))) {
      const id = randomUUID();
      transfers.set(agencyId, id);
      await m.query(
        `INSERT INTO transfers (id, submitter_scope, agency_id, body_kind, status, submitted_by, staging_prefix)
         VALUES ($1, $2, $2, 'MULTIPART', 'ACCEPTED', 'test', $3)`,
        [id, agencyId, `staging/${id}/`],
      );
    }
    for (const f of corpus.files) {
      const year = Number(f.fileCode.split('.')[4]) || 2024;
      await m.query(
        `INSERT INTO case_files (id, agency_id, transfer_id, file_code, year, title, maintenance, retention_years, retention_until, status, mode,
           language, start_date, end_date, keyword, total_doc, number_of_page, code_list_version, metadata, object_prefix, destroyed_at)
         VALUES ($1, $2, $3, $4, $5, $6, '01', NULL, NULL, $7, $8, '01', $9, $10, $11, 1, 1, 'test', '{}'::jsonb, $12, $13)`,
        [f.id, f.agencyId, transfers.get(f.agencyId), f.fileCode, year, f.title, f.destroyed ? 'DESTROYED' : 'ARCHIVED', f.mode,
          `${year}-01-01`, `${year}-12-31`, f.keyword, `${f.agencyId}/${f.id}/`, f.destroyed ? new Date() : null],
      );
    }
    // Documents of all files in one statement: the statement-level insert trigger indexes them together.
    const docs = corpus.docs;
    const col = <K extends keyof CorpusDoc>(k: K) => docs.map((d) => d[k]);
    await m.query(
      `INSERT INTO documents (id, file_id, agency_id, doc_code, doc_ordinal, type_name, code_number, code_notation, issued_date, organ_name,
         subject, language, mode, signer_full_name, metadata, original_path, mime_type, sha256, size, object_key, signature_summary, validated_at, destroyed_at)
       SELECT u.id, u.file_id, u.agency_id, 'DOC.' || u.id, u.ord, u.type_name, u.code_number, u.code_notation, u.issued_date, u.organ_name,
         u.subject, '01', u.mode, u.signer, '{}'::jsonb, 'docs/' || u.id || '.pdf', 'application/pdf', u.sha, 1000, 'objects/' || u.id || '.pdf',
         'VALID', now(), CASE WHEN u.destroyed THEN now() END
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::date[], $9::text[], $10::text[], $11::text[],
                   $12::text[], $13::text[], $14::boolean[])
         AS u(id, file_id, agency_id, ord, type_name, code_number, code_notation, issued_date, organ_name, subject, mode, signer, sha, destroyed)`,
      [col('id'), col('fileId'), col('agencyId'), docs.map((_, i) => i + 1), col('typeName'), col('codeNumber'), col('codeNotation'), col('issuedDate'),
        col('organName'), col('subject'), col('mode'), col('signer'), docs.map((d) => createHash('sha256').update(d.id).digest('hex')), col('destroyed')],
    );
  });
}
