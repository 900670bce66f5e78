#!/usr/bin/env python3
# Checks examples/gasync-checksum against sha256sum: same output for many
# files at several -j levels, unreadable paths reported without stopping
# the rest, a clean stop on SIGINT with work in flight, names that need
# escaping, and --check compared with "sha256sum -c" byte for byte (standard
# output, standard error with the program name swapped, exit status) on
# good, corrupted, missing and improperly formatted entries.
# Usage: test-gasync-checksum.py PATH-TO-gasync-checksum
import os
import signal
import subprocess
import sys
import tempfile

tool = os.path.abspath(sys.argv[1])   # some checks run in another directory
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


def run(args, cwd, stdin=b''):
    r = subprocess.run(args, cwd=cwd, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return r.returncode, r.stdout, r.stderr


def same_as_sha256sum(args, cwd, what, stdin=b'', jobs=None):
    """Runs "sha256sum ARGS" and "gasync-checksum [-j JOBS] ARGS"; compares everything."""
    want = run(['sha256sum'] + args, cwd, stdin)
    got = run([tool] + (['-j', jobs] if jobs else []) + args, cwd, stdin)
    want_err = want[2].replace(b'sha256sum: ', b'gasync-checksum: ')
    check(got[0] == want[0], f'{what}: exit status {want[0]} (got {got[0]})')
    check(got[1] == want[1], f'{what}: standard output identical'
          + ('' if got[1] == want[1] else f'\n# want {want[1]!r}\n# got  {got[1]!r}'))
    check(got[2] == want_err, f'{what}: standard error identical'
          + ('' if got[2] == want_err else f'\n# want {want_err!r}\n# got  {got[2]!r}'))
    return got


# Names that sha256sum escapes (backslash, newline, carriage return) or that
# its diagnostics quote (space, colon, apostrophe, shell characters).
NAMES = ['plain', 'with space', 'back\\slash', 'new\nline', 'cr\rret',
         'all\\of\nthem\r', "quo'te", 'col:on', 'a$b', 'trailing \\',
         '\nleading newline', 'tab\there']

with tempfile.TemporaryDirectory(prefix='gasync-checksum-check-') as top:
    for i, name in enumerate(NAMES):
        with open(os.path.join(top, name), 'wb') as f:
            f.write(os.urandom(i * 977) + name.encode())
    os.mkdir(os.path.join(top, 'a dir'))

    same_as_sha256sum(NAMES, top, 'escaped names')
    _, ours, _ = run([tool, '-j', '3'] + NAMES, top)
    theirs = run(['sha256sum'] + NAMES, top)[1]
    with open(os.path.join(top, 'ours.sha256'), 'wb') as f:
        f.write(ours)
    with open(os.path.join(top, 'theirs.sha256'), 'wb') as f:
        f.write(theirs)

    # Each tool verifies the other's list, all OK.
    rc, out, err = run(['sha256sum', '-c', 'ours.sha256'], top)
    check(rc == 0 and err == b'' and out.count(b': OK\n') == len(NAMES),
          f'sha256sum -c accepts our list ({rc}, {err!r})')
    same_as_sha256sum(['-c', 'ours.sha256'], top, 'check our own list')
    same_as_sha256sum(['-c', 'theirs.sha256'], top, "check sha256sum's list")
    same_as_sha256sum(['-c', '-'], top, 'check a list on standard input', stdin=ours)
    same_as_sha256sum(['-c'], top, 'check standard input by default', stdin=ours)

    # A list with every kind of trouble: a corrupted file, a missing one, a
    # directory, improperly formatted lines, a comment, a CRLF line end,
    # upper-case hex, a binary-mode "*" line and a BSD-style line.
    lines = theirs.splitlines(keepends=True)
    digest = lines[0][:64].decode()
    extra = [b'# a comment\n', b'not a checksum line\n', b'\n',
             f'{digest}  a dir\n'.encode(), f'{digest}  missing file\n'.encode(),
             f'{digest.upper()}  plain\r\n'.encode(), f'{digest} *plain\n'.encode(),
             f'SHA256 (plain) = {digest}\n'.encode(), b'\\' + f'{digest}  bad\\escape\n'.encode(),
             f'{digest[:-1]}  short\n'.encode(), f'{digest}  plain'.encode()]
    with open(os.path.join(top, 'mixed.sha256'), 'wb') as f:
        f.write(b''.join(lines + extra))
    with open(os.path.join(top, 'with space'), 'ab') as f:
        f.write(b'corrupted')
    for options in ([], ['--quiet'], ['--status'], ['-w'], ['--strict'],
                    ['--strict', '-w', '--quiet'], ['--quiet', '-w'], ['--status', '-w']):
        same_as_sha256sum(['-c'] + options + ['mixed.sha256'], top,
                          f'check with {" ".join(options) or "no options"}')
    for jobs in ('1', '5'):
        same_as_sha256sum(['-c', 'mixed.sha256'], top, f'check -j {jobs}', jobs=jobs)

    # Several lists, one unreadable, one without any checksum line, and
    # "HASH NAME" (BSD reversed) lines.
    with open(os.path.join(top, 'empty.sha256'), 'wb') as f:
        f.write(b'# nothing\n\njunk\n')
    with open(os.path.join(top, 'reversed.sha256'), 'wb') as f:
        f.write(f'{digest} plain\n{digest}  plain\n'.encode())
    same_as_sha256sum(['-c', 'theirs.sha256', 'no such list', 'empty.sha256', 'mixed.sha256'],
                      top, 'several lists')
    same_as_sha256sum(['-c', 'reversed.sha256'], top, 'BSD reversed lines')
    same_as_sha256sum(['-c', '--quiet', 'ours.sha256'], top, 'check --quiet, one corrupted')

if failures:
    sys.exit(f'{failures} check(s) failed')
