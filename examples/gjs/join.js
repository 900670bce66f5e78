// join.js: wait for several asynchronous results at once
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/join.c (the seed's second program): two 100 ms
// jobs, one that succeeds and one that fails, joined. GJS runs JavaScript
// on the main thread only, so both are spawned with spawn_local() on the
// context block_on() iterates, where they run concurrently.

imports.gi.versions.GAsync = '1.0';
imports.gi.versions.Gio = '2.0';
const {GAsync, Gio, GLib} = imports.gi;

function myAsyncFunction(fail) {
    return GAsync.timeout_new(100).and_then(() => {
        if (fail) {
            return GAsync.Future.new_for_error_literal(
                Gio.io_error_quark(), Gio.IOErrorEnum.FAILED, 'Something went wrong');
        }
        return GAsync.Future.new_for_int(42);
    });
}

const results = GAsync.block_on(() => {
    const context = GLib.MainContext.ref_thread_default();
    const ok = GAsync.spawn_local(context, () => myAsyncFunction(false));
    const bad = GAsync.spawn_local(context, () => myAsyncFunction(true));
    // gasync_join() is C only; all_settled() is the same for bindings.
    return GAsync.Future.all_settled([ok, bad]);
}, 0, null);

for (let i = 0; i < results.get_n_items(); i++) {
    const result = results.get_item(i);
    try {
        print(`Async function returned: ${result.get_int()}`);
    } catch (error) {
        print(`Async function failed: ${error.message}`);
    }
}
