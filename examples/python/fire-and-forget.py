#!/usr/bin/python3
# fire-and-forget.py: spawn work and carry on without waiting for it
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/fire-and-forget.c (the seed's first program):
# a 100 ms job is spawned on a runtime's worker and its handle dropped; the
# caller goes on at once, and leaving the `with` block shuts the runtime
# down, which lets the job finish first. The job also waits for a promise
# the caller resolves once its line is out: the 100 ms alone would not keep
# the lines in order on a loaded machine.

import gi

gi.require_version('GAsync', '1.0')
from gi.repository import GAsync  # noqa: E402


def my_async_function(main_printed):
    # Runs on a worker thread: the sleep and what follows complete there.
    return GAsync.join(GAsync.timeout_new(100), main_printed).and_then(
        lambda both: print('Async function completed.', flush=True))


with GAsync.Runtime.new(0) as runtime:
    printed = GAsync.Promise()
    runtime.spawn(my_async_function, printed)   # the handle is dropped: fire and forget
    print('Main function continues execution.', flush=True)
    printed.resolve(True)
# Unlike dropping a tokio runtime, shutting it down drains: the task finished.
