#!/usr/bin/env python3
"""The Fashion-MNIST example stopped by Ctrl-C (SIGINT) in the middle of training, then started
again with the same command, resumes there and ends as a run never interrupted: the same weights,
the same CSV log (no row of the cut epoch left over) and the same best checkpoint, byte for byte.
With --rank R the program is an MPI job (`mpirun -np 2 fashion_mnist_mpi`), and the signal is a
SIGTERM to rank R alone, as a scheduler preempting one machine sends: every rank must stop at the
same batch, and the job resume from rank 0's backup.
Usage: interrupt_resume.py WORK_DIR [--rank R] PROGRAM..."""
import os
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


def send_when_caught(pid, sig):
    """Sends `sig` once process `pid` catches it (/proc's SigCgt): under load a process can be
    reached before its fit installed stop_on_signal's handler, and would die of the signal."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/status") as f:
                status = dict(line.split(":", 1) for line in f)
        except OSError:
            return  # it has ended
        if status["State"].split()[0] in "ZX":
            return  # it has ended, not yet waited for
        caught = int(status["SigCgt"], 16)
        if caught >> (sig - 1) & 1:
            os.kill(pid, sig)
            return
        time.sleep(0.005)
    raise RuntimeError(f"process {pid} never caught signal {sig}")


def signal_rank(rank, out_dir):
    """SIGTERM to the MPI process of `rank` whose command names `out_dir`."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if str(out_dir).encode() + b"\0" not in f.read():
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"OMPI_COMM_WORLD_RANK={rank}".encode() + b"\0" not in f.read():
                    continue
        except OSError:
            continue
        send_when_caught(int(pid), signal.SIGTERM)
        return
    raise RuntimeError(f"no process of rank {rank} runs with {out_dir}")


def main():
    work, program = Path(sys.argv[1]), sys.argv[2:]
    rank = None
    if program[0] == "--rank":
        rank, program = int(program[1]), program[2:]
    shutil.rmtree(work, ignore_errors=True)
    common = [*program, "--epochs", "2", "--threads", "1"]
    reference, began = start([*common, "--out", str(work / "reference")])
    out, _ = reference.communicate()
    training = time.perf_counter() - began
    command = [*common, "--out", str(work / "resumed"), "--backup-dir", str(work / "backup"),
               "--backup-every", "300"]
    for fraction in [0.6, 0.4, 0.2]:
        # A fresh start: an attempt the signal missed ran whole and left its CSV rows, to which
        # this one (csv_logger with append) would add its own.
        shutil.rmtree(work / "backup", ignore_errors=True)
        shutil.rmtree(work / "resumed", ignore_errors=True)
        child, began = start(command)
        time.sleep(training * fraction)
        if rank is None:
            send_when_caught(child.pid, signal.SIGINT)
        else:
            signal_rank(rank, work / "resumed")
        _, err = child.communicate()
        if child.returncode != 0:
            print(f"FAIL: the interrupted run exited with {child.returncode}; its standard error:\n{err}")
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
        checkpoints = sorted(p.name for p in (work / "reference").glob("best.weights.*"))  # .npz, or .pt
        for name in ["training.csv", *checkpoints]:
            if (work / "resumed" / name).read_bytes() != (work / "reference" / name).read_bytes():
                print(f"FAIL: {name} of the resumed run differs from the uninterrupted run's")
                return 1
        print(f"{'SIGINT' if rank is None else f'SIGTERM to rank {rank}'} at {fraction:.0%} of training; {said[0]}; both end with weights_digest={digest(out)}, "
              f"the same training.csv and {', '.join(checkpoints)}")
        return 0
    print("FAIL: every run ended before the signal reached it")
    return 1


if __name__ == "__main__":
    sys.exit(main())
