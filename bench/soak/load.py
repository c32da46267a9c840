#!/usr/bin/env python3
"""Steady-rate webhook load for the soak run: RATE requests/s for DURATION s against URL, each request a
one-alert Alertmanager webhook of its own group (a third of them resolve an earlier alert, so incidents
also close). Every MINUTE it prints one line of JSON: requests sent, answers by status, latency p50/p90/p99/max
in ms. Standard library only."""
import http.client, json, os, sys, threading, time, urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
RATE = float(os.environ.get("RATE", "50"))
DURATION = float(os.environ.get("DURATION", "1800"))
WINDOW = float(os.environ.get("WINDOW", "60"))
WORKERS = int(os.environ.get("WORKERS", "8"))

lock = threading.Lock()
window = {"latencies": [], "status": {}}
slots = threading.Semaphore(0)
stop = False
counter = [0]

def body(n):
    resolve = n % 3 == 0 and n > 3
    name = "Soak%d" % (n - 3 if resolve else n)
    status = "resolved" if resolve else "firing"
    alert = {"status": status, "labels": {"alertname": name, "severity": "warning", "instance": "host-%d" % (n % 50)},
             "annotations": {"summary": "soak"}, "startsAt": "2026-11-29T05:00:00Z",
             "endsAt": "2026-11-29T06:00:00Z" if resolve else "0001-01-01T00:00:00Z", "generatorURL": ""}
    return json.dumps({"version": "4", "groupKey": "{}:{alertname=\"%s\"}" % name, "status": status, "receiver": "vigil",
                       "alerts": [alert]})

def worker():
    conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=30)
    while True:
        slots.acquire()
        if stop:
            return
        with lock:
            counter[0] += 1
            n = counter[0]
        t0 = time.monotonic()
        try:
            conn.request("POST", URL.path, body(n), {"Content-Type": "application/json"})
            r = conn.getresponse(); r.read(); code = str(r.status)
        except Exception:
            conn.close(); conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=30); code = "error"
        ms = (time.monotonic() - t0) * 1000
        with lock:
            window["latencies"].append(ms)
            window["status"][code] = window["status"].get(code, 0) + 1

def pct(xs, p):
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], 1) if xs else 0

threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
for t in threads: t.start()
start = time.monotonic(); next_report = start + WINDOW; sent = 0
while time.monotonic() - start < DURATION:
    due = int((time.monotonic() - start) * RATE)
    while sent < due:
        slots.release(); sent += 1
    if time.monotonic() >= next_report:
        with lock:
            xs = sorted(window["latencies"]); st = dict(window["status"]); window["latencies"] = []; window["status"] = {}
        print(json.dumps({"t": round(time.monotonic() - start), "answered": len(xs), "status": st, "p50": pct(xs, .5),
                          "p90": pct(xs, .9), "p99": pct(xs, .99), "max": round(xs[-1], 1) if xs else 0}), flush=True)
        next_report += WINDOW
    time.sleep(0.005)
stop = True
for _ in threads: slots.release()
