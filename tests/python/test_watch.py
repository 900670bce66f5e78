# Watch channels from Python: the latest value, change futures that
# coalesce, close, and attachment to a main context fed from threads.
import threading

from gi.repository import GAsync, GAsyncTest, GLib, GObject
import pytest

import helpers


def test_value_and_changes():
    watch = GAsync.Watch.new(GObject.Value(GObject.TYPE_UINT, 1))
    assert watch.get_value_type() == GObject.TYPE_UINT
    assert watch.get_value() == 1
    rx = watch.subscribe()
    assert not rx.has_changed()
    assert watch.set(2) and watch.set(3)
    assert rx.has_changed()
    changed = rx.changed()
    assert changed.get_state() == GAsync.FutureState.RESOLVED
    assert changed.get_value() == 3          # two sets, one change
    pending = rx.changed()
    assert pending.get_state() == GAsync.FutureState.PENDING
    watch.set(4)
    assert helpers.settle(pending).get_value() == 4
    watch.set(5)
    assert rx.dup_value() == 5               # marks it seen
    assert not rx.has_changed()


def test_close_delivers_last_value_then_closed():
    watch = GAsync.Watch.new('idle')
    rx = watch.subscribe()
    watch.set('done')
    watch.close()
    assert not watch.set('again')
    assert rx.changed().get_value() == 'done'
    with pytest.raises(GLib.Error) as info:
        rx.changed().get_value()
    helpers.raises_gerror(info, helpers.gasync_error(GAsync.Error.CLOSED))


def test_attach_gets_the_last_value_on_this_context():
    watch = GAsync.Watch.new(0)
    rx = watch.subscribe()
    seen, threads, done = [], set(), []

    def on_change(receiver, value):
        threads.add(GAsyncTest.is_main_thread())
        if value is None:
            done.append(True)
        else:
            seen.append(value)
        return True

    assert rx.attach(None, on_change) > 0

    def setter(start):
        for i in range(start, start + 200):
            watch.set(i)

    workers = [threading.Thread(target=setter, args=(k * 200 + 1,)) for k in range(4)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    last = watch.get_value()
    watch.close()
    helpers.iterate_until(lambda: done)
    assert seen[-1] == last
    assert threads == {True}
