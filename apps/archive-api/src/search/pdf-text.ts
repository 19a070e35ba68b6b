import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf';

export interface PdfTextLimits {
  maxPages: number;
  maxChars: number;
  timeoutMs: number;
}

export interface PdfText {
  /** EXTRACTED: text found; NO_TEXT: no text layer (a scan); FAILED: the PDF could not be read. */
  status: 'EXTRACTED' | 'NO_TEXT' | 'FAILED';
  text: string;
  pages: number;
  detail?: string;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf');
let pdfjs: PdfJs | null = null;

/** Loaded on first use: most processes (the CLI, API-only nodes) never parse a PDF body. */
function load(): PdfJs {
  // The v3 legacy build is CommonJS and runs on Node 20 without a DOM (v4+ is ESM-only).
  if (pdfjs) return pdfjs;
  // Its loader warns that `canvas` (rendering) is missing; we only read text, so keep that out of the logs.
  const warn = console.warn;
  const log = console.log;
  const quiet = (orig: (...a: unknown[]) => void) => (...a: unknown[]) => (/Cannot polyfill/.test(String(a[0])) ? undefined : orig(...a));
  console.warn = quiet(warn);
  console.log = quiet(log);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pdfjs = require('pdfjs-dist/legacy/build/pdf.js') as PdfJs;
  } finally {
    console.warn = warn;
    console.log = log;
  }
  return pdfjs;
}

/**
 * The text layer of a PDF, bounded in pages, characters and time. Never throws: a broken or hostile
 * file yields FAILED with a reason, a scan yields NO_TEXT — search then simply has no body for it.
 */
export async function extractPdfText(data: Uint8Array, limits: PdfTextLimits): Promise<PdfText> {
  let doc: PDFDocumentProxy | null = null;
  const lib = load();
  const task = lib.getDocument({
    data,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = Date.now() + limits.timeoutMs;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`text extraction exceeded ${limits.timeoutMs} ms`)), limits.timeoutMs);
    timer.unref();
  });
  const work = async (): Promise<PdfText> => {
    doc = await task.promise;
    const pages = Math.min(doc.numPages, limits.maxPages);
    const parts: string[] = [];
    let chars = 0;
    for (let i = 1; i <= pages && chars < limits.maxChars && Date.now() < deadline; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      let line = '';
      for (const item of content.items) {
        if ('str' in item) line += item.str + (item.hasEOL ? '\n' : ' ');
      }
      page.cleanup();
      const cleaned = line.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ' ').replace(/[ \t]+/g, ' ').trim();
      if (cleaned) {
        parts.push(cleaned);
        chars += cleaned.length + 1;
      }
    }
    const text = parts.join('\n').normalize('NFC').slice(0, limits.maxChars);
    return { status: text.trim() ? 'EXTRACTED' : 'NO_TEXT', text, pages: doc.numPages };
  };
  try {
    return await Promise.race([work(), timeout]);
  } catch (err) {
    return { status: 'FAILED', text: '', pages: 0, detail: (err instanceof Error ? err.message : String(err)).slice(0, 500) };
  } finally {
    clearTimeout(timer);
    await task.destroy().catch(() => undefined);
  }
}
