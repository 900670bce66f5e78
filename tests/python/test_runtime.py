# GAsync.Runtime and spawning from Python: Python functions on workers and
# on the blocking pool, spawn_local on a context we iterate, handles,
# cancellation, shutdown, and C tasks settling on worker threads.
import threading
import time

from gi.repository import GAsync, GAsyncTest, GLib, Gio
import pytest

import helpers


def test_default_runtime():
    runtime = GAsync.Runtime.get_default()
    assert runtime is GAsync.Runtime.get_default()
    assert runtime.get_n_workers() >= 1
    assert runtime.get_max_blocking_threads() >= 1
    assert not runtime.is_closed()


def test_spawn_runs_on_a_worker_and_returns_a_handle():
    main = threading.get_ident()

    def task(x, cancellable):
        assert isinstance(cancellable, Gio.Cancellable)
        return (x * 2, threading.get_ident() != main)

    assert GAsync.spawn(task, 21).result(timeout=10) == (42, True)


def test_spawn_a_task_that_does_gio_on_its_worker(tmp_path):
    path = tmp_path / 'w.txt'
    path.write_text('worker')
    gfile = Gio.File.new_for_path(str(path))
    handle = GAsync.spawn(lambda cancellable: GAsync.gio_future(
        gfile.load_contents_async, cancellable=cancellable))
    contents, _ = handle.result(timeout=10)
    assert contents == b'worker'


def test_spawn_blocking_and_its_errors():
    assert GAsync.spawn_blocking(sum, [1, 2, 3]).result(timeout=10) == 6

    def fails():
        raise GLib.Error('blocking failed', GLib.quark_to_string(Gio.io_error_quark()),
                         Gio.IOErrorEnum.BUSY)

    with pytest.raises(GLib.Error) as info:
        GAsync.spawn_blocking(fails).result(timeout=10)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.BUSY))


def test_spawn_local_runs_on_the_given_context():
    context = GLib.MainContext.new()
    ran = []

    def task(cancellable):
        ran.append((threading.get_ident(), GLib.MainContext.get_thread_default() == context))
        return 'local'

    handle = GAsync.spawn_local(context, task)
    assert ran == []   # never inside the call
    helpers.iterate_until(lambda: handle.get_state() != GAsync.FutureState.PENDING,
                          context=context)
    assert handle.get_value() == 'local'
    assert ran == [(threading.get_ident(), True)]
    with pytest.raises(TypeError):
        GAsync.spawn_local(task)


def test_own_runtime_as_a_context_manager():
    with GAsync.Runtime.new(2) as runtime:
        assert runtime.get_n_workers() == 2
        handles = [runtime.spawn(lambda i=i: i * i) for i in range(10)]
        blocking = runtime.spawn_blocking(lambda: time.sleep(0.01) or 'slept')
        values = [h.result(timeout=10) for h in handles]
    assert runtime.is_closed()
    assert values == [i * i for i in range(10)]
    assert blocking.get_value() == 'slept'   # drained by shutdown
    closed = runtime.spawn(lambda: 1)
    assert closed.get_error().matches(GAsync.error_quark(), GAsync.Error.CLOSED)
    closed = runtime.spawn_blocking(lambda: 1)
    assert closed.get_error().matches(GAsync.error_quark(), GAsync.Error.CLOSED)


def test_shutdown_cancelled_cancels_running_tasks():
    runtime = GAsync.Runtime.new(1)
    slow = GAsyncTest.spawn_blocking_sleep(runtime, 5000)
    cancellable = Gio.Cancellable()
    cancellable.cancel()
    with pytest.raises(GLib.Error) as info:
        runtime.shutdown(cancellable)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    assert runtime.is_closed()
    assert slow.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_cancelling_a_handle_cancels_the_tasks_cancellable():
    started = threading.Event()
    seen = []

    def task(cancellable):
        started.set()
        while not cancellable.is_cancelled():
            time.sleep(0.001)
        seen.append('saw cancel')
        return 'ignored'

    handle = GAsync.spawn_blocking(task)
    assert started.wait(10)
    handle.cancel()
    with pytest.raises(GLib.Error) as info:
        handle.result(timeout=10)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.001)
    assert seen == ['saw cancel']


def test_c_tasks_settle_on_workers_and_continue_here():
    seen = []
    handles = [GAsyncTest.spawn_sum(None, 1000), GAsyncTest.spawn_delayed(None, 5, 7)]
    derived = [h.and_then(lambda f: seen.append(GAsyncTest.is_main_thread()) or f)
               for h in handles]
    for d in derived:
        helpers.settle(d)
    assert [d.get_value() for d in derived] == [499500, 7]
    assert seen == [True, True]


def test_a_worker_cannot_shut_its_runtime_down():
    runtime = GAsync.Runtime.new(1)
    handle = runtime.spawn(lambda: runtime.shutdown(None))
    with pytest.raises(GLib.Error) as info:
        handle.result(timeout=10)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.WOULD_DEADLOCK))
    runtime.shutdown(None)
