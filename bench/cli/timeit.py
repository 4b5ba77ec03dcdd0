#!/usr/bin/python3
"""Time whole processes side by side, interleaved, pinned to one core.
(Debian's hyperfine times one command after another and reports no CPU
time; interleaving rounds is what keeps a busy moment fair to all.)

    timeit.py RUNS CPU NAME=COMMAND [NAME=COMMAND ...]

Each COMMAND is a shell command line; every round runs each once, in turn,
so a busy moment on the machine hits all of them alike.  Before each round
the files the commands read are expected to be in the page cache (the
caller warms it).  Prints, per NAME, one line:

    NAME wall MED MIN MAX cpu MED MIN MAX

in seconds: wall clock and user+system CPU of the process and its
children (os.wait4's rusage).  Exit status 1 when a command fails.
"""
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd, cpu):
    t0 = time.monotonic()
    p = subprocess.Popen(["taskset", "-c", cpu, "sh", "-c", cmd],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.stderr.write("failed (%d): %s\n%s" % (os.waitstatus_to_exitcode(status), cmd, err))
        sys.exit(1)
    return wall, ru.ru_utime + ru.ru_stime


def main():
    runs, cpu = int(sys.argv[1]), sys.argv[2]
    cmds = [a.split("=", 1) for a in sys.argv[3:]]
    res = {name: ([], []) for name, _ in cmds}
    for _ in range(runs):
        for name, cmd in cmds:
            w, c = run_once(cmd, cpu)
            res[name][0].append(w)
            res[name][1].append(c)
    for name, _ in cmds:
        w, c = res[name]
        print("%s wall %.4f %.4f %.4f cpu %.4f %.4f %.4f" % (
            name, statistics.median(w), min(w), max(w),
            statistics.median(c), min(c), max(c)))


if __name__ == "__main__":
    main()
