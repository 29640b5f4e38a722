#!/usr/bin/env python3
"""No header of cue includes one from a layer above its own. The layers, from the bottom:
foundation (strings, the hook table, processes, workers, JSON), core (events, logs, context,
learners, composition, what callbacks declare), the loops (fit and what it derives and checks),
the parts built on them (callbacks, adapters, the ring, the optional targets), and the umbrellas.
Usage: layers.py INCLUDE_DIR"""
import pathlib
import re
import sys

LAYERS = [
    ("foundation", {"fixed_string", "hooks", "near_miss_names", "parts", "utf8", "utc", "redact", "reporter",
                    "process", "worker", "options", "monitor", "stop_reason", "run_events", "save_frequency",
                    "python_format", "progbar_number", "schedules", "json", "state", "distributed/communicator"}),
    ("core", {"events", "near_misses", "logs", "typed_events", "context", "learner", "learner_files", "declared",
              "callbacks", "requirements", "progress", "epoch_table", "dynamic_callbacks"}),
    ("loops", {"loop_types", "checks", "distributed/protocol", "fit", "callbacks/history"}),
    ("built on the loops", None),  # every other header
    ("umbrellas", {"cue", "nn", "config"}),
]


def layer_of(name):
    for i, (_, members) in enumerate(LAYERS):
        if members is not None and name in members:
            return i
    return 3


def main():
    root = pathlib.Path(sys.argv[1]) / "cue"
    wrong = []
    for header in sorted(root.rglob("*.hpp")):
        name = header.relative_to(root).with_suffix("").as_posix()
        for used in re.findall(r"#include <cue/([^>]+)\.hpp>", header.read_text()):
            if layer_of(used) > layer_of(name):
                wrong.append(f"cue/{name}.hpp ({LAYERS[layer_of(name)][0]}) includes cue/{used}.hpp "
                             f"({LAYERS[layer_of(used)][0]})")
    listed = {m for _, members in LAYERS if members for m in members}
    missing = [m for m in listed if not (root / f"{m}.hpp").exists()]
    if missing:
        wrong.append("listed but not found: " + ", ".join(sorted(missing)))
    print("\n".join(wrong) or "every header includes only its own layer and those below")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
