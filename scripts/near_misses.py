#!/usr/bin/env python3
"""Writes include/cue/near_miss_names.hpp: the member names that are likely mistakes for a hook,
each with the hook it probably means, generated from the hook table (include/cue/hooks.hpp) by rule:

- other frameworks' names for the same events (Keras's legacy aliases, PyTorch Lightning,
  fastai, ensmallen): the one list written by hand, below;
- other words for begin and end after the hook's stem (on_epoch_finish, on_train_started, ...);
- a plural, no `on_`, CamelCase (on_epoch_ends, epoch_end, OnEpochEnd, onEpochEnd);
- one slip of the fingers in one word of the name: a letter left out or two neighbours swapped
  (on_epoch_ed, on_epoch_edn, on_trian_begin), or two words run together (on_epochend). (A letter
  doubled, or another in place of one, would be 1 or 25 names more per letter: each name costs
  every translation unit that includes cue about 0.1 ms of g++, measured.)

A name two rules give keeps the first rule's hook. `--check` exits 1 when the file is not what
this script writes (the ctest near_miss_names.current runs it; tests/events.cpp also compares the
table's fingerprint).
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLE = ROOT / "include/cue/hooks.hpp"
OUT = ROOT / "include/cue/near_miss_names.hpp"

# Other frameworks' names: (member, the event it means).
FRAMEWORKS = [
    # Keras's legacy aliases
    ("on_batch_begin", "train_batch_begin"), ("on_batch_end", "train_batch_end"),
    # PyTorch Lightning's hooks
    ("on_fit_start", "train_begin"), ("on_fit_end", "train_end"),
    ("on_train_epoch_start", "epoch_begin"), ("on_train_epoch_end", "epoch_end"),
    ("on_before_optimizer_step", "after_backward"),
    ("on_validation_start", "test_begin"), ("on_validation_end", "test_end"),
    ("on_validation_epoch_start", "test_begin"), ("on_validation_epoch_end", "test_end"),
    ("on_validation_batch_start", "test_batch_begin"), ("on_validation_batch_end", "test_batch_end"),
    ("on_test_epoch_start", "test_begin"), ("on_test_epoch_end", "test_end"),
    ("on_predict_epoch_start", "predict_begin"), ("on_predict_epoch_end", "predict_end"),
    # fastai's events
    ("before_fit", "train_begin"), ("after_fit", "train_end"), ("before_epoch", "epoch_begin"),
    ("after_epoch", "epoch_end"), ("before_train", "epoch_begin"), ("after_train", "epoch_end"),
    ("before_batch", "train_batch_begin"), ("after_batch", "train_batch_end"),
    ("before_validate", "test_begin"), ("after_validate", "test_end"),
    # ensmallen's callbacks
    ("BeginOptimization", "train_begin"), ("EndOptimization", "train_end"), ("BeginEpoch", "epoch_begin"),
    ("EndEpoch", "epoch_end"), ("StepTaken", "train_batch_end"),
]

# Other words people use for begin and end.
SYNONYMS = {
    "begin": ["start", "starts", "started", "starting", "begins", "beginning", "began"],
    "end": ["stop", "stops", "stopped", "finish", "finished", "finishes", "complete", "completed",
            "done", "ended", "ends", "ending"],
}


def table():
    text = TABLE.read_text()
    body = text[text.index("#define CUE_HOOK_TABLE(X)"):]
    rows = re.findall(r"\bX\((\w+), (\w+), (\w+),", body)
    if not rows:
        sys.exit(f"no X(...) rows in {TABLE}")
    return rows


def slips(word):
    out = []
    for i in range(len(word)):
        out.append(word[:i] + word[i + 1:])  # left out
        if i + 1 < len(word) and word[i] != word[i + 1]:
            out.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])  # swapped
    return [w for w in out if w and w != word]


def generate(rows):
    events = {name for name, _, _ in rows}
    entries = []  # (member, event, rule)
    for member, event in FRAMEWORKS:
        if event not in events:
            sys.exit(f"{member} is mapped to on_{event}, which the hook table does not have")
        entries.append((member, event, "another framework's name"))
    for name, stem, edge in rows:
        for word in SYNONYMS.get(edge, []):
            entries.append((f"on_{stem}_{word}", name, "another word for " + edge))
    for name, stem, edge in rows:
        camel = "".join(w.capitalize() for w in name.split("_"))
        for member in (f"on_{name}s", name, "On" + camel, "on" + camel):
            entries.append((member, name, "another form"))
    for name, stem, edge in rows:
        words = name.split("_")
        for i, word in enumerate(words):
            for slip in slips(word):
                entries.append(("on_" + "_".join(words[:i] + [slip] + words[i + 1:]), name, "a slip"))
        for i in range(len(words) - 1):
            entries.append(("on_" + "_".join(words[:i] + [words[i] + words[i + 1]] + words[i + 2:]), name, "a slip"))
    hooks = {"on_" + name for name in events}
    seen, kept = set(), []
    for member, event, rule in entries:
        if member in hooks or member in seen:
            continue
        seen.add(member)
        kept.append((member, event, rule))
    return kept


def render(rows, kept):
    fingerprint = " ".join(f"{n}:{s}:{e}" for n, s, e in rows)
    lines = [
        "// Generated by scripts/near_misses.py from the hook table (hooks.hpp); do not edit.",
        "// X(member, the hook it probably means): " + f"{len(kept)} names.",
        "#pragma once",
        "",
        f'#define CUE_NEAR_MISS_TABLE_SOURCE "{fingerprint}"',
        "",
        "#define CUE_NEAR_MISS_TABLE(X) \\",
    ]
    rule = None
    for member, event, why in kept:
        if why != rule:
            lines.append(f"  /* {why} */ \\")
            rule = why
        lines.append(f"  X({member}, on_{event}) \\")
    lines.append("  /* end */")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is out of date")
    args = parser.parse_args()
    rows = table()
    text = render(rows, generate(rows))
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            sys.exit(f"{OUT.relative_to(ROOT)} is out of date: run scripts/near_misses.py")
        return
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
