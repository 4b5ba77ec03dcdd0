#!/usr/bin/python3
"""scan.py - the assertions of tests/rspamd/run-rspamd.sh.

  scan.py dnsping PORT               exit 0 when a DNS server answers there
  scan.py ping PORT                  exit 0 when Rspamd's worker answers
  scan.py check PORT LIB SRC RULES   scan messages through Rspamd, assert
  scan.py abort PORT                 a task that times out mid-lookup
  scan.py after-abort PORT SRC       the same worker still scans
  scan.py actions PORT SRC           non-default actions (temperror =
                                     "greylist", reject = false)
  scan.py arc PORT LIB SRC RULES     ARC-sealed mail under RULES, which
                                     trust the sealer forwarder.example
  scan.py descriptions CTL_PORT LIB RULES STOCK_JSON NAME
                                     the controller's /symbols has the
                                     rule file's description for each of
                                     its symbols (STOCK_JSON: `rspamadm
                                     configdump -j group`, Rspamd's own);
                                     NAME's differs from the stock one
  scan.py ttls LOG                   the TTLs the plugin passed (its log)
  scan.py deferred PORT SRC WHY [HELO]
                                     fail closed: pass.eml (with that HELO)
                                     is deferred (soft reject) with WHY in
                                     the reply's message, without results

Messages go to Rspamd's normal worker over HTTP (/checkv2, the protocol
rspamc speaks) with the SMTP envelope in the IP, Helo and From headers.
Expected weights are read from the library itself (ctypes, the rules API),
never written here.
"""
import ctypes
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

passes = 0
fails = 0


def ok(msg):
    global passes
    passes += 1
    print("ok: " + msg, flush=True)


def bad(msg):
    global fails
    fails += 1
    print("FAIL: " + msg, flush=True)


