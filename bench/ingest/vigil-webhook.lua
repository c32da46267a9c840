-- wrk script: POST Alertmanager webhooks (payload v4) to Vigil, every alert with a distinct fingerprint.
-- ALERTS (env) alerts per request; each request is its own group, as in an alert storm across services.
local alerts_per_request = tonumber(os.getenv("ALERTS") or "1")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  -- a prefix per wrk run and thread, so warm-up and measured runs never repeat an alert
  math.randomseed(os.time() + tid * 7919 + tonumber(os.getenv("SEED") or "0"))
  prefix = string.format("%d%06d", os.time() % 100000, math.random(0, 999999))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local group = prefix .. "-" .. tid .. "-" .. counter
  local parts = {}
  for i = 1, alerts_per_request do
    local n = group .. "-" .. i
    parts[i] = string.format(
      '{"status":"firing","labels":{"alertname":"BenchAlert","instance":"host-%s.example.internal:9100","job":"node","severity":"warning","team":"platform"},' ..
      '"annotations":{"summary":"BenchAlert on host-%s","description":"benchmark alert"},' ..
      '"startsAt":"2026-11-29T05:36:32Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph"}', n, n)
  end
  local body = string.format(
    '{"receiver":"vigil","status":"firing","alerts":[%s],"groupLabels":{"alertname":"BenchAlert","group":"%s"},' ..
    '"commonLabels":{"alertname":"BenchAlert","job":"node"},"commonAnnotations":{},"externalURL":"http://am:9093",' ..
    '"version":"4","groupKey":"{}:{alertname=\\"BenchAlert\\", group=\\"%s\\"}","truncatedAlerts":0}',
    table.concat(parts, ","), group, group)
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d errors_connect=%d errors_timeout=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
