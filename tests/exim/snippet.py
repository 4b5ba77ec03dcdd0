#!/usr/bin/python3
"""snippet.py - the configuration snippets of a doc page, for tests that
paste them as an admin would, so the docs cannot drift from what works.

A snippet is the fenced block right after a marker line
    <!-- snippet: NAME -->
in the Markdown page.  Used by the Exim and Rspamd host tests.

  snippet.py DOC NAME           print the snippet (exit 1: missing or twice)
  snippet.py DOC --list         print every snippet name, one per line
  snippet.py DOC --only NAME..  exit 1, naming them, when the page has
                                snippets other than NAME..: a snippet added
                                to the page without a test fails the test
"""
import re
import sys

MARKER = re.compile(r"^\s*<!-- snippet: ([A-Za-z0-9_./-]+) -->\s*$")
FENCE = re.compile(r"^(\s*)(```+|~~~+)")


def snippets(path):
    """name -> list of texts (a name given twice is an error later)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = {}
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        name = m.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        f = FENCE.match(lines[j]) if j < len(lines) else None
        if not f:
            sys.exit("%s:%d: snippet %s: no fenced block after the marker" % (path, i + 1, name))
        indent, fence = f.group(1), f.group(2)
        body = []
        k = j + 1
        while k < len(lines) and not lines[k].strip().startswith(fence):
            # A fence inside a list item is indented: so is its text.
            body.append(lines[k][len(indent):] if lines[k].startswith(indent) else lines[k])
            k += 1
        if k == len(lines):
            sys.exit("%s:%d: snippet %s: fence never closed" % (path, j + 1, name))
        found.setdefault(name, []).append("\n".join(body) + "\n")
        i = k + 1
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    doc, what = sys.argv[1], sys.argv[2]
    found = snippets(doc)
    if what == "--list":
        print("\n".join(sorted(found)))
        return 0
    if what == "--only":
        extra = sorted(set(found) - set(sys.argv[3:]))
        if extra:
            print("snippets in %s that no test pastes: %s" % (doc, ", ".join(extra)))
            return 1
        return 0
    texts = found.get(what)
    if not texts or len(texts) > 1:
        print("%s: snippet %s %s" % (doc, what, "missing" if not texts else "given twice"),
              file=sys.stderr)
        return 1
    sys.stdout.write(texts[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
