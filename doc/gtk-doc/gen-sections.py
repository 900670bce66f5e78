#!/usr/bin/env python3
# gen-sections.py: derive gasync-sections.txt from the public headers
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# gtk-doc wants a MODULE-sections.txt that places every declared symbol on a
# page. A hand-maintained one goes stale each time a header gains a symbol,
# so this script builds it from what gtkdoc-scan itself finds (its
# MODULE-decl-list.txt: one section per public header) and only applies the
# GNOME conventions gtkdoc-scan does not know about:
#
#  - GType plumbing (FOO_TYPE_*, *_get_type) goes to <SUBSECTION Standard>
#    of the section that declares the type, including the GTypes that
#    glib-mkenums generates into a header of their own;
#  - visibility and availability decorators (GASYNC_AVAILABLE_IN_*,
#    GASYNC_DEPRECATED*, GASYNC_UNAVAILABLE, GASYNC_INSIDE) go to
#    <SUBSECTION Private>, as GLib and json-glib file them.
#
# Everything else stays public, so a symbol without a doc comment shows up
# in MODULE-undocumented.txt and fails gtkdoc-check.
#
# gtk-doc also counts a page's short and long description as documentation.
# gasync documents its types gi-docgen style (the type's own doc block, no
# SECTION: comments), so for every page whose sources carry no
# "SECTION:<page>" comment this writes a small one, built from the header's
# summary line ("/* gasync-foo.h: summary"), into the stub directory, which
# gtkdoc-mkdb reads as an extra source directory. A real SECTION: comment in
# the sources replaces the stub.

import argparse
import os
import re
import subprocess
import sys
import tempfile
import textwrap

STANDARD_RES = [
    re.compile(r'^[A-Z][A-Z0-9]*_TYPE_[A-Z0-9_]+$'),
    re.compile(r'^[a-z][a-z0-9_]*_get_type$'),
]


def parse_decl_list(path):
    """Returns [(file, title, [(subsection, symbol)])] in file order."""
    sections = []
    cur = None
    subsection = None
    with open(path, encoding='utf-8') as f:
        for raw in f:
            line = raw.strip()
            if not line:
                continue
            if line == '<SECTION>':
                cur = {'file': None, 'title': None, 'symbols': []}
                subsection = None
            elif line == '</SECTION>':
                sections.append(cur)
                cur = None
            elif line.startswith('<FILE>'):
                cur['file'] = line[len('<FILE>'):-len('</FILE>')]
            elif line.startswith('<TITLE>'):
                cur['title'] = line[len('<TITLE>'):-len('</TITLE>')]
            elif line.startswith('<SUBSECTION'):
                subsection = line[len('<SUBSECTION'):-1].strip() or None
            else:
                cur['symbols'].append((subsection, line))
    return sections


def classify(symbol, subsection, private_res):
    if any(r.match(symbol) for r in private_res):
        return 'Private'
    if subsection in ('Standard', 'Private'):
        return subsection
    if any(r.match(symbol) for r in STANDARD_RES):
        return 'Standard'
    return None


def type_snake(type_name, identifier_prefix):
    """GAsyncFutureState -> future_state (with identifier prefix GAsync)."""
    if not type_name.startswith(identifier_prefix):
        return None
    rest = type_name[len(identifier_prefix):]
    if not rest or not rest[0].isupper():
        return None
    return re.sub(r'(?<=[a-z0-9])(?=[A-Z])', '_', rest).lower()


def home_for(symbol, homes, symbol_prefix):
    """The section declaring the type a GType symbol belongs to."""
    m = re.match(r'^%s_(.+)_get_type$' % re.escape(symbol_prefix), symbol)
    if m:
        return homes.get(m.group(1))
    m = re.match(r'^%s_TYPE_(.+)$' % re.escape(symbol_prefix.upper()), symbol)
    if m:
        return homes.get(m.group(1).lower())
    return None


def header_for(stem, headers):
    for path in headers:
        if os.path.basename(path) == stem + '.h':
            return path
    return None


def header_summary(stem, headers):
    """The summary of a header's first line: "/* gasync-foo.h: summary"."""
    path = header_for(stem, headers)
    if path is None:
        return None
    with open(path, encoding='utf-8') as f:
        first = f.readline().strip()
    m = re.match(r'^/\*\s*%s\.h:\s*(.+?)\s*(\*/)?$' % re.escape(stem), first)
    return m.group(1) if m else None


def declared_type(stem, headers):
    """The type a header declares with G_DECLARE_*_TYPE, if any."""
    path = header_for(stem, headers)
    if path is None:
        return None
    with open(path, encoding='utf-8') as f:
        m = re.search(r'G_DECLARE_\w+_TYPE\s*\(\s*(\w+)', f.read())
    return m.group(1) if m else None


