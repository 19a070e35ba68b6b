/**
 * @archive/signature: verify (and, in ./sign, create) PDF signatures. Pure functions over bytes.
 */
export * from './report';
export { verifyPdf, verifyPdfSync } from './verify';
export type { VerifyOptions } from './verify';
export { exitCodeFor, formatReportTable } from './format';
export * from './sign';
