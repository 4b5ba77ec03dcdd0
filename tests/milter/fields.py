#!/usr/bin/python3
"""fields.py - the header of a queued message as `postcat -h` prints it
(plain header lines, folds kept), for the Postfix test (run-postfix.sh).
It puts each field's first line in the form of `exim -Mvh` (a length and
a flag before it) and hands it to the Exim tests' reader,
tests/exim/headers.py, so both hosts are checked the same way.

  fields.py NAME         field NAME, unfolded; exit 1 when absent
  fields.py --ar         our Authentication-Results: the first field,
                         folded, no line over 78 columns (headers.py --ar)
  fields.py --all NAME   every field NAME, unfolded, one per line, in order
Input on stdin.
"""
import importlib.util
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "headers", os.path.join(HERE, "..", "exim", "headers.py"))
headers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(headers)


def as_mvh(text):
    out = []
    for line in text.split("\n"):
        if line[:1] in (" ", "\t") or ":" not in line:
            out.append(line)
        else:
            out.append("%03d  %s" % (len(line) + 1, line))
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    text = as_mvh(sys.stdin.read())
    if len(args) == 2 and args[0] == "--all":
        for name, lines in headers.fields(text):
            if name.lower() == args[1].lower():
                print(" ".join(l.strip() for l in lines).split(":", 1)[1].strip())
        return 0
    if len(args) != 1:
        sys.exit(__doc__)
    sys.argv = [sys.argv[0]] + args
    sys.stdin = io.StringIO(text)
    return headers.main()


if __name__ == "__main__":
    sys.exit(main())
