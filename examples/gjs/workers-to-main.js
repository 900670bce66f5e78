// workers-to-main.js: workers stream progress and results to the main loop
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/workers-to-main.c: four workers count the
// primes below 1,000,000, a quarter each, and report through one channel
// of capacity 4; the main loop gets every item from attach(), and a last
// call with no item once every worker is done. GJS runs JavaScript on the
// main thread only, so the workers are cooperative tasks on the main loop
// rather than threads: each works a tenth of its range, then awaits
// send_async(), which waits for room while the channel is full.
import GAsync from 'gi://GAsync?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';

Gio._promisify(GAsync.Sender.prototype, 'send_async');

const N_WORKERS = 4;
const LIMIT = 1000000;
const N_STEPS = 10;

// The primes p with lo <= p < hi, by a sieve of the range.
function countPrimes(lo, hi) {
    const composite = new Uint8Array(hi - lo);
    for (let p = 2; p * p < hi; p++) {
        for (let m = Math.max(p * p, Math.ceil(lo / p) * p); m < hi; m += p)
            composite[m - lo] = 1;
    }
    let count = 0;
    for (let n = Math.max(lo, 2); n < hi; n++)
        count += composite[n - lo] ? 0 : 1;
    return count;
}

async function worker(tx, index) {
    const span = LIMIT / N_WORKERS;
    const lo = index * span;
    let count = 0;
    for (let step = 1; step <= N_STEPS; step++) {
        count += countPrimes(lo + (step - 1) * span / N_STEPS, lo + step * span / N_STEPS);
        // (worker, percent done, primes so far): 100 % is the result.
        await tx.send_async(new GLib.Variant('(uuu)', [index, step * 100 / N_STEPS, count]), null);
    }
    tx.close();   // the last one closes the channel
}

print(`${N_WORKERS} workers count the primes below ${LIMIT} and report to the main loop`);

const loop = new GLib.MainLoop(null, false);
const results = new Array(N_WORKERS).fill(0);
let items = 0;
let onMainThread = 0;

const [tx, rx] = GAsync.channel_new(GLib.Variant.$gtype, 4);
rx.attach(null, (receiver, item) => {
    if (item === null) {
        loop.quit();   // every worker is done and every item was delivered
        return GLib.SOURCE_REMOVE;
    }
    items++;
    if (GLib.MainContext.default().is_owner())
        onMainThread++;
    const [index, percent, count] = item.deepUnpack();
    if (percent < 100)
        print(`  worker ${index}: ${percent}%`);
    else
        results[index] = count;
    return GLib.SOURCE_CONTINUE;
});

for (let i = 0; i < N_WORKERS; i++)
    worker(tx.clone(), i).catch(logError);
tx.close();   // only the workers' clones keep the channel open now

loop.run();

const span = LIMIT / N_WORKERS;
for (let i = 0; i < N_WORKERS; i++)
    print(`worker ${i}: ${results[i]} primes in [${i * span}, ${(i + 1) * span})`);
const where = onMainThread === items ? 'every one handled on the main thread' : 'SOME ON ANOTHER THREAD';
print(`total: ${results.reduce((a, b) => a + b, 0)} primes; ${items} items, ${where}`);
