#!/usr/bin/python3
"""check-cdef.py - the Rspamd plugin's ffi.cdef agrees with the public header.

usage: check-cdef.py authscore.lua include/authscore.h [libauthscore.so]

LuaJIT trusts a cdef blindly: a parameter the header changed (a size_t
that became a pointer, a dropped const) would be a silent memory bug in
Rspamd.  So every declaration between `local cdef = [[` and `]]` in the
plugin must be, token for token, a declaration of include/authscore.h
(AUTHSCORE_API removed); the cdef may hold only opaque typedefs and
function prototypes (no struct, union or enum bodies: no layout is copied
into Lua); and, given the library, every declared function is exported
by it (nm -D).
"""
import re
import shutil
import subprocess
import sys

TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[^\sA-Za-z0-9_]")


def tokens(decl):
    return " ".join(TOKEN.findall(decl))


def strip_c(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Preprocessor lines, with their continuations.
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", " ", text, flags=re.M)
    return text


def header_decls(path):
    with open(path) as f:
        text = strip_c(f.read())
    text = text.replace('extern "C" {', " ")
    decls = set()
    for stmt in text.split(";"):
        stmt = stmt.strip().strip("{}").strip()
        if "AUTHSCORE_API" in stmt:
            decls.add(tokens(stmt.replace("AUTHSCORE_API", " ")))
        elif stmt.startswith("typedef struct"):
            decls.add(tokens(stmt))
    return decls


def lua_cdef(path):
    with open(path) as f:
        text = f.read()
    m = re.search(r"local cdef = \[\[(.*?)\]\]", text, flags=re.S)
    if not m:
        sys.exit("%s: no `local cdef = [[ ... ]]` block" % path)
    body = strip_c(m.group(1))
    return [s.strip() for s in body.split(";") if s.strip()]


def function_name(decl):
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", decl)
    return m.group(1) if m else None


def exported(lib):
    nm = shutil.which("nm")
    if not nm:
        return None
    out = subprocess.run([nm, "-D", "--defined-only", lib], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    lua, header = sys.argv[1], sys.argv[2]
    hdecls = header_decls(header)
    cdecls = lua_cdef(lua)
    fails = 0
    funcs = []
    for d in cdecls:
        if "{" in d or "}" in d:
            print("FAIL: a layout in the cdef (only opaque types allowed): %s" % d)
            fails += 1
            continue
        t = tokens(d)
        if t not in hdecls:
            print("FAIL: not a declaration of %s: %s" % (header, t))
            fails += 1
            continue
        if not d.startswith("typedef"):
            funcs.append(function_name(d))
    print("%d declarations in the cdef, %d functions" % (len(cdecls), len(funcs)))
    if len(sys.argv) == 4:
        syms = exported(sys.argv[3])
        if syms is None:
            print("nm not found: exports not checked")
        else:
            for f in funcs:
                if f not in syms:
                    print("FAIL: %s is not exported by %s" % (f, sys.argv[3]))
                    fails += 1
    if fails == 0 and not funcs:
        print("FAIL: the cdef declares no function")
        fails += 1
    checks = len(cdecls) + (len(funcs) if len(sys.argv) == 4 else 0)
    print("%d passed, %d failed" % (max(checks - fails, 0), fails))
    if not fails and len(sys.argv) == 4 and syms is None:
        print("SKIP: nm missing (Debian package binutils): exports not checked")
        sys.exit(77)
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
