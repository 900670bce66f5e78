// join.js: wait for several asynchronous results at once
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/join.c (the seed's second program): two 100 ms
// jobs, one that succeeds and one that fails, joined. GJS runs JavaScript
// on the main thread only, so both are spawned with spawn_local() on the
// main context, where they run concurrently.
import GAsync from 'gi://GAsync?version=1.0';
import Gio from 'gi://Gio';

Gio._promisify(GAsync.Future.prototype, 'wait_async');

function myAsyncFunction(fail) {
    return GAsync.timeout_new(100).and_then(() => {
        if (fail) {
            return GAsync.Future.new_for_error_literal(
                Gio.io_error_quark(), Gio.IOErrorEnum.FAILED, 'Something went wrong');
        }
        return GAsync.Future.new_for_int(42);
    });
}

const ok = GAsync.spawn_local(null, () => myAsyncFunction(false));
const bad = GAsync.spawn_local(null, () => myAsyncFunction(true));

// gasync_join() is C only; Future.all_settled() is the same for bindings:
// it resolves, once both have settled, with the list of both futures.
const [results] = await GAsync.Future.all_settled([ok, bad]).wait_async(null);
for (const result of results) {
    try {
        const [value] = await result.wait_async(null);
        print(`Async function returned: ${value}`);
    } catch (error) {
        print(`Async function failed: ${error.message}`);
    }
}
