#!/usr/bin/python3
"""SMTP load for the Exim benchmark: CLIENTS parallel connections, each
sending PER_CONN messages of the corpus in one session (RSET between).
(Postfix's smtp-source sends generated messages with one envelope; this
sends the corpus's files, each with its own MAIL FROM, from its client.)

    smtp_clients.py PORT ENVELOPES CLIENTS PER_CONN [MESSAGES]

ENVELOPES: bench/pipeline/make_corpus.py's envelopes.txt (path, client IP,
HELO, MAIL FROM).  A connection carries PER_CONN consecutive messages and
comes from the first one's client IP (run.sh puts the corpus's client
addresses on the namespace's loopback) with its HELO.
Prints "messages N seconds T accepted A deferred D rejected R".
"""
import multiprocessing
import smtplib
import socket
import sys
import time


def work(args):
    port, jobs = args
    acc = dfr = rej = 0
    ip = jobs[0][1]
    s = smtplib.SMTP(local_hostname=jobs[0][2], timeout=60,
                     source_address=(ip, 0))
    s.connect("::1" if ":" in ip else "127.0.0.1", port)
    s.ehlo(jobs[0][2])
    for path, _, _, mfrom in jobs:
        with open(path, "rb") as f:
            data = f.read()
        try:
            s.sendmail(mfrom if mfrom != "<>" else "", ["bob@receiver.example"], data)
            acc += 1
        except smtplib.SMTPDataError as e:
            if 400 <= e.smtp_code < 500:
                dfr += 1
            else:
                rej += 1
        except smtplib.SMTPRecipientsRefused:
            rej += 1
        s.rset()
    s.quit()
    return acc, dfr, rej


def main():
    port, env, clients, per = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                               int(sys.argv[4]))
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    rows = [l.rstrip("\n").split("\t")[:4] for l in open(env) if l.strip()]
    if limit:
        rows = rows[:limit]
    # PER_CONN consecutive messages per connection, sent from the first
    # one's client IP and HELO: the corpus's clients mostly send one or a
    # few messages each, and a connection carries one client, so SPF sees
    # that client for the whole batch (the same for both configurations).
    chunks = [(port, rows[i:i + per]) for i in range(0, len(rows), per)]
    t0 = time.monotonic()
    with multiprocessing.Pool(clients) as pool:
        res = pool.map(work, chunks, chunksize=1)
    dt = time.monotonic() - t0
    print("messages %d seconds %.4f accepted %d deferred %d rejected %d connections %d"
          % (len(rows), dt, sum(r[0] for r in res), sum(r[1] for r in res),
             sum(r[2] for r in res), len(chunks)))


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    main()
