-- V7: a Slack incident message is posted once, even when a replica dies between Slack's answer and
-- storing the message's ts (ADR 0110). Before posting, Vigil records the intent to post as a row with
-- ts NULL (and channel_id NULL until Slack names it); posted_at is then when that first try began.
-- A later try that finds such a row looks for the message in the channel's history (by its metadata)
-- before it posts again. SQLite cannot drop NOT NULL in place, so the table is rebuilt.
CREATE TABLE slack_messages_v7 (
  incident_id BIGINT NOT NULL REFERENCES incidents (id),
  channel TEXT NOT NULL,
  channel_id TEXT,
  ts TEXT,
  fallback INTEGER NOT NULL DEFAULT 0,
  posted_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (incident_id, channel)
);
INSERT INTO slack_messages_v7 (incident_id, channel, channel_id, ts, fallback, posted_at, updated_at)
  SELECT incident_id, channel, channel_id, ts, fallback, posted_at, updated_at FROM slack_messages;
DROP TABLE slack_messages;
ALTER TABLE slack_messages_v7 RENAME TO slack_messages;
