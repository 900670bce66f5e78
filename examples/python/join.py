#!/usr/bin/python3
# join.py: wait for several asynchronous results at once
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/join.c (the seed's second program): two
# 100 ms jobs, one that succeeds and one that fails, run at once on a
# runtime's workers; joining them gives back both futures, and each result
# is read from its own future.

import gi

gi.require_version('GAsync', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GAsync, Gio, GLib  # noqa: E402


def my_async_function(cancellable, fail):
    def finish(slept, user_data):
        if fail:
            return GAsync.Future.new_for_error_literal(
                Gio.io_error_quark(), Gio.IOErrorEnum.FAILED, 'Something went wrong')
        return GAsync.Future.new_for_int(42)

    return GAsync.timeout_new(100).and_then(finish, None)


def main_async(cancellable, runtime):
    ok = runtime.spawn(my_async_function, False)
    bad = runtime.spawn(my_async_function, True)
    # gasync_join() is C only; all_settled() is the same for bindings.
    return GAsync.Future.all_settled([ok, bad])


runtime = GAsync.Runtime.new(0)
results = GAsync.block_on(main_async, runtime, 0, None)
for result in results:
    try:
        print(f'Async function returned: {result.get_int()}')
    except GLib.Error as error:
        print(f'Async function failed: {error.message}')
runtime.shutdown(None)
