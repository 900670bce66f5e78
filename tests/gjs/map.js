// The bounded-concurrency map from GJS: arrays, list models, receivers.
import {
    test, run, assert, assertEquals, assertRejectsGError, iterateUntil, Gio, GLib, GAsync
} from './harness.js';
import GObject from 'gi://GObject';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

// Hands out a promise per item; the test settles them, newest first.
class Work {
    constructor() {
        this.started = [];
        this.cancellables = [];
        this.inFlight = 0;
        this.maxSeen = 0;
        this.func = (item, cancellable) => {
            const promise = GAsync.Promise.new();
            this.started.push([item, promise]);
            this.cancellables.push(cancellable);
            this.inFlight++;
            this.maxSeen = Math.max(this.maxSeen, this.inFlight);
            return promise;
        };
    }

    settleNewest() {
        for (const [item, promise] of [...this.started].reverse()) {
            if (promise.get_state() === GAsync.FutureState.PENDING) {
                this.inFlight--;
                promise.resolve_int(item * 10);
                return;
            }
        }
    }
}

function ints(model) {
    const values = [];
    for (let i = 0; i < model.get_n_items(); i++)
        values.push(model.get_item(i).get_int());
    return values;
}

test('map keeps input order and the bound', () => {
    const work = new Work();
    const future = GAsync.Future.map([0, 1, 2, 3, 4, 5], 2, work.func);
    assertEquals(work.started.length, 0);
    for (let done = 0; done < 6; done++) {
        iterateUntil(() => work.started.length > done);
        work.settleNewest();
    }
    iterateUntil(() => future.get_state() !== GAsync.FutureState.PENDING);
    assertEquals(ints(future.get_value()), [0, 10, 20, 30, 40, 50]);
    assertEquals(work.maxSeen, 2);
});

test('map rejects on the first error and cancels the rest', async () => {
    const work = new Work();
    const future = GAsync.Future.map([0, 1, 2, 3], 2, work.func);
    iterateUntil(() => work.started.length === 2);
    work.started[1][1].reject_literal(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED, 'second');
    await assertRejectsGError(future.wait_async(null), Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED);
    assert(work.started[0][1].get_error().matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED));
    assert(work.cancellables.every(c => c.is_cancelled()));
    assertEquals(work.started.length, 2);
});

test('list_model_map maps the items of a model', async () => {
    const store = Gio.ListStore.new(Gio.SimpleAction.$gtype);
    for (const name of ['a', 'b', 'c'])
        store.append(Gio.SimpleAction.new(name, null));
    const future = GAsync.list_model_map(store, 2,
        action => GAsync.Future.new_for_string(action.get_name()));
    const [model] = await future.wait_async(null);
    assertEquals([0, 1, 2].map(i => model.get_item(i).dup_string()), ['a', 'b', 'c']);
});

test('Receiver.map maps the items of a channel', async () => {
    const [tx, rx] = GAsync.channel_new(GObject.TYPE_INT, 0);
    for (let i = 0; i < 4; i++)
        tx.try_send(i);
    tx.close();
    const [model] = await rx.map(0, item => GAsync.Future.new_for_int(item + 1)).wait_async(null);
    assertEquals(ints(model), [1, 2, 3, 4]);
});

run();
