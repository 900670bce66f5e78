#!/usr/bin/env python3
# bounded-reader.py: count bytes and lines under a directory, bounded, under a deadline
#
# Copyright 2026 The gasync authors
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Python port of examples/bounded-reader.c, with the same options,
# output and exit status (see there):
#
#   bounded-reader.py [-j N] [--deadline-ms MS] [--stats] [PATH…]
#
# prints "BYTES LINES FILES"; at most N listings and N reads are in flight;
# the deadline cancels everything, prints the counts so far and
# "deadline reached", and exits with status 2.
#
# The structure is the C program's: GAsync.block_on() runs start() with a
# private main context, where every GIO callback and continuation runs (one
# thread: the counts need no lock). Every listing and every read is a
# member of one GAsync.TaskGroup, started by GAsync.Limiter.run() once a
# permit is free; each GIO call is a future (GAsync.gio_future()) given the
# GCancellable of its member, so cancelling the group cancels every
# operation in flight.
import argparse
import sys

import gi
gi.require_version('GAsync', '1.0')
from gi.repository import GAsync, GLib, Gio  # noqa: E402

PROGRAM = 'bounded-reader'
CHUNK_SIZE = 64 * 1024   # bytes per read: big files stream
BATCH_SIZE = 64          # directory entries per next_files call
ATTRIBUTES = 'standard::name,standard::type'
EXIT_FAILED, EXIT_EXPIRED = 1, 2


def is_io_error(error, code):
    return error.matches(Gio.io_error_quark(), code)


class Job:
    """One member's work, a listing or a read: its GIO steps and its end."""

    def __init__(self, reader, cancellable, on_end=None):
        self.reader = reader
        self.cancellable = cancellable   # the member's: cancelled with it
        self.done = GAsync.Promise()     # the future the member settles like
        self.on_end = on_end

    def step(self, async_method, *args, then, failed=None):
        """Calls a GIO _async method, then then(value) with what its _finish
        returned, or failed(error) (default: finish). The step's derived
        future is dropped: self.done is settled by hand at the end, so a
        file of many chunks never builds a chain of futures."""
        future = GAsync.gio_future(async_method, *args, GLib.PRIORITY_DEFAULT,
                                   cancellable=self.cancellable)

        def settled(completed):
            try:
                value = completed.get_value()
            except GLib.Error as error:   # what the _finish() raised
                (failed or self.finish)(error)
                return
            try:
                then(value)
            except Exception as exc:   # a bug: end the job rather than hang
                self.finish(exc)
        future.on_settled(settled)

    def finish(self, error=None):
        """Ends the job; an error other than the cancellation is reported."""
        if error is None:
            self.done.resolve(True)
        elif isinstance(error, GLib.Error) and is_io_error(error, Gio.IOErrorEnum.CANCELLED):
            self.done.reject(error)
        else:
            print(f'{PROGRAM}: {getattr(error, "message", None) or repr(error)}',
                  file=sys.stderr)
            self.reader.n_errors += 1
            self.done.resolve(False)
        if self.on_end is not None:
            self.on_end()


def drained(limiter):
    """A future that resolves once all the permits of *limiter* are free at
    the same time: nothing it admitted is still running. A cancelled member
    settles at once; its permit comes back in a later dispatch."""
    acquires = [limiter.acquire() for _ in range(limiter.get_permits())]

    def give_back(_all):
        for _ in acquires:   # held until then: the limiter drops unheld waits
            limiter.release()
    return GAsync.Future.all(acquires).and_then(give_back)


