/** Public signing API of @archive/signature (re-exported from the lib index). */
export { signPdf, signPdfExternal, addDocumentTimestamp, pdfDate, pdfTextHex, subjectCommonName } from './sign-pdf';
export type { SignPdfOptions, VisibleAppearance, DocumentTimestampOptions, ExternalSignOptions } from './sign-pdf';
export { loadSignerKey, orderChain, pemCertificates } from './keys';
export type { SignerKey, SignerKeyInput } from './keys';
export { buildTimeStampRequest, extractTimeStampToken, httpTimestampProvider } from './timestamp';
export type { TimestampProvider } from './timestamp';
export type { DigestAlgorithm, SignatureScheme } from './cms';
