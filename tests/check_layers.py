#!/usr/bin/env python3
# The house rules of issue 9, checked on every build:
#  - no two source files of the library call each other, directly or
#    through others (files form layers, not circles), read from the
#    symbols each object of the internal static library defines and uses;
#  - no source file under src/ is longer than MAX_LINES.
#
# Usage: check_layers.py LIBGASYNC_INTERNAL.a SRCDIR
import os
import subprocess
import sys

MAX_LINES = 1200


def read_symbols(archive):
    """Map each object to the global symbols it defines and the ones it uses."""
    out = subprocess.run(['nm', archive], capture_output=True, text=True, check=True).stdout
    defines, uses, current = {}, {}, None
    for line in out.splitlines():
        if line.endswith(':') and line.endswith('.o:'):
            current = line[:-1].split('/')[-1].replace('.c.o', '').replace('.o', '')
            defines.setdefault(current, set())
            uses.setdefault(current, set())
            continue
        parts = line.split()
        if current is None:
            continue
        if len(parts) == 3 and parts[1] in 'TDBR':
            defines[current].add(parts[2])
        elif len(parts) == 2 and parts[0] == 'U':
            uses[current].add(parts[1])
    return defines, uses


def build_edges(defines, uses):
    owner = {sym: obj for obj, syms in defines.items() for sym in syms}
    edges = {obj: set() for obj in defines}
    for obj, syms in uses.items():
        for sym in syms:
            target = owner.get(sym)
            if target is not None and target != obj:
                edges[obj].add(target)
    return edges


def find_cycle(edges):
    """Return one cycle as a list of objects, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 'open':
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 'done'
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def long_files(srcdir):
    bad = []
    for name in sorted(os.listdir(srcdir)):
        if name.endswith('.c'):
            with open(os.path.join(srcdir, name), encoding='utf-8') as f:
                n = sum(1 for _ in f)
            if n > MAX_LINES:
                bad.append((name, n))
    return bad


def main():
    archive, srcdir = sys.argv[1], sys.argv[2]
    edges = build_edges(*read_symbols(archive))
    ok = True
    if len(edges) < 5:
        print(f'only {len(edges)} objects found in {archive}: cannot check layers')
        return 1
    cycle = find_cycle(edges)
    if cycle:
        print('files call each other: ' + ' -> '.join(cycle))
        ok = False
    for name, n in long_files(srcdir):
        print(f'{name}: {n} lines (more than {MAX_LINES})')
        ok = False
    if ok:
        print(f'{len(edges)} objects, no circle; every source file within {MAX_LINES} lines')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