def dnsping(port):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q += b"\x04good\x07example\x00" + struct.pack(">HH", 6, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(q, ("127.0.0.1", port))
    data, _ = s.recvfrom(4096)
    return struct.unpack(">H", data[:2])[0] == qid


def http(port, method, path, headers=None, body=b"", timeout=30):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    req = "%s %s HTTP/1.0\r\n" % (method, path)
    for k, v in (headers or {}).items():
        req += "%s: %s\r\n" % (k, v)
    req += "Content-Length: %d\r\n\r\n" % len(body)
    s.sendall(req.encode() + body)
    chunks = []
    while True:
        c = s.recv(65536)
        if not c:
            break
        chunks.append(c)
    s.close()
    raw = b"".join(chunks)
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, payload


def ping(port):
    status, payload = http(port, "GET", "/ping", timeout=1)
    return status == 200


def scan(port, path_or_bytes, ip, helo, mail_from):
    if isinstance(path_or_bytes, bytes):
        body = path_or_bytes
    else:
        with open(path_or_bytes, "rb") as f:
            body = f.read()
    headers = {"Pass": "all"}
    for k, v in (("IP", ip), ("Helo", helo), ("From", mail_from)):
        if v is not None:
            headers[k] = v
    status, payload = http(port, "POST", "/checkv2", headers, body)
    if status != 200:
        raise RuntimeError("HTTP %d: %r" % (status, payload[:200]))
    res = json.loads(payload)
    if os.environ.get("AUTHSCORE_RSPAMD_DUMP"):
        print(json.dumps(res, indent=1, sort_keys=True))
    return res


def rule_table(lib, rules):
    """name -> (weight, description), as the library reports them for
    the rule file."""
    so = ctypes.CDLL(lib)
    ctx = ctypes.c_void_p()
    so.authscore_ctx_new.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    so.authscore_ctx_set_option.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    so.authscore_ctx_finalize.argtypes = [ctypes.c_void_p]
    so.authscore_rules_count.argtypes = [ctypes.c_void_p]
    so.authscore_rules_count.restype = ctypes.c_size_t
    so.authscore_rules_name.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    so.authscore_rules_name.restype = ctypes.c_char_p
    so.authscore_rules_weight.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    so.authscore_rules_weight.restype = ctypes.c_double
    so.authscore_rules_description.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    so.authscore_rules_description.restype = ctypes.c_char_p
    so.authscore_ctx_free.argtypes = [ctypes.c_void_p]
    if so.authscore_ctx_new(ctypes.byref(ctx)) < 0:
        return {}
    so.authscore_ctx_set_option(ctx, b"dns.backend", b"none")
    so.authscore_ctx_set_option(ctx, b"rules.file", rules.encode())
    w = {}
    if so.authscore_ctx_finalize(ctx) == 0:
        for i in range(so.authscore_rules_count(ctx)):
            desc = so.authscore_rules_description(ctx, i)
            w[so.authscore_rules_name(ctx, i).decode()] = (
                so.authscore_rules_weight(ctx, i), desc.decode() if desc is not None else None)
    so.authscore_ctx_free(ctx)
    return w


def rule_weights(lib, rules):
    """name -> weight, as the library reports them for the rule file."""
    return {n: wd[0] for n, wd in rule_table(lib, rules).items()}


def envelope(src, name):
    """(client IP, HELO, MAIL FROM) of an example message, as
    examples/messages/ENVELOPES gives them."""
    with open(os.path.join(src, "examples", "messages", "ENVELOPES")) as f:
        for line in f:
            col = line.split()
            if len(col) == 4 and col[0] == name:
                return col[1], col[2], col[3]
    raise RuntimeError("ENVELOPES: no line for %s" % name)


def scan_example(port, src, name):
    """An example message with the envelope it arrived with."""
    return scan(port, os.path.join(src, "examples", "messages", name), *envelope(src, name))


def symbols(res):
    return res.get("symbols", {})


def ar_entry(res):
    """The Authentication-Results milter header: {value, order} or None."""
    h = res.get("milter", {}).get("add_headers", {}).get("Authentication-Results")
    if isinstance(h, list) and h:
        h = h[0]
    if isinstance(h, str):
        h = {"value": h}
    return h if isinstance(h, dict) else None


def ar_header(res):
    """The A-R value, unfolded."""
    h = ar_entry(res)
    return re.sub(r"\r?\n[ \t]+", " ", h.get("value", "")) if h else ""


def ar_layout(res):
    """None when the A-R header goes first (order 0) and is folded with
    no line over 78 columns (a tab counts 8); else what is wrong."""
    h = ar_entry(res)
    if not h:
        return "no Authentication-Results header"
    lines = ("Authentication-Results: " + h.get("value", "")).replace("\r\n", "\n").split("\n")
    long = [l for l in lines if len(l.expandtabs(8)) > 78]
    if h.get("order") != 0:
        return "order %r, not 0 (the top)" % h.get("order")
    if long or len(lines) < 2:
        return "folding: %r" % lines
    return None


def expect(name, res, present=(), absent=(), options=None, ar=()):
    syms = symbols(res)
    good = True
    for s in present:
        if s not in syms:
            bad("%s: %s missing; got %s" % (name, s, sorted(syms)))
            good = False
    for s in absent:
        if s in syms:
            bad("%s: %s must not fire; got %s" % (name, s, syms[s]))
            good = False
    for s, opts in (options or {}).items():
        got = syms.get(s, {}).get("options", [])
        for o in opts:
            if o not in got:
                bad("%s: %s options %s lack %r" % (name, s, got, o))
                good = False
    h = ar_header(res)
    for piece in ar:
        if piece not in h:
            bad("%s: Authentication-Results %r lacks %r" % (name, h, piece))
            good = False
    if good:
        ok("%s: %s" % (name, " ".join(sorted(s for s in syms if s != "AUTHSCORE_CHECK"))))
    return good


def inline_message(domain, subject):
    return ("From: Someone <someone@%s>\r\nTo: bob@receiver.example\r\n"
            "Subject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
            "Message-ID: <%s@%s>\r\n\r\nHello.\r\n" % (domain, subject, subject.replace(" ", "-"), domain)).encode()


def moved_signature(path, old, new):
    """The message at path with `old` replaced by `new` in its
    DKIM-Signature field only (d= and i=): the same signature, claimed
    by another domain."""
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    out, inside, moved = [], False, False
    for i, line in enumerate(lines):
        if line.strip() == b"":  # end of the header
            out += lines[i:]
            break
        if line[:1] not in (b" ", b"\t"):
            inside = line.lower().startswith(b"dkim-signature:")
        if inside:
            moved = moved or old in line
            line = line.replace(old, new)
        out.append(line)
    if not moved:
        raise RuntimeError("%s: no %r in a DKIM-Signature" % (path, old))
    return b"".join(out)


def check(port, lib, src, rules):
    msgs = os.path.join(src, "examples", "messages")
    weights = rule_weights(lib, rules)
    print("rule weights from the library: %d symbols" % len(weights))

    # 1. Aligned, DKIM-signed, every record DNSSEC-signed (auth-zone).
    r = scan(port, os.path.join(msgs, "pass.eml"), "192.0.2.25", "mx.good.example", "alice@good.example")
    expect("pass.eml", r,
           present=["R_SPF_ALLOW", "R_DKIM_ALLOW", "DMARC_POLICY_ALLOW", "AS_SPF_DNSSEC",
                    "AS_DKIM_DNSSEC", "AS_DMARC_DNSSEC", "AS_DMARC_ALIGNED_DKIM"],
           absent=["AS_DNSSEC_BOGUS", "R_DKIM_REJECT", "R_SPF_DNSFAIL"],
           options={"R_DKIM_ALLOW": ["good.example:s=sel2026"], "AS_DKIM_DNSSEC": ["good.example"],
                    "DKIM_TRACE": ["good.example:+"]},
           ar=["mx.receiver.example;", "spf=pass", "dkim=pass header.d=good.example",
               "dmarc=pass", "DNSSEC secure"])
    where = ar_layout(r)
    if where:
        bad("pass.eml: Authentication-Results: " + where)
    else:
        ok("pass.eml: Authentication-Results at the top (order 0), folded to 78 columns")
    if r.get("action") == "no action":
        ok("pass.eml: no action")
    else:
        bad("pass.eml: action %r" % r.get("action"))

    # 1b. DKIM_TRACE for the other two outcomes Rspamd's modules read:
    #     "-" for a failing signature (the body changed after signing),
    #     "?" for a temperror (pass.eml's signature moved to nowhere.org,
    #     whose key lookup the resolver refuses: SERVFAIL).
    r = scan(port, os.path.join(msgs, "dkim-body-modified.eml"), "192.0.2.25", "mx.good.example",
             "alice@good.example")
    expect("dkim-body-modified.eml", r, present=["R_DKIM_REJECT", "DKIM_TRACE"],
           absent=["R_DKIM_ALLOW"], options={"DKIM_TRACE": ["good.example:-"]},
           ar=["dkim=fail", "header.d=good.example"])
    if any(o != "good.example:-" for o in symbols(r).get("DKIM_TRACE", {}).get("options", [])):
        bad("dkim-body-modified.eml: DKIM_TRACE %r" % symbols(r)["DKIM_TRACE"])
    r = scan(port, moved_signature(os.path.join(msgs, "pass.eml"), b"good.example", b"nowhere.org"),
             "192.0.2.25", "mx.good.example", "alice@good.example")
    expect("pass.eml signed as nowhere.org (key lookup SERVFAIL)", r, present=["DKIM_TRACE"],
           absent=["R_DKIM_ALLOW", "R_DKIM_REJECT"], options={"DKIM_TRACE": ["nowhere.org:?"]},
           ar=["dkim=temperror", "header.d=nowhere.org"])

    # 2. DMARC fail under p=reject, with the rule file's weight.
    r = scan(port, os.path.join(msgs, "dmarc-reject.eml"), "203.0.113.66", "mail.good.example", "ceo@good.example")
    if expect("dmarc-reject.eml", r, present=["DMARC_POLICY_REJECT", "R_SPF_FAIL", "AS_DMARC_DNSSEC"],
              absent=["DMARC_POLICY_ALLOW"], options={"DMARC_POLICY_REJECT": ["good.example"]},
              ar=["spf=fail", "dkim=none", "dmarc=fail", "policy.dmarc=reject"]):
        got = symbols(r)["DMARC_POLICY_REJECT"].get("score")
        want = weights.get("DMARC_POLICY_REJECT")
        if got is not None and want is not None and abs(got - want) < 1e-9 and want != 0:
            ok("dmarc-reject.eml: DMARC_POLICY_REJECT scores %g, the rule file's weight" % got)
        else:
            bad("dmarc-reject.eml: DMARC_POLICY_REJECT scores %r, rule file says %r" % (got, want))
        # Each symbol scores the rule file's weight: none was scaled or
        # lost on the way.  The action is the DMARC one the plugin forces
        # (actions.reject), whatever the score.
        total = sum(weights.get(n, 0) for n in symbols(r))
        scored = sum(s.get("score", 0) for s in symbols(r).values())
        if abs(total - scored) < 1e-6:
            ok("dmarc-reject.eml: symbols score %g, the sum of the rule-file weights" % scored)
        else:
            bad("dmarc-reject.eml: symbols score %r, rule-file weights sum to %r" % (scored, total))
        if r.get("action") == "reject" and "DMARC policy of good.example" in json.dumps(r.get("messages", {})):
            ok("dmarc-reject.eml: forced action reject: %s" % json.dumps(r.get("messages", {})))
        else:
            bad("dmarc-reject.eml: action %r, messages %r" % (r.get("action"), r.get("messages")))

    # 2b. The list message: its DKIM signature broke on the list (subject
    #     tag), so DMARC fails under p=reject; its ARC chain passes, but
    #     the shipped rules trust no sealer, so the reject stands.  Under
    #     rules that trust forwarder.example (`scan.py arc`) it does not.
    r = scan_example(port, src, "list.eml")
    expect("list.eml, no trusted sealer", r,
           present=["ARC_ALLOW", "AS_ARC_DNSSEC", "DMARC_POLICY_REJECT", "R_DKIM_REJECT"],
           absent=["AS_ARC_TRUSTED_OVERRIDE", "ARC_REJECT", "DMARC_POLICY_ALLOW"],
           options={"ARC_ALLOW": ["forwarder.example:s=arc2026:i=1"]},
           ar=["arc=pass (i=1, d=forwarder.example, DNSSEC secure)", "dmarc=fail",
               "policy.dmarc=reject"])
    if "override=" in ar_header(r):
        bad("list.eml, no trusted sealer: A-R has an override: %s" % ar_header(r))
    got = symbols(r).get("DMARC_POLICY_REJECT", {}).get("score")
    want = weights.get("DMARC_POLICY_REJECT")
    if r.get("action") == "reject" and got is not None and want and abs(got - want) < 1e-9:
        ok("list.eml, no trusted sealer: action reject, DMARC_POLICY_REJECT scores %g" % got)
    else:
        bad("list.eml, no trusted sealer: action %r, DMARC_POLICY_REJECT scores %r" %
            (r.get("action"), got))

    # 3. Zones tampered after signing.  A validating resolver answers
    #    SERVFAIL for bogus data, and Rspamd's resolver (rdns) sees only
    #    that rcode; the plugin then asks unbound for its Extended DNS
    #    Error (RFC 8914) and reports the answer as bogus: a DNS failure
    #    (temperror), never data, plus AS_DNSSEC_BOGUS (docs/rspamd.md).
    r = scan(port, os.path.join(msgs, "dnssec-bogus.eml"), "192.0.2.90", "mail.bogus.example", "support@bogus.example")
    expect("dnssec-bogus.eml (auth-zone)", r, present=["R_SPF_DNSFAIL", "DMARC_DNSFAIL", "AS_DNSSEC_BOGUS"],
           absent=["R_SPF_ALLOW", "DMARC_POLICY_REJECT", "AS_SPF_DNSSEC", "AS_DMARC_DNSSEC"],
           options={"AS_DNSSEC_BOGUS": ["spf:bogus.example", "dmarc:bogus.example"]},
           ar=["spf=temperror", "DNSSEC bogus answer for TXT bogus.example: EDE 6",
               "smtp.mailfrom=support@bogus.example (DNSSEC bogus)", "dmarc=temperror"])
    r = scan(port, inline_message("bogus.test", "bogus nsd"), "192.0.2.25", "mail.bogus.test", "x@bogus.test")
    expect("bogus.test (nsd)", r, present=["R_SPF_DNSFAIL", "DMARC_DNSFAIL", "AS_DNSSEC_BOGUS"],
           absent=["R_SPF_ALLOW", "AS_SPF_DNSSEC"],
           ar=["spf=temperror", "DNSSEC bogus answer for TXT bogus.test: EDE 6", "(DNSSEC bogus)"])
    # A plain server failure stays plain: unbound refuses names outside
    # the test zones (no EDE of the DNSSEC kind), so no bogus symbol.
    r = scan(port, inline_message("nowhere.org", "refused"), "192.0.2.25", "mail.nowhere.org",
             "x@nowhere.org")
    expect("refused name (plain SERVFAIL)", r, present=["R_SPF_DNSFAIL"], absent=["AS_DNSSEC_BOGUS"],
           ar=["spf=temperror"])
    if "DNSSEC bogus" in ar_header(r):
        bad("refused name reported as DNSSEC bogus: %s" % ar_header(r))

    # 4. The test zones on nsd through unbound's stub-zones: signed gives
    #    the DNSSEC symbols, unsigned (insecure) gives the same results
    #    without them: `authenticated` is not set for insecure answers.
    r = scan(port, inline_message("example.test", "signed nsd"), "192.0.2.25", "mail.example.test", "x@example.test")
    expect("example.test (nsd, signed)", r,
           present=["R_SPF_ALLOW", "AS_SPF_DNSSEC", "DMARC_POLICY_ALLOW", "AS_DMARC_DNSSEC", "R_DKIM_NA"],
           options={"R_SPF_ALLOW": ["ip4:192.0.2.0/24"]},
           ar=["spf=pass smtp.mailfrom=x@example.test (DNSSEC secure)", "dmarc=pass header.from=example.test",
               "policy.dmarc=reject (DNSSEC secure)"])
    r = scan(port, inline_message("unsigned.test", "unsigned nsd"), "192.0.2.25", "mail.unsigned.test", "x@unsigned.test")
    expect("unsigned.test (nsd, insecure)", r, present=["R_SPF_ALLOW", "DMARC_POLICY_ALLOW"],
           absent=["AS_SPF_DNSSEC", "AS_DMARC_DNSSEC", "AS_DNSSEC_BOGUS"],
           ar=["spf=pass smtp.mailfrom=x@unsigned.test", "dmarc=pass header.from=unsigned.test"])
    if "DNSSEC secure" in ar_header(r):
        bad("unsigned.test: insecure answers reported as secure: %s" % ar_header(r))

    # 5. No client IP (Rspamd then falls back to the Received chain; this
    #    message has none) and a null reverse-path: no SPF for MAIL FROM.
    r = scan(port, inline_message("example.test", "no client"), None, "mail.example.test", "<>")
    expect("no client IP, no Received", r, present=["DMARC_POLICY_REJECT"],
           absent=["R_SPF_ALLOW", "R_SPF_FAIL", "AS_SPF_DNSSEC"], ar=["dmarc=fail", "dkim=none"])
    if "spf=" in ar_header(r):
        bad("no client IP, yet SPF was evaluated: %s" % ar_header(r))

    # 5b. No envelope at all (rspamc without -i/--helo/-F): DKIM and
    #     DMARC still run on the message alone.
    r = scan(port, os.path.join(msgs, "forwarded.eml"), None, None, None)
    expect("no envelope", r, present=["R_DKIM_ALLOW", "DMARC_POLICY_ALLOW"], ar=["dkim=pass", "dmarc=pass"])

    # 6. Non-blocking: a message whose lookups hang (hang.test is a black
    #    hole), then a normal one on the same single worker.  The second
    #    must complete while the first still waits for DNS.
    done = {}
    t0 = time.monotonic()

    def run(key, body, ip, helo, mfrom):
        try:
            res = scan(port, body, ip, helo, mfrom)
            done[key] = (time.monotonic() - t0, res)
        except Exception as e:  # reported below
            done[key] = (time.monotonic() - t0, {"error": str(e)})

    slow = threading.Thread(target=run, args=("slow", inline_message("hang.test", "black hole"),
                                              "192.0.2.25", "mail.hang.test", "x@hang.test"))
    slow.start()
    time.sleep(0.3)
    fast = threading.Thread(target=run, args=("fast", os.path.join(msgs, "pass.eml"),
                                              "192.0.2.25", "mx.good.example", "alice@good.example"))
    fast.start()
    fast.join(30)
    slow.join(30)
    if "fast" in done and "slow" in done:
        tf, rf = done["fast"]
        ts, rs = done["slow"]
        print("non-blocking: normal message done at %.0f ms (sent at 300 ms), "
              "black-holed one at %.0f ms" % (tf * 1000, ts * 1000))
        if tf < ts and "dkim=pass" in ar_header(rf):
            ok("non-blocking: the second message completed %.0f ms before the first" % ((ts - tf) * 1000))
        else:
            bad("non-blocking: second at %.3f s, first at %.3f s (%s)" % (tf, ts, sorted(symbols(rf))))
        expect("black-holed name", rs, present=["R_SPF_DNSFAIL", "DMARC_DNSFAIL"],
               absent=["R_SPF_ALLOW", "AS_DNSSEC_BOGUS"], ar=["spf=temperror", "dmarc=temperror"])
        # A DNS temperror defers, as Exim's 451 (actions.temperror).
        if rs.get("action") == "soft reject":
            ok("black-holed name: soft reject: %s" % json.dumps(rs.get("messages", {})))
        else:
            bad("black-holed name: action %r, not soft reject" % rs.get("action"))
    else:
        bad("non-blocking: a scan did not finish: %s" % sorted(done))

    # 7. Symbols registered at configuration time carry the rule file's
    #    weights and descriptions (what rspamc and the web UI show).
    if not weights:
        bad("the library reports no rules for %s" % rules)
    else:
        r = scan(port, os.path.join(msgs, "pass.eml"), "192.0.2.25", "mx.good.example", "alice@good.example")
        wrong = [(n, s.get("score"), weights.get(n)) for n, s in symbols(r).items()
                 if n in weights and abs(s.get("score", 0) - weights[n]) > 1e-9]
        if wrong:
            bad("weights differ from the rule file: %s" % wrong)
        else:
            ok("pass.eml: every symbol scores its rule-file weight")
        undescribed = [n for n, s in symbols(r).items() if n in weights and not s.get("description")]
        if undescribed:
            bad("symbols without a description: %s" % undescribed)
        else:
            ok("pass.eml: every symbol has a description")

    # 8. rspamc, the command-line client, shows the same.
    if shutil_which("rspamc"):
        msg = os.path.join(msgs, "dmarc-reject.eml")
        out = subprocess.run(["rspamc", "-h", "127.0.0.1:%d" % port, "-i", "203.0.113.66",
                              "--helo", "mail.good.example", "-F", "ceo@good.example", msg],
                             capture_output=True, text=True, timeout=30).stdout
        if "DMARC_POLICY_REJECT" in out:
            ok("rspamc shows DMARC_POLICY_REJECT: %s" % next(
                l.strip() for l in out.splitlines() if "DMARC_POLICY_REJECT" in l))
        else:
            bad("rspamc output lacks DMARC_POLICY_REJECT:\n" + out)

    # 9. Nothing went wrong inside Rspamd.
    log = os.environ.get("AUTHSCORE_RSPAMD_LOG")
    if log:
        with open(log, errors="replace") as f:
            errs = [l.strip() for l in f if "authscore" in l and
                    (" error" in l.lower() or "lua_" in l and "failed" in l)]
        if errs:
            bad("errors in the Rspamd log: %s" % errs[:3])
        else:
            ok("no authscore errors in the Rspamd log")

    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def abort(port):
    """On a Rspamd whose task_timeout (1 s) ends tasks before their DNS."""
    t0 = time.monotonic()
    r = scan(port, inline_message("stall.test", "stalled"), "192.0.2.25", "mail.stall.test", "x@stall.test")
    dt = time.monotonic() - t0
    h = ar_header(r)
    # Rspamd ends the pending requests on its own: depending on what it
    # reports for them, the module finishes with temperror or is released
    # unfinished (no header).  Never a pass, never a wait for the DNS.
    if dt < 1.9 and (h == "" or ("spf=temperror" in h and "pass" not in h)):
        ok("task timeout before DNS timeout: answered after %.0f ms: %s" % (dt * 1000, h or "no results"))
    else:
        bad("task timeout before DNS timeout: after %.0f ms: %r" % (dt * 1000, h))
    t0 = time.monotonic()
    r = scan(port, inline_message("nowhere.org", "probe lost"), "192.0.2.25", "mail.nowhere.org", "x@nowhere.org")
    dt = time.monotonic() - t0
    if ar_header(r):
        bad("task ended with its probe in flight, yet it has results: %s" % ar_header(r))
    else:
        ok("task ended with its probe in flight: answered after %.0f ms without results" % (dt * 1000))
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def after_abort(port, src):
    """The worker that released an aborted message still scans."""
    r = scan(port, os.path.join(src, "examples", "messages", "pass.eml"),
             "192.0.2.25", "mx.good.example", "alice@good.example")
    expect("after the aborted task", r, ar=["dkim=pass", "dmarc=pass"])
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def deferred(port, src, why, helo):
    """Fail closed: an error of the module defers the message (Rspamd's
    soft reject, a 4xx at the MTA) with the reason; nothing is scored
    (a configuration error only raises AS_CONFIG_ERROR)."""
    r = scan(port, os.path.join(src, "examples", "messages", "pass.eml"),
             "192.0.2.25", helo, "alice@good.example")
    mine = [s for s in symbols(r) if s.startswith(("R_SPF", "R_DKIM", "DMARC", "AS_"))
            and s != "AS_CONFIG_ERROR"]
    said = json.dumps(r.get("messages", {}))
    if r.get("action") == "soft reject" and why in said and not mine and not ar_header(r):
        ok("deferred (soft reject): %s" % said)
    else:
        bad("not deferred with %r: action %s, messages %s, symbols %s, A-R %r" %
            (why, r.get("action"), said, mine, ar_header(r)))
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def actions(port, src):
    """On a Rspamd with non-default actions (temperror = "greylist",
    reject = false): a DNS temperror gets greylist with the plugin's
    reason, a DMARC reject no forced action (the score decides)."""
    r = scan(port, inline_message("nowhere.org", "refused"), "192.0.2.25", "mail.nowhere.org",
             "x@nowhere.org")
    said = json.dumps(r.get("messages", {}))
    if "spf=temperror" in ar_header(r) and r.get("action") == "greylist" and \
            "authscore: temporary DNS failure" in said:
        ok("temperror = \"greylist\": refused name: greylist: %s" % said)
    else:
        bad("temperror = \"greylist\": action %r, messages %s, A-R %r" %
            (r.get("action"), said, ar_header(r)))
    r = scan(port, os.path.join(src, "examples", "messages", "dmarc-reject.eml"), "203.0.113.66",
             "mail.good.example", "ceo@good.example")
    said = json.dumps(r.get("messages", {}))
    if "DMARC_POLICY_REJECT" in symbols(r) and r.get("action") != "reject" and "authscore" not in said:
        ok("reject = false: dmarc-reject.eml: DMARC_POLICY_REJECT, score %s, action %r" %
           (r.get("score"), r.get("action")))
    else:
        bad("reject = false: dmarc-reject.eml: symbols %s, action %r, messages %s" %
            (sorted(symbols(r)), r.get("action"), said))
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def arc(port, lib, src, rules):
    """On a Rspamd whose rule file trusts the ARC sealer forwarder.example
    (examples/authscore.conf): list.eml fails DMARC under p=reject, but
    the sealer saw DMARC pass before the list changed the message, so
    AS_ARC_TRUSTED_OVERRIDE lowers the disposition: DMARC_POLICY_REJECT
    stays (it is the result) at weight 0, cancelled, and no reject is
    forced.  forwarded.eml: SPF fails at the forwarder, AS_TRUSTED_FORWARDER
    cancels R_SPF_FAIL, DMARC passes on DKIM."""
    weights = rule_weights(lib, rules)
    if not weights.get("DMARC_POLICY_REJECT") or not weights.get("R_SPF_FAIL"):
        bad("the library reports no DMARC_POLICY_REJECT/R_SPF_FAIL weight for %s" % rules)
        return 1

    def cancelled(name, r, sym, by):
        s = symbols(r).get(sym, {})
        if s.get("score") == 0 and "cancelled_by:" + by in s.get("options", []):
            ok("%s: %s scores 0 (rule file: %g), cancelled by %s" % (name, sym, weights[sym], by))
        else:
            bad("%s: %s is %r, not cancelled by %s" % (name, sym, s, by))

    def weighed(name, r):
        """Every other symbol scores its rule-file weight."""
        wrong = [(n, s.get("score"), weights.get(n)) for n, s in symbols(r).items()
                 if n in weights and "cancelled_by:" not in " ".join(s.get("options", []))
                 and abs(s.get("score", 0) - weights[n]) > 1e-9]
        if wrong:
            bad("%s: weights differ from the rule file: %s" % (name, wrong))
        else:
            ok("%s: score %s, every symbol not cancelled at its rule-file weight" %
               (name, r.get("score")))

    r = scan_example(port, src, "list.eml")
    expect("list.eml, forwarder.example trusted", r,
           present=["ARC_ALLOW", "AS_ARC_TRUSTED_OVERRIDE", "AS_ARC_DNSSEC", "DMARC_POLICY_REJECT",
                    "R_DKIM_REJECT", "R_SPF_ALLOW"],
           absent=["ARC_REJECT", "ARC_INVALID", "ARC_DNSFAIL", "DMARC_POLICY_ALLOW"],
           options={"ARC_ALLOW": ["forwarder.example:s=arc2026:i=1"],
                    "AS_ARC_TRUSTED_OVERRIDE": ["forwarder.example i=1 dmarc=pass"]},
           ar=["arc=pass (i=1, d=forwarder.example, DNSSEC secure)", "header.oldest-pass=0",
               "dmarc=fail", "policy.dmarc=reject", "override=trusted_forwarder",
               "disposition=none", "sealer=forwarder.example i=1"])
    cancelled("list.eml", r, "DMARC_POLICY_REJECT", "AS_ARC_TRUSTED_OVERRIDE")
    weighed("list.eml", r)
    said = json.dumps(r.get("messages", {}))
    if r.get("action") not in ("reject", "soft reject", None) and "authscore" not in said:
        ok("list.eml: the override lowers the DMARC reject: action %r, score %s" %
           (r.get("action"), r.get("score")))
    else:
        bad("list.eml: action %r, messages %s (a trusted sealer's override must lower the reject)" %
            (r.get("action"), said))

    r = scan_example(port, src, "forwarded.eml")
    expect("forwarded.eml, forwarder.example trusted", r,
           present=["ARC_ALLOW", "AS_TRUSTED_FORWARDER", "AS_ARC_DNSSEC", "DMARC_POLICY_ALLOW",
                    "R_DKIM_ALLOW", "R_SPF_FAIL"],
           absent=["ARC_REJECT", "AS_ARC_TRUSTED_OVERRIDE", "DMARC_POLICY_REJECT"],
           options={"ARC_ALLOW": ["forwarder.example:s=arc2026:i=1"]},
           ar=["spf=fail", "arc=pass (i=1, d=forwarder.example, DNSSEC secure)",
               "dkim=pass header.d=good.example", "dmarc=pass"])
    cancelled("forwarded.eml", r, "R_SPF_FAIL", "AS_TRUSTED_FORWARDER")
    weighed("forwarded.eml", r)
    if r.get("action") not in ("reject", "soft reject", None):
        ok("forwarded.eml: action %r" % r.get("action"))
    else:
        bad("forwarded.eml: action %r" % r.get("action"))
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def descriptions(ctl_port, lib, rules, stock_json, name):
    """What the web UI and `rspamc` show for each symbol of the rule file
    is its description there, also for names Rspamd ships a description
    for: the running Rspamd's controller lists every symbol it knows with
    its description (/symbols).  NAME ("-": none) must also differ from
    Rspamd's stock description, so that it shows the rule file's is no
    accident.  Polled for 10 s: after a SIGHUP the controller restarts."""
    table = rule_table(lib, rules)
    if not table:
        bad("the library reports no rules for %s" % rules)
        return 1
    stock = {}
    with open(stock_json) as f:
        for g in json.load(f).values():
            for n, d in (g.get("symbols") or {}).items():
                if isinstance(d, dict) and d.get("description"):
                    stock[n] = d["description"]
    deadline = time.monotonic() + 10
    while True:
        try:
            status, payload = http(ctl_port, "GET", "/symbols", timeout=5)
            shown = {}
            if status == 200:
                for g in json.loads(payload):
                    for r in g.get("rules", []):
                        shown.setdefault(r.get("symbol"), r.get("description"))
        except (OSError, ValueError) as e:
            status, payload, shown = 0, str(e).encode(), {}
        wrong = [(n, shown.get(n, "(not listed)"), d) for n, (_, d) in sorted(table.items())
                 if shown.get(n) != d]
        if not wrong or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    if status != 200:
        bad("controller /symbols: HTTP %d: %r" % (status, payload[:200]))
        return 1
    differs = sorted(n for n, (_, d) in table.items() if n in stock and stock[n] != d)
    ours = sorted(n for n in table if n not in stock)
    if wrong:
        bad("/symbols: descriptions not the rule file's (name, shown, rule file): %s" % wrong[:5])
    else:
        ok("/symbols: all %d symbols of the rule file carry its description; %d replace a "
           "different stock one (%s), %d have none in stock" %
           (len(table), len(differs), ", ".join(differs[:4]), len(ours)))
    if name != "-":
        if name in table and shown.get(name) == table[name][1] and stock.get(name) != table[name][1]:
            ok("/symbols: %s: %r, not the stock %r" % (name, shown[name], stock.get(name)))
        else:
            bad("/symbols: %s: %r, rule file %r, stock %r" %
                (name, shown.get(name), table.get(name, (0, None))[1], stock.get(name)))
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def ttls(log):
    """The TTLs the plugin gave authscore_msg_answer() (its debug line per
    answer): answers with records carry the zone's TTL (3600, counted
    down by the resolver's cache), negative ones the SOA MINIMUM (300,
    RFC 2308), failures 0."""
    line = re.compile(r"authscore\.lua:\d+: answer (\S+) (\S+): status (\d+), dnssec (\d+), ttl (\d+), (\d+) records")
    seen = []
    with open(log, errors="replace") as f:
        for l in f:
            m = line.search(l)
            if m:
                seen.append((m.group(1).lower(), m.group(2), int(m.group(3)), int(m.group(5))))
    if not seen:
        bad("no answer lines in %s (debug_modules = [\"authscore\"])" % log)
        return 1
    positive = [t for t in seen if t[2] == 0 and t[0] == "good.example" and t[1] == "txt"]
    negative = [t for t in seen if t[2] in (1, 2) and t[0].endswith("good.example")]
    failed = [t for t in seen if t[2] in (3, 4)]
    if positive and all(3000 <= t[3] <= 3600 for t in positive):
        ok("TTL of good.example TXT: %s" % sorted({t[3] for t in positive}))
    else:
        bad("TTL of good.example TXT: %s" % positive)
    if negative and all(0 < t[3] <= 300 for t in negative):
        ok("TTL of negative answers: %s" % sorted({t[3] for t in negative}))
    else:
        bad("TTL of negative answers under good.example: %s" % negative)
    if failed and all(t[3] == 0 for t in failed):
        ok("failed answers carry TTL 0 (%d)" % len(failed))
    else:
        bad("failed answers: %s" % failed[:5])
    print("%d passed, %d failed" % (passes, fails))
    return 0 if fails == 0 else 1


def shutil_which(name):
    import shutil
    return shutil.which(name)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if sys.argv[1] == "ttls":
        sys.exit(ttls(sys.argv[2]))
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "dnsping":
        sys.exit(0 if dnsping(port) else 1)
    if mode == "ping":
        sys.exit(0 if ping(port) else 1)
    if mode == "deferred":
        helo = sys.argv[5] if len(sys.argv) > 5 else "mx.good.example"
        sys.exit(deferred(port, sys.argv[3], sys.argv[4], helo))
    if mode == "abort":
        sys.exit(abort(port))
    if mode == "actions":
        sys.exit(actions(port, sys.argv[3]))
    if mode == "after-abort":
        sys.exit(after_abort(port, sys.argv[3]))
    if mode == "check":
        sys.exit(check(port, sys.argv[3], sys.argv[4], sys.argv[5]))
    if mode == "descriptions":
        sys.exit(descriptions(port, sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]))
    if mode == "arc":
        sys.exit(arc(port, sys.argv[3], sys.argv[4], sys.argv[5]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
