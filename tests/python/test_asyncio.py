# Awaiting gasync futures from asyncio, on event loops that know nothing of
# GLib, on the main thread and on others, with results settled on C worker
# threads: completion comes through loop.call_soon_threadsafe from the
# override's helper thread, never from a gasync worker.
import asyncio
import threading

from gi.repository import GAsync, GAsyncTest, GLib, Gio
import gi.overrides.GAsync as override
import pytest

import helpers


def test_await_futures_settled_everywhere():
    async def main():
        ready = await GAsync.Future.new_for_int(1)          # already settled
        promise = GAsync.Promise()
        GAsyncTest.resolve_later(promise, 5, 2)
        from_c_thread = await promise
        from_pool = await GAsyncTest.spawn_sum(None, 10)
        from_worker = await GAsyncTest.spawn_delayed(None, 5, 4)
        from_python_task = await GAsync.spawn(lambda: 'py')
        timer = await GAsync.timeout_new(5)
        return ready, from_c_thread, from_pool, from_worker, from_python_task, timer

    assert asyncio.run(main()) == (1, 2, 45, 4, 'py', True)


def test_errors_are_raised_in_the_coroutine():
    async def main():
        promise = GAsync.Promise()
        GAsyncTest.reject_later(promise, 5, 'from C')
        await promise

    with pytest.raises(GLib.Error, match='from C'):
        asyncio.run(main())


def test_gather_many():
    async def main():
        futures = [GAsyncTest.spawn_delayed(None, 1 + i % 5, i) for i in range(50)]
        return await asyncio.gather(*futures)

    assert asyncio.run(main()) == list(range(50))


def test_callbacks_run_on_the_bridge_thread_only(monkeypatch):
    threads = []
    base = next(c for c in type(GAsync.Promise()).__mro__
                if 'wait_finish' in vars(c))
    original = vars(base)['wait_finish']

    def recording(self, result):
        threads.append(threading.current_thread().name)
        return original(self, result)

    monkeypatch.setattr(base, 'wait_finish', recording)

    async def main():
        return [await GAsyncTest.spawn_sum(None, 5), await GAsyncTest.spawn_delayed(None, 2, 3)]

    assert asyncio.run(main()) == [10, 3]
    assert threads == ['gasync-asyncio', 'gasync-asyncio']


def test_an_event_loop_on_another_thread():
    result = []

    def run():
        async def main():
            promise = GAsync.Promise()
            GAsyncTest.resolve_later(promise, 5, 6)
            return await promise
        result.append(asyncio.run(main()))

    t = threading.Thread(target=run)
    t.start()
    t.join()   # a hang is caught by the test's own timeout
    assert result == [6]


def test_cancelling_the_await_cancels_the_future():
    promise = helpers.held(GAsync.Promise())

    async def wait():
        return await promise

    async def main():
        task = asyncio.ensure_future(wait())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert promise.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
    assert promise.get_cancellable().is_cancelled()


def test_shield_keeps_a_shared_future():
    promise = helpers.held(GAsync.Promise())

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(GAsync.wrap_future(promise)), 0.01)
        assert promise.get_state() == GAsync.FutureState.PENDING
        GAsyncTest.resolve_later(promise, 1, 3)
        return await promise

    assert asyncio.run(main()) == 3


def test_async_for_over_a_channel_fed_from_c_threads():
    async def main():
        sender, receiver = GAsync.channel(int, 8)
        GAsyncTest.feed_channel(sender, 2, 100)
        sender.close()
        return [item async for item in receiver]

    assert sorted(asyncio.run(main())) == list(range(200))


def test_send_future_and_recv_future_are_awaitable():
    async def send(sender, item):
        await sender.send_future(item)

    async def main():
        sender, receiver = GAsync.channel(str, 1)
        await sender.send_future('a')
        waiting = asyncio.ensure_future(send(sender, 'b'))   # no room yet
        await asyncio.sleep(0.01)
        assert not waiting.done()
        first = await receiver.recv_future()
        await waiting
        return first, await receiver.recv_future()

    assert asyncio.run(main()) == ('a', 'b')


def test_wrap_future_needs_a_future():
    with pytest.raises(TypeError):
        asyncio.run(_wrap(42))


async def _wrap(x):
    return await GAsync.wrap_future(x)


def test_the_bridge_is_a_daemon_with_its_own_context():
    bridge = override._Bridge.get()
    assert bridge.thread.daemon and bridge.thread.name == 'gasync-asyncio'
    assert bridge.context != GLib.MainContext.default()
