#!/usr/bin/python3
# fire-and-forget.py: spawn work and carry on without waiting for it
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/fire-and-forget.c (the seed's first program):
# a 100 ms job is spawned on a runtime's worker and its handle dropped; the
# caller goes on at once, and leaving the `with` block shuts the runtime
# down, which lets the job finish first.

import gi

gi.require_version('GAsync', '1.0')
from gi.repository import GAsync  # noqa: E402


def my_async_function():
    # Runs on a worker thread: the sleep and what follows complete there.
    return GAsync.timeout_new(100).and_then(
        lambda slept: print('Async function completed.', flush=True))


with GAsync.Runtime.new(0) as runtime:
    runtime.spawn(my_async_function)   # the handle is dropped: fire and forget
    print('Main function continues execution.', flush=True)
# Unlike dropping a tokio runtime, shutting it down drains: the task finished.
