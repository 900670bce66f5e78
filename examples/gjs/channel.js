// channel.js: an async function sends its result to synchronous code
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/channel.c (the seed's third program): an async
// function sleeps 100 ms and sends its result over a channel of capacity
// 1; the main code receives it when it is ready. The item is a
// Result<i32, String>: a settled GAsync.Future, resolved with a value or
// rejected with an error. GJS runs JavaScript on the main thread only, so
// the async function runs there too, concurrently with the receive.
import GAsync from 'gi://GAsync?version=1.0';
import Gio from 'gi://Gio';

// `await x.foo_async(…)` then yields the result, an out value as [value].
Gio._promisify(GAsync.Future.prototype, 'wait_async');
Gio._promisify(GAsync.Sender.prototype, 'send_async');
Gio._promisify(GAsync.Receiver.prototype, 'recv_async');

async function myAsyncFunction(tx) {
    await GAsync.timeout_new(100).wait_async(null);
    const result = GAsync.Future.new_for_int(42);   // Ok(42), or an error
    await tx.send_async(result, null);              // tx.send(result).await
}

const [tx, rx] = GAsync.channel_new(GAsync.Future.$gtype, 1);
myAsyncFunction(tx).catch(logError);   // spawned: runs while we wait below

const [result] = await rx.recv_async(null);   // rx.recv().await
try {
    const [value] = await result.wait_async(null);
    print(`Async function returned: ${value}`);
} catch (error) {
    print(`Async function failed: ${error.message}`);
}
