#!/usr/bin/env python3
"""A stand-in for an original FLoM 1.7.2 daemon on a UNIX socket, for the
compatibility tests of our client (tests/cli/status.sh).

It answers the way the reference (§7.3-7.6) and the captures show, and it
dies the way the original dies: any first message other than a lock or a
management request, a message it cannot parse, an unknown element with
attributes, or anything but an unlock after a grant ends the process with
"KILLED: why" in the log, as the original's main loop ends. Messages of 512
bytes or more are dropped with the connection, as the original's buffer does.
Every message received is logged, one per line.

Usage: fake_original.py SOCKET LOG
"""
import base64
import os
import re
import socket
import sys

HEAD = '<?xml version="1.0" encoding="UTF-8" ?>'
PEERID = "3d1219c7c4c5404aaa1f6d2a48adfda4"
BUFFER = 512
ALPHA = r"[A-Za-z]"
ALNUM = r"[A-Za-z0-9]"
# reference §4.1, in order
GRAMMAR = [
    rf"_RESOURCE|{ALPHA}{ALNUM}*",
    rf"{ALPHA}{ALNUM}*\[[0-9]+\]",
    rf"{ALPHA}{ALNUM}*(\.{ALPHA}{ALNUM}*)+",
    r"(/[^/]+)+",
    rf"_[sS]_{ALPHA}{ALNUM}*\[[0-9]+\]",
    r"_t_[%#A-Za-z][%#.:A-Za-z0-9]*\[[0-9]+\]",
]
KNOWN = {"msg", "session", "resource", "answer", "network", "shutdown"}


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


def die(why):
    log("KILLED: " + why)
    os._exit(1)


def read_msg(conn):
    data = b""
    while not data.endswith(b"</msg>"):
        chunk = conn.recv(1)
        if not chunk:
            return None
        data += chunk
        if len(data) >= BUFFER:
            return b""
    return data


def parse(data):
    text = data.decode("utf-8", "replace")
    log(text)
    tags = re.findall(r"<([A-Za-z_]+)((?:\s+[A-Za-z_-]+=\"[^\"]*\")*)\s*/?>", text)
    if not tags or tags[0][0] != "msg" or not text.startswith(HEAD):
        die("not a message")
    elems = []
    for name, attrs in tags:
        values = dict(re.findall(r"([A-Za-z_-]+)=\"([^\"]*)\"", attrs))
        if name not in KNOWN and values:
            die("unknown element <%s> with attributes" % name)
        elems.append((name, values))
    return elems


def answer(conn, step, rc):
    session = '<session peerid="%s"/>' % PEERID if step == 16 else ""
    conn.sendall(('%s<msg level="3" verb="1" step="%d">%s<answer rc="%d"/></msg>'
                  % (HEAD, step, session, rc)).encode())


def serve(conn):
    data = read_msg(conn)
    if data is None:
        return
    if data == b"":
        log("DROPPED: message of 512 bytes or more")
        return
    elems = parse(data)
    head = elems[0][1]
    verb, step = head.get("verb"), head.get("step")
    children = dict(elems[1:])
    if verb == "5" and step == "8" and "shutdown" in children:
        log("SHUTDOWN")
        os._exit(0)
    if verb != "1" or step != "8" or "resource" not in children:
        die("first message verb %s step %s" % (verb, step))
    name = base64.b64decode(children["resource"].get("name", "")).decode("utf-8", "replace")
    if not any(re.fullmatch(g, name) for g in GRAMMAR):
        answer(conn, 16, -14)
        conn.shutdown(socket.SHUT_WR)
        return
    answer(conn, 16, 0)
    data = read_msg(conn)
    if not data:
        return
    elems = parse(data)
    head = elems[0][1]
    res = dict(elems[1:]).get("resource", {})
    if head.get("verb") != "2" or head.get("step") != "8" or \
            set(res) - {"name", "rollback"}:
        die("after a grant: verb %s step %s" % (head.get("verb"), head.get("step")))


LOG = sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(16)
log("READY")
while True:
    c, _ = srv.accept()
    try:
        serve(c)
    finally:
        c.close()
