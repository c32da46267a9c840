-- V15: the identity of alerts moves out of the alerts table's index into alert_keys, a table Vigil
-- fills in bulk, in fingerprint order (ADR 0144). An index on a hash took one random leaf per new
-- alert, written twice (log, then file); new alerts now append to alerts, their keys wait in memory,
-- and the writer merges them into alert_keys in slices. store_marks holds the highest alert id
-- merged: at start, every alert above it is merged again.
CREATE TABLE alert_keys (
  fingerprint TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  alert_id BIGINT NOT NULL,
  PRIMARY KEY (fingerprint, starts_at)
) WITHOUT ROWID;
INSERT INTO alert_keys (fingerprint, starts_at, alert_id)
  SELECT fingerprint, starts_at, id FROM alerts ORDER BY fingerprint, starts_at;
DROP INDEX alerts_identity;
CREATE TABLE store_marks (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO store_marks (name, value) SELECT 'alert_keys_through', COALESCE(MAX(id), 0) FROM alerts;
