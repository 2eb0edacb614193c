#!/usr/bin/python3
"""Drive debconf's readline frontend on a pseudo-terminal, like a person.

usage: drive-readline.py SCRIPT -- COMMAND...

SCRIPT has one step per line, "EXPECT<TAB>ANSWER": wait until EXPECT (a
plain substring) appears in the output since the previous step, then type
ANSWER and Enter. An empty ANSWER just presses Enter; a line without a TAB
only waits for EXPECT and types nothing. Each answer replaces the
pre-filled current value (Ctrl-A Ctrl-K first). The ANSWER <BACK> types Page Up,
which Term::ReadLine::Gnu binds to debconf's "previous question". After the last step the
program must exit 0 by itself. Any timeout or mismatch prints the transcript
(answers are never echoed: password prompts do not echo) and exits 1.
"""
import os
import pty
import select
import sys
import time

STEP_TIMEOUT = 20


def main():
    sep = sys.argv.index("--")
    steps = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                expect, tab, answer = line.partition("\t")
                steps.append((expect, answer if tab else None))
    cmd = sys.argv[sep + 1:]

    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "dumb"
        os.execvp(cmd[0], cmd)

    transcript = b""
    pending = b""

    def read_some(deadline):
        nonlocal transcript, pending
        r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        if not r:
            return False
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            raise EOFError
        transcript += data
        pending += data
        return True

    def fail(msg):
        sys.stderr.write("drive-readline: %s\n--- transcript ---\n%s\n" % (
            msg, transcript.decode("utf-8", "replace")))
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        sys.exit(1)

    for n, (expect, answer) in enumerate(steps, 1):
        deadline = time.time() + STEP_TIMEOUT
        want = expect.encode()
        try:
            while want not in pending:
                if time.time() > deadline:
                    fail("step %d: timed out waiting for %r" % (n, expect))
                read_some(deadline)
        except EOFError:
            fail("step %d: program ended before %r" % (n, expect))
        pending = pending[pending.index(want) + len(want):]
        if answer is None:
            continue
        time.sleep(0.2)  # let the prompt settle before typing
        if answer == "<BACK>":
            os.write(fd, b"\x1b[5~")
        else:
            # Ctrl-A Ctrl-K first: GNU readline pre-fills the old value.
            os.write(fd, b"\x01\x0b" + answer.encode() + b"\r")

    deadline = time.time() + STEP_TIMEOUT
    try:
        while time.time() < deadline:
            read_some(deadline)
    except EOFError:
        pass
    end = time.time() + 5
    while True:
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid:
            break
        if time.time() > end:
            fail("the program did not exit after the last step")
        time.sleep(0.1)
    if os.waitstatus_to_exitcode(status) != 0:
        fail("exit status %d" % os.waitstatus_to_exitcode(status))
    sys.stdout.write(transcript.decode("utf-8", "replace"))


main()
