#!/usr/bin/env python3
# build-locale.py: compile po files into an uninstalled locale tree
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes OUTPUT_DIR/<lang>/LC_MESSAGES/DOMAIN.mo for each <lang>.po given,
# the layout bindtextdomain() expects, so the build tree can be run
# translated with GASYNC_LOCALEDIR=OUTPUT_DIR.

import argparse
import os
import subprocess

parser = argparse.ArgumentParser()
parser.add_argument('--msgfmt', required=True)
parser.add_argument('--domain', required=True)
parser.add_argument('--output-dir', required=True)
parser.add_argument('po_files', nargs='+')
opts = parser.parse_args()

for po in opts.po_files:
    lang = os.path.splitext(os.path.basename(po))[0]
    mo_dir = os.path.join(opts.output_dir, lang, 'LC_MESSAGES')
    os.makedirs(mo_dir, exist_ok=True)
    mo = os.path.join(mo_dir, opts.domain + '.mo')
    subprocess.run([opts.msgfmt, '--check', '-o', mo + '.tmp', po], check=True)
    os.replace(mo + '.tmp', mo)

# The output is a directory: touch it so the build tool sees it up to date
# even when only files inside it changed.
os.utime(opts.output_dir)
