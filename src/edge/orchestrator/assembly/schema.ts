// SQLite rows the audiobook assembler keeps in the job's Durable Object: the
// plan and cursor, one row per output file (book, each chapter) with its
// writer state and multipart upload, the etag of every uploaded part, and the
// bytes staged until they fill a part (the first part waits for the header).
export const ASSEMBLY_SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS audiobook (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  plan TEXT NOT NULL,
  cursor INTEGER NOT NULL DEFAULT 0,
  chapter_target TEXT,
  status TEXT NOT NULL DEFAULT 'assembling',
  error TEXT
);
CREATE TABLE IF NOT EXISTS audiobook_output (
  target TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  slot_bytes INTEGER NOT NULL,
  writer_state TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  uploaded_to INTEGER NOT NULL,
  chunks INTEGER NOT NULL DEFAULT 0,
  chapter_starts TEXT NOT NULL DEFAULT '[]',
  upload_id TEXT,
  status TEXT NOT NULL DEFAULT 'open',
  duration_ms REAL
);
CREATE TABLE IF NOT EXISTS audiobook_part (
  target TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  PRIMARY KEY (target, part_number)
) WITHOUT ROWID;
-- No index: a handful of rows at a time, and each insert writes one row, not two.
CREATE TABLE IF NOT EXISTS audiobook_staged (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,
  bytes BLOB NOT NULL
);
`;
