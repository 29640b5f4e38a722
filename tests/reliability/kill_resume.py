#!/usr/bin/env python3
"""Kills a training child with SIGKILL at random moments (some inside backup writes), restarts it
each time with the same command, and checks that every run that completes ends with the weights
of a run never interrupted. Repeats whole sequences until KILLS kills have landed; every other
sequence backs up every 37 batches instead of every epoch, so kills also land mid-epoch.
Usage: kill_resume.py RESUME_CHILD [KILLS]"""
import os
import pathlib
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
    subprocess.run([child, tempfile.mkdtemp(prefix="cue-warmup-"), "37"], capture_output=True, check=True)
    duration = time.perf_counter() - start  # the slower kind of run (batch backups), to spread the kills over
    random.seed(int(os.environ.get("CUE_KILL_SEED", "1")))
    kills = starts = sequences = mid_epoch = 0
    while kills < kills_wanted:
        backup = tempfile.mkdtemp(prefix="cue-kill-")
        command = [child, backup] + (["37"] if sequences % 2 else [])
        sequences += 1
        while True:
            starts += 1
            if starts > 20 * kills_wanted + 50:
                print("FAIL: runs keep failing to complete"); return 1
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(random.uniform(0.0, duration))
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                kills += 1
                continue
            out, err = proc.communicate()
            resumed = [line.split("=")[1] for line in err.splitlines() if line.startswith("resumed=")]
            mid_epoch += sum(1 for r in resumed if not r.endswith(":0"))
            if proc.returncode != 0:
                print(f"FAIL: the child exited with {proc.returncode}; its standard error:\n{err}")
                print("the backup directory:", sorted(str(p.relative_to(backup)) for p in pathlib.Path(backup).rglob("*")))
                return 1
            if out.strip() != reference:
                print(f"FAIL: a resumed run ended with {out.strip()}, the uninterrupted one with {reference}")
                return 1
            # A completed run removes its backups and what the killed runs left (their staging
            # directories, which no live process holds), and nothing else.
            left = sorted(str(p.relative_to(backup)) for p in pathlib.Path(backup).rglob("*")) if os.path.exists(backup) else []
            if left:
                print("FAIL: a completed run left in its backup directory:", left)
                return 1
            break
        shutil.rmtree(backup, ignore_errors=True)
    print(f"{kills} SIGKILLs over {sequences} runs ({starts} starts; {mid_epoch} finishing runs resumed "
          f"mid-epoch): every completed run ended with {reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
