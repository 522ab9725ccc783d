"""Splits a vegeta run (vegeta encode --to csv) into phases by time and prints, per phase:
requests, the share answered 2xx, the codes seen, p50 and p99 latency. Usage:
  phases.py CSV START_NS name:from_s:to_s [...]
Also prints, for a phase named "fault", the time from its end to the first 2xx answered after it
(the time to recover)."""
import base64, collections, csv, json, sys

rows = []
with open(sys.argv[1]) as f:
    for r in csv.reader(f):
        reason = ""
        if not 200 <= int(r[1]) < 300:
            try:
                reason = json.loads(base64.b64decode(r[6])).get("reason", "")[:70]
            except ValueError:
                reason = r[5][:70]  # no JSON body: vegeta's own error (a timeout)
        rows.append((int(r[0]), int(r[1]), int(r[2]), reason))  # timestamp ns, code, latency ns
start = int(sys.argv[2])
phases = [(p.split(":")[0], float(p.split(":")[1]), float(p.split(":")[2])) for p in sys.argv[3:]]

def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")

for name, a, b in phases:
    sel = [r for r in rows if a <= (r[0] - start) / 1e9 < b]
    ok = [r for r in sel if 200 <= r[1] < 300]
    codes = collections.Counter(r[1] for r in sel)
    lat = [r[2] / 1e6 for r in sel]
    print("%-10s %5d requests, %6.2f%% 2xx, codes %s, p50 %.1f ms, p99 %.1f ms"
          % (name, len(sel), 100.0 * len(ok) / max(1, len(sel)), dict(sorted(codes.items())), pct(lat, 0.5),
             pct(lat, 0.99)))
    for reason, n in collections.Counter(r[3] for r in sel if r[3]).most_common(2):
        print("           %5d x %s" % (n, reason))
for name, a, b in phases:
    if name == "fault":
        # The first 2xx answered after the fault ended (sent time + latency).
        done = sorted((r[0] + r[2] - start) / 1e9 for r in rows if 200 <= r[1] < 300 and (r[0] + r[2] - start) / 1e9 >= b)
        if done:
            print("recovered: first 2xx answered %.2f s after the fault ended" % (done[0] - b))
