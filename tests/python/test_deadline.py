# Deadlines on futures and intervals from Python.
from gi.repository import GAsync, GLib, Gio
import pytest

import helpers


def test_with_deadline_settles_like_the_future_before_the_deadline():
    promise = helpers.held(GAsync.Promise())
    bounded = promise.with_deadline(GLib.get_monotonic_time() + 3600 * 1000000)
    promise.resolve_int(5)
    assert GAsync.block_on(bounded) == 5


def test_with_deadline_times_out_and_cancels_the_future():
    promise = helpers.held(GAsync.Promise())
    bounded = promise.with_deadline(GLib.get_monotonic_time() + 20000)
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(bounded)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    assert promise.get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))


def test_with_deadline_already_past_rejects_at_once():
    promise = helpers.held(GAsync.Promise())
    bounded = promise.with_deadline(0)
    assert bounded.get_state() == GAsync.FutureState.REJECTED
    assert promise.get_cancellable().is_cancelled()


def test_interval_ticks_on_its_grid_and_stops_on_close():
    rx = GAsync.interval_new(5)
    first = GAsync.block_on(rx.recv_future())
    second = GAsync.block_on(rx.recv_future())
    assert second > first and (second - first) % 5000 == 0
    assert second <= GLib.get_monotonic_time()
    rx.close()
    with pytest.raises(GLib.Error) as info:
        GAsync.block_on(rx.recv_future())
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.CLOSED))
