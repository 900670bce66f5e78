# Channels from Python: every send and receive form, back-pressure, close,
# iteration, main-context attachment, and channels fed from C threads.
import threading

from gi.repository import GAsync, GAsyncTest, GLib, GObject, Gio
import pytest

import helpers


def test_channel_new_and_item_types():
    sender, receiver = GAsync.channel_new(GObject.TYPE_UINT, 0)
    assert sender.get_item_type() == GObject.TYPE_UINT
    assert receiver.get_item_type() == GObject.TYPE_UINT
    sender, receiver = GAsync.channel()
    assert sender.get_item_type() == GObject.TYPE_PYOBJECT
    sender, receiver = GAsync.channel(str)
    assert receiver.get_item_type() == GObject.TYPE_STRING


def test_send_and_receive_python_values():
    sender, receiver = GAsync.channel()
    items = [1, 'two', (3,), {'four': 4}, 2 ** 80]
    for item in items:
        sender.send(item)
    assert [receiver.recv() for _ in items] == items


def test_blocking_iteration_ends_when_every_sender_closed():
    sender, receiver = GAsync.channel(int, 4)
    clone = sender.clone()
    assert not clone.is_closed()

    def produce(tx, start):
        with tx:
            for i in range(start, start + 50):
                tx.send(i)

    threads = [threading.Thread(target=produce, args=(tx, k * 50))
               for k, tx in enumerate((sender, clone))]
    for t in threads:
        t.start()
    received = list(receiver)
    for t in threads:
        t.join()
    assert sorted(received) == list(range(100))
    assert sender.is_closed() and clone.is_closed()


def test_fed_from_c_threads():
    sender, receiver = GAsync.channel(int, 8)
    GAsyncTest.feed_channel(sender, 4, 250)
    sender.close()
    received = list(receiver)
    assert sorted(received) == list(range(1000))
    # Per sender, in order.
    for k in range(4):
        mine = [i for i in received if k * 250 <= i < (k + 1) * 250]
        assert mine == sorted(mine)


def test_try_forms_full_and_empty():
    sender, receiver = GAsync.channel(int, 1)
    with pytest.raises(GLib.Error) as info:
        receiver.try_recv()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.EMPTY))
    sender.try_send(1)
    with pytest.raises(GLib.Error) as info:
        sender.try_send(2)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.FULL))
    assert receiver.try_recv() == 1


def test_timeouts_and_cancellation():
    sender, receiver = GAsync.channel(int, 1)
    with pytest.raises(GLib.Error) as info:
        receiver.recv(timeout=0.02)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    # The C way: the future form with a deadline, which withdraws it.
    pending = receiver.recv_future()
    with pytest.raises(GLib.Error) as info:
        pending.with_timeout(10).wait(None)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    with pytest.raises(GLib.Error) as info:
        pending.wait(None)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    sender.send(1)
    with pytest.raises(GLib.Error) as info:
        sender.send(2, timeout=0.02)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    pending = sender.send_future(2)
    with pytest.raises(GLib.Error) as info:
        pending.with_timeout(10).wait(None)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.TIMED_OUT))
    with pytest.raises(GLib.Error) as info:
        pending.wait(None)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    cancellable = Gio.Cancellable()
    threading.Timer(0.02, cancellable.cancel).start()
    with pytest.raises(GLib.Error) as info:
        sender.send(2, cancellable)
    helpers.raises_gerror(info, helpers.io_error(Gio.IOErrorEnum.CANCELLED))
    assert receiver.recv() == 1   # the cancelled item was not queued
    with pytest.raises(GLib.Error) as info:
        receiver.try_recv()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.EMPTY))


def test_closed_receiver_fails_senders():
    sender, receiver = GAsync.channel(str, 0)
    with receiver:
        sender.send('queued')
    with pytest.raises(GLib.Error) as info:
        sender.send('late')
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.CLOSED))
    assert sender.is_closed()


def test_send_future_waits_for_room():
    sender, receiver = GAsync.channel(int, 1)
    sender.send(1)
    pending = sender.send_future(2)
    assert pending.get_state() == GAsync.FutureState.PENDING
    assert receiver.recv() == 1
    pending.result(timeout=10)
    assert receiver.recv() == 2


def test_send_async_and_recv_async_on_this_context():
    sender, receiver = GAsync.channel(int, 1)
    sender.send(1)
    sent, received = [], []

    def on_sent(source, result):
        source.send_finish(result)
        sent.append(GAsyncTest.is_main_thread())

    def on_received(source, result):
        received.append((source.recv_finish(result), GAsyncTest.is_main_thread()))

    sender.send_async(2, None, on_sent)
    assert receiver.recv() == 1
    helpers.iterate_until(lambda: sent)
    receiver.recv_async(None, on_received)
    helpers.iterate_until(lambda: received)
    assert sent == [True] and received == [(2, True)]


def test_recv_async_cancelled_takes_nothing():
    sender, receiver = GAsync.channel(int, 0)
    errors = []

    def on_received(source, result):
        try:
            source.recv_finish(result)
        except GLib.Error as e:
            errors.append(e)

    cancellable = Gio.Cancellable()
    receiver.recv_async(cancellable, on_received)
    cancellable.cancel()
    helpers.iterate_until(lambda: errors)
    assert errors[0].matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    sender.send(7)
    assert receiver.recv() == 7


def test_recv_future_and_cancelling_it():
    sender, receiver = GAsync.channel(int, 0)
    first = receiver.recv_future()
    first.cancel()
    sender.send(1)
    assert receiver.recv_future().result(timeout=10) == 1
    sender.close()
    with pytest.raises(GLib.Error) as info:
        receiver.recv_future().result(timeout=10)
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.CLOSED))


def test_attach_delivers_on_this_context_from_c_threads():
    sender, receiver = GAsync.channel(int, 16)
    got, threads, done = [], set(), []

    def on_item(rx, item):
        if item is None:
            done.append(True)
            return
        got.append(item)
        threads.add(GAsyncTest.is_main_thread())

    source_id = receiver.attach(None, on_item)
    assert source_id > 0
    GAsyncTest.feed_channel(sender, 3, 200)
    sender.close()
    helpers.iterate_until(lambda: done)
    assert sorted(got) == list(range(600))
    assert threads == {True}


def test_attach_stops_when_the_handler_says_so():
    sender, receiver = GAsync.channel(int, 0)
    got = []
    receiver.attach(GLib.MainContext.default(), lambda rx, item: got.append(item) or False)
    sender.send(1)
    sender.send(2)
    helpers.iterate_until(lambda: got)
    for _ in range(5):
        GLib.MainContext.default().iteration(False)
    assert got == [1]
    assert receiver.try_recv() == 2   # left queued
