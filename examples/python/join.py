#!/usr/bin/python3
# join.py: wait for several asynchronous results at once
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/join.c (the seed's second program): two
# 100 ms jobs, one that succeeds and one that fails, run at once on the
# default runtime's workers; joining them gives back both futures, each
# awaited for its own result. asyncio drives it: gasync futures are
# awaitable on any event loop, no GLib main loop needed.

import asyncio

import gi

gi.require_version('GAsync', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import GAsync, GLib, Gio  # noqa: E402


def my_async_function(fail):
    def finish(slept):
        if fail:
            raise GLib.Error('Something went wrong',
                             GLib.quark_to_string(Gio.io_error_quark()),
                             Gio.IOErrorEnum.FAILED)
        return 42

    return GAsync.timeout_new(100).and_then(finish)


async def main():
    ok = GAsync.spawn(my_async_function, False)
    bad = GAsync.spawn(my_async_function, True)
    # Like tokio::join!: resolves once both have settled, either way.
    for result in await GAsync.join(ok, bad):
        try:
            print(f'Async function returned: {await result}')
        except GLib.Error as error:
            print(f'Async function failed: {error.message}')


asyncio.run(main())
