# GAsync.Future through PyGObject: constructors, typed getters, state,
# cancellation, continuations on the caller's context, and the waits.
import threading

from gi.repository import GAsync, GAsyncTest, GLib, GObject, Gio
import pytest

import helpers


def test_typed_constructors_and_getters():
    assert GAsync.Future.new_for_boolean(True).get_boolean() is True
    assert GAsync.Future.new_for_int(-5).get_int() == -5
    assert GAsync.Future.new_for_string('s').dup_string() == 's'
    assert GAsync.Future.new_for_string(None).get_value() is None
    gfile = Gio.File.new_for_path('/tmp')
    assert GAsync.Future.new_for_object(gfile).dup_object() is gfile
    variant = GLib.Variant('as', ['x'])
    assert GAsync.Future.new_for_variant(variant).dup_variant().unpack() == ['x']
    assert GAsync.Future.new_for_int(3).get_value() == 3
    # Getters convert where GLib can.
    assert GAsync.Future.new_for_int(12).dup_string() == '12'
    assert GAsync.Future.new_for_int(2).dup_string() == '2'


@pytest.mark.parametrize('gtype, value', [
    (GObject.TYPE_UINT, 7),
    (GObject.TYPE_INT64, -2 ** 40),
    (GObject.TYPE_UINT64, 2 ** 63),
    (GObject.TYPE_DOUBLE, 0.25),
])
def test_other_types_through_new_resolved_and_get_value(gtype, value):
    # Types without a typed constructor or getter: a GObject.Value in,
    # get_value() out.
    future = GAsync.Future.new_resolved(GObject.Value(gtype, value))
    assert future.get_value_type() == gtype
    assert future.get_value() == value


def test_state_and_value_type():
    future = GAsync.Future.new_for_boolean(False)
    assert future.get_state() == GAsync.FutureState.RESOLVED
    assert future.get_value_type() == GObject.TYPE_BOOLEAN
    assert future.get_error() is None
    promise = GAsync.Promise()
    assert promise.get_state() == GAsync.FutureState.PENDING
    assert promise.get_value_type() == GObject.TYPE_INVALID


def test_rejected_futures_raise_their_error():
    future = GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.NOT_FOUND, 'gone')
    assert future.get_state() == GAsync.FutureState.REJECTED
    assert future.get_error().message == 'gone'
    for getter in (future.get_value, future.get_int, future.dup_string,
                   future.get_boolean, future.dup_object, future.dup_variant):
        with pytest.raises(GLib.Error) as info:
            getter()
        helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.NOT_FOUND))
    error = GLib.Error('owned', GLib.quark_to_string(GAsync.error_quark()),
                       GAsync.Error.FAILED)
    future = GAsync.Future.new_for_error(error)
    assert future.get_error().matches(GAsync.error_quark(), GAsync.Error.FAILED)


def test_getter_errors_pending_and_mismatch():
    with pytest.raises(GLib.Error) as info:
        GAsync.Promise().get_int()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.PENDING))
    with pytest.raises(GLib.Error) as info:
        GAsync.Future.new_for_string('x').dup_object()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TYPE_MISMATCH))


def test_cancel_rejects_a_pending_future_and_its_producer():
    promise = GAsync.Promise()
    cancellable = promise.get_cancellable()
    promise.cancel()
    assert cancellable.is_cancelled()
    with pytest.raises(GLib.Error) as info:
        promise.get_value()
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    # Cancelling a settled future does nothing.
    done = GAsync.Future.new_for_int(1)
    done.cancel()
    assert done.get_int() == 1


def test_continuations_run_on_the_callers_context_in_order():
    main = threading.get_ident()
    promise = GAsync.Promise()
    seen = []

    def first(completed, tag):
        seen.append((tag, completed.get_int(), threading.get_ident() == main,
                     GAsyncTest.is_main_thread()))
        return GAsync.Future.new_for_int(completed.get_int() * 2)

    derived = promise.and_then(first, 'then')
    also = promise.on_settled(lambda f: seen.append(('settled', f.get_int())))
    GAsyncTest.resolve_later(promise, 5, 21)   # settled on a C thread
    helpers.settle(derived)
    helpers.settle(also)
    assert derived.get_int() == 42
    assert also.get_int() == 21   # None: settles like the original
    assert seen == [('then', 21, True, True), ('settled', 21)]


def test_continuations_never_run_inside_the_resolving_call():
    promise = GAsync.Promise()
    seen = []
    derived = promise.and_then(lambda f: seen.append('ran'))
    promise.resolve_int(1)
    assert seen == []          # only once the context is iterated
    helpers.settle(derived)
    assert seen == ['ran']


