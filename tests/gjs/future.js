// GAsync.Future and GAsync.Promise from GJS: constructors, typed getters
// and resolvers, state, cancellation, continuations on this thread, the
// waits, and `await future.wait_async(null)` through Gio._promisify.
import {
    test, run, assert, assertEquals, assertThrowsGError, assertRejectsGError,
    iterateUntil, GLib, Gio, GAsync
} from './harness.js';
import GObject from 'gi://GObject';
import GAsyncTest from 'gi://GAsyncTest?version=1.0';

// The idiom: promisify once, then `await`. GJS 1.74 returns [true, value]
// from a finish function whose gboolean only mirrors the error (it ignores
// `Returns: (skip)`), and _promisify() drops the leading true: so
// `await future.wait_async(null)` yields [value], and rejects with the
// future's GLib.Error.
Gio._promisify(GAsync.Future.prototype, 'wait_async');

function settle(future) {
    iterateUntil(() => future.get_state() !== GAsync.FutureState.PENDING);
    return future;
}

test('typed constructors and getters', () => {
    assertEquals(GAsync.Future.new_for_boolean(true).get_boolean(), true);
    assertEquals(GAsync.Future.new_for_int(-5).get_int(), -5);
    assertEquals(GAsync.Future.new_for_string('s').dup_string(), 's');
    const file = Gio.File.new_for_path('/');
    assert(GAsync.Future.new_for_object(file).dup_object() === file, 'same object');
    const variant = new GLib.Variant('as', ['x']);
    assertEquals(GAsync.Future.new_for_variant(variant).dup_variant().deepUnpack(), ['x']);
    assertEquals(GAsync.Future.new_for_int(12).dup_string(), '12');
});

test('new_resolved takes JS values and GObject.Value', () => {
    assertEquals(GAsync.Future.new_resolved('text').get_value(), 'text');
    assertEquals(GAsync.Future.new_resolved(1.5).get_value(), 1.5);
    const value = new GObject.Value();
    value.init(GObject.TYPE_UINT);
    value.set_uint(9);
    const future = GAsync.Future.new_resolved(value);
    assertEquals(GObject.type_name(future.get_value_type()), 'guint');
    assertEquals(future.get_value(), 9);
});

test('types without a typed constructor: GObject.Value in, get_value out', () => {
    const cases = [[GObject.TYPE_UINT, 'set_uint', 7], [GObject.TYPE_INT64, 'set_int64', -(2 ** 40)],
        [GObject.TYPE_UINT64, 'set_uint64', 2 ** 40], [GObject.TYPE_DOUBLE, 'set_double', 0.25]];
    for (const [gtype, setter, expected] of cases) {
        const value = new GObject.Value();
        value.init(gtype);
        value[setter](expected);
        const future = GAsync.Future.new_resolved(value);
        assertEquals(future.get_value_type(), gtype, setter);
        assertEquals(future.get_value(), expected, setter);
        const promise = GAsync.Promise.new();
        promise.resolve(value);
        assertEquals(promise.get_value(), expected, setter);
    }
});

test('state, value type and error', () => {
    const future = GAsync.Future.new_for_int(1);
    assertEquals(future.get_state(), GAsync.FutureState.RESOLVED);
    assertEquals(GObject.type_name(future.get_value_type()), 'gint');
    assertEquals(future.get_error(), null);
    const promise = GAsync.Promise.new();
    assertEquals(promise.get_state(), GAsync.FutureState.PENDING);
    const rejected = GAsync.Future.new_for_error(new GLib.Error(Gio.IOErrorEnum,
        Gio.IOErrorEnum.NOT_FOUND, 'gone'));
    assertEquals(rejected.get_state(), GAsync.FutureState.REJECTED);
    assertEquals(rejected.get_error().message, 'gone');
});

test('getters throw the rejection, PENDING and TYPE_MISMATCH', () => {
    const rejected = GAsync.Future.new_for_error_literal(Gio.io_error_quark(),
        Gio.IOErrorEnum.NOT_FOUND, 'gone');
    for (const getter of ['get_value', 'get_boolean', 'get_int', 'dup_string', 'dup_object',
        'dup_variant'])
        assertThrowsGError(() => rejected[getter](), Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND);
    assertThrowsGError(() => GAsync.Promise.new().get_int(), GAsync.Error, GAsync.Error.PENDING);
    assertThrowsGError(() => GAsync.Future.new_for_string('x').dup_object(),
        GAsync.Error, GAsync.Error.TYPE_MISMATCH);
});

test('typed resolvers, reject and reject_literal', () => {
    const cases = [['resolve_boolean', true], ['resolve_int', -3], ['resolve_string', 'str']];
    for (const [method, value] of cases) {
        const promise = GAsync.Promise.new();
        promise[method](value);
        assertEquals(promise.get_value(), value, method);
    }
    let promise = GAsync.Promise.new();
    const cancellable = new Gio.Cancellable();
    promise.resolve_object(cancellable);
    assert(promise.dup_object() === cancellable);
    promise = GAsync.Promise.new();
    promise.resolve_variant(new GLib.Variant('u', 5));
    assertEquals(promise.dup_variant().get_uint32(), 5);
    promise = GAsync.Promise.new();
    promise.resolve('any JS string');
    assertEquals(promise.get_value(), 'any JS string');
    promise = GAsync.Promise.new();
    promise.reject(new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.BUSY, 'busy'));
    assertThrowsGError(() => promise.get_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.BUSY);
    promise = GAsync.Promise.new();
    promise.reject_literal(GAsync.error_quark(), GAsync.Error.CLOSED, 'closed');
    assert(promise.get_error().matches(GAsync.Error.quark(), GAsync.Error.CLOSED));
});

