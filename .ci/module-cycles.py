#!/usr/bin/env python3
"""Fails when a crate's modules depend on each other in a cycle.

For every `crate::a::b…` and `super::…` path in a module's source, the module
depends on the module the path names. Parent and child are one unit (a
parent declares its children, a child may use what its parent declares), so
an edge between two modules counts between the two *siblings* under their
nearest common ancestor: `caller/accounts.rs` using `crate::accounts` is an
edge `caller -> accounts` at the top level. Any cycle among siblings, at any
level, is reported with the file and line of each edge.

    python3 .ci/module-cycles.py crates/sinch-auth-service/src [more crate src dirs]
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

PATH = re.compile(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)")
COMMENT = re.compile(r"//.*$")


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return tuple(parts)


def modules(src: Path) -> set:
    return {module_of(src, f) for f in src.rglob("*.rs")}


def resolve(known: set, base: tuple, segments: list) -> tuple:
    """The longest prefix of base + segments that is a module."""
    full = list(base) + segments
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in known:
            return tuple(full[:n])
    return ()


def edges(src: Path):
    known = modules(src)
    for file in sorted(src.rglob("*.rs")):
        here = module_of(src, file)
        in_tests = False
        for number, line in enumerate(file.read_text().splitlines(), 1):
            if line.startswith("#[cfg(test)]"):
                in_tests = True  # unit tests may use anything of their module
            if in_tests:
                continue
            for root, rest in PATH.findall(COMMENT.sub("", line)):
                segments = rest.split("::")[1:]
                if root == "crate":
                    base = ()
                else:
                    base = here
                    while segments and segments[0] == "super":
                        segments.pop(0)
                        base = base[:-1]
                    base = base[:-1]
                target = resolve(known, base, segments)
                yield here, target, f"{file}:{number}"


def lift(a: tuple, b: tuple):
    """The sibling modules under a and b's nearest common ancestor."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    if n == len(a) or n == len(b):
        return None  # one contains the other
    return a[: n + 1], b[: n + 1]


def cycles(graph: dict):
    state, stack, found = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def main(dirs) -> int:
    failed = False
    for src in map(Path, dirs):
        graph, where = defaultdict(set), {}
        for here, target, location in edges(src):
            pair = lift(here, target)
            if pair:
                graph[pair[0]].add(pair[1])
                graph.setdefault(pair[1], set())
                where.setdefault(pair, location)
        found = cycles(graph)
        name = lambda m: "::".join(m)
        for cycle in found:
            failed = True
            print(f"{src}: module cycle " + " -> ".join(name(m) for m in cycle))
            for a, b in zip(cycle, cycle[1:]):
                print(f"    {name(a)} -> {name(b)} at {where[(a, b)]}")
        edges_count = sum(len(v) for v in graph.values())
        if not found:
            print(f"{src}: {len(graph)} modules, {edges_count} sibling edges, no cycle")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["crates/sinch-auth-service/src"]))
