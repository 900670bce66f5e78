# The override module itself: that the uninstalled one is what PyGObject
# loads, how Python values become GValues and back, and how user
# functions are called.
import os

import gi
from gi.repository import GAsync, GLib, GObject, Gio
import pytest

import helpers


def test_the_uninstalled_override_is_loaded():
    module = GAsync.block_on.__module__
    assert module == 'gi.overrides.GAsync'
    import gi.overrides.GAsync as ov
    here = os.path.dirname(os.path.abspath(__file__))
    expected = os.path.join(os.path.dirname(os.path.dirname(here)),
                            'bindings', 'python', 'gi', 'overrides', 'GAsync.py')
    assert os.path.samefile(ov.__file__, expected)
    assert issubclass(GAsync.Promise, GAsync.Future)
    assert hasattr(GAsync.Future, '__await__')


@pytest.mark.parametrize('value, gtype', [
    (True, GObject.TYPE_BOOLEAN),
    (42, GObject.TYPE_INT),
    (-2 ** 31, GObject.TYPE_INT),
    (2 ** 40, GObject.TYPE_INT64),
    (-2 ** 63, GObject.TYPE_INT64),
    (2 ** 64 - 1, GObject.TYPE_UINT64),
    (2 ** 70, GObject.TYPE_PYOBJECT),
    (1.5, GObject.TYPE_DOUBLE),
    ('text', GObject.TYPE_STRING),
    (None, GObject.TYPE_POINTER),
    ([1, 'two'], GObject.TYPE_PYOBJECT),
    ({'k': (1, 2)}, GObject.TYPE_PYOBJECT),
])
def test_python_values_round_trip(value, gtype):
    future = GAsync.Future.new_resolved(value)
    assert future.get_value_type() == gtype
    assert future.get_value() == value
    assert type(future.get_value()) is type(value) or isinstance(value, int)


def test_objects_and_variants_keep_their_types():
    gfile = Gio.File.new_for_path('/')
    future = GAsync.Future.new_resolved(gfile)
    assert future.get_value_type() == gfile.__gtype__
    assert future.get_value() is gfile
    variant = GLib.Variant('(si)', ('a', 1))
    future = GAsync.Future.new_resolved(variant)
    assert future.get_value_type() == GObject.TYPE_VARIANT
    assert future.get_value().unpack() == ('a', 1)
    value = GObject.Value(GObject.TYPE_UINT, 7)
    assert GAsync.Future.new_resolved(value).get_value_type() == GObject.TYPE_UINT


def test_the_same_python_object_comes_back():
    thing = object()
    assert GAsync.block_on(lambda: thing) is thing
    promise = GAsync.Promise()
    promise.resolve(thing)
    assert promise.get_value() is thing


def test_calling_conventions():
    seen = []

    def keyword(a, b, cancellable=None):
        seen.append(('keyword', a, b, isinstance(cancellable, Gio.Cancellable)))
        return a + b

    def c_shaped(cancellable, data):
        seen.append(('c', data, isinstance(cancellable, Gio.Cancellable)))
        return data

    def plain(a):
        seen.append(('plain', a))
        return a

    def last(a, cancellable):
        seen.append(('last', a, isinstance(cancellable, Gio.Cancellable)))
        return a

    c = Gio.Cancellable()
    assert GAsync.block_on(keyword, 1, 2, cancellable=c) == 3
    assert GAsync.block_on(c_shaped, 'd', cancellable=c) == 'd'
    assert GAsync.block_on(plain, 5, cancellable=c) == 5
    assert GAsync.block_on(last, 6, cancellable=c) == 6
    assert GAsync.block_on(lambda: 'none') == 'none'
    assert GAsync.block_on(lambda c: c, cancellable=c) is c
    # Without a cancellable or a timeout, the work still gets one, as in C.
    assert isinstance(GAsync.block_on(lambda c: c), Gio.Cancellable)
    assert GAsync.block_on(lambda c: c, timeout=5) is not None
    assert seen == [('keyword', 1, 2, True), ('c', 'd', True), ('plain', 5), ('last', 6, True)]


def test_plain_typelib_forms_keep_working():
    # gasync_block_on_value's own signature: (func, user_data, timeout_msec,
    # cancellable), func(cancellable, user_data) returning a future.
    assert GAsync.block_on(lambda c, d: GAsync.Future.new_for_int(d + 1), 41, 0, None) == 42
    # spawn_blocking's GAsyncThreadFunc shape returning (ok, value).
    handle = GAsync.spawn_blocking(lambda c, d: (True, d * 2), 21)
    assert handle.result(timeout=10) == 42
    # spawn's GAsyncFunc shape.
    handle = GAsync.spawn(lambda c, d: GAsync.Future.new_for_string(d), 'raw')
    assert handle.result(timeout=10) == 'raw'


def test_python_exceptions_keep_their_type():
    class Oops(Exception):
        pass

    def fail():
        raise Oops('no')

    with pytest.raises(Oops, match='no'):
        GAsync.block_on(fail)
    # Where the error must cross gasync, it becomes GASYNC_ERROR_FAILED.
    handle = GAsync.spawn_blocking(fail)
    with pytest.raises(GLib.Error) as info:
        handle.result(timeout=10)
    error = helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.FAILED))
    assert 'Oops: no' in error.message
    # A GLib.Error keeps its domain and code.
    rejected = GAsync.Future.new_rejected(GLib.Error('m', 'my-domain', 7))
    assert rejected.get_error().matches(GLib.quark_from_string('my-domain'), 7)


def test_coroutines_are_refused_with_advice():
    async def coro():
        return 1

    with pytest.raises(TypeError, match='asyncio'):
        GAsync.block_on(coro)


def test_repr():
    assert 'resolved 3' in repr(GAsync.Future.new_for_int(3))
    assert 'pending' in repr(GAsync.Promise())
    assert "rejected 'x'" in repr(GAsync.Future.new_rejected(ValueError('x'))).replace('ValueError: ', '')


def test_timeouts_are_in_seconds():
    keep = GAsync.Promise()
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(lambda: keep, timeout=0.02)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    with pytest.raises(ValueError):
        GAsync.block_on(lambda: keep, timeout=-1)
