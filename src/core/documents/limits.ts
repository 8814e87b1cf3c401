// Size limits for documents, chosen to fit a long illustrated novel and to
// stop archives that expand far beyond what they claim.

export interface DocumentLimits {
  /** Largest EPUB accepted, in bytes (the compressed archive). */
  maxEpubBytes: number;
  /** Largest Markdown, HTML or plain-text document accepted, in bytes. */
  maxTextDocumentBytes: number;
  /** Sum of the declared uncompressed sizes of all archive entries. */
  maxUncompressedBytes: number;
  /** Largest declared uncompressed size of one archive entry. */
  maxEntryBytes: number;
  /** Largest compression ratio of an entry over `ratioFloorBytes` (a text novel deflates ~3-4x). */
  maxCompressionRatio: number;
  /** Entries smaller than this are not checked for ratio (tiny files compress absurdly well). */
  ratioFloorBytes: number;
  /** Most entries an archive may list. */
  maxEntries: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxEpubBytes: 50 * 1024 * 1024,
  maxTextDocumentBytes: 10 * 1024 * 1024,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxEntryBytes: 32 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioFloorBytes: 1024 * 1024,
  maxEntries: 10_000,
};
