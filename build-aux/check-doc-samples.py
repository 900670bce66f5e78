#!/usr/bin/env python3
# check-doc-samples.py: compile and run every code sample of the tutorial
# pages, so that no page shows code that does not work.
#
#   check-doc-samples.py --build-root BUILDDIR [options] PAGE.md...
#
# Every fenced code block of each page is one complete sample:
#
#   ```c       a translation unit, compiled with warnings as errors against
#              the uninstalled library (the headers of the source and build
#              trees, -L BUILDDIR/src -lgasync-1, GLib capped at 2.74), then
#              linked and run if it has a main(); it must exit with 0
#   ```python  a script, run with Debian's /usr/bin/python3 (PyGObject)
#              against the uninstalled typelib and Python override
#   ```js      an ES module, run with `gjs -m` against the uninstalled typelib
#
# A sample may end with the output it prints, which is then checked: a
# trailing comment whose first line is "Output:" (`/* Output: … */` in C,
# `# Output:` lines in Python, `// Output:` lines in JavaScript). In the
# expected text, "..." matches anything within a line, and a line that is
# only "..." matches any number of lines.
#
# Samples run with G_DEBUG=fatal-criticals, and a GLib warning on stderr
# fails them too. Links between pages ([text](slug.html#anchor)) must name
# a page of the same directory by its "Slug:" and one of its headings;
# gi-docgen itself checks the API links ([func@GAsync.block_on]) when the
# reference is built. Any other fence language, a fence without a language, or
# an indented fence (Python-Markdown, which gi-docgen uses, does not render
# those as code) is an error unless ALLOWED below says why it is fine.
#
# Exit status: 0 if every sample passed, 1 if one failed (each failure is
# reported with its page, block number, line and the tool's output), 77
# (skipped, for meson) if no sample of the page could run here, for
# example Python samples in a build without introspection.

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import sys
import time

# (page, fence language) → why such blocks are not compiled or run. Keep it
# short: a sample that cannot be checked is a sample that can rot.
ALLOWED = {
    ('overview.md', 'meson'):
        'a line for the reader\'s own meson.build, not a program: meson '
        'evaluates whole projects only',
    ('README.md', 'sh'):
        'the quick-start and build commands: CI runs exactly these '
        '(.ci/run calls build-aux/quickstart test)',
    ('README.md', 'vala'):
        'a tour of the Vala API; tests/vala/gasync-vala.vala is the '
        'complete program built and run by meson test',
}

LANGUAGES = ('c', 'python', 'js')

C_FLAGS = [
    '-std=gnu11',
    '-O2', '-g',     # as the debugoptimized build; -O2 also finds uninitialized variables
    '-Wall', '-Wextra', '-Werror',
    '-Wno-unused-parameter',
    '-Wmissing-prototypes', '-Wstrict-prototypes', '-Wshadow',
    '-Wformat=2', '-Wdeclaration-after-statement',
    # Samples must work with the oldest GLib gasync supports.
    '-DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74',
    '-DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74',
]

