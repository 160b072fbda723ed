#!/usr/bin/env python3
"""check_calls.py BUILD_DIR — no two files of camp call each other.

Reads the symbols of the product's objects (nm) under BUILD_DIR, draws an
edge a.o -> b.o when a.o uses a function b.o defines, and reports every
cycle (strongly connected set of more than one file) except the
recursions listed in ALLOWED: within a folder the files are layered too,
a file calling only those below it.  Exits 1 if there is any other."""
import os
import subprocess
import sys

PRODUCT = ("lang", "compiler", "runtime", "cli")

# Tables of function pointers that everything below them registers in:
# their references are the dispatch, not calls back up.
REGISTRIES = {
    "cli/commands.c": "the command table: main() dispatches through it, and every command's"
                      " option parser reads it (help, man page and completions come from it)",
}

# Recursion that is the algorithm, not a tangle: the only cycles allowed.
ALLOWED = {
    ("compiler/check/check_call.c", "compiler/check/check_expr.c"):
        "recursive descent: a call's arguments are expressions",
    ("compiler/check/check_channel.c", "compiler/check/check_distrib.c", "compiler/check/check_graph.c",
     "compiler/check/check_step.c"):
        "the graph walk checks a step's producers from inside its checker (input_pop -> visit),"
        " so diagnostics follow the campaign's reading order",
}


def objects(build):
    for top in PRODUCT:
        for d, _, names in os.walk(os.path.join(build, top)):
            for n in sorted(names):
                if n.endswith(".o"):
                    src = os.path.relpath(os.path.join(d, n), build)[:-2]
                    # skip objects whose source is gone (stale after a move)
                    if os.path.exists(src + ".c"):
                        yield os.path.join(d, n), src + ".c"


def nm(path, flag):
    out = subprocess.run(["nm", flag, path], capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def main(build):
    objs = list(objects(build))
    if not objs:
        print(f"check_calls: no objects under {build}")
        return 1
    defined = {}
    for o, src in objs:
        for line in nm(o, "--defined-only"):
            parts = line.split()
            if len(parts) == 3 and parts[1] in "TDBR":
                defined[parts[2]] = src
    edges = {src: set() for _, src in objs}
    for o, src in objs:
        if src in REGISTRIES:
            continue
        for line in nm(o, "-u"):
            sym = line.split()[-1]
            dst = defined.get(sym)
            if dst and dst != src:
                edges[src].add(dst)
    # Tarjan's strongly connected components
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    bad = [c for c in sccs if tuple(c) not in ALLOWED]
    for comp in bad:
        print("call cycle: " + " <-> ".join(comp))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "build"))
