#!/usr/bin/env python3
"""Fits the parameters of the synthetic PR generator (SyntheticPullRequests.java) to the
real pullreqs data set. Standard library only, so anyone can rerun it:

    python3 scripts/fit-synthetic.py ../shared/datasets/pullreqs/pullreqs.csv.gz

The generator draws the five count fields jointly through a Gaussian copula: a correlated
standard normal vector, each coordinate mapped through its field's empirical quantiles. So it
needs, per field, the quantiles at QUANTILE_LEVELS, and the correlation matrix of the fields'
normal scores (the copula's own parameter). Plus a few rates and the hour-of-week profile.
The output is pasted into the Java code.
"""
import csv
import gzip
import math
import statistics
import sys
from datetime import datetime, timezone

COUNTS = ["num_commits", "files_changed", "churn", "num_issue_comments", "num_commit_comments"]
QUANTILE_LEVELS = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]


def normal_scores(values):
    """Φ^-1 of the average rank / (n + 1): ties share one score."""
    n = len(values)
    order = sorted(range(n), key=values.__getitem__)
    scores = [0.0] * n
    nd = statistics.NormalDist()
    i = 0
    while i < n:
        j = i
        while j + 1 < n and values[order[j + 1]] == values[order[i]]:
            j += 1
        z = nd.inv_cdf(((i + j) / 2 + 1) / (n + 1))
        for k in range(i, j + 1):
            scores[order[k]] = z
        i = j + 1
    return scores


def quantile(sorted_values, p):
    idx = min(len(sorted_values) - 1, int(round(p * (len(sorted_values) - 1))))
    return sorted_values[idx]


def corr(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    return cov / math.sqrt(va * vb)


def main(path):
    cols = {c: [] for c in COUNTS}
    lifetimes = []
    merged = closed = team = intra = first = rows = 0
    hours = [0] * 168
    with gzip.open(path, "rt", newline="") as f:
        for r in csv.DictReader(f):
            rows += 1
            cols["num_commits"].append(int(r["num_commits"]))
            cols["files_changed"].append(int(r["files_changed"]))
            cols["churn"].append(int(r["src_churn"]) + int(r["test_churn"]))
            cols["num_issue_comments"].append(int(r["num_issue_comments"]))
            cols["num_commit_comments"].append(int(r["num_commit_comments"]))
            if r["merged_at"]:
                merged += 1
            if r["closed_at"]:
                closed += 1
                lifetimes.append(math.log1p(max(0, int(r["closed_at"]) - int(r["created_at"])) / 3600.0))
            team += r["main_team_member"] == "true"
            intra += r["intra_branch"] == "true"
            first += r["prev_pullreqs"] == "0"
            t = datetime.fromtimestamp(int(r["created_at"]), tz=timezone.utc)
            hours[t.weekday() * 24 + t.hour] += 1
    print(f"rows {rows}; fields {COUNTS}")
    print("QUANTILE_LEVELS =", QUANTILE_LEVELS)
    for c in COUNTS:
        s = sorted(cols[c])
        print(f"QUANTILES {c} =", [quantile(s, p) for p in QUANTILE_LEVELS], "max", s[-1])
    scores = {c: normal_scores(cols[c]) for c in COUNTS}
    print("NORMAL_SCORE_CORR =")
    for a in COUNTS:
        print("   ", [round(corr(scores[a], scores[b]), 4) for b in COUNTS])
    lt_mean = sum(lifetimes) / len(lifetimes)
    lt_sd = math.sqrt(sum((x - lt_mean) ** 2 for x in lifetimes) / (len(lifetimes) - 1))
    print(f"merged fraction {merged / rows:.4f}, closed fraction {closed / rows:.4f}")
    print(f"hours open to close, log1p scale: mean {lt_mean:.4f} sd {lt_sd:.4f}")
    print(f"main_team_member {team / rows:.4f}, intra_branch {intra / rows:.4f}, prev_pullreqs==0 {first / rows:.4f}")
    total = sum(hours)
    print("HOUR_OF_WEEK (Monday 00 UTC first, per mille) =", [round(1000 * h / total) for h in hours])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/pullreqs/pullreqs.csv.gz")
