# Smoke tests: the GAsync typelib from Python (PyGObject 3.42) without any
# override: block_on over real GIO work, a promise resolved from Python,
# errors surfacing as GLib.Error.
import os
import tempfile
import threading

import gi
gi.require_version('GAsync', '1.0')
from gi.repository import GAsync, GLib, Gio  # noqa: E402
import pytest  # noqa: E402


def test_block_on_ready_value():
    # PyGObject 3.42 passes the callback's user data positionally.
    assert GAsync.block_on(lambda c, d: GAsync.Future.new_for_int(42), None, 0, None) == 42


def test_block_on_gio_file_load_contents():
    with tempfile.NamedTemporaryFile('w', delete=False) as f:
        f.write('from python')
    gfile = Gio.File.new_for_path(f.name)

    def start(cancellable, data):
        promise = GAsync.Promise.new()
        gfile.load_contents_async(cancellable, lambda src, res: promise.resolve_object(res))
        return promise

    try:
        result = GAsync.block_on(start, None, 0, None)
        ok, contents, etag = gfile.load_contents_finish(result)
        assert ok
        assert contents == b'from python'
    finally:
        os.unlink(f.name)


def test_promise_resolved_from_python_thread():
    promise = GAsync.Promise.new()

    def resolver():
        promise.resolve_string('from a thread')

    t = threading.Thread(target=resolver)

    def start(cancellable, data):
        t.start()
        return promise

    assert GAsync.block_on(start, None, 0, None) == 'from a thread'
    t.join()


def test_error_surfaces_as_glib_error():
    def start(cancellable, data):
        return GAsync.Future.new_for_error_literal(
            Gio.io_error_quark(), Gio.IOErrorEnum.PERMISSION_DENIED, 'nope')

    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(start, None, 0, None)
    assert info.value.matches(Gio.io_error_quark(), Gio.IOErrorEnum.PERMISSION_DENIED)
    assert info.value.message == 'nope'


def test_dropped_promise_raises_dropped():
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(lambda c, d: GAsync.Promise.new(), None, 0, None)
    assert info.value.matches(GAsync.error_quark(), GAsync.Error.DROPPED)


def test_timeout_raises_timed_out():
    keep = []

    def start(cancellable, data):
        p = GAsync.Promise.new()
        keep.append(p)  # alive but never settled
        return p

    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(start, None, 20, None)
    assert info.value.matches(GAsync.error_quark(), GAsync.Error.TIMED_OUT)
