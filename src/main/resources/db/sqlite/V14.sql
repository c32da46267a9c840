-- V14: PagerDuty's id of each incident Vigil paged there (e.g. PGR0VU2), learnt from its v3 webhooks,
-- whose incident events carry both that id and incident_key (Vigil's dedup_key, the incident id). A
-- note made in PagerDuty (incident.annotated) names the incident by PagerDuty's id only.
CREATE TABLE pagerduty_incidents (
  pagerduty_id TEXT PRIMARY KEY,
  incident_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
