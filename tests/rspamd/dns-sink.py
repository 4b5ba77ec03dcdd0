#!/usr/bin/python3
"""dns-sink.py - a name server that never answers (a black-holed name).

Binds UDP and TCP on 127.0.0.1 (a free port unless one is given), prints
the port on stdout, then reads every query and drops it; TCP connections
are accepted and held open without a reply, so a resolver cannot fail
fast over TCP either.  Stop it with SIGTERM.
usage: dns-sink.py [PORT]
"""
import socket
import sys
import threading


def bind_pair(port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", port))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("127.0.0.1", port))
    t.listen(16)
    return u, t, port


def main():
    want = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    for _ in range(20):
        try:
            u, t, port = bind_pair(want)
            break
        except OSError:
            if want:
                raise
    else:
        sys.exit("dns-sink: no free port")
    held = []

    def tcp():
        while True:
            c, _ = t.accept()
            held.append(c)  # never answered, never closed

    threading.Thread(target=tcp, daemon=True).start()
    print(port, flush=True)
    n = 0
    while True:
        u.recvfrom(65535)
        n += 1
        sys.stderr.write("dns-sink: dropped query %d\n" % n)
        sys.stderr.flush()


if __name__ == "__main__":
    main()
