#!/usr/bin/env python3
"""Opens COUNT incidents through POST /api/v1/alerts (the Alertmanager API Vigil also serves): every alert has
its own labels, so each opens its own incident (group alert:<fingerprint>). BATCH alerts per request, WORKERS
requests in flight. Severity from SEVERITY, alertname from NAME. Prints one JSON line at the end: alerts
posted, seconds, answers by status. Standard library only."""
import http.client, json, os, sys, threading, time, urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
COUNT = int(os.environ.get("COUNT", "1000"))
BATCH = int(os.environ.get("BATCH", "500"))
WORKERS = int(os.environ.get("WORKERS", "2"))
SEVERITY = os.environ.get("SEVERITY", "warning")
NAME = os.environ.get("NAME", "EscalationBench")

lock = threading.Lock()
next_start = [0]
status = {}

def body(start, n):
    return json.dumps([{"labels": {"alertname": NAME, "severity": SEVERITY, "instance": "host-%d" % i},
                        "annotations": {"summary": "escalation benchmark"}, "startsAt": "2026-12-01T00:00:00Z",
                        "generatorURL": ""} for i in range(start, start + n)])

def worker():
    conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=300)
    while True:
        with lock:
            start = next_start[0]
            if start >= COUNT:
                return
            n = min(BATCH, COUNT - start)
            next_start[0] += n
        while True:
            try:
                conn.request("POST", URL.path, body(start, n), {"Content-Type": "application/json"})
                r = conn.getresponse(); r.read(); code = str(r.status)
            except Exception:
                conn.close(); conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=300); code = "error"
            with lock:
                status[code] = status.get(code, 0) + 1
            if code in ("200", "202"):
                break
            time.sleep(1)  # 503 while the ingest queue is full: Alertmanager would retry too

t0 = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps({"alerts": COUNT, "seconds": round(time.monotonic() - t0, 1), "status": status}))
