-- V5 (high availability): leases. Several replicas share one PostgreSQL; a replica claims work
-- (a run, an outbox row, a leader duty) by writing its replica id and an expiry (epoch milliseconds)
-- and renews the expiry while it works. When a replica dies its leases expire and another takes over.
ALTER TABLE runs ADD COLUMN lease_owner TEXT;
ALTER TABLE runs ADD COLUMN lease_expires BIGINT;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_expires BIGINT;

-- Leader duties (heartbeat checks, the sweep for incidents whose runbook decision was lost): one row per duty.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires BIGINT NOT NULL
);

-- When each heartbeat (Alertmanager's Watchdog) was last seen, by any replica, and whether its incident is open.
CREATE TABLE heartbeats (
  name TEXT PRIMARY KEY,
  last_seen BIGINT NOT NULL,
  missing INTEGER NOT NULL DEFAULT 0
);