class Reader:
    def __init__(self, jobs, deadline_ms):
        self.group = GAsync.TaskGroup()        # every listing and read is a member
        self.listings = GAsync.Limiter.new(jobs)
        self.reads = GAsync.Limiter.new(jobs)
        self.deadline_ms = deadline_ms
        self.walked = GAsync.Promise()         # resolved when the last listing is done
        self.n_listings = 0
        self.stop_error = None                 # why the walk stopped early
        self.bytes = self.lines = self.files = self.n_errors = 0

    # Members ------------------------------------------------------------

    def add_listing(self, directory, named=False):
        self.n_listings += 1
        self.group.add(self.listings.run(self.list_directory, directory, named))

    def add_read(self, gfile):
        self.group.add(self.reads.run(self.read_file, gfile))

    def listing_ended(self):
        """The last listing to end ends the walk: no member can be added."""
        self.n_listings -= 1
        if self.n_listings == 0:
            self.walked.resolve(True)

    def read_file(self, gfile, cancellable):
        """A read member: opens the file, then reads it chunk by chunk."""
        job = Job(self, cancellable)

        def read_chunk(stream):
            job.step(stream.read_bytes_async, CHUNK_SIZE,
                     then=lambda data: got_chunk(stream, data.get_data()))

        def got_chunk(stream, data):
            if not data:
                self.files += 1   # end of file: counted whole
                job.finish()
                return
            self.bytes += len(data)
            self.lines += data.count(b'\n')
            read_chunk(stream)

        job.step(gfile.read_async, then=read_chunk)
        return job.done

    def list_directory(self, directory, named, cancellable):
        """A listing member: enumerates a directory in batches and adds a
        member for each directory and regular file in it."""
        job = Job(self, cancellable, on_end=self.listing_ended)

        def next_batch(children):
            job.step(children.next_files_async, BATCH_SIZE,
                     then=lambda infos: got_batch(children, infos))

        def got_batch(children, infos):
            if not infos:
                job.finish()   # the end of the directory
                return
            for info in infos:
                if info.get_file_type() == Gio.FileType.DIRECTORY:
                    self.add_listing(children.get_child(info))
                elif info.get_file_type() == Gio.FileType.REGULAR:
                    self.add_read(children.get_child(info))
            next_batch(children)

        def failed(error):
            # A path named on the command line that is not a directory: read it.
            if named and is_io_error(error, Gio.IOErrorEnum.NOT_DIRECTORY):
                self.add_read(directory)
                error = None
            job.finish(error)

        job.step(directory.enumerate_children_async, ATTRIBUTES,
                 Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, then=next_batch, failed=failed)
        return job.done

    # The whole ----------------------------------------------------------

    def start(self, paths):
        """GAsync.block_on()'s start function, on its private main context."""
        for path in paths:
            self.add_listing(Gio.File.new_for_commandline_arg(path), named=True)
        # Once the walk is over the group can be closed: wait() resolves
        # once every read has.
        finished = self.walked.and_then(lambda _walked: self.group.wait())
        if self.deadline_ms:
            finished = finished.with_timeout(self.deadline_ms)   # the deadline
        return finished.on_settled(self.settle_group)

    def settle_group(self, outcome):
        """However the work ended: the deadline cancels every member still
        pending, and their GIO calls with them. Settles once every member
        has settled and every permit is back."""
        if outcome.get_state() == GAsync.FutureState.REJECTED:
            self.stop_error = outcome.get_error()
            self.group.cancel()
        # wait() again: the walk may not have got to the first call, or its
        # future is part of the chain the deadline cancelled.
        return GAsync.join(self.group.wait(), drained(self.reads), drained(self.listings))

    def print_stats(self):
        print(f'{PROGRAM}: stats: {self.group.get_n_pending()} members pending, '
              f'{self.reads.get_available()}/{self.reads.get_permits()} read permits free, '
              f'{self.listings.get_available()}/{self.listings.get_permits()} '
              'listing permits free', file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(prog=PROGRAM, description=(
        'Count the bytes, lines and files under directories.'))
    parser.add_argument('-j', '--jobs', type=int, default=8, metavar='N',
                        help='at most N reads and N listings in flight (default 8)')
    parser.add_argument('--deadline-ms', type=int, default=0, metavar='MS',
                        help='cancel everything after MS milliseconds')
    parser.add_argument('--stats', action='store_true',
                        help='print what is left pending once stopped')
    parser.add_argument('paths', nargs='*', default=['.'], metavar='PATH')
    args = parser.parse_args()
    if args.jobs < 1 or args.deadline_ms < 0:
        parser.error('N and MS must be positive')

    reader = Reader(args.jobs, args.deadline_ms)
    try:
        GAsync.block_on(reader.start, args.paths)
    except GLib.Error as error:
        print(f'{PROGRAM}: {error.message}', file=sys.stderr)
        return EXIT_FAILED

    print(reader.bytes, reader.lines, reader.files)
    if args.stats:
        reader.print_stats()
    error = reader.stop_error
    if error is not None and error.matches(GAsync.error_quark(), GAsync.Error.TIMED_OUT):
        print(f'{PROGRAM}: deadline reached after {args.deadline_ms} ms', file=sys.stderr)
        return EXIT_EXPIRED
    if error is not None:
        print(f'{PROGRAM}: {error.message}', file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if reader.n_errors else 0


sys.exit(main())
