-- wrk script: POST new alerts to Alertmanager's /api/v2/alerts, spread over STORM_GROUPS alert names
-- (Alertmanager groups them by alertname), ALERTS per request, every alert a new label set.
local alerts_per_request = tonumber(os.getenv("ALERTS") or "10")
local groups = tonumber(os.getenv("STORM_GROUPS") or "20")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  math.randomseed(os.time() + tid * 7919)
  prefix = string.format("%d%06d", os.time() % 100000, math.random(0, 999999))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local parts = {}
  for i = 1, alerts_per_request do
    counter = counter + 1
    local n = prefix .. "-" .. tid .. "-" .. counter
    parts[i] = string.format(
      '{"labels":{"alertname":"Storm%d","instance":"host-%s:9100","job":"node","severity":"warning"},' ..
      '"annotations":{"summary":"Storm on host-%s"},"generatorURL":"http://prometheus:9090/graph"}', counter % groups, n, n)
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(parts, ",") .. "]")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d duration_us=%d\n", summary.requests, summary.errors.status, summary.duration))
end
