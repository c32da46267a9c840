-- V8: Slack request signatures accepted within their five-minute window (ADR 0090), so a replayed
-- request is refused after a restart and by every replica. The primary key decides "seen"; rows whose
-- expires_at (epoch ms) has passed are deleted as new requests arrive.
CREATE TABLE slack_seen_requests (
  signature TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX slack_seen_requests_expiry ON slack_seen_requests (expires_at);
