#!/usr/bin/env python3
"""Instructions per batch of cue's fit loop, from callgrind: the slope between two batch counts,
so start-up and per-epoch work cancel out. With --check, fails unless callbacks that handle only
epoch events add exactly 0 instructions per batch and a one-increment batch hook adds at most the
few instructions of its body (the optimizer may fold the increment into the loop: then 0)."""
import argparse
import re
import subprocess
import sys

SCENARIOS = {
    "none": "fit, no callbacks",
    "epoch16": "fit, 16 callbacks with epoch hooks only",
    "batch_begin": "fit, 1 callback: on_train_batch_begin { ++n; }",
    "batch_end": "fit, 1 callback: on_train_batch_end reads the running mean",
    "dynamic16": "fit, cue::dynamic_callbacks of 16 (virtual dispatch)",
    "hand": "hand-written loop, no library",
}


def instructions(binary, scenario, batches):
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary, scenario,
         str(batches)], capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("binary")
    parser.add_argument("--small", type=int, default=10000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()

    span = 2 * (args.large - args.small)  # two epochs
    slope = {}
    print(f"| scenario | instructions per batch |\n|---|---|")
    for name, label in SCENARIOS.items():
        small = instructions(args.binary, name, args.small)
        large = instructions(args.binary, name, args.large)
        slope[name] = (large - small) / span
        print(f"| {label} | {slope[name]:.2f} |")

    if args.check:
        failures = []
        if slope["epoch16"] != slope["none"]:
            failures.append(f"16 epoch-only callbacks cost {slope['epoch16'] - slope['none']:+.2f} "
                            "instructions per batch; expected 0")
        body = slope["batch_begin"] - slope["none"]
        if not 0 <= body <= 3:
            failures.append(f"a one-increment batch hook costs {body:.2f} instructions per batch; "
                            "expected at most its body (0 to 3)")
        for f in failures:
            print("FAIL:", f)
        if failures:
            return 1
        print("zero cost holds: epoch-only callbacks add 0 instructions per batch; "
              f"a batch hook adds {body:.2f} (its body)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
