#!/usr/bin/python3
# fire-and-forget.py: spawn work and carry on without waiting for it
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/fire-and-forget.c (the seed's first program):
# a 100 ms job is spawned on a runtime's worker and its handle dropped; the
# caller goes on at once, and shutting the runtime down lets it finish.

import gi

gi.require_version('GAsync', '1.0')
from gi.repository import GAsync  # noqa: E402


def print_completed(slept, user_data):
    print('Async function completed.', flush=True)
    return None


def my_async_function(cancellable, user_data):
    # Runs on a worker thread: the sleep and what follows complete there.
    return GAsync.timeout_new(100).and_then(print_completed, None)


def main_async(cancellable, runtime):
    # Fire and forget: the handle is dropped at once; the task still runs.
    runtime.spawn(my_async_function, None)
    print('Main function continues execution.', flush=True)
    return GAsync.Future.new_for_boolean(True)


runtime = GAsync.Runtime.new(0)
GAsync.block_on(main_async, runtime, 0, None)
# Unlike dropping a tokio runtime, shutdown drains: the task finishes first.
runtime.shutdown(None)
