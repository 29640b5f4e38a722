#!/usr/bin/python3
"""`make bench`: runs every benchmark, then rewrites the README's benchmark tables (between
<!-- bench:NAME --> and <!-- /bench:NAME --> markers) and docs/dispatch.png. Tables are never
typed by hand. Usage: run_all.py BUILD_DIR [--pytorch]"""
import argparse
import concurrent.futures
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DESIGNS = [("cue", "cue (static)"), ("virtual", "virtual base (Keras's CallbackList)"),
           ("std::function", "std::function lists"), ("signals2", "Boost.Signals2"),
           ("dynamic_callbacks", "cue::dynamic_callbacks")]
COUNT_DESIGNS = {"cue": "cue", "virtual": "virtual", "std::function": "function",
                 "signals2": "signals2", "dynamic_callbacks": "dynamic"}
NS = (1, 4, 16, 64)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    cxx = run(["g++", "--version"]).splitlines()[0]
    import os
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; {cxx}, CMake Release (-O3)"


def dispatch_times(build):
    out = run([str(build / "benchmarks/dispatch"), "--benchmark_format=json", "--benchmark_repetitions=5",
               "--benchmark_report_aggregates_only=true", "--benchmark_enable_random_interleaving=true",
               "--benchmark_min_time=0.1"])
    table = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        design, used, n = re.match(r"(.+)/(used|unused)/(\d+)_median", b["name"]).groups()
        table[(design, used, int(n))] = b["real_time"]
    return table


class NotMeasured(Exception):
    """A measurement this machine cannot make (not an error in cue's programs): its table says so."""


# What valgrind says when the program runs an instruction it cannot simulate (AVX-512; RDTSCP on a
# VM that hides it from the CPU flags, which libhwy runs while libtorch's libraries load).
UNSIMULATED = re.compile(r"unhandled instruction bytes:( 0x[0-9a-fA-F]+)+|signal 4 \(SIGILL\)")


def instructions(binary, args):
    # One Adam variant in every run (each process otherwise times them and may choose another).
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary, *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CUE_SIMD": "sse2"})
    if done.returncode != 0:
        unsimulated = UNSIMULATED.search(done.stderr)
        if unsimulated:
            raise NotMeasured(f"valgrind cannot run `{' '.join([pathlib.Path(binary).name, *args])}` on this CPU "
                              f"({unsimulated.group(0).strip()})")
        raise subprocess.CalledProcessError(done.returncode, cmd, done.stdout, done.stderr)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def measured(make, what):
    """The table `make` builds, or a line saying why this machine could not measure `what`."""
    try:
        return make()
    except NotMeasured as why:
        print(f"not measured: {what}: {why}", file=sys.stderr)
        return f"(not measured on this machine: {why})"


def dispatch_counts(build):
    binary = str(build / "benchmarks/dispatch_counts")
    loop = (instructions(binary, ["none", "1", "used", "2000"]) - instructions(binary, ["none", "1", "used", "1000"])) / 1000
    table = {}
    for design, _ in DESIGNS:
        for used in ("used", "unused"):
            for n in NS:
                a = instructions(binary, [COUNT_DESIGNS[design], str(n), used, "1000"])
                b = instructions(binary, [COUNT_DESIGNS[design], str(n), used, "2000"])
                table[(design, used, n)] = (b - a) / 1000 - loop  # the event alone
    return table


def grid(values, fmt):
    lines = ["| design | hook | " + " | ".join(f"N = {n}" for n in NS) + " |",
             "|---|---|" + "---|" * len(NS)]
    for design, label in DESIGNS:
        for used in ("unused", "used"):
            cells = " | ".join(fmt(values[(design, used, n)]) for n in NS)
            lines.append(f"| {label} | {used} | {cells} |")
    return "\n".join(lines)


