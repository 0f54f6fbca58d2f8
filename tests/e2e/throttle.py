#!/usr/bin/env python3
"""A ProxyCommand for the transfer fault tests: runs CMD (an `sshd -i`) with its
standard output going straight to ours and its standard input fed from ours at
no more than RATE bytes a second, so that a large upload takes long enough to
be cut in the middle. Writes its own pid to PIDFILE: killing that process is
the connection dying (the server sees end of file, the client a closed proxy).

    throttle.py RATE PIDFILE CMD...
"""
import os
import subprocess
import sys
import time


def main():
    rate = int(sys.argv[1])
    pidfile = sys.argv[2]
    with open(pidfile + ".new", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(pidfile + ".new", pidfile)
    child = subprocess.Popen(sys.argv[3:], stdin=subprocess.PIPE, bufsize=0)
    start = time.monotonic()
    sent = 0
    while True:
        data = os.read(0, 65536)
        if not data:
            break
        try:
            child.stdin.write(data)
        except BrokenPipeError:
            break
        sent += len(data)
        # Rate limiting, not waiting for an event: ahead of schedule, pause.
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    try:
        child.stdin.close()
    except BrokenPipeError:
        pass
    child.wait()


main()
