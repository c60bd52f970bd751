#!/usr/bin/env python3
"""A forged flom daemon for the trust scenarios (tests/cli/trust_*.sh).

It listens on a UNIX socket or a TCP port (and optionally answers discovery
on a UDP multicast group), and grants every lock request at once with the
element it was told to forge. It writes READY once it listens, and appends
one line per request it received to LOG.

  fake_daemon.py --ready FILE --log FILE (--unix PATH | --tcp PORT)
                 [--udp GROUP:PORT] [--element TEXT] [--rc N]
"""
import argparse
import os
import select
import socket
import struct

HEADER = '<?xml version="1.0" encoding="UTF-8" ?>'


def answer(args):
    element = '' if args.element is None else ' element="%s"' % args.element
    return ('%s<msg level="3" verb="1" step="16"><session peerid="fake"/>'
            '<answer rc="%d"%s/></msg>' % (HEADER, args.rc, element)).encode()


def listen(args):
    if args.unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(args.unix)
        os.chmod(args.unix, 0o777)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', args.tcp))
    s.listen(16)
    return s


def discovery(args):
    group, port = args.udp.rsplit(':', 1)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind(('', int(port)))
    mreq = struct.pack('4s4s', socket.inet_aton(group), socket.inet_aton('127.0.0.1'))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    return u


def serve_udp(u, args, log):
    data, peer = u.recvfrom(2048)
    if b'verb="4" step="8"' in data:
        reply = ('%s<msg level="3" verb="4" step="16"><network address="127.0.0.1" '
                 'port="%d"/></msg>' % (HEADER, args.tcp)).encode()
        u.sendto(reply, peer)
        log.write('discovery from %s\n' % (peer,))


def serve_conn(c, args, log):
    data = b''
    while b'</msg>' not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    log.write('request %s\n' % data.decode(errors='replace'))
    c.sendall(answer(args))
    # Keep it open until the client goes (it unlocks or gives up).
    while c.recv(4096):
        pass
    c.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--ready', required=True)
    p.add_argument('--log', required=True)
    p.add_argument('--unix')
    p.add_argument('--tcp', type=int)
    p.add_argument('--udp')
    p.add_argument('--element')
    p.add_argument('--rc', type=int, default=0)
    args = p.parse_args()
    s = listen(args)
    u = discovery(args) if args.udp else None
    log = open(args.log, 'a', buffering=1)
    open(args.ready, 'w').close()
    while True:
        ready, _, _ = select.select([x for x in (s, u) if x], [], [])
        if u in ready:
            serve_udp(u, args, log)
        if s in ready:
            c, _ = s.accept()
            serve_conn(c, args, log)


if __name__ == '__main__':
    main()
