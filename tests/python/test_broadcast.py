# Broadcast channels from Python: every receiver gets every item, a slow
# receiver is told exactly how many it missed, close, and attachment.
import threading

from gi.repository import GAsync, GAsyncTest, GLib, GObject
import pytest

import helpers


def test_every_receiver_gets_every_item():
    bc = GAsync.Broadcast.new(GObject.TYPE_INT, 8)
    assert bc.get_item_type() == GObject.TYPE_INT
    assert bc.send(0) == 0                   # nobody listens yet
    a, b = bc.subscribe(), bc.subscribe()
    for i in range(1, 4):
        assert bc.send(i) == 2
    assert [a.recv_future().get_value() for _ in range(3)] == [1, 2, 3]
    assert [b.recv_future().get_value() for _ in range(3)] == [1, 2, 3]
    pending = a.recv_future()
    assert pending.get_state() == GAsync.FutureState.PENDING
    bc.send(4)
    assert helpers.settle(pending).get_value() == 4


def test_slow_receiver_is_told_how_many_it_missed():
    bc = GAsync.Broadcast.new(GObject.TYPE_INT, 4)
    rx = bc.subscribe()
    for i in range(10):
        bc.send(i)
    assert rx.recv_future().get_value() == 6
    assert rx.get_missed() == 6
    bc.close()
    assert [rx.recv_future().get_value() for _ in range(3)] == [7, 8, 9]
    with pytest.raises(GLib.Error) as info:
        rx.recv_future().get_value()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.CLOSED))
    assert bc.send(10) == 0


def test_attach_from_threads_loses_nothing_silently():
    bc = GAsync.Broadcast.new(GObject.TYPE_INT, 16)
    rx = bc.subscribe()
    got, missed, threads, done = [], [], set(), []

    def on_item(receiver, item, n_missed):
        threads.add(GAsyncTest.is_main_thread())
        if item is None:
            done.append(True)
        else:
            got.append(item)
            missed.append(n_missed)
        return True

    assert rx.attach(None, on_item) > 0
    sender = threading.Thread(target=lambda: [bc.send(i) for i in range(500)])
    sender.start()
    sender.join()
    bc.close()
    helpers.iterate_until(lambda: done)
    assert len(got) + sum(missed) == 500
    assert sum(missed) == rx.get_missed()
    assert got[-1] == 499
    expected = 0
    for item, n in zip(got, missed):
        assert item == expected + n
        expected = item + 1
    assert threads == {True}
