#!/usr/bin/env python3
# Checks examples/bounded-reader (the C program, or its Python or GJS port)
# against "find DIR -type f -print0 | xargs -0 cat | wc -c -l" on a tree
# with nested and empty directories, empty files, files without a final
# newline, a 5 MiB file, a few hundred small files, names with spaces and
# newlines, and symbolic links (not followed); then checks that a deadline
# stops everything: a named pipe that nobody writes makes a read wait
# forever, so the deadline fires whatever the machine's speed, and the
# program must exit promptly with status 2, the counts so far and
# "deadline reached", with nothing left pending in its task group and
# every limiter permit back (--stats).
# Usage: test-bounded-reader.py PROGRAM [ARGS…]   (the command to run)
import os
import re
import subprocess
import sys
import tempfile
import time

command = sys.argv[1:]
failures = 0
LIMIT = 20   # seconds: generous, only there to catch a hang


def check(cond, what):
    global failures
    print(('ok - ' if cond else 'not ok - ') + what)
    if not cond:
        failures += 1


def run(*args):
    start = time.monotonic()
    out = subprocess.run(command + list(args), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=LIMIT * 3)
    return out, time.monotonic() - start


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def make_tree(top):
    deep = os.path.join(top, 'a', 'b', 'c', 'd')
    os.makedirs(deep)
    os.makedirs(os.path.join(top, 'empty-dir', 'also-empty'))
    for i in range(300):
        sub = ('', 'a', os.path.join('a', 'b'), deep)[i % 4]
        # Every few lines, one without a final newline; some files empty.
        body = b''.join(b'line %d of %d\n' % (n, i) for n in range(i % 7))
        write(os.path.join(top, sub, f'small-{i:03d}.txt'), body + b'tail' * (i % 3 == 0))
    write(os.path.join(top, 'empty'), b'')
    write(os.path.join(top, 'a', 'no newline at all'), b'x' * 1000)
    write(os.path.join(top, 'a', 'b', 'name\nwith newline'), b'1\n2\n3')
    write(os.path.join(top, 'spaces in name', 'file  with  spaces'), b'a b\n')
    big = bytes(range(256)) * 4096 * 5   # 5 MiB, one newline per 256 bytes
    write(os.path.join(top, 'big.bin'), big)
    os.symlink(os.path.join(top, 'big.bin'), os.path.join(top, 'link-to-big'))
    os.symlink(os.path.join(top, 'a'), os.path.join(top, 'link-to-a'))


def expected_counts(*paths):
    names = subprocess.run(['find', *paths, '-type', 'f', '-print0'], check=True,
                           stdout=subprocess.PIPE).stdout
    wc = subprocess.run('xargs -0 cat | wc -c -l', shell=True, input=names, check=True,
                        stdout=subprocess.PIPE).stdout.split()
    lines, size, files = int(wc[0]), int(wc[1]), names.count(b'\0')
    return f'{size} {lines} {files}\n'


STATS = re.compile(r'stats: (\d+) members pending, (\d+)/(\d+) read permits free, '
                   r'(\d+)/(\d+) listing permits free')


def check_stats(stderr, jobs, what):
    m = STATS.search(stderr)
    check(m is not None, f'{what}: --stats printed')
    if m is not None:
        pending, reads, n_reads, listings, n_listings = map(int, m.groups())
        check(pending == 0, f'{what}: no member left pending (got {pending})')
        check(reads == n_reads == jobs, f'{what}: every read permit back ({reads}/{n_reads})')
        check(listings == n_listings == jobs,
              f'{what}: every listing permit back ({listings}/{n_listings})')


with tempfile.TemporaryDirectory(prefix='bounded-reader-') as top:
    tree = os.path.join(top, 'tree')
    make_tree(tree)
    expected = expected_counts(tree)

    for jobs in (None, '1', '3'):
        args = ([] if jobs is None else ['-j', jobs]) + [tree]
        out, _ = run(*args)
        what = f'-j {jobs or "default"}'
        check(out.returncode == 0, f'{what}: exit status 0 (got {out.returncode})')
        check(out.stdout == expected, f'{what}: "{out.stdout.strip()}" is "{expected.strip()}"')
        check(out.stderr == '', f'{what}: nothing on stderr ({out.stderr!r})')

    # A deadline that does not fire changes nothing; --stats then shows
    # an idle group and limiters too.
    out, _ = run('--jobs', '4', '--deadline-ms', '60000', '--stats', tree)
    check(out.returncode == 0 and out.stdout == expected, 'a far deadline: same counts, status 0')
    check_stats(out.stderr, 4, 'a far deadline')

    # Named files are read as cat reads them, directories walked.
    small = os.path.join(tree, 'a', 'b', 'name\nwith newline')
    out, _ = run(small, os.path.join(tree, 'a', 'b', 'c'))
    check(out.stdout == expected_counts(small, os.path.join(tree, 'a', 'b', 'c')),
          'a file and a directory named on the command line')

    # An unreadable path is reported, the rest still counted: status 1.
    missing = os.path.join(top, 'does-not-exist')
    out, _ = run(missing, tree)
    check(out.returncode == 1, f'a missing path: exit status 1 (got {out.returncode})')
    check(out.stdout == expected, 'a missing path: the rest is counted')
    check('does-not-exist' in out.stderr and 'No such file' in out.stderr,
          f'a missing path: reported ({out.stderr.strip()!r})')

    # The deadline: a pipe nobody writes blocks its read forever.
    fifo = os.path.join(top, 'fifo')
    os.mkfifo(fifo)
    for jobs, paths in (('2', [tree, fifo]), ('1', [fifo, tree])):
        out, elapsed = run('-j', jobs, '--deadline-ms', '200', '--stats', *paths)
        what = f'deadline, -j {jobs}'
        check(out.returncode == 2, f'{what}: exit status 2 (got {out.returncode})')
        check(re.search(r'^bounded-reader: deadline reached after 200 ms$', out.stderr,
                        re.MULTILINE) is not None,
              f'{what}: "deadline reached" on stderr ({out.stderr.strip()!r})')
        check(elapsed < LIMIT, f'{what}: exits promptly ({elapsed:.1f} s)')
        got = re.fullmatch(r'(\d+) (\d+) (\d+)\n', out.stdout)
        total = [int(n) for n in expected.split()]
        check(got is not None and all(int(g) <= t for g, t in zip(got.groups(), total)),
              f'{what}: the counts so far ({out.stdout.strip()!r}, at most {expected.strip()})')
        check_stats(out.stderr, int(jobs), what)

if failures:
    print(f'{failures} check(s) failed')
sys.exit(1 if failures else 0)
