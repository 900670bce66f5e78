# GAsync.block_on from Python over real GIO work: files, subprocesses,
# sockets; timeouts, cancellation, nesting, and what it does not iterate.
import threading

from gi.repository import GAsync, GLib, Gio
import pytest

import helpers


def test_block_on_load_contents_with_gio_future(tmp_path):
    path = tmp_path / 'f.txt'
    path.write_bytes(b'contents')
    gfile = Gio.File.new_for_path(str(path))
    contents, _etag = GAsync.block_on(
        lambda cancellable: GAsync.gio_future(gfile.load_contents_async,
                                              cancellable=cancellable))
    assert contents == b'contents'


def test_block_on_missing_file_raises_not_found(tmp_path):
    gfile = Gio.File.new_for_path(str(tmp_path / 'missing'))
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(GAsync.gio_future, gfile.load_contents_async)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.NOT_FOUND))


def test_block_on_subprocess():
    def run(cancellable):
        proc = Gio.Subprocess.new(['sh', '-c', 'read x; echo "got $x"'],
                                  Gio.SubprocessFlags.STDIN_PIPE | Gio.SubprocessFlags.STDOUT_PIPE)
        return GAsync.gio_future(proc.communicate_utf8_async, 'hello\n',
                                 cancellable=cancellable)

    stdout, stderr = GAsync.block_on(run)
    assert stdout == 'got hello\n' and stderr is None


def test_block_on_socket_round_trip():
    # A listener and a client in one block_on, both on its private context.
    def talk(cancellable):
        listener = Gio.SocketListener()
        port = listener.add_any_inet_port(None)
        accepted = GAsync.gio_future(listener.accept_async, cancellable=cancellable)
        client = Gio.SocketClient()
        connected = GAsync.gio_future(client.connect_to_host_async, 'localhost', port,
                                      cancellable=cancellable)

        def send(done):
            conn = done.get_value()
            conn.get_output_stream().write_all(b'ping', None)
            conn.close(None)
            return accepted

        def read(done):
            server_conn, _source = done.get_value()
            stream = server_conn.get_input_stream()
            return GAsync.gio_future(stream.read_bytes_async, 16, GLib.PRIORITY_DEFAULT,
                                     cancellable=cancellable)
        return connected.and_then(send).and_then(read)

    data = GAsync.block_on(talk, timeout=10)
    assert data.get_data() == b'ping'


def test_block_on_future_returns_the_settled_future():
    future = GAsync.block_on_future(lambda c, d: GAsync.Future.new_for_int(d), 3, 0, None)
    assert future.get_state() != GAsync.FutureState.PENDING and future.get_int() == 3
    bad = GAsync.block_on_future(lambda c, d: None, None, 0, None)
    assert bad.get_error().matches(GAsync.error_quark(), GAsync.Error.INVALID_ARGUMENT)


def test_block_on_value_under_its_binding_name():
    # gasync_block_on_value is what bindings call block_on.
    from gi import _gi
    info = _gi.Repository.get_default().find_by_name('GAsync', 'block_on')
    assert info.get_symbol() == 'gasync_block_on_value'
    assert _gi.Repository.get_default().find_by_name('GAsync', 'block_on_value') is None


def test_block_on_does_not_dispatch_the_callers_context():
    ran = []
    source = GLib.idle_source_new()
    source.set_callback(lambda *a: ran.append(1) or GLib.SOURCE_REMOVE)
    source.attach(GLib.MainContext.default())

    def start():
        # Work on the thread-default (private) context does run.
        promise = GAsync.Promise()
        timeout = GLib.timeout_source_new(5)
        timeout.set_callback(lambda *a: promise.resolve_int(1) or GLib.SOURCE_REMOVE)
        timeout.attach(GLib.MainContext.get_thread_default())
        return promise

    assert GAsync.block_on(start) == 1
    assert ran == []
    helpers.iterate_until(lambda: ran, context=GLib.MainContext.default())
    source.destroy()


def test_nested_block_on():
    def outer():
        return GAsync.block_on(lambda: 'inner') + ' outer'

    assert GAsync.block_on(outer) == 'inner outer'


def test_timeout_cancels_the_works_cancellable():
    seen = []
    keep = []

    def start(cancellable):
        seen.append(cancellable)
        keep.append(GAsync.Promise())
        return keep[-1]

    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(start, timeout=0.02)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    assert seen[0].is_cancelled()


def test_cancelled_from_another_thread():
    cancellable = Gio.Cancellable()
    keep = GAsync.Promise()

    def start():
        # Cancelled from another thread once the work has started (not
        # after a delay, which a loaded machine may stretch past anything).
        threading.Thread(target=cancellable.cancel).start()
        return keep

    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(start, cancellable=cancellable)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    # Already cancelled: fails at once, without calling the function.
    with pytest.raises(GLib.Error):
        GAsync.block_on(lambda: pytest.fail('must not run'), cancellable=cancellable)


def test_block_on_an_existing_future():
    promise = GAsync.Promise()
    threading.Timer(0.01, promise.resolve_string, args=('later',)).start()
    assert GAsync.block_on(promise) == 'later'
    with pytest.raises(TypeError):
        GAsync.block_on(promise, 1)


def test_block_on_is_refused_on_a_runtime_worker():
    def on_worker():
        return GAsync.block_on(lambda: 1)

    handle = GAsync.spawn(on_worker)
    with pytest.raises(GLib.Error) as info:
        handle.result(timeout=10)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.WOULD_DEADLOCK))


def _give_up_and_drain():
    # Nothing given up on yet on this thread: at once (the gboolean is
    # skipped: it only mirrors the error).
    assert GAsync.block_on_drain(0, None) is None
    keep = []

    def start():
        keep.append(GAsync.Promise())
        return keep[-1]

    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(start, timeout=0.01)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    # Giving up cancelled the future the function returned...
    assert keep[0].get_state() == GAsync.FutureState.REJECTED
    # ...which is still held here, so a drain cannot finish it.
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on_drain(10, None)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    keep.clear()
    GAsync.block_on_drain(10000, None)


def test_block_on_drain_finishes_work_given_up_on():
    # On a thread of its own: what earlier tests gave up on on this one
    # may still be held by their frames.
    failures = []

    def body():
        try:
            _give_up_and_drain()
        except BaseException as exc:  # noqa: B902
            failures.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]
