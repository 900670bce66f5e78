// fire-and-forget.js: spawn work and carry on without waiting for it
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/fire-and-forget.c (the seed's first program).
// GJS runs JavaScript on the main thread only, so the task is spawned on
// the main context with spawn_local() rather than on a worker; the caller
// still goes on at once. The task also waits for a promise the caller
// resolves once its line is out: the 100 ms alone would not keep the lines
// in order on a loaded machine.
import GAsync from 'gi://GAsync?version=1.0';
import Gio from 'gi://Gio';

// `await future.wait_async(null)` then yields [value] (see README).
Gio._promisify(GAsync.Future.prototype, 'wait_async');

function myAsyncFunction(mainPrinted) {
    return GAsync.Future.all([GAsync.timeout_new(100), mainPrinted]).and_then(() => {
        print('Async function completed.');
        return null;
    });
}

const printed = GAsync.Promise.new();
const handle = GAsync.spawn_local(null, () => myAsyncFunction(printed));
print('Main function continues execution.');
printed.resolve_boolean(true);

// Only so that the program does not exit before the task is done: a
// module's top-level await keeps GJS's main loop running.
await handle.wait_async(null);
