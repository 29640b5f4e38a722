#!/usr/bin/env python3
"""Runs a 2-rank job (the command given) with its standard output redirected to a file, as a week-long
job's log is, and checks that the display wrote a line per epoch: no ANSI redraws, no carriage
returns (the bar's), and each epoch's summary line once."""
import subprocess
import sys
import tempfile

with tempfile.TemporaryFile() as log:
    subprocess.run(sys.argv[1:], stdout=log, stderr=subprocess.STDOUT, timeout=120, check=True)
    log.seek(0)
    text = log.read().decode()
print(text)
assert "\x1b" not in text and "\r" not in text, "the progress bar's redraws reached a redirected log"
assert text.count("Epoch 3/3") == 1, "one line per epoch, from rank 0 only"
print("ok: a line per epoch")
