#!/usr/bin/env python3
"""Fails unless two CSV logs (csv_logger's) hold the same epochs, columns and values to float
rounding: the one-process example's and the 2-rank one's. Usage: same_csv.py ONE.csv TWO.csv"""
import csv
import math
import sys

one, two = (list(csv.DictReader(open(path))) for path in sys.argv[1:3])
assert len(one) == len(two) and one, (len(one), len(two))
assert list(one[0]) == list(two[0]), (list(one[0]), list(two[0]))
worst = 0.0
for a, b in zip(one, two):
    for key in a:
        x, y = float(a[key]), float(b[key])
        assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9), (key, a["epoch"], x, y)
        worst = max(worst, abs(x - y) / max(abs(x), 1e-12))
print(f"{len(one)} epochs, {len(one[0])} columns alike; largest relative difference {worst:.2e}")
