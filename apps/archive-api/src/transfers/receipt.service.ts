import * as fs from 'node:fs';
import { ConflictException, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, PDFFont, PDFPage, rgb } from 'pdf-lib';
import { DataSource } from 'typeorm';
import { pemCertificates, signPdf } from '@archive/signature';
import type { ObjectStore } from '@archive/storage';
import { ArchiveKeyService } from '../archive-key/archive-key.service';
import type { RequestActor } from '../auth/auth.decorators';
import { AuditEventInput, AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import type { DocumentContent } from '../records/records.service';
import { JobQueue, PermanentJobError } from '../jobs/job-queue.service';
import { InjectObjectStore } from '../storage/storage.module';
import { receiptKey } from './object-keys';
import { TransfersService } from './transfers.service';
import { RECEIPT_QUEUE, receiptAvailable } from './transfer.types';

const MAINTENANCE_TEXT: Record<string, string> = { '01': 'Vĩnh viễn', '02': '70 năm', '03': '50 năm', '04': '30 năm', '05': '20 năm', '06': '10 năm' };

interface ReceiptFile {
  file_code: string;
  title: string;
  start_date: string;
  end_date: string;
  maintenance: string;
  retention_years: number | null;
  number_of_page: number;
  total_doc: number;
  docs: number;
}

/**
 * Biên bản giao nhận hồ sơ, tài liệu (NĐ 30/2020 Phụ lục V): the parties, the name of the block of
 * records, its time span, the quantity (electronic: total case files and files), the condition, and
 * the attached Mục lục hồ sơ nộp lưu — typeset in Vietnamese with an embedded serif Unicode face
 * (DejaVu Serif, metric-close to the Times New Roman the decree's forms use) and signed by the archive's
 * key. Made once by the job `transfers.receipt`, enqueued with the transfer's final result (or by the
 * first GET if that job has not run yet), and kept under `receipts/`.
 */
@Injectable()
export class ReceiptService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectObjectStore() private readonly store: ObjectStore,
    private readonly config: AppConfig,
    private readonly transfers: TransfersService,
    private readonly archiveKey: ArchiveKeyService,
    private readonly audit: AuditService,
    private readonly jobs: JobQueue,
  ) {}

  onModuleInit(): void {
    this.jobs.register<{ transferId: string }>(RECEIPT_QUEUE, async (job) => {
      await this.issue(job.payload.transferId, { system: 'receipt' });
    });
  }

  async receipt(id: string, actor: RequestActor): Promise<DocumentContent> {
    const t = await this.transfers.row(id, actor);
    if (!receiptAvailable(t.status)) {
      throw new ConflictException(`The receipt exists once processing has ended (status ${t.status})`);
    }
    const made = await this.issue(t.id, actor);
    const key = made.key;
    return {
      sha256: made.sha256,
      size: made.size,
      mimeType: 'application/pdf',
      fileName: `bien-ban-giao-nhan-${t.id}.pdf`,
      open: (range) => this.store.get(key, { range }),
    };
  }

  /**
   * The transfer's receipt, made and stored if it is not yet. One at a time per transfer (the row is
   * locked while it is made), so the job and a first GET never store two different receipts.
   */
  async issue(transferId: string, actor: AuditEventInput['actor']): Promise<{ key: string; sha256: string; size: number }> {
    return this.db.transaction(async (m) => {
      const [t] = await m.query('SELECT * FROM transfers WHERE id = $1 FOR UPDATE', [transferId]);
      if (!t || !receiptAvailable(t.status)) throw new PermanentJobError(`transfer ${transferId} has no receipt to make (status ${t?.status ?? 'missing'})`);
      if (t.receipt_key) {
        const st = await this.store.stat(t.receipt_key);
        if (st) return { key: t.receipt_key as string, sha256: t.receipt_sha256 as string, size: st.size };
      }
      const pdf = await this.render(t);
      const key = receiptKey(t.agency_id ?? t.submitter_scope, t.id);
      const put = await this.store.put(key, Buffer.from(pdf), { contentType: 'application/pdf', metadata: { 'transfer-id': t.id } });
      await m.query('UPDATE transfers SET receipt_key = $2, receipt_sha256 = $3 WHERE id = $1', [t.id, key, put.sha256]);
      await this.audit.record(m, { actor, action: 'transfer.receipt', target: `transfer:${t.id}`, details: { sha256: put.sha256 } });
      return { key, sha256: put.sha256, size: put.size };
    });
  }

  async render(t: any): Promise<Uint8Array> {
    const files: ReceiptFile[] = await this.db.query(
      `SELECT f.file_code, f.title, f.start_date, f.end_date, f.maintenance, f.retention_years, f.number_of_page, f.total_doc,
              (SELECT count(*)::int FROM documents d WHERE d.file_id = f.id) AS docs
       FROM case_files f WHERE f.transfer_id = $1 ORDER BY f.file_code`,
      [t.id],
    );
    const agency = (await this.db.query('SELECT name FROM agencies WHERE id = $1', [t.agency_id]))[0]?.name ?? String((t.manifest as any)?.agency?.name ?? t.agency_id ?? '');
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    doc.setTitle(`Biên bản giao nhận hồ sơ, tài liệu — ${t.id}`);
    doc.setAuthor(this.config.transfers.archiveName);
    const regular = await doc.embedFont(fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf')), { subset: true });
    const bold = await doc.embedFont(fs.readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf')), { subset: true });
    const w = new Writer(doc, regular, bold);

    w.center('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 11, true);
    w.center('Độc lập - Tự do - Hạnh phúc', 11, true);
    w.gap(14);
    w.center('BIÊN BẢN', 13, true);
    w.center('Về việc giao nhận hồ sơ, tài liệu điện tử', 12, true);
    w.gap(8);
    const fmt = (d: Date | string | null) => (d ? vnTime(new Date(d)) : '—');
    w.para('Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;');
    w.para(`Mã giao dịch nộp lưu: ${t.id}. Thời gian nhận: ${fmt(t.received_at)}; thời gian hoàn thành kiểm tra: ${fmt(t.completed_at)}.`);
    w.para(`BÊN GIAO: ${agency} (mã định danh ${t.agency_id ?? '—'}), do hệ thống ${t.submitted_by} thực hiện.`, true);
    w.para(`BÊN NHẬN: ${this.config.transfers.archiveName} (mã cơ quan lưu trữ ${this.config.transfers.archiveCode}).`, true);
    w.para('Thống nhất lập biên bản giao nhận tài liệu với những nội dung cụ thể như sau:');
    const span = files.length ? `${minOf(files.map((f) => f.start_date))} – ${maxOf(files.map((f) => f.end_date))}` : '—';
    const nFiles = files.reduce((n, f) => n + f.docs, 0);
    w.para(`1. Tên khối tài liệu giao nộp: Hồ sơ, tài liệu điện tử của ${agency}.`);
    w.para(`2. Thời gian của tài liệu: ${span}.`);
    w.para(`3. Số lượng tài liệu: ${files.length} hồ sơ; ${nFiles} tệp tin.`);
    w.para('4. Tình trạng tài liệu giao nộp: toàn vẹn (SHA-256 khớp với danh mục), chữ ký số đã được kiểm tra; bản gốc được lưu giữ nguyên trạng.');
    w.para('5. Mục lục hồ sơ, tài liệu nộp lưu kèm theo.');
    const rejected = (t.files as { fileCode: string; status: string; errors: { code: string }[] }[]).filter((f) => f.status === 'REJECTED');
    if (rejected.length) {
      w.para(`Hồ sơ không được tiếp nhận (${rejected.length}): ${rejected.map((f) => `${f.fileCode} (${[...new Set(f.errors.map((e) => e.code))].join(', ')})`).join('; ')}.`);
    }
    w.gap(6);
    w.center('MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU', 11, true);
    w.table(
      [26, 118, 135, 72, 52, 40, 40],
      ['STT', 'Số, ký hiệu hồ sơ', 'Tiêu đề hồ sơ', 'Thời gian tài liệu', 'Thời hạn bảo quản', 'Số trang', 'Ghi chú'],
      files.map((f, i) => [
        String(i + 1),
        f.file_code,
        f.title,
        `${f.start_date} – ${f.end_date}`,
        MAINTENANCE_TEXT[f.maintenance] ?? (f.retention_years ? `${f.retention_years} năm` : 'Khác'),
        String(f.number_of_page),
        `${f.docs} tệp`,
      ]),
    );
    w.gap(18);
    w.columns(['ĐẠI DIỆN BÊN GIAO', 'ĐẠI DIỆN BÊN NHẬN'], 11, true);
    w.columns(['(đã nộp qua hệ thống)', '(ký số)'], 10, false);
    const bytes = await doc.save({ useObjectStreams: false });

    const key = this.archiveKey.get();
    if (!key.certificatePem) throw new Error('ARCHIVE_SIGNING_KEY has no certificate: receipts cannot be signed');
    return signPdf(bytes, { privateKey: key.privateKey, certificateChain: pemCertificates(key.certificatePem) }, {
      reason: 'Biên bản giao nhận hồ sơ, tài liệu (NĐ 30/2020/NĐ-CP, Phụ lục V)',
      location: this.config.transfers.archiveName,
      signerName: this.config.transfers.archiveName,
    });
  }
}

function vnTime(d: Date): string {
  const l = new Date(d.getTime() + 7 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(l.getUTCHours())} giờ ${p(l.getUTCMinutes())}, ngày ${p(l.getUTCDate())}/${p(l.getUTCMonth() + 1)}/${l.getUTCFullYear()} (GMT+7)`;
}
const minOf = (xs: string[]) => xs.reduce((a, b) => (b < a ? b : a));
const maxOf = (xs: string[]) => xs.reduce((a, b) => (b > a ? b : a));

/** A tiny flowing-text writer over pdf-lib: A4, wrapped paragraphs, a table with wrapped cells, page breaks. */
class Writer {
  private page: PDFPage;
  private y = 0;
  private readonly margin = 56;
  private readonly width = 595.28;
  private readonly height = 841.89;

  constructor(private readonly doc: PDFDocument, private readonly font: PDFFont, private readonly bold: PDFFont) {
    this.page = this.newPage();
  }

  private newPage(): PDFPage {
    this.page = this.doc.addPage([this.width, this.height]);
    this.y = this.height - this.margin;
    return this.page;
  }

  private ensure(h: number): void {
    if (this.y - h < this.margin) this.newPage();
  }

  gap(h: number): void {
    this.y -= h;
  }

  center(text: string, size: number, bold = false): void {
    const f = bold ? this.bold : this.font;
    this.ensure(size + 4);
    this.page.drawText(text, { x: (this.width - f.widthOfTextAtSize(text, size)) / 2, y: this.y - size, size, font: f, color: rgb(0, 0, 0) });
    this.y -= size + 5;
  }

  para(text: string, bold = false, size = 11): void {
    const f = bold ? this.bold : this.font;
    for (const line of wrap(text, f, size, this.width - 2 * this.margin)) {
      this.ensure(size + 4);
      this.page.drawText(line, { x: this.margin, y: this.y - size, size, font: f });
      this.y -= size + 4;
    }
    this.y -= 3;
  }

  columns(texts: string[], size: number, bold: boolean): void {
    const f = bold ? this.bold : this.font;
    const colW = (this.width - 2 * this.margin) / texts.length;
    this.ensure(size + 4);
    texts.forEach((t, i) => this.page.drawText(t, { x: this.margin + i * colW + (colW - f.widthOfTextAtSize(t, size)) / 2, y: this.y - size, size, font: f }));
    this.y -= size + 5;
  }

  table(widths: number[], header: string[], rows: string[][]): void {
    const size = 8.5;
    const draw = (cells: string[], f: PDFFont) => {
      const wrapped = cells.map((c, i) => wrap(c, f, size, widths[i]! - 6));
      const h = Math.max(...wrapped.map((l) => l.length)) * (size + 2) + 6;
      this.ensure(h);
      let x = this.margin;
      wrapped.forEach((lines, i) => {
        this.page.drawRectangle({ x, y: this.y - h, width: widths[i]!, height: h, borderColor: rgb(0, 0, 0), borderWidth: 0.5 });
        lines.forEach((l, k) => this.page.drawText(l, { x: x + 3, y: this.y - 3 - (k + 1) * (size + 2) + 2, size, font: f }));
        x += widths[i]!;
      });
      this.y -= h;
    };
    draw(header, this.bold);
    for (const r of rows) draw(r, this.font);
  }
}

function wrap(text: string, font: PDFFont, size: number, max: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= max) {
        line = candidate;
        continue;
      }
      if (line) out.push(line);
      // a word longer than the column (a long file code) is cut
      let w = word;
      while (font.widthOfTextAtSize(w, size) > max && w.length > 1) {
        let n = w.length;
        while (n > 1 && font.widthOfTextAtSize(w.slice(0, n), size) > max) n--;
        out.push(w.slice(0, n));
        w = w.slice(n);
      }
      line = w;
    }
    out.push(line);
  }
  return out;
}
