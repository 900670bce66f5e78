#!/usr/bin/env python3
# Checks examples/gasync-checksum against sha256sum: same output for many
# files at several -j levels, unreadable paths reported without stopping
# the rest, and a clean stop on SIGINT with work in flight.
# Usage: test-gasync-checksum.py PATH-TO-gasync-checksum
import os
import signal
import subprocess
import sys
import tempfile

tool = sys.argv[1]
failures = 0


def check(cond, what):
    global failures
    print(('ok - ' if cond else 'not ok - ') + what)
    if not cond:
        failures += 1


with tempfile.TemporaryDirectory(prefix='gasync-checksum-') as top:
    files = []
    os.makedirs(os.path.join(top, 'sub', 'deeper'))
    for i in range(300):
        sub = ('', 'sub', os.path.join('sub', 'deeper'))[i % 3]
        path = os.path.join(top, sub, f'file-{i:03d}.bin')
        with open(path, 'wb') as f:
            f.write(os.urandom(i * 37 % 5000) + bytes([i % 256]) * (i * 101))
        files.append(path)
    big = os.path.join(top, 'big.bin')
    with open(big, 'wb') as f:
        f.write(os.urandom(1 << 20) * 8)
    files.append(big)
    empty = os.path.join(top, 'empty')
    open(empty, 'wb').close()
    files.append(empty)

    expected = subprocess.run(['sha256sum'] + files, check=True,
                              stdout=subprocess.PIPE, text=True).stdout
    for jobs in ('1', '3', '8'):
        out = subprocess.run([tool, '-j', jobs] + files, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=60)
        check(out.returncode == 0, f'-j {jobs}: exit status 0 (got {out.returncode})')
        check(out.stdout == expected, f'-j {jobs}: output identical to sha256sum')

    # A directory is walked recursively, in sorted order.
    walked = sorted(os.path.join(d, n) for d, _, ns in os.walk(top) for n in ns)
    out = subprocess.run([tool, top], stdout=subprocess.PIPE, text=True, timeout=60)
    got = [line.split('  ', 1)[1] for line in out.stdout.splitlines()]
    check(sorted(got) == walked and len(got) == len(files),
          'a directory argument hashes every file below it')

    # Unreadable paths: reported on stderr, the others still printed.
    missing = os.path.join(top, 'does-not-exist')
    unreadable = os.path.join(top, 'unreadable')
    with open(unreadable, 'w') as f:
        f.write('secret')
    os.chmod(unreadable, 0)
    args = [files[0], missing, files[1]]
    if os.geteuid() != 0:   # root reads anything
        args.append(unreadable)
    out = subprocess.run([tool, '-j', '2'] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=60)
    good = subprocess.run(['sha256sum', files[0], files[1]], stdout=subprocess.PIPE,
                          text=True).stdout
    check(out.returncode == 1, f'unreadable paths: exit status 1 (got {out.returncode})')
    check(out.stdout == good, 'unreadable paths: the readable files are still printed')
    check(f'gasync-checksum: {missing}: ' in out.stderr and 'No such file' in out.stderr,
          'unreadable paths: a clear message names the missing path')

    # SIGINT while a worker is blocked reading a FIFO that never ends:
    # the files before it are printed, then the tool stops at once.
    fifo = os.path.join(top, 'fifo')
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)   # keeps the reader's open() and read() waiting
    try:
        proc = subprocess.Popen([tool, '-j', '2', files[0], files[1], fifo],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        check(''.join(lines) == good, 'SIGINT: files before the FIFO were printed')
        proc.send_signal(signal.SIGINT)
        try:
            rest, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rest, err = proc.communicate()
        check(proc.returncode == 130, f'SIGINT: exit status 130 (got {proc.returncode})')
        check(rest == '', 'SIGINT: nothing printed for the interrupted file')
        check('interrupted, 2 of 3 files hashed' in err, 'SIGINT: says it was interrupted')
    finally:
        os.close(writer)

if failures:
    sys.exit(f'{failures} check(s) failed')
