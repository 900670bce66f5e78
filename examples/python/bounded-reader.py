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
# permit is free. Each member is a chain of GIO futures
# (GAsync.file_enumerate(), GAsync.file_load_bytes()) that reads in the
# order it runs; cancelling the member (the group does, at the deadline)
# cancels the step in flight, and with it the GIO call. A read loads the
# whole file; at most N are in memory at once.
import argparse
import sys

import gi
gi.require_version('GAsync', '1.0')
from gi.repository import GAsync, GLib, Gio  # noqa: E402

PROGRAM = 'bounded-reader'
ATTRIBUTES = 'standard::name,standard::type'
EXIT_FAILED, EXIT_EXPIRED = 1, 2


def drained(limiter):
    """A future that resolves once all the permits of *limiter* are free at
    the same time: nothing it admitted is still running. A cancelled member
    settles at once; its permit is back as soon as the future its function
    returned has settled."""
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
        member = self.listings.run(self.list_directory, directory, named)
        self.group.add(member)
        member.on_settled(self.listing_settled)

    def add_read(self, gfile):
        self.group.add(self.reads.run(self.read_file, gfile))

    def listing_settled(self, _listing):
        """The last listing to settle, whichever way, ends the walk (every
        listing it added was counted before it settled)."""
        self.n_listings -= 1
        if self.n_listings == 0:
            self.walked.resolve(True)

    def failed(self, error):
        """A step failed: the cancellation is what the member rejects with;
        anything else is reported, and the member resolves."""
        if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            raise error
        print(f'{PROGRAM}: {error.message}', file=sys.stderr)
        self.n_errors += 1
        return False

    def read_file(self, gfile, cancellable):
        """A read member: load the file, then count it."""
        def count(loaded):
            try:
                data = loaded.get_value().get_data()
            except GLib.Error as error:
                return self.failed(error)
            self.bytes += len(data)
            self.lines += data.count(b'\n')
            self.files += 1
            return True

        return GAsync.file_load_bytes(gfile).on_settled(count)

    def list_directory(self, directory, named, cancellable):
        """A listing member: open the directory, then receive its children,
        a member for each directory and regular file, until it closes."""
        def opened(opening):
            try:
                children = opening.get_value()
            except GLib.Error as error:
                # A path named on the command line that is not a directory: read it.
                if named and error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_DIRECTORY):
                    self.add_read(directory)
                    return True
                return self.failed(error)
            return children.recv_future().on_settled(got_children, children)

        def got_children(got, children):
            try:
                info = got.get_value()
            except GLib.Error as error:
                if error.matches(GAsync.error_quark(), GAsync.Error.CLOSED):
                    return True   # the end of the directory
                return self.failed(error)
            while info is not None:   # this one, and those queued behind it
                self.add_child(directory, info)
                info = try_recv(children)
            return children.recv_future().on_settled(got_children, children)

        return GAsync.file_enumerate(directory, ATTRIBUTES,
                                     Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS).on_settled(opened)

    def add_child(self, directory, info):
        child = directory.get_child(info.get_name())
        if info.get_file_type() == Gio.FileType.DIRECTORY:
            self.add_listing(child)
        elif info.get_file_type() == Gio.FileType.REGULAR:
            self.add_read(child)

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


def try_recv(receiver):
    """The next item already queued, or None."""
    try:
        return receiver.try_recv()
    except GLib.Error:
        return None


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
