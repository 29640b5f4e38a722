#!/usr/bin/env python3
"""A 2-rank data-parallel job interrupted at random moments and started again with the same
command ends as a job never interrupted, on both ranks, bit for bit. Interruptions: SIGKILL to the
whole job (some land inside backup writes), and SIGTERM to rank 1 alone (stop_on_signal: both
ranks must stop at the same batch and rank 0 back up there), in turn. Sequences alternate backups
every epoch and every 97 batches, so kills also land mid-epoch.
Usage: kill_resume.py INTERRUPTIONS MPIEXEC... MPI_RESUME_CHILD"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


def digests(out):
    return sorted(line for line in out.splitlines() if " digest=" in line)


def kill_job(job, backup):
    """SIGKILL to mpirun and to every rank: OpenMPI puts the ranks in process groups of their own,
    and a rank left running would go on writing the backups of the next job."""
    os.killpg(job.pid, signal.SIGKILL)
    job.communicate()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        alive = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if backup.encode() + b"\0" in f.read():
                        alive.append(int(pid))
            except OSError:
                pass
        if not alive:
            return
        for pid in alive:
            try: os.kill(pid, signal.SIGKILL)
            except OSError: pass
        time.sleep(0.05)
    raise RuntimeError(f"ranks of a killed job outlive it: {alive}")


def main():
    wanted, command = int(sys.argv[1]), sys.argv[2:]
    reference = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    expected = digests(reference)
    if len(expected) != 2 or len({d.split("=")[1] for d in expected}) != 1:
        print(f"FAIL: the uninterrupted ranks disagree or did not both report:\n{reference}"); return 1
    scratch = tempfile.mkdtemp(prefix="cue-mpi-kill-")
    start = time.perf_counter()
    subprocess.run(command + [os.path.join(scratch, "warmup"), "97"], capture_output=True, timeout=120, check=True)
    duration = time.perf_counter() - start
    random.seed(int(os.environ.get("CUE_KILL_SEED", "1")))
    kills = terms = starts = sequences = mid_epoch = 0
    while kills + terms < wanted:
        backup = os.path.join(scratch, f"backup{sequences}")
        run = command + [backup] + (["97"] if sequences % 2 else [])
        sequences += 1
        while True:
            starts += 1
            if starts > 10 * wanted + 20:
                print("FAIL: runs keep failing to complete"); return 1
            for r in (0, 1):
                if os.path.exists(f"{backup}.rank{r}.pid"): os.remove(f"{backup}.rank{r}.pid")
            job = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
            time.sleep(random.uniform(0.3, 0.8 * duration))
            if job.poll() is None:
                if starts % 2 and os.path.exists(f"{backup}.rank1.pid"):
                    with open(f"{backup}.rank1.pid") as f:
                        try:
                            os.kill(int(f.read()), signal.SIGTERM)
                        except ProcessLookupError:
                            pass  # rank 1 had just finished: the job completes, checked below
                    out, err = job.communicate(timeout=60)
                    if job.returncode == 0 and "stopped by a signal" not in out and not digests(out):
                        print(f"FAIL: after SIGTERM to rank 1 the job said nothing:\n{out}\n{err}"); return 1
                    if job.returncode == 0 and out.count("stopped by a signal") not in (0, 2):
                        print(f"FAIL: a signal on rank 1 did not stop both ranks:\n{out}\n{err}"); return 1
                    if "stopped by a signal" in out:
                        terms += 1
                        continue
                    if job.returncode != 0:  # it came before stop_on_signal's handler: a kill
                        kills += 1
                        continue
                else:
                    kill_job(job, backup)
                    kills += 1
                    continue
            else:
                out, err = job.communicate()
            mid_epoch += sum(1 for line in err.splitlines() if "rank0 resumed=" in line and not line.endswith(":0"))
            if job.returncode != 0:
                print(f"FAIL: the job exited with {job.returncode}; its output:\n{out}\n{err}"); return 1
            if digests(out) != expected:
                print(f"FAIL: a resumed job ended with {digests(out)}, the uninterrupted one with {expected}")
                return 1
            break
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"{kills} SIGKILLs of the job and {terms} SIGTERMs to rank 1 over {sequences} runs ({starts} starts; "
          f"{mid_epoch} finishing runs resumed mid-epoch): both ranks of every completed run ended with "
          f"{expected[0].split('=')[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
