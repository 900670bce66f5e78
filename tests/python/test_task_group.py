# GAsync.TaskGroup from Python: ``async with`` on asyncio (as
# asyncio.TaskGroup), ``with`` from synchronous code, next() in completion
# order, wait(), cancel(), members that are Python functions on workers,
# blocking functions and C tasks.
import asyncio

from gi.repository import GAsync, GAsyncTest, GLib, Gio
import pytest


def _is(error, domain, code):
    return isinstance(error, GLib.Error) and error.matches(domain, code)


def test_async_with_waits_and_gives_results():
    async def main():
        async with GAsync.TaskGroup() as group:
            doubled = group.spawn(lambda x: x * 2, 21)
            blocking = group.spawn_blocking(lambda s: s.upper(), 'pool')
            with_cancellable = group.spawn(
                lambda cancellable: isinstance(cancellable, Gio.Cancellable))
            c_task = GAsyncTest.spawn_delayed(None, 5, 4)
            group.add(c_task)
            assert isinstance(group.get_n_pending(), int)
        # The block waited: every member has settled.
        assert group.get_n_pending() == 0
        return doubled, blocking, with_cancellable, c_task

    doubled, blocking, with_cancellable, c_task = asyncio.run(main())
    assert doubled.result() == 42
    assert blocking.result() == 'POOL'
    assert with_cancellable.result() is True
    assert c_task.result() == 4


def test_a_failing_member_cancels_the_others_and_raises():
    runtime = GAsync.Runtime.new(1)

    def fail():
        raise ValueError('member failed')

    async def main():
        async with GAsync.TaskGroup.new(runtime) as group:
            slow = GAsyncTest.spawn_blocking_sleep(runtime, 10000)
            group.add(slow)
            group.spawn(fail)
        return slow

    with pytest.raises(GLib.Error, match='ValueError: member failed'):
        asyncio.run(main())
    runtime.shutdown(None)   # returns once the sleeper saw the cancel


def test_an_exception_in_the_block_cancels_the_group():
    promise = GAsync.Promise()

    async def main():
        async with GAsync.TaskGroup() as group:
            group.add(promise)
            raise KeyError('body')

    with pytest.raises(KeyError):
        asyncio.run(main())
    with pytest.raises(GLib.Error) as info:
        promise.result()
    assert _is(info.value, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)


def test_next_in_completion_order_then_closed():
    group = GAsync.TaskGroup()
    promises = [GAsync.Promise() for _ in range(3)]
    for p in promises:
        group.add(p)
    for i in (2, 0, 1):
        promises[i].resolve(i)
    order = [group.next().result() for _ in range(3)]
    assert order == [promises[2], promises[0], promises[1]]
    assert group.wait().result() is True
    with pytest.raises(GLib.Error) as info:
        group.next().result()
    assert _is(info.value, GAsync.error_quark(), GAsync.Error.CLOSED)


def test_async_for_over_members():
    async def main():
        group = GAsync.TaskGroup()
        for i in range(5):
            group.add(GAsyncTest.spawn_delayed(None, 1 + i, i))
        group.wait()
        return sorted([member.result() async for member in group])

    assert asyncio.run(main()) == list(range(5))


def test_cancel_and_synchronous_with():
    promise = GAsync.Promise()
    with pytest.raises(GLib.Error) as info:
        with GAsync.TaskGroup() as group:
            group.add(promise)
            group.cancel()
    assert _is(info.value, Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert promise.get_state() == GAsync.FutureState.REJECTED


def test_spawn_after_close_is_refused():
    group = GAsync.TaskGroup(runtime=GAsync.Runtime.get_default())
    group.wait()
    handle = group.spawn(lambda: 1)
    with pytest.raises(GLib.Error) as info:
        handle.result()
    assert _is(info.value, GAsync.error_quark(), GAsync.Error.CLOSED)
