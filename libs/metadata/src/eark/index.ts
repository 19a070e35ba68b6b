/** E-ARK information packages of TT 05/2025 (SIP_hoso in, AIP_hoso out). */
export * from './errors';
export * from './limits';
export { openZip, unsafeNameReason } from './zip-reader';
export type { ZipArchive, ZipEntryInfo, ZipRangeSource, ZipSource } from './zip-reader';
export { readPackage, readSip, readAip } from './package-reader';
export type { ReadPackageOptions, EarkPackage, PackageDataFile, PackageAgent } from './package-reader';
export { writeAip, toVietnamIso } from './aip-writer';
export type { AipInput, AipFileInput, AipEventInput, AipManifest, AipManifestEntry, AipWriter, SignatureOutcome } from './aip-writer';
export type { PremisDocument, PremisEvent, PremisObject, PremisAgent, PremisIdentifier } from './premis';
export type { PackageKind } from './ead';