def test_or_else_recovers_and_and_then_is_skipped_on_error():
    rejected = GAsync.Future.new_for_error_literal(GAsync.error_quark(),
                                                   GAsync.Error.FAILED, 'bad')
    skipped = rejected.and_then(lambda f: pytest.fail('must not run'))
    recovered = rejected.or_else(lambda f: 'recovered from ' + f.get_error().message)
    helpers.settle(skipped)
    helpers.settle(recovered)
    with pytest.raises(GLib.Error):
        skipped.get_value()
    assert recovered.get_value() == 'recovered from bad'
    # or_else on success passes the value through.
    passed = GAsync.Future.new_for_int(5).or_else(lambda f: pytest.fail('no'))
    assert helpers.settle(passed).get_int() == 5


def test_a_raising_continuation_rejects_the_derived_future():
    def boom(completed):
        raise KeyError('k')

    derived = GAsync.Future.new_for_int(1).and_then(boom)
    helpers.settle(derived)
    assert 'KeyError' in derived.get_error().message


def test_wait_blocks_for_another_thread():
    promise = GAsync.Promise()
    GAsyncTest.resolve_later(promise, 10, 99)
    assert promise.wait(None) == 99
    assert promise.result() == 99   # the override's spelling


def test_wait_errors_timeout_and_cancellation():
    with pytest.raises(GLib.Error) as info:
        GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
                                            Gio.IOErrorEnum.FAILED, 'x').wait(None)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.FAILED))
    # A wait is bounded in time by waiting for the future with a deadline,
    # which cancels the future when it expires.
    promise = helpers.held(GAsync.Promise())
    with pytest.raises(GLib.Error) as info:
        promise.with_timeout(20).wait(None)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    assert promise.get_state() == GAsync.FutureState.REJECTED
    promise = helpers.held(GAsync.Promise())
    with pytest.raises(GLib.Error) as info:
        promise.result(timeout=0.02)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    promise = helpers.held(GAsync.Promise())
    cancellable = Gio.Cancellable()
    threading.Timer(0.02, cancellable.cancel).start()
    with pytest.raises(GLib.Error) as info:
        promise.wait(cancellable)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    # The cancellable stopped the wait, not the future.
    assert promise.get_state() == GAsync.FutureState.PENDING


def test_wait_on_a_future_nobody_settles_is_bounded_by_its_cancellable():
    # The wait holds a reference of its own (a lent pointer may be settled
    # by another thread), so it cannot tell that nobody will settle this
    # promise: its cancellable bounds it.
    cancellable = Gio.Cancellable()
    threading.Timer(0.02, cancellable.cancel).start()
    with pytest.raises(GLib.Error) as info:
        GAsync.Promise().wait(cancellable)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))


def test_wait_async_and_finish_on_the_callers_context():
    promise = GAsync.Promise()
    results = []

    def ready(source, result):
        results.append((source.wait_finish(result), GAsyncTest.is_main_thread()))

    promise.wait_async(None, ready)
    GAsyncTest.resolve_later(promise, 5, 8)
    helpers.iterate_until(lambda: results)
    assert results == [(8, True)]


def test_wait_async_error_and_cancel():
    promise = GAsync.Promise()
    errors = []

    def ready(source, result):
        try:
            source.wait_finish(result)
        except GLib.Error as e:
            errors.append(e)

    GAsyncTest.reject_later(promise, 5, 'late failure')
    promise.wait_async(None, ready)
    helpers.iterate_until(lambda: errors)
    assert errors[0].message == 'late failure'

    cancellable = Gio.Cancellable()
    pending = GAsync.Promise()
    pending.wait_async(cancellable, ready)
    cancellable.cancel()
    helpers.iterate_until(lambda: len(errors) == 2)
    assert errors[1].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_return_to_task_implements_an_async_finish_pair():
    got = []

    def ready(source, task):
        got.append(task.propagate_value())

    task = Gio.Task.new(None, None, ready)
    promise = GAsync.Promise()
    promise.return_to_task(task)
    promise.resolve_string('through a GTask')
    helpers.iterate_until(lambda: got)
    assert got[0] == (True, 'through a GTask')


def test_with_timeout():
    slow = GAsync.Promise()
    bounded = slow.with_timeout(20)
    with pytest.raises(GLib.Error) as info:
        bounded.result(timeout=10)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    # Cancelled, so its producer stops.
    assert slow.get_state() != GAsync.FutureState.PENDING
    fast = GAsync.Future.new_for_int(4).with_timeout(1000)
    assert fast.result(timeout=10) == 4
