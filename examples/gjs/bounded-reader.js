// bounded-reader.js: count bytes and lines under a directory, bounded, under a deadline
//
// Copyright 2026 The gasync authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS port of examples/bounded-reader.c, with the same options, output
// and exit status (see there):
//
//   gjs -m bounded-reader.js [-j N] [--deadline-ms MS] [--stats] [PATH…]
//
// prints "BYTES LINES FILES"; at most N listings and N reads are in flight;
// the deadline cancels everything, prints the counts so far and "deadline
// reached", and exits with status 2.
//
// The structure is the C program's: GAsync.block_on() runs start() with a
// private main context, where every GIO callback and continuation runs.
// Every listing and every read is a member of one GAsync.TaskGroup, started
// by GAsync.Limiter.run() once a permit is free; each GIO call is a future
// (a GAsync.Promise its callback resolves with the GAsyncResult) given the
// GCancellable of its member, so cancelling the group cancels every
// operation in flight. Continuations, not async functions: GJS runs
// JavaScript promise jobs from the default main context, which block_on()
// does not iterate.
import GAsync from 'gi://GAsync?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import system from 'system';

const PROGRAM = 'bounded-reader';
const CHUNK_SIZE = 64 * 1024;   // bytes per read: big files stream
const BATCH_SIZE = 64;          // directory entries per next_files call
const ATTRIBUTES = 'standard::name,standard::type';
const EXIT_FAILED = 1;
const EXIT_EXPIRED = 2;

// One member's work, a listing or a read: its GIO steps and its end.
class Job {
    constructor(reader, cancellable, onEnd = null) {
        this.reader = reader;
        this.cancellable = cancellable;   // the member's: cancelled with it
        this.done = GAsync.Promise.new(); // the future the member settles like
        this.onEnd = onEnd;
    }

    // Starts a GIO call with `start(cancellable, callback)`, then calls
    // then(result) with its GAsyncResult, for the caller's _finish(). The
    // step's derived future is dropped: this.done is settled by hand at
    // the end, so a file of many chunks never builds a chain of futures.
    step(start, then) {
        const promise = GAsync.Promise.new();
        start(this.cancellable, (source, result) => promise.resolve_object(result));
        promise.on_settled(completed => {
            try {
                then(completed.dup_object());
            } catch (e) {
                this.finish(e);   // a GLib.Error thrown by the _finish()
            }
            return null;
        });
    }

    // Ends the job; an error other than the cancellation is reported.
    finish(error = null) {
        if (error === null) {
            this.done.resolve_boolean(true);
        } else if (error.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED)) {
            this.done.reject(error);
        } else {
            printerr(`${PROGRAM}: ${error.message}`);
            this.reader.nErrors++;
            this.done.resolve_boolean(false);
        }
        this.onEnd?.();
    }
}

// A future that resolves once all the permits of `limiter` are free at the
// same time: nothing it admitted is still running. A cancelled member
// settles at once; its permit comes back in a later dispatch.
function drained(limiter) {
    const acquires = [];
    for (let i = 0; i < limiter.get_permits(); i++)
        acquires.push(limiter.acquire());
    return GAsync.Future.all(acquires).and_then(() => {
        // `acquires` is held until then: the limiter drops unheld waits.
        acquires.forEach(() => limiter.release());
        return null;
    });
}

function countNewlines(data) {
    let n = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1))
        n++;
    return n;
}

class Reader {
    constructor(jobs, deadlineMs) {
        this.group = GAsync.TaskGroup.new(null);   // every listing and read is a member
        this.listings = GAsync.Limiter.new(jobs);
        this.reads = GAsync.Limiter.new(jobs);
        this.deadlineMs = deadlineMs;
        this.walked = GAsync.Promise.new();        // resolved when the last listing is done
        this.nListings = 0;
        this.stopError = null;                     // why the walk stopped early
        this.bytes = this.lines = this.files = this.nErrors = 0;
    }

    addListing(directory, named = false) {
        this.nListings++;
        this.group.add(this.listings.run(c => this.listDirectory(directory, named, c)));
    }

    addRead(file) {
        this.group.add(this.reads.run(c => this.readFile(file, c)));
    }

    // The last listing to end ends the walk: no member can be added.
    listingEnded() {
        if (--this.nListings === 0)
            this.walked.resolve_boolean(true);
    }

    // A read member: opens the file, then reads it chunk by chunk.
    readFile(file, cancellable) {
        const job = new Job(this, cancellable);
        const readChunk = stream => job.step(
            (c, cb) => stream.read_bytes_async(CHUNK_SIZE, GLib.PRIORITY_DEFAULT, c, cb),
            result => gotChunk(stream, stream.read_bytes_finish(result).toArray()));
        const gotChunk = (stream, data) => {
            if (data.length === 0) {
                this.files++;   // end of file: counted whole
                job.finish();
                return;
            }
            this.bytes += data.length;
            this.lines += countNewlines(data);
            readChunk(stream);
        };

        job.step((c, cb) => file.read_async(GLib.PRIORITY_DEFAULT, c, cb),
            result => readChunk(file.read_finish(result)));
        return job.done;
    }

