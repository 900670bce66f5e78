# Combinators from Python: all, all_settled, any, race, join, timeouts,
# and futures of a cancellable.
from gi.repository import GAsync, GAsyncTest, GLib, Gio
import pytest

import helpers


def held_later(value, delay=5):
    promise = GAsync.Promise()
    GAsyncTest.resolve_later(promise, delay, value)
    return promise


def test_all_resolves_with_the_futures_in_order():
    futures = [held_later(i, 10 - i) for i in range(4)]
    results = GAsync.block_on(GAsync.Future.all, futures)
    assert [f.get_int() for f in results] == [0, 1, 2, 3]
    assert list(GAsync.Future.all([]).get_value()) == []


def test_all_rejects_on_the_first_error_and_cancels_the_rest():
    pending = helpers.held(GAsync.Promise())
    failed = GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.FAILED, 'one failed')
    with pytest.raises(GLib.Error, match='one failed'):
        GAsync.block_on(GAsync.Future.all, [pending, failed])
    assert pending.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_all_settled_and_join_keep_every_outcome():
    ok = held_later(1)
    bad = GAsync.Promise()
    GAsyncTest.reject_later(bad, 5, 'bad')
    settled = GAsync.block_on(GAsync.Future.all_settled, [ok, bad])
    states = [f.get_state() for f in settled]
    assert states == [GAsync.FutureState.RESOLVED, GAsync.FutureState.REJECTED]
    a, b = GAsync.block_on(GAsync.join(GAsync.Future.new_for_int(1),
                                       GAsync.Future.new_for_string('x')))
    assert (a.get_int(), b.dup_string()) == (1, 'x')


def test_any_takes_the_first_success():
    failing = GAsync.Future.new_for_error_literal(GAsync.error_quark(), GAsync.Error.FAILED, 'f')
    assert GAsync.block_on(GAsync.Future.any, [failing, held_later(9)]) == 9
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(GAsync.Future.any, [failing])
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.ALL_FAILED))


def test_race_settles_like_the_first_to_settle():
    slow = helpers.held(GAsync.Promise())
    fast = held_later(5, 1)
    assert GAsync.block_on(GAsync.Future.race, [slow, fast]) == 5
    assert slow.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    with pytest.raises(GLib.Error) as info:
        GAsync.Future.race([]).get_value()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.INVALID_ARGUMENT))


def test_timeout_new_resolves_later_without_a_main_loop():
    timer = GAsync.timeout_new(10)
    assert timer.get_state() == GAsync.FutureState.PENDING
    assert timer.result(timeout=10) is True


def test_new_for_cancellable_gives_work_a_cancel_button():
    cancellable = Gio.Cancellable()
    stop = GAsync.Future.new_for_cancellable(cancellable)
    work = helpers.held(GAsync.Promise())
    stoppable = GAsync.Future.race([work, stop])
    assert stoppable.get_state() == GAsync.FutureState.PENDING
    cancellable.cancel()
    with pytest.raises(GLib.Error) as info:
        stoppable.result(timeout=10)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))


def test_new_for_cancellable_without_one_settles_only_when_cancelled():
    never = GAsync.Future.new_for_cancellable(None)
    assert never.get_state() == GAsync.FutureState.PENDING
    work = helpers.held(GAsync.Promise())
    stoppable = GAsync.Future.race([work, never])
    # Cancelling the race withdraws from both inputs, which nothing else
    # waits on: both are cancelled, and the work's cancellable fires.
    stoppable.cancel()
    assert work.get_cancellable().is_cancelled()
    with pytest.raises(GLib.Error) as info:
        never.result(timeout=10)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
