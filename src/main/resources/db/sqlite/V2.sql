-- V2: on-call overrides, escalation state with its durable ack timer, and the notification outbox.
-- Instants are epoch milliseconds (BIGINT); booleans are INTEGER 0/1 (see V1).
CREATE TABLE overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX overrides_ends ON overrides (ends_at);

-- One row per incident that escalates. due_at is the ack timer: when the next step fires.
-- It is NULL once the escalation stops (acknowledged, resolved, exhausted); a restart re-arms every non-NULL one.
CREATE TABLE escalations (
  incident_id BIGINT PRIMARY KEY REFERENCES incidents (id),
  policy TEXT NOT NULL,
  step INTEGER NOT NULL,
  state TEXT NOT NULL,
  due_at BIGINT,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX escalations_due ON escalations (due_at);

-- What should be sent, written in the same transaction as the decision to send it.
-- idempotency_key makes a retried decision (or a second replica) a no-op.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  incident_id BIGINT REFERENCES incidents (id),
  team TEXT NOT NULL,
  level INTEGER,
  channels TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  delivered_at BIGINT,
  last_error TEXT
);
CREATE UNIQUE INDEX outbox_key ON outbox (idempotency_key);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
