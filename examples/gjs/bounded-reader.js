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
// by GAsync.Limiter.run() once a permit is free. Each member is a chain of
// GIO futures (GAsync.file_enumerate(), GAsync.file_load_bytes()) that
// reads in the order it runs; cancelling the member (the group does, at the
// deadline) cancels the step in flight, and with it the GIO call. A read
// loads the whole file; at most N are in memory at once. Continuations, not
// async functions: GJS runs JavaScript promise jobs from the default main
// context, which block_on() does not iterate.
import GAsync from 'gi://GAsync?version=1.0';
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import system from 'system';

const PROGRAM = 'bounded-reader';
const ATTRIBUTES = 'standard::name,standard::type';
const EXIT_FAILED = 1;
const EXIT_EXPIRED = 2;

const resolved = () => GAsync.Future.new_for_boolean(true);

// A future that resolves once all the permits of `limiter` are free at the
// same time: nothing it admitted is still running. A cancelled member
// settles at once; its permit is back as soon as the future its function
// returned has settled.
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

// The next item already queued in `receiver`, or null.
function tryRecv(receiver) {
    try {
        return receiver.try_recv();
    } catch {
        return null;
    }
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
        const member = this.listings.run(() => this.listDirectory(directory, named));
        this.group.add(member);
        member.on_settled(() => this.listingSettled());
    }

    addRead(file) {
        this.group.add(this.reads.run(() => this.readFile(file)));
    }

    // The last listing to settle, whichever way, ends the walk (every
    // listing it added was counted before it settled).
    listingSettled() {
        if (--this.nListings === 0)
            this.walked.resolve_boolean(true);
        return null;
    }

    // A step failed: the cancellation is what the member rejects with;
    // anything else is reported, and the member resolves.
    failed(error) {
        if (error.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
            return GAsync.Future.new_for_error_literal(error.domain, error.code, error.message);
        printerr(`${PROGRAM}: ${error.message}`);
        this.nErrors++;
        return GAsync.Future.new_for_boolean(false);
    }

    // A read member: load the file, then count it.
    readFile(file) {
        return GAsync.file_load_bytes(file).on_settled(loaded => {
            let data;
            try {
                data = loaded.get_value().toArray();
            } catch (e) {
                return this.failed(e);
            }
            this.bytes += data.length;
            this.lines += countNewlines(data);
            this.files++;
            return null;   // settles like `loaded`: resolved
        });
    }

    // A listing member: open the directory, then receive its children, a
    // member for each directory and regular file, until it closes.
    listDirectory(directory, named) {
        const gotChildren = (got, children) => {
            let info;
            try {
                info = got.get_value();
            } catch (e) {
                if (e.matches?.(GAsync.error_quark(), GAsync.Error.CLOSED))
                    return resolved();   // the end of the directory
                return this.failed(e);
            }
            for (; info !== null; info = tryRecv(children))   // and those queued behind it
                this.addChild(directory, info);
            return children.recv_future().on_settled(next => gotChildren(next, children));
        };
        const opened = opening => {
            let children;
            try {
                children = opening.dup_object();
            } catch (e) {
                // A path named on the command line that is not a directory: read it.
                if (!named || !e.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_DIRECTORY))
                    return this.failed(e);
                this.addRead(directory);
                return resolved();
            }
            return children.recv_future().on_settled(next => gotChildren(next, children));
        };
        return GAsync.file_enumerate(directory, ATTRIBUTES,
            Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS).on_settled(opened);
    }

    addChild(directory, info) {
        const child = directory.get_child(info.get_name());
        if (info.get_file_type() === Gio.FileType.DIRECTORY)
            this.addListing(child);
        else if (info.get_file_type() === Gio.FileType.REGULAR)
            this.addRead(child);
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
