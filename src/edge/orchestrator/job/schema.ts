// SQLite schema of one job's Durable Object: one `job` row, one row per chunk.
// Never the whole job in one value, so a novel costs rows, not a giant blob.

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS job (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  job_id TEXT NOT NULL,
  status TEXT NOT NULL,
  voice_id TEXT NOT NULL,
  model TEXT,
  splitting TEXT NOT NULL,
  total INTEGER NOT NULL,
  current_index INTEGER NOT NULL DEFAULT 0,
  processed_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  text_chars INTEGER NOT NULL,
  overall_timeout_ms INTEGER NOT NULL,
  concurrency INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  error_message TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  completion_seq INTEGER NOT NULL DEFAULT 0,
  owner_key TEXT,
  pages INTEGER NOT NULL DEFAULT 1,
  split_page INTEGER NOT NULL DEFAULT 1,
  max_tokens INTEGER,
  timeout_override_ms INTEGER,
  max_chars INTEGER
);
CREATE TABLE IF NOT EXISTS source_page (
  page INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  continues_paragraph INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunk (
  idx INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  char_count INTEGER NOT NULL,
  paragraph_start INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_expires_at INTEGER,
  not_before INTEGER NOT NULL DEFAULT 0,
  timeout_ms INTEGER NOT NULL,
  r2_key TEXT,
  mime_type TEXT,
  bytes INTEGER,
  duration_ms INTEGER,
  words TEXT,
  last_error TEXT,
  last_error_at INTEGER,
  completed_seq INTEGER,
  lease_token INTEGER NOT NULL DEFAULT 0
);
-- Only chunks still to do are indexed: a lease (pending -> processing) writes no
-- index entry, and a completion removes one. Half the rows written of a (status, idx) index.
DROP INDEX IF EXISTS chunk_by_status;
CREATE INDEX IF NOT EXISTS chunk_open ON chunk (idx) WHERE status IN ('pending', 'processing');
`;