RUN_TIMEOUT = 60
FENCE = re.compile(r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$')
GLIB_WARNING = re.compile(r'-(WARNING|CRITICAL) \*\*')
LINK = re.compile(r'\]\((?P<target>[^)\s]+)\)')
# Files gi-docgen generates for API symbols, which it checks itself.
API_PAGE = re.compile(r'^(alias|callback|class|const|ctor|enum|error|flags|func|iface|method|'
                      r'property|signal|struct|type_func|vfunc|index|classes_hierarchy)\b')


class Block:
    def __init__(self, page, number, line, lang, text):
        self.page = page
        self.number = number
        self.line = line
        self.lang = lang
        self.text = text

    def __str__(self):
        return '{}: block {} (```{} at line {})'.format(
            os.path.basename(self.page), self.number, self.lang or '', self.line)


def extract(page):
    """Returns the fenced blocks of @page, and the structural errors."""
    blocks = []
    errors = []
    with open(page, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        start = i + 1
        fence = m.group('fence')
        lang = m.group('info').strip().split(' ')[0] if m.group('info').strip() else ''
        body = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group('fence').startswith(fence) and not close.group('info').strip():
                break
            body.append(lines[i])
            i += 1
        else:
            errors.append('{}:{}: fence ``` not closed'.format(page, start))
        block = Block(page, len(blocks) + 1, start, lang, '\n'.join(body) + '\n')
        if m.group('indent'):
            errors.append('{}: indented fence; gi-docgen renders it as text, not as '
                          'code: start it at column 0'.format(block))
        blocks.append(block)
        i += 1
    return blocks, errors


def heading_ids(text):
    """The ids Python-Markdown's toc extension gives the headings."""
    ids = set()
    in_fence = False
    for line in text.split('\n'):
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.startswith('#'):
            title = line.lstrip('#').strip()
            slug = re.sub(r'[^\w\s-]', '', title).strip().lower()
            ids.add(re.sub(r'[-\s]+', '-', slug))
    return ids


def check_links(page, reference_pages=None):
    """Returns an error for each link to a page or heading that is not there.
    Pages are the .md files next to @page, or only @reference_pages (the
    file names the reference is built from) if given."""
    pages = {}
    directory = os.path.dirname(os.path.abspath(page))
    for name in os.listdir(directory):
        if name.endswith('.md') and (not reference_pages or name in reference_pages):
            with open(os.path.join(directory, name), encoding='utf-8') as f:
                text = f.read()
            m = re.search(r'^Slug:\s*(\S+)', text, re.MULTILINE)
            if m:
                pages[m.group(1)] = heading_ids(text)
    with open(page, encoding='utf-8') as f:
        text = f.read()
    errors = []
    in_fence = False
    for number, line in enumerate(text.split('\n'), start=1):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for m in LINK.finditer(line):
            target = m.group('target')
            if re.match(r'^[a-z]+:', target) or API_PAGE.match(target):
                continue
            name, _, anchor = target.partition('#')
            if os.path.basename(page) == 'README.md':
                # The README is read in the source tree: it links to files.
                if name and not os.path.exists(os.path.join(os.path.dirname(page), name)):
                    errors.append('{}:{}: link to {!r}: no such file'.format(page, number, target))
                continue
            slug = name[:-len('.html')] if name.endswith('.html') else None
            if name and slug is None:
                errors.append('{}:{}: link to {!r}: pages link to each other as SLUG.html'.format(
                    page, number, target))
            elif name and slug not in pages:
                errors.append('{}:{}: link to {!r}: no page of the reference has "Slug: {}"'.format(
                    page, number, target, slug))
            elif anchor and anchor not in pages.get(slug, heading_ids(text)):
                errors.append('{}:{}: link to {!r}: that page has no heading with id {!r}'.format(
                    page, number, target, anchor))
    return errors


# Expected output

def expected_output(block):
    """Returns the lines of the trailing Output: comment, or None."""
    text = block.text.rstrip()
    if block.lang == 'c':
        m = re.search(r'/\*\s*Output:[ \t]*\n(?P<body>(?:.*\n)*?)\s*\*/\s*$', text + '\n')
        if m is None:
            return None
        return [re.sub(r'^\s*\* ?', '', line) for line in m.group('body').rstrip('\n').split('\n')]
    prefix = '#' if block.lang == 'python' else '//'
    lines = text.split('\n')
    tail = []
    for line in reversed(lines):
        if not line.lstrip().startswith(prefix):
            break
        tail.insert(0, line.lstrip()[len(prefix):])
    for k, line in enumerate(tail):
        if line.strip() == 'Output:':
            return [line[1:] if line.startswith(' ') else line for line in tail[k + 1:]]
    return None


def output_matches(expected, actual):
    pattern = ''
    for line in expected:
        if line.strip() == '...':
            pattern += r'(?:[^\n]*\n)*?'
        else:
            pattern += '.*?'.join(re.escape(part) for part in line.rstrip().split('...')) + r'[ \t]*\n'
    actual = '\n'.join(line.rstrip() for line in actual.rstrip('\n').split('\n')) + '\n'
    return re.fullmatch(pattern, actual) is not None


# Running

class Checker:
    def __init__(self, args):
        self.args = args
        self.failures = 0
        self.passed = 0
        self.skipped = 0
        build = args.build_root
        source = args.source_root
        self.cc = args.cc or shlex.split(os.environ.get('CC', 'cc'))
        pkg = subprocess.run(['pkg-config', '--cflags', '--libs', 'gio-2.0'],
                             check=True, capture_output=True, text=True).stdout.split()
        sanitize = [] if args.sanitize in ('', 'none') else ['-fsanitize=' + args.sanitize]
        self.c_compile = (self.cc + C_FLAGS + sanitize +
                          ['-I' + os.path.join(source, 'include'),
                           '-I' + os.path.join(source, 'include', 'gasync'),
                           '-I' + os.path.join(build, 'include'),
                           '-I' + os.path.join(build, 'include', 'gasync')] +
                          [flag for flag in pkg if not flag.startswith('-l')])
        self.c_link = (['-L' + os.path.join(build, 'src'), '-lgasync-1'] +
                       [flag for flag in pkg if flag.startswith('-l')])

        env = dict(os.environ)
        env['LD_LIBRARY_PATH'] = os.pathsep.join(
            filter(None, [os.path.join(build, 'src'), env.get('LD_LIBRARY_PATH')]))
        if args.typelib_dir:
            env['GI_TYPELIB_PATH'] = os.pathsep.join(
                filter(None, [args.typelib_dir, env.get('GI_TYPELIB_PATH')]))
        env['G_DEBUG'] = 'fatal-criticals'
        # Messages and quotes as the pages show them.
        env['LC_ALL'] = 'C.UTF-8'
        env.pop('LANGUAGE', None)
        env.pop('PYTHONPATH', None)
        if args.python_path:
            env['PYTHONPATH'] = args.python_path
        if 'address' in args.sanitize:
            env.setdefault('ASAN_OPTIONS', 'detect_leaks=1:abort_on_error=1:halt_on_error=1')
        if 'thread' in args.sanitize:
            # GLib is not instrumented: use the test suite's suppressions.
            env.setdefault('TSAN_OPTIONS', 'halt_on_error=1:second_deadlock_stack=1:suppressions=' +
                           os.path.join(args.source_root, 'tests', 'tsan.supp'))
            env.setdefault('G_SLICE', 'always-malloc')
        if 'undefined' in args.sanitize:
            env.setdefault('UBSAN_OPTIONS', 'halt_on_error=1:abort_on_error=1:print_stacktrace=1')
        self.env = env

        # Interpreters load the instrumented library after their own
        # start-up: the sanitizer runtime has to be preloaded, and their
        # own leaks at exit are not ours.
        self.interpreter_env = dict(env)
        for runtime, name in (('address', 'libasan.so'), ('thread', 'libtsan.so')):
            if runtime in args.sanitize:
                lib = subprocess.run(self.cc + ['-print-file-name=' + name], check=True,
                                     capture_output=True, text=True).stdout.strip()
                self.interpreter_env['LD_PRELOAD'] = lib
                if runtime == 'address':
                    self.interpreter_env['ASAN_OPTIONS'] = 'detect_leaks=0:abort_on_error=1:halt_on_error=1'
                break

    def fail(self, block, what, output='', source=None):
        self.failures += 1
        print('FAIL {}: {}'.format(block, what))
        if output.strip():
            print('---- output ----')
            print(output.rstrip())
        print('---- sample{} ----'.format(' ({})'.format(source) if source else ''))
        for n, line in enumerate(block.text.rstrip('\n').split('\n'), start=1):
            print('{:4} | {}'.format(n, line))
        print('----')
        sys.stdout.flush()

    def skip(self, block, why):
        self.skipped += 1
        print('SKIP {}: {}'.format(block, why))

    def run(self, block, argv, env, source):
        """Runs a sample in a session of its own, with its output in files,
        so that a child it leaves running (a GSubprocess not waited for)
        is seen, reported and killed instead of holding the test up."""
        start = time.monotonic()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(argv, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, start_new_session=True)
            try:
                proc.wait(timeout=RUN_TIMEOUT)
                timed_out = False
            except subprocess.TimeoutExpired:
                timed_out = True
            try:
                os.killpg(proc.pid, 0)
                leftovers = True
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                leftovers = False
            proc.wait()
            out.seek(0)
            err.seek(0)
            proc.stdout = out.read().decode(errors='replace')
            proc.stderr = err.read().decode(errors='replace')
        if timed_out:
            self.fail(block, 'did not finish within {} s'.format(RUN_TIMEOUT),
                      proc.stdout + proc.stderr, source)
            return
        both = proc.stdout + ('\n' if proc.stdout and proc.stderr else '') + proc.stderr
        if proc.returncode != 0:
            if proc.returncode < 0:
                try:
                    how = 'was killed by ' + signal.Signals(-proc.returncode).name
                except ValueError:
                    how = 'was killed by signal {}'.format(-proc.returncode)
            else:
                how = 'exited with status {}'.format(proc.returncode)
            self.fail(block, '{} {}'.format(os.path.basename(argv[0]), how), both, source)
            return
        if leftovers:
            self.fail(block, 'left child processes running (killed now): wait for '
                      'what it spawns, g_subprocess_force_exit() only sends a signal',
                      both, source)
            return
        if GLIB_WARNING.search(proc.stderr):
            self.fail(block, 'printed a GLib warning or critical', both, source)
            return
        expected = expected_output(block)
        if expected is not None and not output_matches(expected, proc.stdout):
            self.fail(block, 'printed something other than its "Output:" comment says',
                      '---- expected ----\n{}\n---- printed ----\n{}'.format(
                          '\n'.join(expected), proc.stdout.rstrip()),
                      source)
            return
        self.passed += 1
        print('ok   {}{}, ran in {:.2f} s'.format(
            block, ', output checked' if expected is not None else '', time.monotonic() - start))

    def check_c(self, block):
        source = os.path.join(self.workdir, 'block-{}.c'.format(block.number))
        with open(source, 'w', encoding='utf-8') as f:
            f.write(block.text)
        has_main = re.search(r'^\s*(int\s+)?main\s*\(', block.text, re.MULTILINE) is not None
        exe = os.path.join(self.workdir, 'block-{}'.format(block.number))
        if has_main:
            argv = self.c_compile + [source, '-o', exe] + self.c_link
        else:
            argv = self.c_compile + ['-c', source, '-o', exe + '.o']
        proc = subprocess.run(argv, capture_output=True, text=True, errors='replace')
        if proc.returncode != 0:
            self.fail(block, 'does not compile\n$ ' + shlex.join(argv),
                      proc.stdout + proc.stderr, source)
            return
        if not has_main:
            self.passed += 1
            print('ok   {}, compiled (no main)'.format(block))
            return
        self.run(block, [exe], self.env, source)

    def check_python(self, block):
        if not self.args.typelib_dir:
            self.skip(block, 'built without introspection')
            return
        source = os.path.join(self.workdir, 'block-{}.py'.format(block.number))
        with open(source, 'w', encoding='utf-8') as f:
            f.write(block.text)
        self.run(block, [self.args.python, source], self.interpreter_env, source)

    def check_js(self, block):
        if not self.args.typelib_dir:
            self.skip(block, 'built without introspection')
            return
        if not self.args.gjs:
            self.skip(block, 'gjs not found')
            return
        source = os.path.join(self.workdir, 'block-{}.js'.format(block.number))
        with open(source, 'w', encoding='utf-8') as f:
            f.write(block.text)
        self.run(block, [self.args.gjs, '-m', source], self.interpreter_env, source)

    def check_page(self, page):
        name = os.path.basename(page)
        self.workdir = os.path.join(self.args.work_dir, os.path.splitext(name)[0])
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir)

        blocks, errors = extract(page)
        errors += check_links(page, self.args.reference_pages)
        for error in errors:
            self.failures += 1
            print('FAIL ' + error)
        for block in blocks:
            if block.lang in LANGUAGES:
                getattr(self, 'check_' + block.lang)(block)
            elif (name, block.lang) in ALLOWED:
                self.skip(block, 'allowed: ' + ALLOWED[(name, block.lang)])
            else:
                self.fail(block, 'fence language {!r} is neither c, python nor js; '
                          'make it a complete sample, or add (page, language) to '
                          'ALLOWED in {} with the reason'.format(
                              block.lang, os.path.basename(__file__)))
        if not blocks:
            print('note {}: no code samples'.format(name))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--build-root', required=True,
                        help='the meson build directory (libgasync-1.so is in src/)')
    parser.add_argument('--source-root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument('--typelib-dir', default='',
                        help='where GAsync-1.0.typelib is; without it Python and JS samples are skipped')
    parser.add_argument('--work-dir', help='where samples are written and run (default: BUILD_ROOT/doc/samples)')
    parser.add_argument('--cc', action='append', default=[], help='the C compiler command, one word per option')
    parser.add_argument('--sanitize', default='none', help="meson's b_sanitize")
    parser.add_argument('--python', default='/usr/bin/python3')
    parser.add_argument('--python-path', default='',
                        help='PYTHONPATH of Python samples: where the uninstalled gi/overrides/GAsync.py is')
    parser.add_argument('--gjs', default='')
    parser.add_argument('--reference-pages', type=lambda s: s.split(','), default=None,
                        help='comma-separated file names of the pages gi-docgen renders; '
                        'links must point to one of them (default: any .md next to the page)')
    parser.add_argument('pages', nargs='+')
    args = parser.parse_args()
    args.build_root = os.path.abspath(args.build_root)
    args.source_root = os.path.abspath(args.source_root)
    if args.typelib_dir:
        args.typelib_dir = os.path.abspath(args.typelib_dir)
    if args.python_path:
        args.python_path = os.path.abspath(args.python_path)
    args.work_dir = os.path.abspath(args.work_dir or os.path.join(args.build_root, 'doc', 'samples'))

    checker = Checker(args)
    for page in args.pages:
        checker.check_page(page)

    print('{} passed, {} failed, {} skipped'.format(checker.passed, checker.failures, checker.skipped))
    if checker.failures:
        return 1
    if checker.passed == 0 and checker.skipped > 0:
        return 77
    return 0


if __name__ == '__main__':
    sys.exit(main())