def fashion(build):
    out = run([str(build / "benchmarks/fashion_step"), "--benchmark_format=json", "--benchmark_repetitions=7",
               "--benchmark_report_aggregates_only=true", "--benchmark_enable_random_interleaving=true"])
    med = {b["run_name"].split("/")[1]: b for b in json.loads(out)["benchmarks"] if b.get("aggregate_name") == "median"}
    c, w, h = med["cue_fit_with_callbacks"], med["cue_fit_watched"], med["hand_written_loop"]
    return ("| Fashion-MNIST epoch (54,000 images, batch 32, validation on 6,000) | wall ms | CPU ms |\n|---|---|---|\n"
            f"| cue::fit with the example's 6 callbacks | {c['real_time']:.1f} | {c['cpu_time']:.1f} |\n"
            f"| hand-written loop, same math, no callbacks | {h['real_time']:.1f} | {h['cpu_time']:.1f} |\n"
            f"| ratio | {c['real_time'] / h['real_time']:.3f} | {c['cpu_time'] / h['cpu_time']:.3f} |\n"
            f"| the 6 and tensorboard (histograms every epoch), training_curves, summary_report | {w['real_time']:.1f} | {w['cpu_time']:.1f} |\n"
            f"| ratio to the 6 alone | {w['real_time'] / c['real_time']:.3f} | {w['cpu_time'] / c['cpu_time']:.3f} |"
            + telling(med, c))


def telling(med, c):
    t = med.get("cue_fit_telling_a_silent_server")
    if t is None:  # built without cue::http and cue::crypto
        return ""
    return ("\n| the 6 and remote_monitor, an alert and mirror_checkpoints, all at a server that never answers "
            f"| {t['real_time']:.1f} | {t['cpu_time']:.1f} |\n"
            f"| ratio to the 6 alone | {t['real_time'] / c['real_time']:.3f} | {t['cpu_time'] / c['cpu_time']:.3f} |")


def nn_step(build):
    """The training step against its 5 matrix products, side by side in one run (the variant of
    Adam the machine chose), then Adam's update in each SIMD variant the CPU runs."""
    def medians(env, pattern):
        out = run([str(build / "benchmarks/nn_step"), "--benchmark_format=json", "--benchmark_repetitions=7",
                   "--benchmark_report_aggregates_only=true", "--benchmark_enable_random_interleaving=true",
                   f"--benchmark_filter={pattern}"], env={**os.environ, **env})
        return {b["run_name"].split("/")[1]: b for b in json.loads(out)["benchmarks"] if b.get("aggregate_name") == "median"}
    med = medians({}, ".")
    step, gemms, adam, gather = (med[k]["real_time"] for k in ("train_step", "its_5_gemms", "adam_update", "gather_a_batch"))
    chosen = med["adam_update"]["label"]
    lines = ["| Fashion-MNIST training step (batch 32, 784-128-10, Adam, 1 BLAS thread) | µs |", "|---|---|",
             f"| the step (`train_step`: forward, backward, Adam) | {step:.1f} |",
             f"| its 5 matrix products alone (same BLAS, shapes and thread) | {gemms:.1f} |",
             f"| **ratio** | **{step / gemms:.2f}** |",
             f"| Adam's update of the 101,770 weights ({chosen}, chosen at run time) | {adam:.1f} |",
             f"| gathering a shuffled batch (not in the step) | {gather:.1f} |",
             "", "| Adam's update, by SIMD variant (`CUE_SIMD`) | µs |", "|---|---|"]
    variants = ["portable", "sse2", "avx", "avx512f"]
    for v in variants:
        try:
            t = medians({"CUE_SIMD": v}, "adam_update")["adam_update"]["real_time"]
        except subprocess.CalledProcessError:  # a variant this CPU does not run
            continue
        lines.append(f"| {v}{' (chosen)' if v == chosen else ''} | {t:.1f} |")
    return "\n".join(lines) + "\n\n" + blas_gemms(build)


def blas_gemms(build):
    """The step's 5 matrix products by BLAS library and batch size, one thread each."""
    one_thread = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "BLIS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    columns = {}
    for blas in ("openblas", "blis"):
        binary = build / f"benchmarks/blas_gemms_{blas}"
        if not binary.exists():  # BLIS: only with libblis-dev
            continue
        out = run([str(binary), "--benchmark_format=json", "--benchmark_repetitions=5",
                   "--benchmark_report_aggregates_only=true"], env=one_thread)
        columns[blas] = {int(b["run_name"].split("/")[1]): b["real_time"] for b in json.loads(out)["benchmarks"]
                         if b.get("aggregate_name") == "median"}
    names = {"openblas": "OpenBLAS (cue::nn's)", "blis": "BLIS"}
    lines = ["| the 5 matrix products, 1 thread: µs | " + " | ".join(names[b] for b in columns) + " |",
             "|---|" + "---|" * len(columns)]
    for batch in sorted(columns["openblas"]):
        lines.append(f"| batch {batch} | " + " | ".join(f"{columns[b][batch]:.1f}" for b in columns) + " |")
    return "\n".join(lines)


