-- V13: what each integration answered when it took an outbox intent, as a JSON object keyed by integration,
-- e.g. {"slack": {"channel": "#ops-eu", "channelId": "C0123", "ts": "1764...000100"}, "pagerduty": {"dedupKey": "INC-4"}}.
-- A runbook step that waits for its message reads it (a slack step's ts); written in the transaction that records the attempt.
ALTER TABLE outbox ADD COLUMN receipts TEXT NOT NULL DEFAULT '{}';
