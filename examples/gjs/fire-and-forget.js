// fire-and-forget.js: spawn work and carry on without waiting for it
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/fire-and-forget.c (the seed's first program).
// GJS runs JavaScript on the main thread only, so the task is spawned on
// the main context with spawn_local() rather than on a worker; the caller
// still goes on at once, and the main loop runs until the task is done.

imports.gi.versions.GAsync = '1.0';
const {GAsync, GLib} = imports.gi;

function myAsyncFunction() {
    return GAsync.timeout_new(100).and_then(() => {
        print('Async function completed.');
        return null;
    });
}

const loop = new GLib.MainLoop(null, false);
const handle = GAsync.spawn_local(null, myAsyncFunction);
print('Main function continues execution.');

// Only so that the program exits once the task is done.
handle.wait_async(null, () => loop.quit());
loop.run();
