#!/usr/bin/env python3
# check-install.py: gasync as its users get it, outside the test harness.
#
#   check-install.py --build-root BUILDDIR --prefix PREFIX --libdir LIBDIR \
#       [--meson MESON] [--gjs GJS] [--valac VALAC] [--sanitize SANITIZE] CHECK
#
# CHECK is one of:
#   installed-python  `meson install --destdir TMP`, then Debian's
#                     /usr/bin/python3 imports GAsync from TMP with only what
#                     a user sets for a prefix outside /usr (GI_TYPELIB_PATH,
#                     LD_LIBRARY_PATH) plus TMP's copy of the site directory
#                     the interpreter searches for PREFIX; the override must
#                     be active and loaded from there
#   installed-gjs     the same install, then gjs
#   devenv-python     `meson devenv -C BUILDDIR /usr/bin/python3 ...`: the
#                     uninstalled typelib, library and override
#   devenv-gjs        `meson devenv -C BUILDDIR gjs ...`
#   vala-uninstalled  valac compiles and links a program against the
#                     uninstalled VAPI with `--pkg gasync-1` alone
#
# Nothing here writes into the build directory, except that `meson
# install` always rewrites meson-logs/install-log.txt (what `ninja
# uninstall` removes): that file is put back as it was, under a lock.
# Exit status: 0 passed, 1 failed, 77 skipped (gjs or valac missing).

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile

PYTHON = '/usr/bin/python3'
SKIP = 77
TIMEOUT = 60
# Set by the harness or the developer's shell; each check sets its own.
SCRUBBED = ('PYTHONPATH', 'GI_TYPELIB_PATH', 'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH',
            'MESON_DEVENV', 'MESON_PROJECT_NAME', 'XDG_DATA_DIRS')

# The override's block_on takes Python callables and a `timeout=` keyword
# in seconds; the bare typelib's has neither ("unexpected keyword argument
# 'timeout'"). Prints where the override, typelib and library came from.
PYTHON_PROBE = r'''
import gi
gi.require_version('GAsync', '1.0')
from gi.repository import GAsync
import gi.overrides.GAsync as override
assert GAsync.block_on(lambda: 42, timeout=5) == 42
print('override', override.__file__)
print('typelib', gi.Repository.get_default().get_typelib_path('GAsync'))
print('library', [l.split()[-1] for l in open('/proc/self/maps') if 'libgasync-1.so' in l][0])
'''

# GJS has no override: the typelib's block_on (block_on_value renamed)
# returns the plain value. Prints where the library came from.
GJS_PROBE = r'''
imports.gi.versions.GAsync = '1.0';
const {GAsync, GLib} = imports.gi;
const value = GAsync.block_on(() => GAsync.Future.new_for_int(42), 5000, null);
if (value !== 42)
    throw new Error(`block_on gave ${value}`);
const maps = new TextDecoder().decode(GLib.file_get_contents('/proc/self/maps')[1]);
const line = maps.split('\n').find(l => l.includes('libgasync-1.so'));
print('library', line.split(/\s+/).pop());
'''

VALA_PROGRAM = r'''
int main () {
    var cancellable = new GLib.Cancellable ();
    try {
        Value? answer = GAsync.block_on ((c) => new GAsync.Future.for_int (42), 5000, cancellable);
        print ("%d\n", answer.get_int ());
        return answer.get_int () == 42 ? 0 : 1;
    } catch (Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }
}
'''


def fail(message):
    print('FAIL:', message)
    sys.exit(1)


def skip(message):
    print('SKIP:', message)
    sys.exit(SKIP)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(extra)
    return env


def run(argv, env, cwd=None):
    print('$', ' '.join(argv))
    proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        fail('{} exited with {}'.format(argv[0], proc.returncode))
    return proc.stdout


def probe_lines(output):
    """The 'key value' lines a probe printed, as a dict."""
    found = {}
    for line in output.splitlines():
        key, _, value = line.partition(' ')
        if key in ('override', 'typelib', 'library'):
            found[key] = value.strip()
    return found


def expect_under(what, path, root):
    if path is None or not os.path.realpath(path).startswith(os.path.realpath(root) + os.sep):
        fail('{} came from {}, not from {}'.format(what, path, root))
    print('ok: {} from {}'.format(what, path))


# meson install --destdir

