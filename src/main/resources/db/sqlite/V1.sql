-- V1: incidents, their alerts and timelines.
-- Instants are epoch milliseconds (BIGINT) so that both dialects compare them as numbers;
-- an alert's starts_at/ends_at keep Alertmanager's exact RFC 3339 text because starts_at is part of its identity.
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_key TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT NOT NULL,
  type TEXT NOT NULL,
  team TEXT,
  title TEXT NOT NULL,
  labels TEXT NOT NULL,
  alert_count INTEGER NOT NULL,
  firing_count INTEGER NOT NULL,
  dropped INTEGER NOT NULL DEFAULT 0,
  opened_at BIGINT NOT NULL,
  acknowledged_at BIGINT,
  acknowledged_by TEXT,
  resolved_at BIGINT,
  resolved_by TEXT,
  updated_at BIGINT NOT NULL
);
-- at most one open incident per group: concurrent writers cannot open two
CREATE UNIQUE INDEX incidents_open_group ON incidents (group_key) WHERE status <> 'resolved';
CREATE INDEX incidents_status ON incidents (status, id);

CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  fingerprint TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  incident_id BIGINT REFERENCES incidents (id),
  status TEXT NOT NULL,
  ends_at TEXT,
  labels TEXT NOT NULL,
  annotations TEXT NOT NULL,
  generator_url TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX alerts_identity ON alerts (fingerprint, starts_at);
CREATE INDEX alerts_incident ON alerts (incident_id, id);

CREATE TABLE timeline (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id BIGINT NOT NULL REFERENCES incidents (id),
  at BIGINT NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX timeline_incident ON timeline (incident_id, id);
