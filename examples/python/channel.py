#!/usr/bin/python3
# channel.py: an async function sends its result to synchronous code
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/channel.c (the seed's third program): an
# async function, spawned on a runtime worker, sleeps 100 ms and sends its
# result over a channel of capacity 1; the synchronous main code blocks
# until the result is there. The item is a Result<i32, String>: a settled
# GAsync.Future, resolved with a value or rejected with an error.

import gi

gi.require_version('GAsync', '1.0')
from gi.repository import GAsync, GLib  # noqa: E402


def my_async_function(tx):
    # Runs on a runtime worker, and so does the continuation.
    def send_result(slept):
        result = GAsync.Future.new_for_int(42)   # Ok(42), or an error
        # tx.send(result).await: the task completes once it is queued.
        return tx.send_future(result)

    return GAsync.timeout_new(100).and_then(send_result)


with GAsync.Runtime.new(0) as rt:
    tx, rx = GAsync.channel(GAsync.Future, 1)
    rt.spawn(my_async_function, tx)   # async move: the task has the sender
    del tx
    # rt.block_on(rx.recv()).unwrap(); rx.recv() would block the same way.
    result = GAsync.block_on(lambda: rx.recv_future())
    try:
        print(f'Async function returned: {result.result()}')
    except GLib.Error as error:
        print(f'Async function failed: {error.message}')
