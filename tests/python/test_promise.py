# GAsync.Promise through PyGObject: settling with every typed resolver,
# rejecting, the promise's cancellable, resolving from threads, DROPPED.
import threading

from gi.repository import GAsync, GAsyncTest, GLib, GObject, Gio
import pytest

import helpers


@pytest.mark.parametrize('method, value, gtype', [
    ('resolve_boolean', True, GObject.TYPE_BOOLEAN),
    ('resolve_int', -3, GObject.TYPE_INT),
    ('resolve_string', 'str', GObject.TYPE_STRING),
])
def test_typed_resolvers(method, value, gtype):
    promise = GAsync.Promise.new()
    getattr(promise, method)(value)
    assert promise.get_value_type() == gtype
    assert promise.get_value() == value


@pytest.mark.parametrize('gtype, value', [
    (GObject.TYPE_UINT, 3),
    (GObject.TYPE_INT64, -2 ** 50),
    (GObject.TYPE_UINT64, 2 ** 60),
    (GObject.TYPE_DOUBLE, 2.5),
])
def test_other_types_through_resolve(gtype, value):
    # Types without a typed resolver: a GObject.Value through resolve().
    promise = GAsync.Promise.new()
    promise.resolve(GObject.Value(gtype, value))
    assert promise.get_value_type() == gtype
    assert promise.get_value() == value


def test_resolve_object_variant_and_gvalue():
    promise = GAsync.Promise()
    cancellable = Gio.Cancellable()
    promise.resolve_object(cancellable)
    assert promise.dup_object() is cancellable
    promise = GAsync.Promise()
    promise.resolve_variant(GLib.Variant('u', 5))
    assert promise.dup_variant().get_uint32() == 5
    promise = GAsync.Promise()
    promise.resolve(GObject.Value(GObject.TYPE_UCHAR, 200))
    assert promise.get_value_type() == GObject.TYPE_UCHAR
    promise = GAsync.Promise()
    promise.resolve({'any': 'python value'})
    assert promise.get_value() == {'any': 'python value'}


def test_reject_and_reject_literal():
    promise = GAsync.Promise()
    promise.reject(GLib.Error('denied', GLib.quark_to_string(Gio.io_error_quark()),
                              Gio.IOErrorEnum.PERMISSION_DENIED))
    with pytest.raises(GLib.Error) as info:
        promise.get_value()
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.PERMISSION_DENIED))
    promise = GAsync.Promise()
    promise.reject_literal(GAsync.error_quark(), GAsync.Error.CLOSED, 'closed')
    assert promise.get_error().matches(GAsync.error_quark(), GAsync.Error.CLOSED)
    promise = GAsync.Promise()
    promise.reject(RuntimeError('python'))
    assert promise.get_error().message == 'RuntimeError: python'


def test_get_future_is_the_promise():
    promise = GAsync.Promise()
    assert promise.get_future() is promise
    assert isinstance(promise.get_future(), GAsync.Future)


def test_cancellable_follows_cancel():
    promise = GAsync.Promise()
    cancellable = promise.get_cancellable()
    assert not cancellable.is_cancelled()
    assert promise.get_cancellable() is cancellable
    promise.cancel()
    assert cancellable.is_cancelled()
    # A producer that settles after the cancel is ignored quietly.
    promise.resolve_int(1)
    assert promise.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_resolved_from_a_python_thread():
    promise = GAsync.Promise()

    def start():
        threading.Thread(target=promise.resolve_string, args=('from a thread',)).start()
        return promise

    assert GAsync.block_on(start) == 'from a thread'


def test_resolved_and_rejected_from_c_threads():
    promise = GAsync.Promise()
    GAsyncTest.resolve_later(promise, 5, 11)
    assert GAsync.block_on(promise) == 11
    promise = GAsync.Promise()
    GAsyncTest.reject_later(promise, 5, 'c thread failed')
    with pytest.raises(GLib.Error, match='c thread failed'):
        GAsync.block_on(promise)


def test_gio_callback_bridges_any_async_call(tmp_path):
    path = tmp_path / 'data.txt'
    path.write_text('gio')
    gfile = Gio.File.new_for_path(str(path))

    def start(cancellable):
        promise = GAsync.Promise()
        gfile.load_contents_async(cancellable, promise.gio_callback)
        return promise

    result = GAsync.block_on(start)
    ok, contents, _etag = gfile.load_contents_finish(result)
    assert ok and contents == b'gio'


def test_a_dropped_promise_rejects_its_waiter_with_dropped():
    # Python refcounts: the promise's last reference goes when start's
    # frame does, while block_on waits.
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(lambda: GAsync.Promise())
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.DROPPED))


def test_last_reference_dropped_on_a_c_thread():
    # The C thread settles the promise and then drops the last reference
    # on its side; the continuation still runs here, on this context.
    promise = GAsync.Promise()
    seen = []
    derived = promise.and_then(lambda f: seen.append(GAsyncTest.is_main_thread()))
    GAsyncTest.resolve_later(promise, 1, 0)
    del promise
    helpers.settle(derived)
    assert derived.get_int() == 0 and seen == [True]