test('a promise is its own future; its cancellable follows cancel()', () => {
    const promise = GAsync.Promise.new();
    assert(promise.get_future() === promise);
    const cancellable = promise.get_cancellable();
    assertEquals(cancellable.is_cancelled(), false);
    promise.cancel();
    assertEquals(cancellable.is_cancelled(), true);
    assertThrowsGError(() => promise.get_value(), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
});

test('continuations run here, in order, for futures settled on C threads', () => {
    const promise = GAsync.Promise.new();
    const seen = [];
    const derived = promise.and_then(completed => {
        seen.push(['then', completed.get_int(), GAsyncTest.is_main_thread()]);
        return GAsync.Future.new_for_int(completed.get_int() * 2);
    });
    const settled = promise.on_settled(completed => {
        seen.push(['settled', completed.get_int()]);
        return null;
    });
    GAsyncTest.resolve_later(promise, 5, 21);
    settle(derived);
    settle(settled);
    assertEquals(derived.get_int(), 42);
    assertEquals(settled.get_int(), 21);
    assertEquals(seen, [['then', 21, true], ['settled', 21]]);
});

test('never inside the resolving call', () => {
    const promise = GAsync.Promise.new();
    const seen = [];
    const derived = promise.and_then(() => {
        seen.push('ran');
        return null;
    });
    promise.resolve_int(1);
    assertEquals(seen, []);
    settle(derived);
    assertEquals(seen, ['ran']);
});

test('or_else recovers; and_then is skipped on errors', () => {
    const rejected = GAsync.Future.new_for_error_literal(GAsync.error_quark(),
        GAsync.Error.FAILED, 'bad');
    const skipped = rejected.and_then(() => {
        throw new Error('must not run');
    });
    const recovered = rejected.or_else(f => GAsync.Future.new_for_string(`recovered from ${f.get_error().message}`));
    settle(skipped);
    settle(recovered);
    assertThrowsGError(() => skipped.get_value(), GAsync.Error, GAsync.Error.FAILED);
    assertEquals(recovered.get_value(), 'recovered from bad');
});

test('await future.wait_async(null) yields [value]', async () => {
    const promise = GAsync.Promise.new();
    GAsyncTest.resolve_later(promise, 5, 8);
    const [value] = await promise.wait_async(null);
    assertEquals(value, 8);
    assertEquals(await GAsync.Future.new_for_string('ready').wait_async(null), ['ready']);
});

test('await rejects with the GLib.Error, and on cancellation', async () => {
    const promise = GAsync.Promise.new();
    GAsyncTest.reject_later(promise, 5, 'from C');
    const e = await assertRejectsGError(promise.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED);
    assertEquals(e.message, 'from C');
    const cancellable = new Gio.Cancellable();
    const pending = GAsync.Promise.new();
    const waiting = pending.wait_async(cancellable);
    cancellable.cancel();
    await assertRejectsGError(waiting, Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
    assertEquals(pending.get_state(), GAsync.FutureState.PENDING);   // the wait stopped, not the future
});

test('wait_async with a plain callback and wait_finish', () => {
    const promise = GAsync.Promise.new();
    const results = [];
    promise.wait_async(null, (source, result) => {
        results.push([source.wait_finish(result), GAsyncTest.is_main_thread()]);
    });
    GAsyncTest.resolve_later(promise, 2, 3);
    iterateUntil(() => results.length > 0);
    assertEquals(results, [[[true, 3], true]]);
});

test('wait blocks without a main loop, bounded with with_timeout', () => {
    const promise = GAsync.Promise.new();
    GAsyncTest.resolve_later(promise, 5, 99);
    assertEquals(promise.wait(null), [true, 99]);
    const never = GAsync.Promise.new();
    const keep = Gio.ListStore.new(GAsync.Future.$gtype);
    keep.append(never);   // a C-side owner, as a producer would be
    assertThrowsGError(() => never.with_timeout(20).wait(null), GAsync.Error, GAsync.Error.TIMED_OUT);
    // The deadline cancelled the future it bounded.
    assertEquals(never.get_state(), GAsync.FutureState.REJECTED);
});

test('return_to_task implements an _async/_finish pair', () => {
    const got = [];
    const task = Gio.Task.new(null, null, (source, result) => got.push(result.propagate_value()));
    const promise = GAsync.Promise.new();
    promise.return_to_task(task);
    promise.resolve_string('through a GTask');
    iterateUntil(() => got.length > 0);
    assertEquals(got, [[true, 'through a GTask']]);
});

run();
