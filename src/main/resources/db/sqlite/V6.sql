-- V6: at most one automatic runbook decision per incident, kept by the database. Replicas that sweep
-- for incidents whose decision was lost in a crash may race each other (one starting, the leader
-- sweeping); the second insert of an automatic run for the same incident is then a no-op.
-- Earlier duplicates (if any) keep their history under another "started by".
UPDATE runs SET started_by = 'auto (duplicate)' WHERE started_by = 'auto'
  AND id NOT IN (SELECT keep_id FROM (SELECT MIN(id) AS keep_id FROM runs WHERE started_by = 'auto' GROUP BY incident_id) AS firsts);
CREATE UNIQUE INDEX runs_one_auto ON runs (incident_id) WHERE started_by = 'auto';
