#!/usr/bin/python3
# workers-to-main.py: worker threads stream progress and results to a main loop
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/workers-to-main.c: four threads count the
# primes below 1,000,000, a quarter each, and report through one channel
# of capacity 4 (a worker ahead of the main loop waits for room); the main
# thread runs a GLib.MainLoop and gets every item there, from attach().
# The handler's last call, with no item, comes once every worker is done.

import threading

import gi

gi.require_version('GAsync', '1.0')
from gi.repository import GAsync, GLib  # noqa: E402

N_WORKERS = 4
LIMIT = 1000000
N_STEPS = 10


def count_primes(lo, hi):
    """The primes p with lo <= p < hi, by a sieve of the range."""
    composite = bytearray(hi - lo)
    p = 2
    while p * p < hi:
        start = max(p * p, (lo + p - 1) // p * p)
        composite[start - lo::p] = b'\x01' * len(range(start, hi, p))
        p += 1
    return composite[max(lo, 2) - lo:].count(0)


def worker(tx, index):
    span = LIMIT // N_WORKERS
    lo = index * span
    count = 0
    with tx:   # closes this sender when done: the last one closes the channel
        for step in range(1, N_STEPS + 1):
            count += count_primes(lo + (step - 1) * span // N_STEPS,
                                  lo + step * span // N_STEPS)
            # (worker, percent done, primes so far): 100 % is the result.
            # Blocks while the channel is full.
            tx.send(GLib.Variant('(uuu)', (index, step * 100 // N_STEPS, count)))


print(f'{N_WORKERS} workers count the primes below {LIMIT} and report to the main loop',
      flush=True)

loop = GLib.MainLoop()
results = [0] * N_WORKERS
seen = {'items': 0, 'on_main_thread': 0}


def on_item(rx, item):
    if item is None:
        loop.quit()   # every worker is done and every item was delivered
        return False
    seen['items'] += 1
    if threading.current_thread() is threading.main_thread():
        seen['on_main_thread'] += 1
    index, percent, count = item.unpack()
    if percent < 100:
        print(f'  worker {index}: {percent}%', flush=True)
    else:
        results[index] = count
    return True


tx, rx = GAsync.channel(GLib.Variant, 4)
rx.attach(None, on_item)
threads = [threading.Thread(target=worker, args=(tx.clone(), i)) for i in range(N_WORKERS)]
for t in threads:
    t.start()
tx.close()   # only the workers' clones keep the channel open now

loop.run()

span = LIMIT // N_WORKERS
for i, t in enumerate(threads):
    t.join()
    print(f'worker {i}: {results[i]} primes in [{i * span}, {(i + 1) * span})')
where = ('every one handled on the main thread'
         if seen['on_main_thread'] == seen['items'] else 'SOME ON ANOTHER THREAD')
print(f"total: {sum(results)} primes; {seen['items']} items, {where}")
