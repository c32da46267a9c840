-- V3: runbook runs. A run keeps the source text of the runbook version it started with, so a
-- restart resumes it with that version whatever the files say now. Instants are epoch milliseconds.
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id BIGINT NOT NULL,
  runbook TEXT NOT NULL,
  version TEXT NOT NULL,
  file TEXT NOT NULL,
  source TEXT,
  mode TEXT NOT NULL,
  status TEXT NOT NULL,
  concurrency_key TEXT,
  bindings TEXT NOT NULL,
  started_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  ended_at BIGINT,
  deadline BIGINT,
  error TEXT
);
CREATE INDEX runs_status ON runs (status, id);
CREATE INDEX runs_incident ON runs (incident_id, id);
CREATE INDEX runs_outcomes ON runs (runbook, version, ended_at);

-- one row per step of a run, updated at every transition (before the transition takes effect)
CREATE TABLE run_steps (
  run_id BIGINT NOT NULL REFERENCES runs (id),
  step_id TEXT NOT NULL,
  pos INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  started_at BIGINT,
  ended_at BIGINT,
  wake_at BIGINT,
  output TEXT,
  error TEXT,
  rendered TEXT,
  PRIMARY KEY (run_id, step_id)
);

-- the rollout guard: a runbook version that switched itself to manual
CREATE TABLE runbook_trips (
  runbook TEXT PRIMARY KEY,
  version TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL
);
