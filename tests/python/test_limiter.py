# GAsync.Limiter from Python: permits, `async with limiter:` on asyncio
# (also when the block raises or the task is cancelled while it waits), and
# limiter.run() with GAsync.spawn's calling convention.
import asyncio

from gi.repository import GAsync, GLib, Gio
import pytest

import helpers

PENDING = GAsync.FutureState.PENDING
RESOLVED = GAsync.FutureState.RESOLVED


def test_acquire_and_release():
    limiter = GAsync.Limiter.new(2)
    assert isinstance(limiter, GAsync.Limiter)
    assert limiter.get_permits() == 2
    a, b = limiter.acquire(), limiter.acquire()
    assert a.get_state() == RESOLVED and b.get_state() == RESOLVED
    assert a.get_value() is True
    waiting = limiter.acquire()
    assert waiting.get_state() == PENDING
    assert limiter.get_available() == 0
    limiter.release()
    assert waiting.get_state() == RESOLVED   # the oldest waiter, at once
    limiter.release()
    limiter.release()
    assert limiter.get_available() == 2
    assert GAsync.Limiter(permits=3).get_permits() == 3


def test_try_acquire():
    limiter = GAsync.Limiter.new(1)
    assert limiter.try_acquire() is True
    assert limiter.try_acquire() is False
    waiting = limiter.acquire()
    limiter.release()
    assert waiting.get_state() == RESOLVED
    assert limiter.try_acquire() is False     # never ahead of a waiter
    limiter.release()
    assert limiter.get_available() == 1


def test_async_with_bounds_concurrency():
    limiter = GAsync.Limiter.new(2)
    inside = []
    most = []

    async def worker(i):
        async with limiter as held:
            assert held is limiter
            inside.append(i)
            most.append(len(inside))
            await asyncio.sleep(0.001)
            inside.remove(i)
        return i

    async def main():
        return await asyncio.gather(*(worker(i) for i in range(20)))

    assert asyncio.run(main()) == list(range(20))
    assert max(most) == 2
    assert limiter.get_available() == 2


def test_async_with_releases_on_exception():
    limiter = GAsync.Limiter.new(1)

    async def main():
        with pytest.raises(ZeroDivisionError):
            async with limiter:
                assert limiter.get_available() == 0
                1 / 0
        return limiter.get_available()

    assert asyncio.run(main()) == 1


def test_cancelled_waiter_gives_its_place_up():
    limiter = GAsync.Limiter.new(1)

    async def main():
        held = limiter.acquire()
        assert held.get_state() == RESOLVED

        async def wait():
            async with limiter:
                pass

        task = asyncio.ensure_future(wait())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The cancelled waiter is skipped: the next acquire gets the permit.
        following = limiter.acquire()
        limiter.release()
        assert following.get_state() == RESOLVED
        limiter.release()

    asyncio.run(main())
    assert limiter.get_available() == 1


def test_run_with_spawn_calling_convention():
    limiter = GAsync.Limiter.new(1)

    def with_cancellable(x, cancellable=None):
        assert isinstance(cancellable, Gio.Cancellable)
        assert limiter.get_available() == 0
        return x * 2

    assert GAsync.block_on(lambda: limiter.run(with_cancellable, 21)) == 42
    assert GAsync.block_on(lambda: limiter.run(lambda: GAsync.Future.new_resolved('f'))) == 'f'
    assert limiter.get_available() == 1

    def fails():
        raise ValueError('bad')

    with pytest.raises(GLib.Error, match='ValueError: bad'):
        GAsync.block_on(lambda: limiter.run(fails))
    assert limiter.get_available() == 1


def test_run_waits_for_a_permit_on_the_callers_context():
    limiter = GAsync.Limiter.new(1)
    held = limiter.acquire()
    calls = []
    context = GLib.MainContext.new()
    context.push_thread_default()
    try:
        future = limiter.run(lambda: calls.append(GLib.MainContext.get_thread_default()) or 'ran')
    finally:
        context.pop_thread_default()
    while context.iteration(False):
        pass
    assert calls == [] and held.get_state() == RESOLVED
    limiter.release()
    assert calls == []   # never inside the release
    helpers.iterate_until(lambda: future.get_state() != PENDING, context=context)
    assert future.get_value() == 'ran'
    assert calls == [context]
    assert limiter.get_available() == 1
