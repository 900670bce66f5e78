# The bounded-concurrency map from Python: arrays, list models, receivers.
from gi.repository import GAsync, GLib, GObject, Gio
import pytest

import helpers


class Work:
    """Hands out a promise per item, settled later by the test."""

    def __init__(self):
        self.started = []
        self.cancellables = []
        self.in_flight = 0
        self.max_seen = 0

    def __call__(self, item, cancellable):
        promise = GAsync.Promise()
        self.started.append((item, promise))
        self.cancellables.append(cancellable)
        self.in_flight += 1
        self.max_seen = max(self.max_seen, self.in_flight)
        return promise

    def settle_newest(self):
        """Resolves the newest pending item: completion order is not input order."""
        for item, promise in reversed(self.started):
            if promise.get_state() == GAsync.FutureState.PENDING:
                self.in_flight -= 1
                promise.resolve_int(item * 10)
                return


def drive(work, future, n):
    for done in range(n):
        helpers.iterate_until(lambda: len(work.started) > done)
        work.settle_newest()
    helpers.settle(future)
    return [f.get_int() for f in future.get_value()]


def test_map_keeps_input_order_and_the_bound():
    work = Work()
    future = GAsync.Future.map(list(range(8)), 3, work)
    assert work.started == []
    assert drive(work, future, 8) == [i * 10 for i in range(8)]
    assert work.max_seen == 3


def test_map_first_error_cancels_the_rest():
    work = Work()
    future = GAsync.Future.map(list(range(6)), 2, work)
    helpers.iterate_until(lambda: len(work.started) == 2)
    work.started[0][1].reject_literal(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED, 'first')
    with pytest.raises(GLib.Error, match='first'):
        helpers.settle(future).get_value()
    assert work.started[1][1].get_error().matches(*helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    assert all(c.is_cancelled() for c in work.cancellables)
    assert len(work.started) == 2


def test_map_cancel_stops_everything():
    work = Work()
    future = GAsync.Future.map(list(range(6)), 2, work)
    helpers.iterate_until(lambda: len(work.started) == 2)
    future.cancel()
    assert all(p.get_error() is not None for _, p in work.started)
    GLib.MainContext.default().iteration(False)
    assert len(work.started) == 2


def test_list_model_map():
    store = Gio.ListStore.new(Gio.SimpleAction)
    for name in ('a', 'b', 'c'):
        store.append(Gio.SimpleAction.new(name, None))
    future = GAsync.block_on(lambda: GAsync.list_model_map(
        store, 2, lambda action, c: GAsync.Future.new_for_string(action.get_name())))
    assert [f.dup_string() for f in future] == ['a', 'b', 'c']


def test_receiver_map():
    tx, rx = GAsync.channel_new(GObject.TYPE_INT, 0)
    for i in range(5):
        tx.try_send(i)
    tx.close()
    results = GAsync.block_on(lambda: rx.map(2, lambda item, c: GAsync.Future.new_for_int(item + 1)))
    assert [f.get_int() for f in results] == [1, 2, 3, 4, 5]