def torch_epoch(build):
    """A libtorch epoch through cue::fit with the example's callbacks against a hand-written loop:
    the fastest of 15 interleaved repetitions of each (the work is the same in every one; what
    varies is this shared machine, by up to 20% from run to run)."""
    binary = build / "benchmarks/torch_epoch"
    if not binary.exists():  # built with cue::torch only (libtorch-dev, g++)
        return "(not measured: built without cue::torch)"
    out = run([str(binary), "--benchmark_format=json", "--benchmark_repetitions=15",
               "--benchmark_enable_random_interleaving=true"])
    times = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "iteration":
            times.setdefault(b["run_name"].split("/")[1], []).append(b["real_time"])
    c, h = min(times["cue_fit_with_callbacks"]), min(times["hand_written_loop"])
    cm, hm = statistics.median(times["cue_fit_with_callbacks"]), statistics.median(times["hand_written_loop"])
    return ("| libtorch Fashion-MNIST epoch (54,000 images, batch 32, validation on 6,000; 1 thread) | wall ms, fastest of 15 | median |\n|---|---|---|\n"
            f"| cue::fit through cue::torch::learner with the example's 6 callbacks | {c:.0f} | {cm:.0f} |\n"
            f"| hand-written libtorch loop, same training | {h:.0f} | {hm:.0f} |\n"
            f"| ratio | {c / h:.3f} | {cm / hm:.3f} |")


def torch_counts(build):
    """Instructions per libtorch epoch (callgrind), the slope between one and two epochs: fit with
    the example's callbacks, fit alone, and the hand-written loop. Six runs of about 90 s each
    under callgrind, as many at once as there are cores."""
    binary = build / "benchmarks/torch_counts"
    if not binary.exists():
        return "(not measured: built without cue::torch)"
    runs = [(mode, epochs) for mode in ("fit", "bare", "hand") for epochs in (1, 2)]
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as pool:
        counts = dict(zip(runs, pool.map(lambda r: instructions(str(binary), [r[0], str(r[1])]), runs)))
    per_epoch = {mode: counts[(mode, 2)] - counts[(mode, 1)] for mode in ("fit", "bare", "hand")}
    hand = per_epoch["hand"]
    return ("| libtorch instructions per epoch (callgrind; 90 training + 10 validation batches of 32) | instructions | ratio to the hand-written loop |\n|---|---|---|\n"
            f"| cue::fit through cue::torch::learner with the example's 6 callbacks | {per_epoch['fit']:,} | {per_epoch['fit'] / hand:.5f} |\n"
            f"| cue::fit through cue::torch::learner, no callbacks | {per_epoch['bare']:,} | {per_epoch['bare'] / hand:.5f} |\n"
            f"| hand-written libtorch loop, same training | {hand:,} | 1 |")


def fashion_counts(build):
    binary = str(build / "benchmarks/fashion_counts")
    per_epoch = {}
    for mode in ("fit", "watch", "hand"):
        per_epoch[mode] = instructions(binary, [mode, "2"]) - instructions(binary, [mode, "1"])
    ratio = per_epoch["fit"] / per_epoch["hand"]
    return ("| instructions per epoch (callgrind; 90 training + 10 validation batches) | instructions |\n|---|---|\n"
            f"| cue::fit with the example's 6 callbacks | {per_epoch['fit']:,} |\n"
            f"| hand-written loop | {per_epoch['hand']:,} |\n"
            f"| ratio | {ratio:.5f} |\n"
            f"| the 6 and tensorboard (histograms every epoch), training_curves, summary_report, worker thread included | {per_epoch['watch']:,} |\n"
            f"| ratio to the 6 alone | {per_epoch['watch'] / per_epoch['fit']:.5f} |")


