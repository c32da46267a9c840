-- V4 (notifications): which integrations an intent has already reached, and the Slack message of each incident per channel.
-- Instants are epoch milliseconds (BIGINT); booleans are INTEGER 0/1 (see V1).

-- Comma-separated integrations done for this intent (delivered, permanently refused, or the Slack fallback of a page),
-- so a retry after a partial delivery (PagerDuty took it, Slack did not) only repeats what is missing.
ALTER TABLE outbox ADD COLUMN done TEXT NOT NULL DEFAULT '';

-- One Slack message per incident per channel, updated in place (chat.update needs the channel id and ts Slack returned).
-- channel is the name as configured (#ops-eu); channel_id is Slack's id (C0123).
CREATE TABLE slack_messages (
  incident_id BIGINT NOT NULL REFERENCES incidents (id),
  channel TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  ts TEXT NOT NULL,
  fallback INTEGER NOT NULL DEFAULT 0,
  posted_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (incident_id, channel)
);
