#!/usr/bin/env python3
"""benchmarks/run_all.py on a program valgrind cannot simulate (tests/bench/unsimulated.cpp): the
measurement is marked "not measured" with valgrind's reason, and the other tables are still
written; a program that fails for another reason is still an error.
Usage: not_measured.py UNSIMULATED_BINARY"""
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "benchmarks"))
import run_all  # noqa: E402

binary = sys.argv[1]
try:
    run_all.instructions(binary, [])
    raise SystemExit("expected NotMeasured")
except run_all.NotMeasured as why:
    assert "unsimulated" in str(why) and "unhandled instruction bytes" in str(why), why

note = run_all.measured(lambda: run_all.instructions(binary, []), "a test")
assert note.startswith("(not measured on this machine: valgrind cannot run `unsimulated`"), note
# A table beside it is still built.
assert run_all.measured(lambda: "| table |", "another") == "| table |"
# A real failure of a program is not hidden.
try:
    run_all.instructions("/bin/false", [])
    raise SystemExit("expected CalledProcessError")
except subprocess.CalledProcessError:
    pass
print("ok")
