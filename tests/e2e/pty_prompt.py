#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers the prompts of
tests/playbooks/prompt/prompt_tty.yml in order (a confirmation that does not
match first, then one that does; an empty answer last); prints what the
terminal showed (CR LF as LF) and "rc=N steps=M".

  pty_prompt.py CMD [ARG...]

A hidden answer is written only once the terminal's echo is off: the reader
turns it off with TCSAFLUSH, which would drop an answer typed before."""
import os
import pty
import select
import signal
import sys
import termios
import time

# (text that ends the prompt, answer or None, hidden)
STEPS = [("Visible [dflt]: ", "seen", False), ("Hidden: ", "secret", True), ("Twice: ", "a", True),
         ("confirm Twice: ", "b", True), ("DO NOT MATCH", None, False), ("Twice: ", "c", True),
         ("confirm Twice: ", "c", True), ("Empty answer takes the default [dd]: ", "", False)]


def echo_off(fd):
    try:
        return not termios.tcgetattr(fd)[3] & termios.ECHO
    except termios.error:
        return False


def main():
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    out, pos, step, pending = b"", 0, 0, None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if pending is not None and (not pending[1] or echo_off(fd)):
            os.write(fd, pending[0].encode() + b"\n")
            pending = None
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        while pending is None and step < len(STEPS):
            want, answer, hidden = STEPS[step]
            i = out.find(want.encode(), pos)
            if i < 0:
                break
            pos, step = i + len(want), step + 1
            if answer is not None:
                pending = (answer, hidden)
    else:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
    print("rc=%d steps=%d" % (os.waitstatus_to_exitcode(status), step))


if __name__ == "__main__":
    main()
