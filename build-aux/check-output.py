#!/usr/bin/env python3
# Runs a program and checks its standard output against a file of
# expectations, one Python regular expression per line (blank lines and
# lines starting with '#' are ignored). Each expectation must match a
# whole line of output, in order; other lines may come in between.
# Usage: check-output.py EXPECTED-FILE PROGRAM [ARGS...]
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: check-output.py EXPECTED PROGRAM [ARGS...]')
    with open(sys.argv[1], encoding='utf-8') as f:
        patterns = [line.rstrip('\n') for line in f
                    if line.strip() and not line.startswith('#')]
    proc = subprocess.run(sys.argv[2:], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=600)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        sys.exit(f'FAIL: {sys.argv[2]} exited with {proc.returncode}')
    lines = proc.stdout.splitlines()
    pos = 0
    for pattern in patterns:
        regex = re.compile(pattern)
        while pos < len(lines) and not regex.fullmatch(lines[pos]):
            pos += 1
        if pos == len(lines):
            sys.exit(f'FAIL: no line (in order) matches {pattern!r}')
        pos += 1
    print(f'ok: {len(patterns)} expectations matched')


if __name__ == '__main__':
    main()
