// Combinators from GJS: all, all_settled, any, race, timeouts, and futures
// of a cancellable, with inputs settled on C threads.
import {
    test, run, assert, assertEquals, assertThrowsGError, assertRejectsGError, Gio, GAsync
} from './harness.js';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

function later(value, delay = 5) {
    const promise = GAsync.Promise.new();
    GAsyncTest.resolve_later(promise, delay, value);
    return promise;
}

// A C-side owner for futures nothing else would hold (a JS wrapper keeps
// its object alive only until the next garbage collection).
const keep = Gio.ListStore.new(GAsync.Future.$gtype);
function held(future) {
    keep.append(future);
    return future;
}

test('all resolves with the futures, in order', async () => {
    const inputs = [later(0, 10), later(1, 5), later(2, 1)];
    const [model] = await GAsync.Future.all(inputs).wait_async(null);
    const values = [];
    for (let i = 0; i < model.get_n_items(); i++)
        values.push(model.get_item(i).get_int());
    assertEquals(values, [0, 1, 2]);
    assertEquals(GAsync.Future.all([]).get_value().get_n_items(), 0);
});

test('all rejects on the first error and cancels the rest', async () => {
    const pending = held(GAsync.Promise.new());
    const failed = GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
        Gio.IOErrorEnum.FAILED, 'one failed');
    await assertRejectsGError(GAsync.Future.all([pending, failed]).wait_async(null),
        Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED);
    assert(pending.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
});

test('all_settled keeps every outcome', async () => {
    const bad = GAsync.Promise.new();
    GAsyncTest.reject_later(bad, 5, 'bad');
    const [model] = await GAsync.Future.all_settled([later(1), bad]).wait_async(null);
    assertEquals([0, 1].map(i => model.get_item(i).get_state()),
        [GAsync.FutureState.RESOLVED, GAsync.FutureState.REJECTED]);
});

test('any takes the first success, or ALL_FAILED', async () => {
    const failing = GAsync.Future.new_for_error_literal(GAsync.error_quark(), GAsync.Error.FAILED, 'f');
    assertEquals(await GAsync.Future.any([failing, later(9)]).wait_async(null), [9]);
    await assertRejectsGError(GAsync.Future.any([failing]).wait_async(null),
        GAsync.Error, GAsync.Error.ALL_FAILED);
});

test('race settles like the first to settle', async () => {
    const slow = held(GAsync.Promise.new());
    assertEquals(await GAsync.Future.race([slow, later(5, 1)]).wait_async(null), [5]);
    assert(slow.get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    assertThrowsGError(() => GAsync.Future.race([]).get_value(),
        GAsync.Error, GAsync.Error.INVALID_ARGUMENT);
});

test('timeout_new and with_timeout', async () => {
    assertEquals(await GAsync.timeout_new(5).wait_async(null), [true]);
    await assertRejectsGError(held(GAsync.Promise.new()).with_timeout(10).wait_async(null),
        GAsync.Error, GAsync.Error.TIMED_OUT);
    assertEquals(await GAsync.Future.new_for_int(4).with_timeout(1000).wait_async(null), [4]);
});

test('new_for_cancellable gives work a cancel button', async () => {
    const cancellable = new Gio.Cancellable();
    const stoppable = GAsync.Future.race([held(GAsync.Promise.new()),
        GAsync.Future.new_for_cancellable(cancellable)]);
    const waiting = stoppable.wait_async(null);
    cancellable.cancel();
    await assertRejectsGError(waiting, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

test('new_for_cancellable(null) settles only when cancelled', async () => {
    const never = GAsync.Future.new_for_cancellable(null);
    assertEquals(never.get_state(), GAsync.FutureState.PENDING);
    const work = held(GAsync.Promise.new());
    const stoppable = GAsync.Future.race([work, never]);
    // Cancelling the race withdraws from both inputs, which nothing else
    // waits on: both are cancelled, and the work's cancellable fires.
    stoppable.cancel();
    assertEquals(work.get_cancellable().is_cancelled(), true);
    await assertRejectsGError(never.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

run();
