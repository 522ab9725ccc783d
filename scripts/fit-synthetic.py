#!/usr/bin/env python3
"""Fits the parameters of the synthetic PR generator (SyntheticPullRequests.java) to the
real pullreqs data set. Standard library only, so anyone can rerun it:

    python3 scripts/fit-synthetic.py ../shared/datasets/pullreqs/pullreqs.csv.gz

The generator draws the count fields jointly as a Gaussian on the log1p scale (a Gaussian
copula), so it needs their means, standard deviations and correlation matrix there, plus
a few rates and the creation hour-of-week profile. The output is pasted into the Java code.
"""
import csv
import gzip
import math
import sys
from datetime import datetime, timezone

COUNTS = ["num_commits", "files_changed", "churn", "num_issue_comments", "num_commit_comments"]


def main(path):
    cols = {c: [] for c in COUNTS}
    lifetimes = []
    merged = closed = team = intra = first = rows = 0
    hours = [0] * 168
    with gzip.open(path, "rt", newline="") as f:
        for r in csv.DictReader(f):
            rows += 1
            vals = {
                "num_commits": r["num_commits"],
                "files_changed": r["files_changed"],
                "num_issue_comments": r["num_issue_comments"],
                "num_commit_comments": r["num_commit_comments"],
            }
            try:
                vals["churn"] = str(int(r["src_churn"]) + int(r["test_churn"]))
                nums = {k: math.log1p(max(0, int(v))) for k, v in vals.items()}
            except ValueError:
                continue
            for k in COUNTS:
                cols[k].append(nums[k])
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
    n = len(cols[COUNTS[0]])
    mean = {k: sum(v) / n for k, v in cols.items()}
    sd = {k: math.sqrt(sum((x - mean[k]) ** 2 for x in v) / (n - 1)) for k, v in cols.items()}
    corr = [[sum((a - mean[i]) * (b - mean[j]) for a, b in zip(cols[i], cols[j])) / ((n - 1) * sd[i] * sd[j])
             for j in COUNTS] for i in COUNTS]
    lt_mean = sum(lifetimes) / len(lifetimes)
    lt_sd = math.sqrt(sum((x - lt_mean) ** 2 for x in lifetimes) / (len(lifetimes) - 1))
    print(f"rows read {rows}, usable {n}")
    print("counts (log1p scale):", COUNTS)
    print("MEAN =", [round(mean[k], 4) for k in COUNTS])
    print("SD   =", [round(sd[k], 4) for k in COUNTS])
    print("CORR =")
    for row in corr:
        print("   ", [round(x, 4) for x in row])
    print(f"merged fraction {merged / rows:.4f}, closed fraction {closed / rows:.4f}")
    print(f"hours open to close, log1p scale: mean {lt_mean:.4f} sd {lt_sd:.4f}")
    print(f"main_team_member {team / rows:.4f}, intra_branch {intra / rows:.4f}, prev_pullreqs==0 {first / rows:.4f}")
    total = sum(hours)
    print("HOUR_OF_WEEK (Monday 00 UTC first, per mille) =", [round(1000 * h / total) for h in hours])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/pullreqs/pullreqs.csv.gz")
