#!/usr/bin/env python3
# Runs the GTK hasher under Xvfb: it hashes /usr/share/doc, saves a
# screenshot after 50 files and presses Cancel after 400. Checks that the
# cancel really stopped the workers before the end, and that the PNG is a
# picture of the window (right size, many colours), not a blank image.
# Usage: test-gasync-hasher.py XVFB-RUN GASYNC-HASHER SCREENSHOT.png
import os
import re
import subprocess
import sys

xvfb_run, hasher, shot = sys.argv[1:4]
CANCEL_AFTER = 400
CHANNEL_CAPACITY = 256   # the results channel (examples/common/hash-job.c)
if os.path.exists(shot):
    os.unlink(shot)

proc = subprocess.run(
    [xvfb_run, '-a', '-s', '-screen 0 1024x768x24', hasher,
     '--folder=/usr/share/doc', '--start', f'--screenshot={shot}',
     '--screenshot-after=50', '--cancel-after=400', '--quit-when-done'],
    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=150)
sys.stdout.write(proc.stdout)
sys.stderr.write(proc.stderr)
failures = []

if proc.returncode != 0:
    failures.append(f'exit status {proc.returncode}')

started = re.search(r'^started: (\d+) files under /usr/share/doc$', proc.stdout, re.M)
stopped = re.search(r'^workers stopped: (\w+): (\d+) of (\d+) files', proc.stdout, re.M)
if not started:
    failures.append('never started')
elif int(started.group(1)) <= CANCEL_AFTER + CHANNEL_CAPACITY + 2 * os.cpu_count():
    # The workers may legitimately be a full results channel plus the
    # files in flight ahead of the main loop when Cancel lands; with fewer
    # files than that they could all be hashed first, whatever the load.
    failures.append(f'/usr/share/doc has only {started.group(1)} files: cannot cancel mid-run')
if 'clicking Cancel after 400 files' not in proc.stdout:
    failures.append('Cancel was not clicked')
if not stopped:
    failures.append('workers never reported stopping')
else:
    if stopped.group(1) != 'Cancelled':
        failures.append(f'finished as {stopped.group(1)!r}, not Cancelled')
    done, total = int(stopped.group(2)), int(stopped.group(3))
    # Work in flight when Cancel was pressed may still land, but the
    # remaining files must not have been hashed.
    if not done < total:
        failures.append(f'cancel did not stop the workers: {done} of {total} hashed')

if not os.path.exists(shot):
    failures.append('no screenshot written')
else:
    import gi
    gi.require_version('GdkPixbuf', '2.0')
    from gi.repository import GdkPixbuf
    pix = GdkPixbuf.Pixbuf.new_from_file(shot)
    data = pix.get_pixels()
    stride, n = pix.get_rowstride(), pix.get_n_channels()
    colours = set()
    for y in range(0, pix.get_height(), 3):
        row = data[y * stride:(y * stride) + pix.get_width() * n]
        for x in range(0, len(row), n * 3):
            colours.add(bytes(row[x:x + 3]))
    print(f'screenshot {pix.get_width()}x{pix.get_height()}, {len(colours)} distinct colours')
    if pix.get_width() < 200 or pix.get_height() < 100:
        failures.append('screenshot too small')
    if len(colours) < 8:
        failures.append(f'screenshot looks blank ({len(colours)} colours)')

if failures:
    sys.exit('FAIL: ' + '; '.join(failures))
print('ok')
