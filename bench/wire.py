#!/usr/bin/env python3
"""Wire-level load for `make bench`: talks the flom protocol (level 3) to a
daemon's UNIX socket directly, so the figures are the daemon's and not the
cost of starting flom processes.

  wire.py seq  SOCKET SECONDS          sequential lock/unlock, one connection each
  wire.py conc SOCKET SECONDS NPROC    NPROC processes contending for one resource
  wire.py hold SOCKET N RELEASE_FILE   hold N locks on N resources, print "held N",
                                       release them once RELEASE_FILE exists

seq and conc print the number of completed lock/unlock cycles per second.
"""
import base64
import os
import socket
import sys
import time

HEADER = '<?xml version="1.0" encoding="UTF-8" ?>'
END = b"</msg>"
# One answer is far below this; a daemon sending more is broken.
MSG_MAX = 4096


def lock_msg(name):
    b64 = base64.b64encode(name.encode()).decode()
    return (HEADER + '<msg level="3" verb="1" step="8"><session peerid=""/>'
            '<resource name="%s" mode="5" wait="1" create="1" lifespan="0"/>'
            "</msg>" % b64).encode()


def unlock_msg(name):
    b64 = base64.b64encode(name.encode()).decode()
    return (HEADER + '<msg level="3" verb="2" step="8">'
            '<resource name="%s" rollback="0" /></msg>' % b64).encode()


def read_msg(sock, buf):
    """One message (up to </msg>) from sock; buf keeps bytes read past it."""
    while END not in buf:
        chunk = sock.recv(MSG_MAX)
        if not chunk:
            raise ConnectionError("daemon closed the connection")
        buf += chunk
        if len(buf) > MSG_MAX:
            raise ValueError("answer too long")
    cut = buf.index(END) + len(END)
    return buf[:cut].decode(), buf[cut:]


def rc_of(msg):
    start = msg.index('rc="') + 4
    return int(msg[start:msg.index('"', start)])


def lock(path, name):
    """Connect and wait for the grant; return the socket holding the lock."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(lock_msg(name))
    buf = b""
    while True:
        msg, buf = read_msg(sock, buf)
        rc = rc_of(msg)
        if rc == 0:
            return sock
        if rc != 1:
            raise RuntimeError("lock refused: rc=%d" % rc)


def unlock(sock, name):
    sock.sendall(unlock_msg(name))
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(MSG_MAX):
        pass
    sock.close()


def cycles(path, name, seconds):
    n = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        unlock(lock(path, name), name)
        n += 1
    return n


def cmd_seq(path, seconds):
    t0 = time.monotonic()
    n = cycles(path, "benchseq", float(seconds))
    print("%.0f" % (n / (time.monotonic() - t0)))


def cmd_conc(path, seconds, nproc):
    rfd, wfd = os.pipe()
    pids = []
    t0 = time.monotonic()
    for _ in range(int(nproc)):
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            n = cycles(path, "benchconc", float(seconds))
            os.write(wfd, b"%d\n" % n)
            os._exit(0)
        pids.append(pid)
    os.close(wfd)
    for pid in pids:
        os.waitpid(pid, 0)
    elapsed = time.monotonic() - t0
    with os.fdopen(rfd) as results:
        total = sum(int(line) for line in results)
    print("%.0f" % (total / elapsed))


def cmd_hold(path, count, release_file):
    held = [(lock(path, "hold%d" % i), "hold%d" % i) for i in range(int(count))]
    print("held %d" % len(held), flush=True)
    # Bounded: the bench creates the file within seconds.
    deadline = time.monotonic() + 60
    while not os.path.exists(release_file) and time.monotonic() < deadline:
        time.sleep(0.01)
    for sock, name in held:
        unlock(sock, name)


def main(argv):
    cmds = {"seq": (cmd_seq, 2), "conc": (cmd_conc, 3), "hold": (cmd_hold, 3)}
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    cmds[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
