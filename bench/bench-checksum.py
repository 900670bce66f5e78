#!/usr/bin/env python3
# examples/gasync-checksum next to sha256sum, on 2,000 small files and on a
# few large ones, in the same run: a warm-up of each, then interleaved
# rounds (A B A B …), medians with min..max and the median ratio of the
# wall-clock times (gasync-checksum / sha256sum: below 1 is faster). The
# outputs are compared every round: a mismatch is an error.
# Usage: bench-checksum.py PATH-TO-gasync-checksum [--quick] [--rounds N]
import os
import statistics
import subprocess
import sys
import tempfile
import time

tool = sys.argv[1]
quick = '--quick' in sys.argv
rounds = 1 if quick else 5
if '--rounds' in sys.argv:
    rounds = int(sys.argv[sys.argv.index('--rounds') + 1])


def timed(cmd):
    start = time.monotonic()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    return time.monotonic() - start, out


def compare(label, files, jobs):
    ours = [tool, '-j', str(jobs)] + files
    theirs = ['sha256sum'] + files
    timed(ours)
    timed(theirs)   # warm-up, and the page cache
    a, b, ratios = [], [], []
    for _ in range(rounds):
        ta, out_a = timed(ours)
        tb, out_b = timed(theirs)
        if out_a != out_b:
            sys.exit(f'{label}: outputs differ')
        a.append(ta)
        b.append(tb)
        ratios.append(ta / tb)

    def fmt(xs):
        return f'{statistics.median(xs) * 1000:.1f} ms ({min(xs) * 1000:.1f}..{max(xs) * 1000:.1f})'
    print(f'{label:44} gasync-checksum -j {jobs}: {fmt(a):28} sha256sum: {fmt(b):28} '
          f'{statistics.median(ratios):.2f}x ({min(ratios):.2f}..{max(ratios):.2f})')


print(f'# gasync-checksum vs sha256sum ({"quick mode: proves it runs" if quick else "full"}, '
      f'{rounds} round(s) after a warm-up, interleaved; wall-clock medians; ratio = ours/theirs)')
with tempfile.TemporaryDirectory(prefix='gasync-bench-checksum-') as top:
    n_small = 50 if quick else 2000
    small = []
    for i in range(n_small):
        path = os.path.join(top, f'small-{i:04d}')
        with open(path, 'wb') as f:
            f.write(os.urandom(512 + (i * 7919) % 16384))
        small.append(path)
    big = []
    for i in range(4):
        path = os.path.join(top, f'large-{i}')
        with open(path, 'wb') as f:
            chunk = os.urandom(1 << 20)
            for _ in range(2 if quick else 64):
                f.write(chunk)
        big.append(path)
    jobs = os.cpu_count() or 2
    compare(f'{n_small} small files (0.5-17 KiB)', small, jobs)
    compare(f'4 large files ({2 if quick else 64} MiB each)', big, jobs)
