/**
 * Bounds applied to untrusted packages (zip bombs, oversized or deeply nested XML). All are
 * configurable per call; the defaults fit a large case file (thousands of scanned PDFs) while keeping
 * a hostile archive from exhausting memory or disk.
 */
export interface EarkLimits {
  /** Maximum number of ZIP entries (directories included). */
  maxEntries: number;
  /** Maximum uncompressed size of one entry, in bytes. */
  maxEntryBytes: number;
  /** Maximum total uncompressed size of the package, in bytes. */
  maxTotalBytes: number;
  /** Maximum uncompressed/compressed ratio of one entry… */
  maxCompressionRatio: number;
  /** …enforced only above this uncompressed size (tiny XML files compress well legitimately). */
  compressionRatioThresholdBytes: number;
  /** Maximum size of one XML file (METS, EAD, PREMIS), in bytes; XML is read into memory. */
  maxXmlBytes: number;
  /** Maximum nesting depth of XML elements. */
  maxXmlDepth: number;
  /** Maximum number of documents (data files) in one case file. */
  maxDocuments: number;
}

export const DEFAULT_EARK_LIMITS: Readonly<EarkLimits> = Object.freeze({
  maxEntries: 20_000,
  maxEntryBytes: 4 * 1024 ** 3,
  maxTotalBytes: 50 * 1024 ** 3,
  maxCompressionRatio: 200,
  compressionRatioThresholdBytes: 1024 * 1024,
  maxXmlBytes: 16 * 1024 * 1024,
  maxXmlDepth: 64,
  maxDocuments: 10_000,
});

export function resolveLimits(partial?: Partial<EarkLimits>): EarkLimits {
  return { ...DEFAULT_EARK_LIMITS, ...(partial ?? {}) };
}
