/**
 * @archive/signature: verify (and, in ./sign, create) PDF signatures. Pure functions over bytes.
 */
export * from './report';
export { verifyPdf, verifyPdfFile, verifyPdfSource, verifyPdfSync } from './verify';
export type { ByteSource } from './pdf/source';
export { bufferSource, fileSource } from './pdf/source';
export type { VerifyOptions } from './verify';
export { exitCodeFor, formatReportTable } from './format';
export * from './sign';
