#!/usr/bin/env python3
"""Decodes cue::tensorboard's files with tfevents.py (a reader written from the proto field numbers,
independently of the writer) and checks them against what the test program expected from
cue::history: every record's two CRCs, the first record, every tag, step and value (as float32),
the plugins, histogram buckets recomputed here from the weights, the HParams session; then kills a
run mid-epoch and reads what it left. Usage: tensorboard_check.py TEST_EXE OUT_DIR"""
import math
import os
import pathlib
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import tfevents  # noqa: E402

# The reader itself, on a file TensorFlow wrote (tensorboard/data/server/tf_record.rs's test_success).
real = bytes.fromhex(
    "18000000000000 00a37f4b22 0900008038 99d6d741 1a0d 627261696e2e4576656e743a32 124b36ab"
    "3200000000000000 241956ec 09c405b73d99d6d741 104d 2a25 0a23 0a08 6163637572616379"
    "420a 0801 1200 2204 a4707d3f 4a0b 0a09 0a07 7363616c617273 a55b6433".replace(" ", ""))
tf_file = pathlib.Path(sys.argv[2]) / "tf-written.tfevents"
tf_file.parent.mkdir(parents=True, exist_ok=True)
tf_file.write_bytes(real)
header, scalar = tfevents.events(tf_file)
assert header["file_version"] == "brain.Event:2" and scalar["step"] == 77
(value,) = scalar["values"]
assert value["tag"] == "accuracy" and value["metadata"]["plugin_name"] == "scalars"
assert value["tensor"]["value"] == struct.unpack("<f", struct.pack("<f", 0.99))[0]

exe, out = sys.argv[1], pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
env = {**os.environ, "CUE_TB_OUT": str(out)}
subprocess.run([exe, "[tb-sample]"], check=True, env=env, stdout=subprocess.DEVNULL)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def read_run(run_dir, allow_truncated_tail=False):
    """Every value of a run's files (in name order, as TensorBoard reads them)."""
    files = sorted(p for p in run_dir.iterdir() if "tfevents" in p.name)
    assert files, f"no event file in {run_dir}"
    values = []
    for path in files:
        assert path.name.startswith("events.out.tfevents.") and path.name.endswith(".v2"), path.name
        evs = tfevents.events(path, allow_truncated_tail)
        assert evs[0].get("file_version") == "brain.Event:2", f"{path}: first record {evs[0]}"
        for e in evs[1:]:
            assert len(e["values"]) == 1 and math.isfinite(e["wall_time"]), e
            values.append((e["step"], e["values"][0]))
    return values


def tb_buckets(xs, k=30):
    """tensorboard/plugins/histogram/summary_v2.py's bucketing, written from its description."""
    if not xs:
        return [(0.0, 0.0, 0.0)] * k
    lo, hi = min(xs), max(xs)
    if lo == hi:
        return [(hi, hi, 0.0)] * (k - 1) + [(hi, hi, float(len(xs)))]
    width = (hi - lo) / k
    counts = [0.0] * k
    for x in xs:
        counts[min(int(math.floor((x - lo) / width)), k - 1)] += 1
    edges = [lo + width * j for j in range(k)] + [hi]
    return [(edges[j], edges[j + 1], counts[j]) for j in range(k)]


def check_sample(name):
    base = out / name
    logs = base / "logs"
    expected_scalars, expected_hist, present, absent_runs, hparams = {}, {}, set(), set(), None
    # A resumed run writes again the steps after its backup; TensorBoard keeps the later file's.
    later_wins = "later-wins" in (base / "expected.txt").read_text().split()
    for line in (base / "expected.txt").read_text().splitlines():
        kind, *rest = line.split()
        if kind == "scalar":
            run, tag, step, value = rest
            expected_scalars[(run, tag, int(step))] = float(value)
        elif kind == "histogram":
            run, tag, step, *xs = rest
            expected_hist[(run, tag, int(step))] = [f32(float(x)) for x in xs]  # the float weights, exactly
        elif kind == "present":
            run, tag, step = rest
            present.add((run, tag, int(step)))
        elif kind == "no-run":
            absent_runs.add(rest[0])
        elif kind == "later-wins":
            pass
        elif kind == "hparams":
            hparams = dict(kv.split("=") for kv in rest)
    seen = set()
    for run in ("train", "validation"):
        if run in absent_runs:
            assert not (logs / run).exists(), f"{name}: a {run} run without {run} data"
            continue
        for step, v in read_run(logs / run):
            key = (run, v["tag"], step)
            assert later_wins or key not in seen, f"{name}: {key} written twice"
            seen.add(key)
            plugin = v["metadata"].get("plugin_name")
            if v["tag"].endswith("/histogram"):
                assert plugin == "histograms", v
                t = v["tensor"]
                assert t["dtype"] == 2 and t["shape"] == [30, 3], t
                rows = [tuple(t["values"][3 * i:3 * i + 3]) for i in range(30)]
                assert rows == tb_buckets(expected_hist[key]), f"{name}: {key} buckets"
                continue
            assert plugin == "scalars", v
            t = v["tensor"]
            assert t["dtype"] == 1 and t["shape"] == [], t  # rank-0 DT_FLOAT
            if key in present:
                assert t["value"] >= 0, key
                continue
            assert key in expected_scalars, f"{name}: unexpected {key}"
            assert t["value"] == f32(expected_scalars[key]), f"{name}: {key} = {t['value']}, expected {expected_scalars[key]}"
    missing = (set(expected_scalars) | set(expected_hist) | present) - seen
    assert not missing, f"{name}: missing {sorted(missing)}"
    if hparams is not None:
        (step, v), = read_run(logs)
        assert step == 0 and v["tag"] == "_hparams_/session_start_info", v
        assert v["metadata"]["plugin_name"] == "hparams"
        start = dict((n, val) for n, _, val in tfevents.fields(v["metadata"]["content"]))[3]
        got = {}
        for n, _, val in tfevents.fields(start):
            if n == 1:
                entry = dict((en, ev) for en, _, ev in tfevents.fields(val))
                (kind, _, raw), = tfevents.fields(entry[2])
                got[entry[1].decode()] = {2: lambda r: f"{struct.unpack('<d', r)[0]:g}", 3: lambda r: r.decode(),
                                          4: lambda r: "true" if r else "false"}[kind](raw)
        assert got == hparams, (got, hparams)
    print(f"{name}: {len(seen)} values, every CRC valid, every tag, step and value as expected")


check_sample("epochs")
check_sample("batches")
check_sample("resumed")

# A run killed mid-epoch leaves files readable up to their last complete record.
killed = out / "killed"
child = subprocess.Popen([exe, "[.tb-killed]"], env=env, stdout=subprocess.DEVNULL)
deadline = time.time() + 60
train = killed / "logs" / "train"
while time.time() < deadline:
    files = list(train.glob("*tfevents*")) if train.exists() else []
    if files and files[0].stat().st_size > 20000:
        break
    time.sleep(0.05)
child.send_signal(signal.SIGKILL)
child.wait()
values = read_run(train, allow_truncated_tail=True)
batch_steps = [s for s, v in values if v["tag"] == "batch_loss"]
epochs = [s for s, v in values if v["tag"] == "epoch_loss"]
assert batch_steps == sorted(batch_steps) and len(batch_steps) > 100, batch_steps[:5]
assert epochs, "no complete epoch on disk"
print(f"killed run: {len(values)} values readable, {len(epochs)} epochs, last batch step {batch_steps[-1]}")