def compile_cost():
    data = json.loads(run([sys.executable, str(ROOT / "benchmarks/compile_cost.py"), str(ROOT / "include")]))
    p = data["programs"]
    lines = ["| 8 small callbacks fitted (a learner, validation data) | g++ 12: seconds | clang 14: seconds |",
             "|---|---|---|"]
    for key, label in (("fit.hpp", "cue: `#include <cue/fit.hpp>`"), ("cue.hpp", "cue: `#include <cue/cue.hpp>`"),
                       ("cue.hpp precompiled", "cue: `#include <cue/cue.hpp>`, precompiled (`target_precompile_headers`)"),
                       ("precompiling cue.hpp", "precompiling `<cue/cue.hpp>` (once per target)"),
                       ("virtual", "virtual base and a hand-written loop (logs in a std::map)")):
        lines.append(f"| {label} | {p['g++'][key]:.2f} | {p['clang++'][key]:.2f} |")
    lines.append(f"| ratio, `<cue/fit.hpp>` to virtual | {p['g++']['fit.hpp'] / p['g++']['virtual']:.2f} | "
                 f"{p['clang++']['fit.hpp'] / p['clang++']['virtual']:.2f} |")
    lines += ["", "| header, included alone | g++ 12: seconds | clang 14: seconds |", "|---|---|---|"]
    for h in data["headers"]:
        label = f"`{h['header']}`" if h["header"].endswith(".hpp") else h["header"]  # a header, or a described row
        lines.append(f"| {label} | {h['g++']:.2f} | {h['clang++']:.2f} |")
    lines += ["", "| callbacks | cue: g++ s | cue: clang s | cue: instantiations | virtual: g++ s | virtual: clang s | virtual: instantiations |",
              "|---|---|---|---|---|---|---|"]
    for r in data["marginal"]:
        c, v = r["cue"], r["virtual"]
        lines.append(f"| {r['n']} | {c['g++']:.2f} | {c['clang++']:.2f} | {c['instantiations']} | "
                     f"{v['g++']:.2f} | {v['clang++']:.2f} | {v['instantiations']} |")
    return "\n".join(lines)


def zero_cost(build):
    out = run([sys.executable, str(ROOT / "benchmarks/zero_cost.py"), str(build / "benchmarks/fit_overhead")])
    return "\n".join(l for l in out.splitlines() if l.startswith("|"))


def pytorch(build):
    cue_lines = []
    for threads in (1, 2):
        out = run([str(build / "examples/fashion_mnist"), "--epochs", "3", "--threads", str(threads),
                   "--out", str(build / "bench-fashion")])
        sec = float(re.search(r"seconds_per_epoch=([0-9.]+)", out).group(1))
        cue_lines.append((threads, sec))
    libtorch = build / "examples/torch_fashion_mnist"
    if libtorch.exists():  # cue::torch: the same example with a libtorch module
        out = run([str(libtorch), "--epochs", "3", "--threads", "1", "--out", str(build / "bench-torch-fashion")])
        libtorch_sec = float(re.search(r"seconds_per_epoch=([0-9.]+)", out).group(1))
    torch = run([sys.executable, str(ROOT / "benchmarks/pytorch_fashion_mnist.py"), "--epochs", "3"])
    torch_sec = {(int(t), f == "1"): float(s) for t, f, s in
                 re.findall(r"pytorch threads=(\d+) flush_denormal=(\d): seconds_per_epoch=([0-9.]+)", torch)}
    best_torch = min(torch_sec.values())
    version = re.search(r"[(]torch ([^)]+)[)]", torch).group(1)
    lines = ["| Fashion-MNIST, full epoch (54,000 + 6,000 validation), batch 32 | threads | seconds per epoch |",
             "|---|---|---|"]
    for t, s in cue_lines:
        lines.append(f"| cue (examples/fashion_mnist.cpp, 3 epochs, mean; denormals flushed) | {t} | {s:.2f} |")
    if libtorch.exists():
        lines.append(f"| cue::fit on libtorch (examples/torch_fashion_mnist.cpp, 3 epochs, mean) | 1 | {libtorch_sec:.2f} |")
    for (t, flush), s in sorted(torch_sec.items()):
        how = "denormals flushed (`torch.set_flush_denormal(True)`)" if flush else "as it comes"
        lines.append(f"| PyTorch eager {version}, {how} (best of 3 epochs) | {t} | {s:.2f} |")
    best_cue = min(s for _, s in cue_lines)
    lines.append(f"| **cue / PyTorch, each at its best thread count and setting** | | **{best_cue / best_torch:.2f}** |")
    return "\n".join(lines)


