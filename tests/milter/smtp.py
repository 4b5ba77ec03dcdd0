#!/usr/bin/python3
"""smtp.py - an SMTP client for the Postfix tests (run-postfix.sh), plain
sockets so that every step is the test's choice (XCLIENT, no HELO).

  smtp.py send PORT IP HELO FROM FILE
      One message from client IP (XCLIENT ADDR=IP, which Postfix hands to
      its milters as the client address), HELO "-" for none (MAIL FROM
      right after XCLIENT).  Prints the reply to the end of DATA (or to the
      command that failed) and, when queued, "queued as ID".  Exit 0 for
      2xx, 4 for 4xx, 5 for 5xx, 1 for anything else.
  smtp.py load PORT CLIENTS COUNT IP HELO FROM FILE
      COUNT messages over CLIENTS parallel connections (one message per
      SMTP session, as most senders do).  Prints the replies counted by
      code and the queue ids, one per line, after "ids:".  Exit 0 when
      every message got 250.
"""
import socket
import sys
import threading
import time

TIMEOUT = 60


class Session:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.rfile = self.sock.makefile("rb")
        self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.rfile.readline()
            if not line:
                raise ConnectionError("connection closed")
            line = line.decode("ascii", "replace").rstrip("\r\n")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return int(line[:3]), line

    def cmd(self, text):
        self.sock.sendall(text.encode("ascii") + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.cmd("QUIT")
        except (OSError, ConnectionError):
            pass
        self.sock.close()


def data_bytes(path):
    with open(path, "rb") as f:
        text = f.read().replace(b"\r\n", b"\n")
    out = []
    for line in text.split(b"\n")[:-1] if text.endswith(b"\n") else text.split(b"\n"):
        out.append(b"." + line if line.startswith(b".") else line)
    return b"\r\n".join(out) + b"\r\n.\r\n"


def one(port, ip, helo, mail_from, body):
    """(code, reply line, queue id or None)"""
    s = Session(port)
    try:
        steps = ["XCLIENT ADDR=%s" % ip]
        if helo != "-":
            steps.append("EHLO %s" % helo)
        steps += ["MAIL FROM:<%s>" % mail_from, "RCPT TO:<bob@receiver.example>", "DATA"]
        for step in steps:
            code, line = s.cmd(step)
            ok = code == 354 if step == "DATA" else code // 100 == 2
            if not ok:
                return code, line, None
        s.sock.sendall(body)
        code, line = s.reply()
        qid = line.split("queued as ", 1)[1].strip() if "queued as " in line else None
        return code, line, qid
    finally:
        s.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "send" and len(sys.argv) == 7:
        port, ip, helo, mail_from, path = sys.argv[2:]
        code, line, qid = one(int(port), ip, helo, mail_from, data_bytes(path))
        print(line)
        if qid:
            print("queued as %s" % qid)
        return {2: 0, 4: 4, 5: 5}.get(code // 100, 1)
    if sys.argv[1] == "load" and len(sys.argv) == 9:
        port, clients, count, ip, helo, mail_from, path = sys.argv[2:]
        port, clients, count = int(port), int(clients), int(count)
        body = data_bytes(path)
        lock = threading.Lock()
        todo = list(range(count))
        codes, ids, errors = {}, [], []

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    todo.pop()
                try:
                    code, line, qid = one(port, ip, helo, mail_from, body)
                except (OSError, ConnectionError) as e:
                    code, line, qid = 0, str(e), None
                with lock:
                    codes[code] = codes.get(code, 0) + 1
                    if qid:
                        ids.append(qid)
                    if code != 250:
                        errors.append(line)

        t0 = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs = time.monotonic() - t0
        print("replies: %s in %.1f s" % (" ".join("%d x%d" % (c, n) for c, n in sorted(codes.items())), secs))
        for e in errors[:5]:
            print("not 250: %s" % e)
        print("ids:")
        for i in ids:
            print(i)
        return 0 if codes.get(250, 0) == count else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
