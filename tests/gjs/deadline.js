// Deadlines on futures and intervals from GJS.
import {
    test, run, assert, assertEquals, assertRejectsGError, Gio, GLib, GAsync
} from './harness.js';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

// A C-side owner for futures nothing else would hold.
const keep = Gio.ListStore.new(GAsync.Future.$gtype);
function held(future) {
    keep.append(future);
    return future;
}

test('with_deadline settles like the future before the deadline', async () => {
    const promise = held(GAsync.Promise.new());
    const bounded = promise.with_deadline(GLib.get_monotonic_time() + 3600 * 1000000);
    promise.resolve_int(3);
    assertEquals(await bounded.wait_async(null), [3]);
});

test('with_deadline times out and cancels the future', async () => {
    const promise = held(GAsync.Promise.new());
    const bounded = promise.with_deadline(GLib.get_monotonic_time() + 20000);
    await assertRejectsGError(bounded.wait_async(null), GAsync.Error, GAsync.Error.TIMED_OUT);
    assert(promise.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
});

test('interval ticks on its grid and stops on close', async () => {
    const rx = GAsync.interval_new(5);
    const [first] = await rx.recv_future().wait_async(null);
    const [second] = await rx.recv_future().wait_async(null);
    assert(second > first && (second - first) % 5000 === 0, `${first} then ${second}`);
    rx.close();
    await assertRejectsGError(rx.recv_future().wait_async(null), GAsync.Error, GAsync.Error.CLOSED);
});

run();
