#!/usr/bin/env python3
# Prints where, under an installation prefix, a pure Python module must go
# for the interpreter running this script to import it without PYTHONPATH.
#
#   /usr/bin/python3 python-site-dir.py PREFIX
#
# The answer is a path relative to PREFIX, or nothing when this
# interpreter searches no directory under PREFIX (then any directory
# works, with PYTHONPATH).
#
# Why not meson's python module alone: meson 1.0 installs with Debian's
# `deb_system` scheme for every prefix, i.e. into PREFIX/lib/python3/
# dist-packages. That is right for /usr but not for the default prefix
# /usr/local: Debian's python searches /usr/local/lib/python3.X/
# dist-packages (its `posix_local` scheme) and never
# /usr/local/lib/python3/dist-packages. Each install scheme of the
# interpreter says where it puts data ("data", the prefix it installs
# under) and pure modules ("purelib"); the right scheme is the one that
# installs under PREFIX and whose purelib the interpreter searches.

import os
import sys
import sysconfig


def site_dir(prefix):
    prefix = os.path.normpath(prefix)
    searched = {os.path.normpath(p) for p in sys.path if p}
    schemes = [sysconfig.get_default_scheme(), 'deb_system', 'posix_local', 'posix_prefix']
    for scheme in schemes:
        if scheme not in sysconfig.get_scheme_names():
            continue
        paths = sysconfig.get_paths(scheme=scheme)
        purelib = os.path.normpath(paths['purelib'])
        if os.path.normpath(paths['data']) == prefix and purelib in searched:
            return os.path.relpath(purelib, prefix)
    return ''


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: python-site-dir.py PREFIX')
    print(site_dir(sys.argv[1]))


if __name__ == '__main__':
    main()
