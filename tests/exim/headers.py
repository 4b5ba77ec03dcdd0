#!/usr/bin/python3
"""headers.py - read the header of a queued message as `exim -Mvh` prints
it (each field's first line prefixed with its length and a flag letter,
folded lines as they are) for the Exim host tests.

  headers.py NAME      print field NAME, unfolded; exit 1 when absent
  headers.py --ar      check the Authentication-Results field: it is the
                       first field, and no line of it passes 78 columns
                       (a tab counts 8); print what is wrong, exit 1
Input on stdin.
"""
import re
import sys

FIRST = re.compile(r"^\d+[ A-Z*] (.*)$")


def fields(text):
    """[(name, [lines])] in order; lines are the field as written."""
    out = []
    for line in text.split("\n"):
        m = FIRST.match(line)
        if m:
            name = m.group(1).split(":", 1)[0]
            out.append((name, [m.group(1)]))
        elif out and line[:1] in (" ", "\t"):
            out[-1][1].append(line)
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    fs = fields(sys.stdin.read())
    if sys.argv[1] == "--ar":
        names = [n.lower() for n, _ in fs]
        if "authentication-results" not in names:
            print("no Authentication-Results field")
            return 1
        problems = []
        if names[0] != "authentication-results":
            problems.append("first field is %s, not Authentication-Results" % fs[0][0])
        lines = fs[names.index("authentication-results")][1]
        long = [l for l in lines if len(l.expandtabs(8)) > 78]
        if long:
            problems.append("lines over 78 columns: %r" % long)
        if len(lines) < 2:
            problems.append("not folded: %r" % lines)
        print("; ".join(problems) or "first field, %d lines, none over 78 columns" % len(lines))
        return 1 if problems else 0
    for name, lines in fs:
        if name.lower() == sys.argv[1].lower():
            value = " ".join(l.strip() for l in lines)
            print(value.split(":", 1)[1].strip())
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
