// GAsync.Limiter from GJS: permits, FIFO waiting, a cancelled waiter giving
// its place up, and run() calling JS functions on this thread's context
// (never inside a release, never on a worker) with at most N at once.
import {
    test, run, assert, assertEquals, assertRejectsGError, Gio, GAsync
} from './harness.js';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

const {PENDING, RESOLVED, REJECTED} = GAsync.FutureState;

test('acquire, release and FIFO order', () => {
    const limiter = GAsync.Limiter.new(1);
    assertEquals(limiter.get_permits(), 1);
    const held = limiter.acquire();
    assertEquals(held.get_state(), RESOLVED);
    assertEquals(held.get_boolean(), true);
    const waiters = [0, 1, 2].map(() => limiter.acquire());
    assertEquals(limiter.get_available(), 0);
    limiter.release();
    assertEquals(waiters.map(w => w.get_state()), [RESOLVED, PENDING, PENDING]);
    waiters[1].cancel();                          // gives its place up
    limiter.release();
    assertEquals(waiters.map(w => w.get_state()), [RESOLVED, REJECTED, RESOLVED]);
    limiter.release();
    assertEquals(limiter.get_available(), 1);
    assertEquals(new GAsync.Limiter({permits: 3}).get_permits(), 3);
});

test('try_acquire takes a free permit and never jumps the queue', () => {
    const limiter = GAsync.Limiter.new(1);
    assertEquals(limiter.try_acquire(), true);
    assertEquals(limiter.try_acquire(), false);
    const waiting = limiter.acquire();
    limiter.release();
    assertEquals(waiting.get_state(), RESOLVED);
    assertEquals(limiter.try_acquire(), false);
    limiter.release();
    assertEquals(limiter.get_available(), 1);
});

test('run() bounds JS work and releases on resolve and reject', async () => {
    const limiter = GAsync.Limiter.new(2);
    let inside = 0, most = 0;
    const runs = [];
    for (let i = 0; i < 10; i++) {
        runs.push(limiter.run(cancellable => {
            assert(cancellable instanceof Gio.Cancellable);
            assert(GAsyncTest.is_main_thread());
            inside++;
            most = Math.max(most, inside);
            const promise = GAsync.Promise.new();
            // Settled on a C thread; the continuation comes back here.
            GAsyncTest.resolve_later(promise, 1 + i % 3, i);
            return promise.and_then(f => {
                inside--;
                return f;
            });
        }));
    }
    assertEquals(limiter.get_available(), 0);
    const values = await Promise.all(runs.map(r => r.wait_async(null)));
    assertEquals(values.map(([v]) => v), [...Array(10).keys()]);
    assertEquals(most, 2);

    const failed = limiter.run(() => GAsync.Future.new_for_error_literal(
        Gio.io_error_quark(), Gio.IOErrorEnum.NOT_FOUND, 'gone'));
    await assertRejectsGError(failed.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
    assertEquals(failed.get_state(), REJECTED);
    assertEquals(limiter.get_available(), 2);
});

run();