    // A listing member: enumerates a directory in batches and adds a member
    // for each directory and regular file in it.
    listDirectory(directory, named, cancellable) {
        const job = new Job(this, cancellable, () => this.listingEnded());
        const nextBatch = children => job.step(
            (c, cb) => children.next_files_async(BATCH_SIZE, GLib.PRIORITY_DEFAULT, c, cb),
            result => gotBatch(children, children.next_files_finish(result)));
        const gotBatch = (children, infos) => {
            if (infos.length === 0) {
                job.finish();   // the end of the directory
                return;
            }
            for (const info of infos) {
                if (info.get_file_type() === Gio.FileType.DIRECTORY)
                    this.addListing(children.get_child(info));
                else if (info.get_file_type() === Gio.FileType.REGULAR)
                    this.addRead(children.get_child(info));
            }
            nextBatch(children);
        };
        const opened = result => {
            let children;
            try {
                children = directory.enumerate_children_finish(result);
            } catch (e) {
                // A path named on the command line that is not a directory: read it.
                if (!named || !e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_DIRECTORY))
                    throw e;
                this.addRead(directory);
                job.finish();
                return;
            }
            nextBatch(children);
        };

        job.step((c, cb) => directory.enumerate_children_async(ATTRIBUTES,
            Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, GLib.PRIORITY_DEFAULT, c, cb), opened);
        return job.done;
    }

    // GAsync.block_on()'s start function, on its private main context.
    start(paths) {
        for (const path of paths)
            this.addListing(Gio.File.new_for_commandline_arg(path), true);
        // Once the walk is over the group can be closed: wait() resolves
        // once every read has.
        let finished = this.walked.and_then(() => this.group.wait());
        if (this.deadlineMs > 0)
            finished = finished.with_timeout(this.deadlineMs);   // the deadline
        return finished.on_settled(outcome => this.settleGroup(outcome));
    }

    // However the work ended: the deadline cancels every member still
    // pending, and their GIO calls with them. Settles once every member has
    // settled and every permit is back.
    settleGroup(outcome) {
        if (outcome.get_state() === GAsync.FutureState.REJECTED) {
            this.stopError = outcome.get_error();
            this.group.cancel();
        }
        // wait() again: the walk may not have got to the first call, or its
        // future is part of the chain the deadline cancelled.
        return GAsync.Future.all_settled([this.group.wait(),
            drained(this.reads), drained(this.listings)]);
    }

    printStats() {
        printerr(`${PROGRAM}: stats: ${this.group.get_n_pending()} members pending, ` +
            `${this.reads.get_available()}/${this.reads.get_permits()} read permits free, ` +
            `${this.listings.get_available()}/${this.listings.get_permits()} listing permits free`);
    }
}

function parseArgs(argv) {
    const options = {jobs: 8, deadlineMs: 0, stats: false, paths: []};
    const number = (name, value) => {
        if (!/^\d+$/.test(value ?? ''))
            throw new Error(`${name} needs a number, got ${value}`);
        return Number(value);
    };
    for (let i = 0; i < argv.length; i++) {
        const [name, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s) : [argv[i]];
        const value = () => inline ?? argv[++i];
        if (name === '-j' || name === '--jobs')
            options.jobs = number(name, value());
        else if (name === '--deadline-ms')
            options.deadlineMs = number(name, value());
        else if (name === '--stats')
            options.stats = true;
        else if (name.startsWith('-') && name !== '-')
            throw new Error(`unknown option ${name}`);
        else
            options.paths.push(argv[i]);
    }
    if (options.jobs < 1)
        throw new Error('N must be positive');
    if (options.paths.length === 0)
        options.paths.push('.');
    return options;
}

function main(argv) {
    let options;
    try {
        options = parseArgs(argv);
    } catch (e) {
        printerr(`${PROGRAM}: ${e.message}`);
        return EXIT_FAILED;
    }

    const reader = new Reader(options.jobs, options.deadlineMs);
    try {
        GAsync.block_on(() => reader.start(options.paths), 0, null);
    } catch (e) {
        printerr(`${PROGRAM}: ${e.message}`);
        return EXIT_FAILED;
    }

    print(`${reader.bytes} ${reader.lines} ${reader.files}`);
    if (options.stats)
        reader.printStats();
    const error = reader.stopError;
    if (error?.matches(GAsync.Error, GAsync.Error.TIMED_OUT)) {
        printerr(`${PROGRAM}: deadline reached after ${options.deadlineMs} ms`);
        return EXIT_EXPIRED;
    }
    if (error) {
        printerr(`${PROGRAM}: ${error.message}`);
        return EXIT_FAILED;
    }
    return reader.nErrors > 0 ? EXIT_FAILED : 0;
}

system.exit(main(system.programArgs));
