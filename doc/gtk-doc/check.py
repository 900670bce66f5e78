#!/usr/bin/env python3
# check.py: run gtkdoc-check, and say which symbols made it fail
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# gtkdoc-check only prints counts ("4 undocumented or incomplete
# symbols"); the names are in the MODULE-*.txt reports next to it. Print
# the non-empty ones when it fails, so the test log is enough to act on.

import os
import subprocess
import sys

gtkdoc_check, module, main_file, workdir = sys.argv[1:5]

env = dict(os.environ, DOC_MODULE=module, DOC_MAIN_SGML_FILE=main_file)
rc = subprocess.run([gtkdoc_check], cwd=workdir, env=env).returncode

if rc != 0:
    reports = [
        ('undocumented', 'symbols without (complete) documentation'),
        ('undeclared', 'symbols on a page but declared nowhere'),
        ('unused', 'declared symbols on no page, or documented parameters that do not exist'),
    ]
    for suffix, what in reports:
        path = os.path.join(workdir, '%s-%s.txt' % (module, suffix))
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8') as f:
            text = f.read().strip()
        if suffix == 'undocumented':
            # The first lines are the coverage summary; the names follow.
            text = text.partition('\n\n\n')[2].strip()
        if text:
            print('\n%s-%s.txt (%s):' % (module, suffix, what))
            for line in text.splitlines():
                print('  ' + line)

sys.exit(rc)