def seconds_per_epoch(command):
    return float(re.search(r"seconds_per_epoch=([0-9.]+)", run(command)).group(1))


def scaling(build, with_pytorch):
    """The Fashion-MNIST epoch on 1 and 2 ranks at global batches 64 and 256 (one BLAS thread per
    process), the parts of the 2-rank step beside it, and with --pytorch PyTorch's
    DistributedDataParallel at the same batches."""
    mpirun = ["mpirun", "-np", "2", "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    lines = ["| Fashion-MNIST epoch, one thread per process | global batch | 1 process: s | 2 ranks: s (fastest, slowest) | speed-up |",
             "|---|---|---|---|---|"]
    parts_lines = ["| One step, µs (median of 300, each part alone between barriers; median of 5 runs) | global batch | "
                   "forward+backward, whole batch | forward+backward, a rank's half | sum of the gradients over 2 ranks (fastest, slowest run) | Adam update |",
                   "|---|---|---|---|---|---|"]
    ddp = {}
    for batch in (64, 256):
        flags = ["--epochs", "2", "--batch-size", str(batch), "--threads", "1"]
        # The median of 5 runs of each, interleaved: a 2-rank run's steps wait on each other, and
        # the cost of moving the gradients between the cores changes over tens of seconds on this
        # machine (the parts, measured between the runs, show it).
        ones, twos, parts = [], [], []
        for _ in range(5):
            ones.append(seconds_per_epoch([str(build / "examples/fashion_mnist")] + flags +
                                          ["--out", str(build / "bench-scaling-1")]))
            twos.append(seconds_per_epoch(mpirun + [str(build / "examples/fashion_mnist_mpi")] + flags +
                                          ["--out", str(build / "bench-scaling-2")]))
            out = run(mpirun + [str(build / "benchmarks/data_parallel_step"), str(batch)])
            parts.append({k: float(v) for k, v in re.findall(r"(\w+_us)=([0-9.]+)", out)})
        one, two = statistics.median(ones), statistics.median(twos)
        lines.append(f"| cue (`fashion_mnist`, `mpirun -np 2 fashion_mnist_mpi`; median of 5 runs) | {batch} | {one:.3f} | "
                     f"{two:.3f} ({min(twos):.3f}, {max(twos):.3f}) | {one / two:.2f}x |")
        part = lambda key: statistics.median(p[key] for p in parts)
        sums = [p["sum_us"] for p in parts]
        parts_lines.append(f"| cue::data_parallel (`benchmarks/data_parallel_step.cpp`) | {batch} | "
                           f"{part('forward_backward_whole_us'):.0f} | {part('forward_backward_part_us'):.0f} | "
                           f"{statistics.median(sums):.0f} ({min(sums):.0f}, {max(sums):.0f}) | {part('adam_us'):.0f} |")
        if with_pytorch:
            script = str(ROOT / "benchmarks/pytorch_ddp_fashion_mnist.py")
            ddp[batch] = (seconds_per_epoch([sys.executable, script, "--batch-size", str(batch), "--processes", "1"]),
                          seconds_per_epoch([sys.executable, script, "--batch-size", str(batch), "--processes", "2"]))
    for batch, (one, two) in ddp.items():
        lines.append(f"| PyTorch DistributedDataParallel (gloo) | {batch} | {one:.2f} | {two:.2f} | {one / two:.2f}x |")
    return "\n".join(lines) + "\n\n" + "\n".join(parts_lines)


