#!/usr/bin/env python3
"""check_layers.py ROOT — the architecture as a test.

1. Includes point down: a file may include headers of its own folder or of
   a folder of a lower layer (RANK below); never a peer folder of the same
   rank, never a higher one.  lang/ <- compiler/ <- runtime/ <- cli/.
2. Only runtime/db/ talks to SQLite (no sqlite3 API or header elsewhere in
   the product, tests or bench; examples/*/gen.c, standalone data
   generators that are not camp, are the documented exception).
3. Every product .c/.h file lives in a folder of RANK (a new folder must be
   placed in the layering on purpose).

Prints one line per violation and exits 1 if there is any."""
import os
import re
import sys

# Folder -> layer.  Equal ranks are peers that must not include each other.
RANK = {
    "lang": 0,
    "compiler/check": 1,
    "compiler/rules": 2, "compiler/sql": 2, "compiler/query": 2, "compiler/graph": 2,
    "compiler/jit": 3,
    "runtime/db": 4,
    "runtime/policy": 4.5,  # contact policy: called by runtime/delivery (send) and runtime/exec
    "runtime/engine": 5, "runtime/delivery": 5, "runtime/report": 5,
    "runtime/exec": 6,
    "runtime/ops": 7,
    "runtime/mops": 8,
    "runtime/distrib": 8,
    "cli/lsp": 9,
    "cli": 10,
}
PRODUCT = ("lang", "compiler", "runtime", "cli")
SOURCE = re.compile(r"\.(c|h|y|l|def)$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SQLITE = re.compile(r"\bsqlite3_\w+|<sqlite3\.h>")


def files(root, top):
    for d, _, names in os.walk(os.path.join(root, top)):
        for n in sorted(names):
            if SOURCE.search(n):
                yield os.path.relpath(os.path.join(d, n), root)


def main(root):
    bad = []
    for top in PRODUCT:
        for f in files(root, top):
            folder = os.path.dirname(f)
            if folder not in RANK:
                bad.append(f"{f}: folder {folder}/ has no place in the layering (tests/layers/check_layers.py RANK)")
                continue
            text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
            for m in INCLUDE.finditer(text):
                inc = m.group(1)
                line = text.count("\n", 0, m.start()) + 1
                target = os.path.dirname(inc)
                if target == "" or target == folder:
                    continue  # generated headers (parser.h) and the own folder
                if target not in RANK:
                    bad.append(f"{f}:{line}: includes {inc} from outside the layered folders")
                elif RANK[target] >= RANK[folder]:
                    kind = "a peer" if RANK[target] == RANK[folder] else "a higher layer"
                    bad.append(f"{f}:{line}: includes {inc}: {target}/ is {kind} of {folder}/")
    for top in PRODUCT + ("tests", "bench", "examples"):
        for f in files(root, top):
            if f.startswith("runtime/db/") or re.match(r"examples/[^/]+/gen\.c$", f):
                continue
            text = open(os.path.join(root, f), encoding="utf-8", errors="replace").read()
            m = SQLITE.search(text)
            if m:
                line = text.count("\n", 0, m.start()) + 1
                bad.append(f"{f}:{line}: calls SQLite ({m.group(0)}) outside runtime/db/")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
