# Debugging aids from Python: future names, runtime stats (with the parked
# channel waiters), and the GASYNC_DEBUG=pending and =stalls reports
# (at a runtime's shutdown, and as a callback stalls), read from a child
# interpreter.
import os
import subprocess
import sys
import threading
import time

from gi.repository import GAsync, GLib


def test_set_and_get_name():
    promise = GAsync.Promise.new()
    assert promise.get_name() is None
    promise.set_name('load-thumbnail')
    assert promise.get_name() == 'load-thumbnail'

    seen = []
    thread = threading.Thread(target=lambda: seen.append(promise.get_name()))
    thread.start()
    thread.join()
    assert seen == ['load-thumbnail']

    promise.set_name(None)
    assert promise.get_name() is None


def test_runtime_stats():
    runtime = GAsync.Runtime.new(1)
    try:
        handle = runtime.spawn_blocking(lambda cancellable: 5)
        assert handle.result(timeout=10) == 5
        stats = runtime.get_stats()
        assert isinstance(stats, GLib.Variant)
        assert stats.get_type_string() == 'a{sv}'
        values = stats.unpack()
        assert values['tasks-spawned'] == 1
        assert values['async-workers'] == 1
        assert values['blocking-threads'] <= values['blocking-threads-max']
        assert values['tasks-queued'] == 0
    finally:
        runtime.shutdown(None)


CHILD = '''
import gi
gi.require_version("GAsync", "1.0")
from gi.repository import GAsync
leaked = GAsync.Promise.new()
leaked.set_name("python-forgot-me")
done = GAsync.Promise.new()
done.set_name("python-done")
done.resolve_int(1)
# Python drops its objects before the C exit handler runs, so the report
# a Python program sees lists them at a runtime's shutdown.
runtime = GAsync.Runtime.new(1)
runtime.shutdown(None)
'''


def test_pending_report_at_shutdown():
    env = dict(os.environ, GASYNC_DEBUG='pending')
    env.pop('GASYNC_TRACE_DIR', None)
    child = subprocess.run([sys.executable, '-c', CHILD], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    lines = [l for l in child.stderr.splitlines() if l.startswith('gasync:')]
    assert any('future' in l and 'pending at gasync_runtime_shutdown()' in l for l in lines), child.stderr
    entries = [l for l in lines if 'pending for' in l]
    assert any('python-forgot-me' in l and ' ms, created at ' in l for l in entries), child.stderr
    assert not any('python-done' in l for l in entries), child.stderr


STALLS_CHILD = '''
import time
import gi
gi.require_version("GAsync", "1.0")
from gi.repository import GAsync, GLib

def slow(future):
    time.sleep(0.3)   # stalls the context itself, over the 100 ms limit

def fast(future):
    pass

def slow_task(cancellable):
    time.sleep(0.3)
    return GAsync.Future.new_for_int(1)

ready = GAsync.Future.new_for_int(1)
steps = [ready.and_then(slow), ready.and_then(fast)]
steps[0].set_name("python-slow-step")
steps[1].set_name("python-fast-step")
local = GAsync.spawn_local(GLib.MainContext.default(), slow_task)
local.set_name("python-slow-task")
context = GLib.MainContext.default()
while any(f.get_state() == GAsync.FutureState.PENDING for f in steps + [local]):
    context.iteration(True)
'''


def test_stalls_report_names_slow_callbacks():
    env = dict(os.environ, GASYNC_DEBUG='pending,stalls:100')
    env.pop('GASYNC_TRACE_DIR', None)
    child = subprocess.run([sys.executable, '-c', STALLS_CHILD], env=env,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    stalls = [l for l in child.stderr.splitlines() if l.startswith('gasync: GASYNC_DEBUG=stalls: ')]
    assert any(l.startswith('gasync: GASYNC_DEBUG=stalls: continuation python-slow-step ran ')
               and '(limit 100 ms) on GMainContext 0x' in l and '(the default), thread ' in l
               for l in stalls), child.stderr
    assert any(' task python-slow-task ran ' in l for l in stalls), child.stderr
    assert not any('python-fast-step' in l for l in stalls), child.stderr
    assert len(stalls) == 2, child.stderr


def _waiters(runtime):
    stats = runtime.get_stats().unpack()
    return stats['channel-send-waiters'], stats['channel-recv-waiters']


def _await_waiters(runtime, expected):
    # Polls the stats: a thread parks on its own time. Bounded, not timed.
    deadline = time.monotonic() + 30
    while _waiters(runtime) != expected:
        assert time.monotonic() < deadline, (_waiters(runtime), expected)
        time.sleep(0)


def test_runtime_stats_count_parked_channel_waiters():
    runtime = GAsync.Runtime.new(1)
    try:
        send_base, recv_base = _waiters(runtime)   # process-wide counts
        full_tx, full_rx = GAsync.channel(int, 1)
        empty_tx, empty_rx = GAsync.channel(int, 1)
        full_tx.send(0)
        sends = [full_tx.send_future(i) for i in range(1, 4)]
        recvs = [empty_rx.recv_future() for _ in range(2)]
        assert _waiters(runtime) == (send_base + 3, recv_base + 2)

        failed = []

        def blocked_recv():
            try:
                empty_rx.recv()
            except GLib.Error as error:
                failed.append(error.code)

        thread = threading.Thread(target=blocked_recv)
        thread.start()
        _await_waiters(runtime, (send_base + 3, recv_base + 3))

        assert full_rx.recv() == 0   # the oldest parked send moves in
        sends[2].cancel()
        assert _waiters(runtime) == (send_base + 1, recv_base + 3)
        empty_tx.close()
        thread.join()
        assert failed == [GAsync.Error.CLOSED]
        assert _waiters(runtime) == (send_base + 1, recv_base)
        full_rx.close()
        assert _waiters(runtime) == (send_base, recv_base)
        assert all(f.get_state() != GAsync.FutureState.PENDING for f in sends + recvs)
    finally:
        runtime.shutdown(None)
