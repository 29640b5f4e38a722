#!/usr/bin/env python3
"""Fails unless every README code block marked `<!-- snippet: PATH -->` appears verbatim in PATH,
so the README shows only code that the tests compile."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text()
blocks = re.findall(r"<!-- snippet: (\S+) -->\n```cpp\n(.*?)\n```", readme, re.S)
bad = [path for path, code in blocks if code not in (root / path).read_text()]
for path in bad:
    print(f"README snippet not found in {path}")
print(f"{len(blocks) - len(bad)} of {len(blocks)} README snippets match their sources")
sys.exit(1 if bad or not blocks else 0)
