-- V16: alert_keys holds numbers only (ADR 0155): a fingerprint's 64 bits (Alertmanager's 16 hex
-- digits as the number they spell, any other text hashed, as Vigil keeps them in memory) and the
-- alert's row id. A key of two texts cost twice the CPU of two numbers to merge, and the table took
-- 2.7 times the pages (bench/RESULTS.md). SQL cannot compute the bits: Vigil moves the rows of the
-- old table, renamed here, at its next start, in the transaction that drops it.
ALTER TABLE alert_keys RENAME TO alert_keys_v15;
CREATE TABLE alert_keys (
  fp INTEGER NOT NULL,
  alert_id INTEGER NOT NULL,
  PRIMARY KEY (fp, alert_id)
) WITHOUT ROWID;