def meson_install(args, destdir):
    """Installs what a Python or GJS user needs into @destdir, leaving the
    build directory's install log as it was."""
    log = os.path.join(args.build_root, 'meson-logs', 'install-log.txt')
    lock_path = os.path.join(args.build_root, 'tests', 'install', 'install.lock')
    with open(lock_path, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = None
        if os.path.exists(log):
            with open(log, 'rb') as f:
                saved = f.read()
        try:
            run([args.meson, 'install', '-C', args.build_root, '--no-rebuild', '--quiet',
                 '--destdir', destdir, '--tags', 'runtime,typelib,python-runtime'],
                env=clean_env())
        finally:
            if saved is None:
                if os.path.exists(log):
                    os.unlink(log)
            else:
                with open(log, 'wb') as f:
                    f.write(saved)


def site_dir_searched(prefix):
    """The directory under @prefix from which /usr/bin/python3 imports
    pure modules, asked of the interpreter itself (its sys.path, without
    PYTHONPATH or user site), or None."""
    out = subprocess.run([PYTHON, '-E', '-s', '-c', 'import sys; print("\\n".join(sys.path))'],
                         check=True, stdout=subprocess.PIPE, text=True).stdout.split('\n')
    return [p for p in out if p.endswith('-packages') and os.path.dirname(
        os.path.dirname(os.path.dirname(p))) == os.path.normpath(prefix)]


def installed_override(destdir, prefix):
    root = destdir + prefix
    for directory, _, files in os.walk(root):
        if directory.endswith(os.path.join('gi', 'overrides')) and 'GAsync.py' in files:
            return directory[len(destdir):]
    fail('meson install put no gi/overrides/GAsync.py under ' + root)


def check_installed_python(args, destdir, env):
    overrides = installed_override(destdir, args.prefix)
    site = os.path.dirname(os.path.dirname(overrides))
    searched = site_dir_searched(args.prefix)
    if searched:
        if site not in searched:
            fail('the override went to {}, which {} does not search; it searches {} '
                 '(the symptom: "block_on() got an unexpected keyword argument '
                 '\'timeout\'")'.format(site, PYTHON, searched))
        print('ok: {} is on the sys.path of {}'.format(site, PYTHON))
    else:
        print('note: {} searches nothing under {}: users set PYTHONPATH={}'.format(
            PYTHON, args.prefix, site))
    env['PYTHONPATH'] = destdir + site
    found = probe_lines(run([PYTHON, '-c', PYTHON_PROBE], env))
    expect_under('the override', found.get('override'), destdir)
    expect_under('the typelib', found.get('typelib'), destdir)
    expect_under('libgasync-1', found.get('library'), destdir)


def check_installed_gjs(args, destdir, env):
    found = probe_lines(run([args.gjs, '-c', GJS_PROBE], env))
    expect_under('libgasync-1', found.get('library'), destdir)


def check_installed(args, binding):
    if binding == 'gjs' and not args.gjs:
        skip('gjs not found')
    with tempfile.TemporaryDirectory(prefix='gasync-install-') as destdir:
        meson_install(args, destdir)
        libdir = os.path.join(destdir + args.prefix, args.libdir)
        # What a user sets for a prefix whose typelibs and libraries the
        # system does not search (everything outside /usr).
        env = clean_env(GI_TYPELIB_PATH=os.path.join(libdir, 'girepository-1.0'),
                        LD_LIBRARY_PATH=libdir)
        if binding == 'python':
            check_installed_python(args, destdir, env)
        else:
            check_installed_gjs(args, destdir, env)


# meson devenv

def check_devenv(args, binding):
    if binding == 'gjs' and not args.gjs:
        skip('gjs not found')
    command = [PYTHON, '-c', PYTHON_PROBE] if binding == 'python' else [args.gjs, '-c', GJS_PROBE]
    with tempfile.TemporaryDirectory(prefix='gasync-devenv-') as cwd:
        # devenv runs the command in the build directory unless told
        # otherwise; elsewhere, nothing there can shadow what it sets.
        found = probe_lines(run([args.meson, 'devenv', '-C', args.build_root, '--workdir', cwd] +
                                command, clean_env(), cwd=cwd))
    if binding == 'python':
        expect_under('the override', found.get('override'), args.source_root)
        expect_under('the typelib', found.get('typelib'), args.build_root)
    expect_under('libgasync-1', found.get('library'), args.build_root)


# The uninstalled VAPI

def check_vala(args):
    if not args.valac:
        skip('valac not found')
    vapidir = os.path.join(args.build_root, 'introspection')
    if not os.path.exists(os.path.join(vapidir, 'gasync-1.deps')):
        fail('no gasync-1.deps next to ' + os.path.join(vapidir, 'gasync-1.vapi'))
    sanitize = [] if args.sanitize in ('', 'none') else ['-X', '-fsanitize=' + args.sanitize]
    with tempfile.TemporaryDirectory(prefix='gasync-vala-') as tmp:
        source = os.path.join(tmp, 'answer.vala')
        with open(source, 'w', encoding='utf-8') as f:
            f.write(VALA_PROGRAM)
        # valac asks pkg-config for the C flags of gasync-1 (its uninstalled
        # .pc file) and of every package gasync-1.deps names.
        env = clean_env(PKG_CONFIG_PATH=os.path.join(args.build_root, 'meson-uninstalled'))
        run([args.valac, '--vapidir', vapidir, '--pkg', 'gasync-1', '-X', '-w'] + sanitize +
            ['-o', os.path.join(tmp, 'answer'), source], env, cwd=tmp)
        out = run([os.path.join(tmp, 'answer')],
                  clean_env(LD_LIBRARY_PATH=os.path.join(args.build_root, 'src')))
    if out.strip() != '42':
        fail('the Vala program printed {!r}'.format(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--build-root', required=True)
    parser.add_argument('--source-root', required=True)
    parser.add_argument('--prefix', required=True)
    parser.add_argument('--libdir', required=True)
    parser.add_argument('--meson', default=shutil.which('meson'))
    parser.add_argument('--gjs', default='')
    parser.add_argument('--valac', default='')
    parser.add_argument('--sanitize', default='')
    parser.add_argument('check', choices=['installed-python', 'installed-gjs', 'devenv-python',
                                          'devenv-gjs', 'vala-uninstalled'])
    args = parser.parse_args()
    if args.check.startswith('installed-'):
        check_installed(args, args.check[len('installed-'):])
    elif args.check.startswith('devenv-'):
        check_devenv(args, args.check[len('devenv-'):])
    else:
        check_vala(args)
    print('PASS:', args.check)


if __name__ == '__main__':
    main()
