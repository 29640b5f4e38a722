#!/usr/bin/env python3
"""Runs examples/alerts against a real HTTP server on 127.0.0.1 (tests/http/server.py) and checks
what reached it and what the example left on disk: the spike's alert (firing, then resolved),
the stop and the summary; a registry line per checkpoint whose SHA-256 is that of the file and
of its mirrored copy. Usage: alerts_example.py ALERTS_BINARY OUT_DIR"""
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

binary, out = sys.argv[1], pathlib.Path(sys.argv[2])
shutil.rmtree(out, ignore_errors=True)
here = pathlib.Path(__file__).parent
with tempfile.TemporaryDirectory() as tmp:
    record = pathlib.Path(tmp) / "requests.jsonl"
    server = subprocess.Popen([sys.executable, str(here / "server.py"), "ok", str(record)], stdout=subprocess.PIPE, text=True)
    try:
        port = server.stdout.readline().strip()
        run = subprocess.run([binary, f"http://127.0.0.1:{port}/hook", str(out)], capture_output=True, text=True, timeout=120)
        print(run.stdout, run.stderr)
        assert run.returncode == 0, f"the example failed: {run.returncode}"
        requests = [json.loads(line) for line in record.read_text().splitlines()]
    finally:
        server.kill()

messages = [json.loads(bytes.fromhex(r["body"])) for r in requests]
assert all(r["path"] == "/hook" for r in requests)
seen = [(m["kind"], m["title"], m["state"]) for m in messages]
print("received:", seen)
assert ("alert", "val_loss spike", "firing") in seen, seen
assert ("alert", "val_loss spike", "resolved") in seen, seen
assert seen.index(("alert", "val_loss spike", "firing")) < seen.index(("alert", "val_loss spike", "resolved"))
spike = next(m for m in messages if m["title"] == "val_loss spike")
assert spike["epoch"] == 3 and spike["value"] > 2 * spike["reference"], spike
assert spike["run"] == "blobs" and spike["rule"] == "val_loss > 2.0 * best", spike
assert ("alert", "training stopped", "firing") in seen, seen
summary = [m for m in messages if m["kind"] == "summary"]
assert len(summary) == 1 and summary[0]["state"] == "stopped", summary
assert summary[0]["details"]["best checkpoint"].endswith(".txt"), summary

entries = [json.loads(line) for line in (out / "registry.jsonl").read_text().splitlines()]
lines = [l for l in entries if l["event"] == "checkpoint_saved"]
uploads = {l["path"]: l for l in entries if l["event"] == "checkpoint_uploaded"}
assert lines and len(lines) + len(uploads) == len(entries), entries
for l in lines:
    local = pathlib.Path(l["path"])
    mirrored = out / "mirror" / local.name
    assert hashlib.sha256(local.read_bytes()).hexdigest() == l["sha256"], l
    assert hashlib.sha256(mirrored.read_bytes()).hexdigest() == l["sha256"], l
    # The registry says where the copy went, and that it is this file.
    assert uploads[l["path"]]["uri"] == str(mirrored) and uploads[l["path"]]["sha256"] == l["sha256"], uploads
print(f"alerts example: {len(messages)} messages, {len(lines)} checkpoints registered, mirrored, and their copies registered")
