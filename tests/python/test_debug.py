# Debugging aids from Python: future names, runtime stats, and the
# GASYNC_DEBUG=pending report at a runtime's shutdown, read from a child
# interpreter.
import os
import subprocess
import sys
import threading

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
