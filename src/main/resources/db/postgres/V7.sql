-- V7: a Slack incident message is posted once, even when a replica dies between Slack's answer and
-- storing the message's ts (ADR 0110). Before posting, Vigil records the intent to post as a row with
-- ts NULL (and channel_id NULL until Slack names it); posted_at is then when that first try began.
-- A later try that finds such a row looks for the message in the channel's history (by its metadata)
-- before it posts again.
ALTER TABLE slack_messages ALTER COLUMN ts DROP NOT NULL;
ALTER TABLE slack_messages ALTER COLUMN channel_id DROP NOT NULL;
