#!/usr/bin/env python3
"""The Fashion-MNIST example stopped by Ctrl-C (SIGINT) in the middle of training, then started
again with the same command, resumes there and ends as a run never interrupted: the same weights,
the same CSV log (no row of the cut epoch left over) and the same best checkpoint, byte for byte.
Usage: interrupt_resume.py FASHION_MNIST_BINARY WORK_DIR"""
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path


def start(command):
    """Starts the example; returns it once it says training begins, and the time it said so."""
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in child.stderr:
        if "training on" in line:
            return child, time.perf_counter()
    raise RuntimeError(f"the example ended before training: {child.wait()}")


def digest(output):
    found = re.search(r"weights_digest=([0-9a-f]+)", output)
    return found.group(1) if found else None


def main():
    binary, work = sys.argv[1], Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    common = [binary, "--epochs", "2", "--threads", "1"]
    reference, began = start([*common, "--out", str(work / "reference")])
    out, _ = reference.communicate()
    training = time.perf_counter() - began
    command = [*common, "--out", str(work / "resumed"), "--backup-dir", str(work / "backup"),
               "--backup-every", "300"]
    for fraction in [0.6, 0.4, 0.2]:
        shutil.rmtree(work / "backup", ignore_errors=True)
        child, began = start(command)
        time.sleep(training * fraction)
        child.send_signal(signal.SIGINT)
        child.communicate()
        if child.returncode != 0:
            print(f"FAIL: the interrupted run exited with {child.returncode}")
            return 1
        if not (work / "backup").exists():
            continue  # the run ended before the signal; try earlier
        again = subprocess.run(command, capture_output=True, text=True, check=True)
        said = [line for line in again.stderr.splitlines() if "resumed at epoch" in line]
        if not said:
            print(f"FAIL: the second run did not resume: {again.stderr}")
            return 1
        if digest(again.stdout) != digest(out):
            print(f"FAIL: resumed digest {digest(again.stdout)}, uninterrupted {digest(out)}")
            return 1
        for name in ["training.csv", "best.weights.npz"]:
            if (work / "resumed" / name).read_bytes() != (work / "reference" / name).read_bytes():
                print(f"FAIL: {name} of the resumed run differs from the uninterrupted run's")
                return 1
        print(f"SIGINT at {fraction:.0%} of training; {said[0]}; both end with weights_digest={digest(out)}, "
              "the same training.csv and best.weights.npz")
        return 0
    print("FAIL: every run ended before the signal reached it")
    return 1


if __name__ == "__main__":
    sys.exit(main())
