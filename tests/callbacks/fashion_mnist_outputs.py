#!/usr/bin/env python3
"""Checks what the Fashion-MNIST example left for a person to watch, against its own CSV log:
TensorBoard's files (decoded by tfevents.py, every CRC checked), the curves (as XML) and the
summary. Usage: fashion_mnist_outputs.py OUT_DIR"""
import csv
import json
import pathlib
import struct
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import tfevents  # noqa: E402

out = pathlib.Path(sys.argv[1])
rows = list(csv.DictReader(open(out / "training.csv")))
epochs = len(rows)
assert epochs >= 1, rows


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def run_values(run):
    (path,) = sorted((out / "logs" / run).glob("*tfevents*"))
    evs = tfevents.events(path)
    assert evs[0]["file_version"] == "brain.Event:2"
    return {(e["values"][0]["tag"], e["step"]): e["values"][0] for e in evs[1:]}


train, validation = run_values("train"), run_values("validation")
sizes = {"sequential/dense/kernel": 784 * 128, "sequential/dense/bias": 128,
         "sequential/dense_1/kernel": 128 * 10, "sequential/dense_1/bias": 10}
for row in rows:
    e = int(row["epoch"])
    for name in ("loss", "accuracy", "learning_rate"):
        assert train[(f"epoch_{name}", e)]["tensor"]["value"] == f32(float(row[name])), (name, e)
    for name in ("loss", "accuracy"):
        assert validation[(f"epoch_{name}", e)]["tensor"]["value"] == f32(float(row["val_" + name])), (name, e)
    for weight, n in sizes.items():
        h = train[(weight + "/histogram", e)]["tensor"]
        assert h["shape"] == [30, 3] and sum(h["values"][2::3]) == n, (weight, e)
print(f"logs: {epochs} epochs of scalars equal to training.csv's, 4 weight histograms per epoch")

svg = ET.parse(out / "curves.svg").getroot()
ns = "{http://www.w3.org/2000/svg}"
panels = {g.get("data-metric"): g for g in svg.iter(ns + "g") if g.get("class") == "panel"}
assert sorted(panels) == ["accuracy", "learning_rate", "loss"], sorted(panels)
for metric, g in panels.items():
    for line in g.iter(ns + "polyline"):
        # The learning rate is drawn as steps: a corner between each two epochs' points.
        expected = 2 * epochs - 1 if metric == "learning_rate" else epochs
        assert len(line.get("points").split()) == expected, (metric, line.get("class"))

summary = json.load(open(out / "summary.json"))
assert summary["status"] in ("success", "stopped") and summary["epochs_run"] == epochs, summary
assert summary["final"]["val_accuracy"]["value"] == float(rows[-1]["val_accuracy"]) or \
    abs(summary["final"]["val_accuracy"]["value"] - float(rows[-1]["val_accuracy"])) < 1e-12
assert summary["checkpoints"] and all(pathlib.Path(c["path"]).exists() or not c["best"] for c in summary["checkpoints"])
assert "![training curves](curves.svg)" in (out / "summary.md").read_text()
print(f"curves: 3 panels of {epochs} points; summary: {summary['status']}, "
      f"{len(summary['checkpoints'])} checkpoints")