def documented_sections(dirs, files):
    """Pages that already have a SECTION: comment in the sources."""
    paths = list(files)
    for d in dirs:
        for root, _, names in os.walk(d):
            paths += [os.path.join(root, n) for n in names if n.endswith(('.c', '.h'))]
    found = set()
    for path in paths:
        with open(path, encoding='utf-8', errors='replace') as f:
            found.update(re.findall(r'^\s*\*\s*SECTION:\s*(\S+)', f.read(), re.M))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--gtkdoc-scan', required=True)
    parser.add_argument('--module', required=True)
    parser.add_argument('--header', action='append', default=[],
                        help='public header, as given to gtkdoc-scan')
    parser.add_argument('--doc-source-dir', action='append', default=[],
                        help='directory gtkdoc-mkdb reads doc comments from')
    parser.add_argument('--symbol-prefix', required=True)
    parser.add_argument('--identifier-prefix', required=True)
    parser.add_argument('--private', action='append', default=[],
                        help='regular expression of symbols filed as Private')
    parser.add_argument('--include', required=True)
    parser.add_argument('--output', required=True)
    parser.add_argument('--stub-dir', required=True)
    opts = parser.parse_args()

    private_res = [re.compile(p) for p in opts.private]

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [opts.gtkdoc_scan, '--module=' + opts.module, '--output-dir=' + tmp]
        subprocess.run(cmd + opts.header, check=True, cwd=tmp)
        sections = parse_decl_list(os.path.join(tmp, opts.module + '-decl-list.txt'))

    # Which page declares which type: the GType plumbing goes there.
    homes = {}
    for sec in sections:
        for subsection, sym in sec['symbols']:
            snake = type_snake(sym, opts.identifier_prefix)
            if snake and classify(sym, subsection, private_res) is None:
                homes.setdefault(snake, sec)

    pages = []
    for sec in sections:
        sec['out'] = {None: [], 'Standard': [], 'Private': []}
        # gtkdoc-scan titles a page after its GObject type only for some
        # G_DECLARE_* forms; do it for all of them.
        if not sec['title']:
            sec['title'] = declared_type(sec['file'], opts.header)
    for sec in sections:
        for subsection, sym in sec['symbols']:
            kind = classify(sym, subsection, private_res)
            target = sec
            if kind == 'Standard':
                target = home_for(sym, homes, opts.symbol_prefix) or sec
            target['out'][kind].append(sym)

    # A header that declares nothing public (generated enum GTypes, an
    # umbrella header) gets no page of its own once its symbols moved home;
    # what is left goes to the Private part of the first page.
    leftovers = []
    for sec in sections:
        if sec['out'][None]:
            pages.append(sec)
        else:
            leftovers += sec['out']['Standard'] + sec['out']['Private']
    if not pages:
        sys.exit('gen-sections: gtkdoc-scan found no public symbol')
    pages[0]['out']['Private'] += leftovers

    with open(opts.output + '.tmp', 'w', encoding='utf-8') as out:
        for sec in pages:
            out.write('<SECTION>\n<FILE>%s</FILE>\n' % sec['file'])
            if sec['title']:
                out.write('<TITLE>%s</TITLE>\n' % sec['title'])
            for sym in sec['out'][None]:
                out.write(sym + '\n')
            for kind in ('Standard', 'Private'):
                if sec['out'][kind]:
                    out.write('<SUBSECTION %s>\n' % kind)
                    for sym in sorted(set(sec['out'][kind])):
                        out.write(sym + '\n')
            out.write('</SECTION>\n\n')
    os.replace(opts.output + '.tmp', opts.output)

    have_docs = documented_sections(opts.doc_source_dir, opts.header)
    os.makedirs(opts.stub_dir, exist_ok=True)
    stub = os.path.join(opts.stub_dir, opts.module + '-sections.c')
    with open(stub + '.tmp', 'w', encoding='utf-8') as out:
        out.write('/* Generated by gen-sections.py from the headers\' summary lines. */\n')
        for sec in pages:
            if sec['file'] in have_docs:
                continue
            stem = sec['file']
            title = sec['title'] or stem
            summary = header_summary(stem, opts.header)
            short = summary or title
            # "GAsyncFuture, a value that …" reads oddly under the title
            # GAsyncFuture: keep what follows the name.
            if short.startswith(title + ', '):
                short = short[len(title) + 2:]
            long_desc = 'The API declared in `%s.h`' % stem
            long_desc += (': %s.' % summary) if summary else '.'
            long_desc += (' Include `<%s>`; the per-type headers refuse to be'
                          ' included directly.' % opts.include)
            if sec['title']:
                long_desc += ' #%s describes the type in full.' % sec['title']
            body = '\n'.join(' * ' + line for line in textwrap.wrap(long_desc, 72, break_on_hyphens=False))
            out.write('\n/**\n * SECTION:%s\n * @title: %s\n * @short_description: %s\n'
                      ' * @include: %s\n *\n%s\n */\n'
                      % (stem, title, short, opts.include, body))
    os.replace(stub + '.tmp', stub)


if __name__ == '__main__':
    main()