def plot(times, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for design, label in DESIGNS:
        ax.plot(NS, [times[(design, "used", n)] for n in NS], marker="o", label=f"{label}, used")
    ax.plot(NS, [times[("cue", "unused", n)] for n in NS], marker="x", linestyle="--", label="cue (static), unused")
    ax.plot(NS, [times[("virtual", "unused", n)] for n in NS], marker="x", linestyle="--",
            label="virtual base, unused")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("callbacks")
    ax.set_ylabel("ns per event (median of 5)")
    ax.set_title("Delivering on_train_batch_end to N callbacks")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def ring_end(build):
    """For each network callback against a server that never answers (tests/http/server.py: an HTTP
    server that reads and never answers; a TCP server that never speaks, for SMTP; a command that
    sleeps): how long fit took, and the seconds from fit's return to the process's end."""
    binary = build / "benchmarks/ring_end"
    if not binary.exists():
        return "(not measured: built without cue::http and cue::crypto)"
    budget = 2.0
    server_py = ROOT / "tests/http/server.py"
    servers = {mode: subprocess.Popen([sys.executable, str(server_py), mode, os.devnull], stdout=subprocess.PIPE, text=True)
               for mode in ("hang", "silent")}
    try:
        port = {mode: p.stdout.readline().strip() for mode, p in servers.items()}
        endpoints = {"remote_monitor": f"http://127.0.0.1:{port['hang']}",
                     "alert": f"http://127.0.0.1:{port['hang']}/hook",
                     "summary_report": f"smtp://127.0.0.1:{port['silent']}",
                     "mirror_checkpoints": "s3://dead-endpoint/run"}
        rows = []
        for callback, endpoint in endpoints.items():
            with tempfile.TemporaryDirectory() as scratch:
                ends = []
                for _ in range(3):
                    p = subprocess.Popen([str(binary), callback, endpoint, str(budget), scratch], stdout=subprocess.PIPE, text=True)
                    out, _ = p.communicate(timeout=120)
                    ended = time.monotonic()
                    times = dict(line.rsplit(" ", 1) for line in out.splitlines())
                    start, returned = float(times["start"]), float(times["fit returned"])
                    ends.append((returned - start, ended - returned))
                fit_s, end_s = max(e[0] for e in ends), max(e[1] for e in ends)
                rows.append(f"| {callback} | {fit_s:.2f} | {end_s:.2f} |")
    finally:
        for p in servers.values():
            p.kill()
            p.wait()
    return (f"| against a server that never answers (drain budget {budget:g} s; cue::cancel_grace 1 s) | fit took, s (worst of 3) | "
            "from fit's return to the process's end, s (worst of 3) |\n|---|---|---|\n" + "\n".join(rows))


def replace(readme, name, body):
    pattern = re.compile(rf"(<!-- bench:{name} -->\n).*?(\n<!-- /bench:{name} -->)", re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README has no bench:{name} markers")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), readme)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("build")
    parser.add_argument("--pytorch", action="store_true", help="also train Fashion-MNIST side by side with PyTorch")
    parser.add_argument("--only", nargs="+", help="regenerate only these sections")
    args = parser.parse_args()
    build = pathlib.Path(args.build).resolve()
    wanted = lambda name: args.only is None or name in args.only

    sections = {
        "machine": lambda: f"Measured on: {machine()}.",
        "dispatch": None,  # with the plot, below
        "counts": lambda: measured(lambda: grid(dispatch_counts(build), lambda v: f"{v:.0f}"), "dispatch counts"),
        "zero_cost": lambda: zero_cost(build),
        "fashion": lambda: fashion(build) + "\n\n" + measured(lambda: fashion_counts(build), "fashion counts"),
        "step": lambda: nn_step(build),
        "torch": lambda: torch_epoch(build) + "\n\n" + measured(lambda: torch_counts(build), "libtorch counts"),
        "compile": compile_cost,
        "ring_end": lambda: ring_end(build),
        "scaling": lambda: scaling(build, args.pytorch),
        "pytorch": lambda: pytorch(build),
    }
    readme = (ROOT / "README.md").read_text()
    for name, make in sections.items():
        if not wanted(name) or (name == "pytorch" and not args.pytorch):
            continue
        print(f"{name} ...", flush=True)
        if name == "dispatch":
            times = dispatch_times(build)
            plot(times, ROOT / "docs/dispatch.png")
            body = grid(times, lambda v: f"{v:.2f}")
        else:
            body = make()
        readme = replace(readme, name, body)
        (ROOT / "README.md").write_text(readme)  # section by section: an interrupted run keeps its work
    print("README.md and docs/dispatch.png updated")


if __name__ == "__main__":
    main()
