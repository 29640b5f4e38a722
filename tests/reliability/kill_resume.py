#!/usr/bin/env python3
"""Kills a training child with SIGKILL at random moments (some inside backup writes), restarts it
each time with the same command, and checks that every run that completes ends with the weights
of a run never interrupted. Repeats whole sequences until KILLS kills have landed.
Usage: kill_resume.py RESUME_CHILD [KILLS]"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    child = sys.argv[1]
    kills_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    reference = subprocess.run([child], capture_output=True, text=True, check=True).stdout.strip()
    start = time.perf_counter()
    subprocess.run([child, tempfile.mkdtemp(prefix="cue-warmup-")], capture_output=True, check=True)
    duration = time.perf_counter() - start  # one whole run with backups, to spread the kills over
    random.seed(int(os.environ.get("CUE_KILL_SEED", "1")))
    kills = starts = sequences = 0
    while kills < kills_wanted:
        backup = tempfile.mkdtemp(prefix="cue-kill-")
        sequences += 1
        while True:
            starts += 1
            if starts > 20 * kills_wanted + 50:
                print("FAIL: runs keep failing to complete"); return 1
            proc = subprocess.Popen([child, backup], stdout=subprocess.PIPE, text=True)
            time.sleep(random.uniform(0.0, duration))
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                kills += 1
                continue
            out, _ = proc.communicate()
            if proc.returncode != 0:
                print(f"FAIL: the child exited with {proc.returncode}"); return 1
            if out.strip() != reference:
                print(f"FAIL: a resumed run ended with {out.strip()}, the uninterrupted one with {reference}")
                return 1
            break
        shutil.rmtree(backup, ignore_errors=True)
    print(f"{kills} SIGKILLs over {sequences} runs ({starts} starts): every completed run ended with {reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
