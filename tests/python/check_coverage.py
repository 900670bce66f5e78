#!/usr/bin/env python3
# Binding coverage: every function, method and constructor of GAsync-1.0
# must be called by the binding's tests, through the binding.
#
# Usage: check_coverage.py --gir GAsync-1.0.gir --binding python|gjs
#          --trace-dir DIR --tests TEST... -- RUNNER...
#
# Each binding test, run with GASYNC_TRACE_DIR set, records the C symbols
# it reached (tests/python/conftest.py, tests/gjs/harness.js) in
# DIR/BINDING-TEST.trace. A trace missing, or older than its test, the
# harness, the override or the typelib, is made again by running the test
# with RUNNER, so that this check also works on its own.
#
# The GIR is the source of truth: a callable that is introspectable and
# not called fails the check, and so does one the scanner marked
# introspectable="0" that is not in NOT_INTROSPECTABLE below (a typedef
# without its annotations silently hides every function using it).
import argparse
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
C = '{http://www.gtk.org/introspection/c/1.0}'

# C-only entry points, hidden from bindings with (skip) or by the scanner,
# each with the binding-facing way to do the same.
NOT_INTROSPECTABLE = {
    # gboolean + out GValue forms: bindings get the GValue-returning one
    # under this name (rename-to), which returns the value and throws.
    'gasync_block_on': 'gasync_block_on_value, as block_on',
    'gasync_block_on_with_timeout': 'gasync_block_on_value, as block_on',
    'gasync_future_get_value': 'gasync_future_dup_value, as get_value',
    'gasync_receiver_recv': 'gasync_receiver_recv_value, as recv',
    'gasync_receiver_try_recv': 'gasync_receiver_try_recv_value, as try_recv',
    'gasync_watch_get_value': 'gasync_watch_dup_value, as get_value',
    # Blocking forms with out values: bindings wait for the future form.
    'gasync_watch_receiver_wait_changed': 'WatchReceiver.changed',
    'gasync_broadcast_receiver_recv': 'BroadcastReceiver.recv_future + get_missed',
    # Raw pointers and boxed values by GType: C-only.
    'gasync_future_new_for_pointer': 'new_resolved',
    'gasync_future_get_pointer': 'get_value',
    'gasync_promise_resolve_pointer': 'resolve',
    # Variadic.
    'gasync_join': 'Future.all_settled (Python: GAsync.join)',
    # A GAsyncReadyCallback for C callers.
    'gasync_promise_gio_callback': 'a closure resolving the promise '
                                   '(Python: promise.gio_callback)',
    # Channel fast paths that avoid a GValue per item.
    'gasync_channel_new_full': 'channel_new',
    'gasync_sender_send_pointer': 'send',
    'gasync_sender_try_send_pointer': 'try_send',
    'gasync_sender_send_many': 'send',
    'gasync_receiver_recv_pointer': 'recv',
    'gasync_receiver_try_recv_pointer': 'try_recv',
    'gasync_receiver_recv_many': 'recv',
    'gasync_receiver_try_recv_many': 'try_recv',
    # Fibers run C on a worker thread's fiber stack, where no interpreter
    # may run (and `await` is a Python keyword): bindings have their own
    # await/yield over wait_async.
    'gasync_fiber_spawn': 'spawn_local + wait_async (await / yield)',
    'gasync_runtime_spawn_fiber': 'spawn_local + wait_async (await / yield)',
    'gasync_await': 'Future.wait_async (await / yield)',
    'gasync_fiber_is_current': 'no fibers in bindings',
    'gasync_fiber_set_stack_size': 'no fibers in bindings',
    'gasync_fiber_get_stack_size': 'no fibers in bindings',
}

# Introspectable, but a binding cannot exercise them without breaking the
# thread rule: GJS cannot run JavaScript on another thread, and these run
# their function on the default runtime's workers (which a test cannot
# shut down to reach the CLOSED path, as the Runtime methods are tested).
# GJS spawns with spawn_local; C code (GAsyncTest) spawns on workers.
BINDING_ALLOWED = {
    'gjs': {
        'gasync_spawn': 'runs a JS function on a worker thread',
        'gasync_spawn_blocking': 'runs a JS function on a pool thread',
    },
    'python': {},
}


def gir_callables(path):
    """{c_symbol: (binding_name, introspectable)} of every function,
    method and constructor in the GIR."""
    found = {}
    root = ET.parse(path).getroot()
    ns = root.find(CORE + 'namespace')
    for el in ns.iter():
        tag = el.tag[len(CORE):] if el.tag.startswith(CORE) else ''
        if tag not in ('function', 'method', 'constructor'):
            continue
        symbol = el.get(C + 'identifier')
        name = el.get('shadows') or el.get('name')
        introspectable = el.get('introspectable', '1') != '0'
        prev = found.get(symbol)
        found[symbol] = (name, introspectable or (prev is not None and prev[1]))
    return found


def newest_mtime(paths):
    return max((os.path.getmtime(p) for p in paths if p and os.path.exists(p)),
               default=0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gir', required=True)
    ap.add_argument('--binding', required=True, choices=sorted(BINDING_ALLOWED))
    ap.add_argument('--trace-dir', required=True)
    ap.add_argument('--depends', nargs='*', default=[],
                    help='files whose change makes every trace stale')
    ap.add_argument('--tests', nargs='+', required=True)
    ap.add_argument('runner', nargs=argparse.REMAINDER)
    opts = ap.parse_args()
    runner = [a for a in opts.runner if a != '--']

    callables = gir_callables(opts.gir)
    problems = []

    hidden = sorted(s for s, (_, ok) in callables.items() if not ok)
    for symbol in hidden:
        if symbol not in NOT_INTROSPECTABLE:
            problems.append('%s is not introspectable and not in the C-only '
                            'allow-list: check its annotations' % symbol)
    for symbol in NOT_INTROSPECTABLE:
        if symbol in callables and callables[symbol][1]:
            problems.append('%s is allow-listed as C-only but is '
                            'introspectable: remove it from the list' % symbol)

    env = dict(os.environ, GASYNC_TRACE_DIR=opts.trace_dir)
    base_mtime = newest_mtime([opts.gir] + opts.depends)
    called = set()
    for test in opts.tests:
        trace = os.path.join(opts.trace_dir, '%s-%s.trace' % (
            opts.binding, os.path.basename(test)))
        if (not os.path.exists(trace)
                or os.path.getmtime(trace) < max(base_mtime, os.path.getmtime(test))):
            print('# tracing %s' % test, flush=True)
            proc = subprocess.run(runner + [test], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True)
            if proc.returncode != 0 or not os.path.exists(trace):
                sys.stdout.write(proc.stdout)
                problems.append('%s failed while tracing' % test)
                continue
        with open(trace, encoding='utf-8') as f:
            called.update(line.strip() for line in f if line.strip())

    allowed = BINDING_ALLOWED[opts.binding]
    introspectable = sorted(s for s, (_, ok) in callables.items() if ok)
    missing = [s for s in introspectable if s not in called and s not in allowed]
    for symbol in missing:
        problems.append('%s (%s) is not called by any %s test'
                        % (symbol, callables[symbol][0], opts.binding))

    covered = [s for s in introspectable if s in called]
    print('GIR callables: %d (%d introspectable, %d C-only allow-listed)'
          % (len(callables), len(introspectable), len(hidden)))
    print('%s tests call %d of %d introspectable callables%s'
          % (opts.binding, len(covered), len(introspectable),
             ''.join('; %s allowed: %s' % (s, r) for s, r in sorted(allowed.items()))))
    for p in problems:
        print('FAIL: ' + p)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
