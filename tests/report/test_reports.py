#!/usr/bin/python3
"""test_reports.py - DMARC aggregate reports end to end (issue 21).

`authscore check --report-log` scores messages from several IPs and three
reporting domains (tests/report/fixture.py) through the real libunbound
path, then `authscore report` turns the log into RFC 9990 reports:
  - one report per policy domain, and none for a domain without rua;
  - the counts are the messages, one record per source IP and result;
  - policy_published is the DNS record; discovery_method is treewalk by
    default and psl in rfc7489 mode;
  - each file validates against docs/dmarc-report.xsd (xmllint), its
    name is RFC 9990's, and Python's gzip and email read it back;
  - a site's rule that lowers the disposition is reported as local_policy;
  - exclusions (--exclude-domain, --exclude-net, --domain), the size
    limit ("!size" and --max-size against the mail's SMTP size, not the
    gzip's), external rua targets (--external-ok);
  - truncated and garbage lines are reported with file:line and skipped,
    a cut row with the next row appended on its line loses only itself,
    and the reports are exactly those of the clean log.
usage: test_reports.py PATH/TO/authscore.  Exit 0, 1, or 77 (SKIP)."""
import email
import email.policy
import gzip
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402
from fixture import ENVELOPES, DOMAIN, NOW  # noqa: E402

NS = "{urn:ietf:params:xml:ns:dmarc-2.0}"
XSD = os.path.join(fixture.SRC, "docs", "dmarc-report.xsd")
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


fixture.need("xmllint", "libxml2-utils")
fx = fixture.Fixture(sys.argv[1])
cli = sys.argv[1]
w = fx.work


def scored_log(name, *extra):
    env = os.path.join(w, name + ".envelopes")
    n = fx.envelopes(env)
    log = os.path.join(w, name + ".jsonl")
    out = run(fx.check_cmd(env, "--report-log", log, *extra))
    if out.returncode:
        raise SystemExit(f"authscore check: {out.returncode}: {out.stderr}")
    check(f"summary: {n} files, 0 not scored" in out.stdout + out.stderr,
          f"{name}: not every message scored: {out.stderr[-300:]}")
    return log


def report(log, out_dir, *extra):
    os.makedirs(out_dir, exist_ok=True)
    r = run([cli, "report", "--log", log, "--org-name", "Receiver Example",
             "--email", "dmarc-noreply@receiver.example", "--since", str(NOW - 3600),
             "--until", str(NOW + 3600), "--now", str(NOW), "--out", out_dir] + list(extra))
    if r.returncode:
        raise SystemExit(f"authscore report {extra}: {r.returncode}: {r.stderr}")
    lines = [ln.split("\t") for ln in r.stdout.splitlines()]
    return {ln[0]: ln for ln in lines}, r.stderr


def reports_in(out_dir):
    """domain -> (file name, XML text) of every .xml.gz in out_dir."""
    got = {}
    for f in sorted(os.listdir(out_dir)):
        if f.endswith(".xml.gz"):
            xml = gzip.decompress(open(os.path.join(out_dir, f), "rb").read()).decode()
            got[f.split("!")[1]] = (f, xml)
    return got


def expected_counts():
    """domain -> {(ip, file): messages} from the envelopes."""
    want = {}
    for name, ip, _, _, count in ENVELOPES:
        d = DOMAIN[name]
        if d:
            want.setdefault(d, {}).setdefault((ip, name), 0)
            want[d][(ip, name)] += count
    return want


def validate(path, xml):
    tmp = path + ".xml"
    with open(tmp, "w") as f:
        f.write(xml)
    v = run(["xmllint", "--noout", "--schema", XSD, tmp])
    check(v.returncode == 0, f"{os.path.basename(path)}: not valid: {v.stderr[:500]}")


# ---- the default mode: RFC 9989 tree walk ---------------------------------
log = scored_log("treewalk")
rows = open(log).read().splitlines()
want = expected_counts()
check(len(rows) == sum(sum(v.values()) for v in want.values()),
      f"{len(rows)} rows for {sum(sum(v.values()) for v in want.values())} messages with a rua")

out = os.path.join(w, "out")
printed, err = report(log, out)
got = reports_in(out)
check(set(got) == set(want), f"one report per domain: {sorted(got)} != {sorted(want)}")
check(set(printed) == set(want), f"printed: {sorted(printed)}")
name_re = re.compile(r"^receiver\.example!([a-z.]+)!(\d+)!(\d+)!([0-9a-f-]+)\.xml\.gz$")
for domain, (fname, xml) in got.items():
    m = name_re.match(fname)
    check(m and m.group(1) == domain and int(m.group(2)) == NOW - 3600 and
          int(m.group(3)) == NOW + 3600 - 1, f"file name {fname}")
    validate(os.path.join(out, fname), xml)
    root = ET.fromstring(xml)
    check(root.tag == NS + "feedback", f"{domain}: root {root.tag}")
    check(root.findtext(f"{NS}report_metadata/{NS}report_id") == (m.group(4) if m else None),
          f"{domain}: report_id is the file's")
    check(root.findtext(f"{NS}report_metadata/{NS}date_range/{NS}begin") == str(NOW - 3600),
          f"{domain}: begin")
    # policy_published is the record in the zone.
    rec = fixture.dmarc_record(domain)
    pp = root.find(NS + "policy_published")
    check(pp.findtext(NS + "domain") == domain, f"{domain}: policy domain")
    for tag, elem, dflt in (("p", "p", None), ("sp", "sp", None), ("np", "np", None),
                            ("adkim", "adkim", "r"), ("aspf", "aspf", "r"),
                            ("t", "testing", "n"), ("fo", "fo", "0")):
        check(pp.findtext(NS + elem) == rec.get(tag, dflt),
              f"{domain}: policy_published {elem} {pp.findtext(NS + elem)} != {rec.get(tag, dflt)}")
    check(pp.findtext(NS + "discovery_method") == "treewalk", f"{domain}: discovery_method")
    # Counts: one record per source IP and result, adding up to the messages.
    records = root.findall(NS + "record")
    total = sum(int(r.findtext(f"{NS}row/{NS}count")) for r in records)
    check(total == sum(want[domain].values()), f"{domain}: counts {total} != "
          f"{sum(want[domain].values())}")
    check(len(records) == len(want[domain]), f"{domain}: {len(records)} records for "
          f"{len(want[domain])} (IP, message) pairs")
    by_ip = {}
    for r in records:
        ip = r.findtext(f"{NS}row/{NS}source_ip")
        by_ip[ip] = by_ip.get(ip, 0) + int(r.findtext(f"{NS}row/{NS}count"))
        check(r.findtext(f"{NS}identifiers/{NS}header_from").endswith(domain),
              f"{domain}: header_from")
        check(r.find(f"{NS}auth_results/{NS}spf/{NS}scope").text == "mfrom", "spf scope")
    for (ip, _), n in want[domain].items():
        check(by_ip.get(ip, 0) >= n, f"{domain}: {ip} counted {by_ip.get(ip)}")

# What each report says about particular messages.
good = ET.fromstring(got["good.example"][1])
for r in good.findall(NS + "record"):
    ip = r.findtext(f"{NS}row/{NS}source_ip")
    disp = r.findtext(f"{NS}row/{NS}policy_evaluated/{NS}disposition")
    if ip == "203.0.113.66":  # dmarc-reject.eml
        check(disp == "reject" and r.findtext(f"{NS}row/{NS}count") == "2", "reject record")
    dk = r.findall(f"{NS}auth_results/{NS}dkim")
    for d in dk:
        check(d.findtext(NS + "selector") == "sel2026", "dkim selector")
partner = ET.fromstring(got["partner.example"][1])
for r in partner.findall(NS + "record"):
    ip = r.findtext(f"{NS}row/{NS}source_ip")
    ev = r.find(f"{NS}row/{NS}policy_evaluated")
    if ip == "198.51.100.99":
        # SPF fails, p=quarantine with t=y: one step lower, and said why.
        check(ev.findtext(NS + "disposition") == "none", "t=y lowers quarantine to none")
        check(ev.findtext(f"{NS}reason/{NS}type") == "policy_test_mode", "policy_test_mode")
    else:
        check(ev.findtext(NS + "spf") == "pass", f"partner {ip}: aligned SPF pass")

# The mails: To is the rua (the external target and the one whose "!1k"
# the mail exceeds left out), the gzip attached.
for domain, line in printed.items():
    msg = email.message_from_bytes(open(line[2], "rb").read(), policy=email.policy.default)
    rec = fixture.dmarc_record(domain)
    inside = [u[len("mailto:"):].split("!")[0] for u in rec["rua"].split(",")
              if "external" not in u and not u.endswith("!1k")]
    check(sorted(a.addr_spec for a in msg["To"].addresses) == sorted(inside),
          f"{domain}: To {msg['To']} != {inside}")
    check(msg["From"].addresses[0].addr_spec == "dmarc-noreply@receiver.example", "From")
    check(re.match(rf"^Report Domain: {re.escape(domain)} Submitter: Receiver Example "
                   r"Report-ID: <[0-9a-f-]+>$", str(msg["Subject"])), f"Subject {msg['Subject']}")
    parts = [p for p in msg.iter_attachments()]
    check(len(parts) == 1 and parts[0].get_content_type() == "application/gzip",
          f"{domain}: one application/gzip attachment")
    if parts:
        fname = parts[0].get_filename()
        check(fname == got[domain][0], f"{domain}: attachment {fname}")
        check(parts[0].get_content() == open(os.path.join(out, fname), "rb").read(),
              f"{domain}: the attachment is the file")
check("reports.external.example._report._dmarc" not in err and
      "partner.example._report._dmarc.reports.external.example" in err,
      f"the external target is named with its TXT record: {err}")

# --external-ok: the verified external target gets the report too.
printed_ext, _ = report(log, os.path.join(w, "out-ext"), "--external-ok",
                        "reports.external.example")
check("dmarc@reports.external.example" in printed_ext["partner.example"][1],
      f"--external-ok: {printed_ext['partner.example'][1]}")

# ---- RFC 7489 mode: the Public Suffix List ---------------------------------
log7 = scored_log("psl", "--option", "dmarc.mode=rfc7489")
out7 = os.path.join(w, "out7")
report(log7, out7)
got7 = reports_in(out7)
check(set(got7) == set(want), f"rfc7489: {sorted(got7)}")
for domain, (fname, xml) in got7.items():
    validate(os.path.join(out7, fname), xml)
    root = ET.fromstring(xml)
    check(root.findtext(f"{NS}policy_published/{NS}discovery_method") == "psl",
          f"{domain}: rfc7489 discovery_method")

# ---- exclusions -----------------------------------------------------------
_, _ = report(log, os.path.join(w, "out-x1"), "--exclude-domain", "softpolicy.example")
check(set(reports_in(os.path.join(w, "out-x1"))) == set(want) - {"softpolicy.example"},
      "--exclude-domain")
report(log, os.path.join(w, "out-x2"), "--exclude-net", "192.0.2.0/24",
       "--exclude-net", "2001:db8::/32")
g2 = ET.fromstring(reports_in(os.path.join(w, "out-x2"))["good.example"][1])
ips = {r.findtext(f"{NS}row/{NS}source_ip") for r in g2.findall(NS + "record")}
check(ips and not any(ip.startswith("192.0.2.") for ip in ips), f"--exclude-net: {ips}")
report(log, os.path.join(w, "out-x3"), "--domain", "partner.example")
check(set(reports_in(os.path.join(w, "out-x3"))) == {"partner.example"}, "--domain")

# ---- a local policy override (a rule's dmarc_disposition, docs/rules.md) --
rules = os.path.join(w, "override.conf")
with open(rules, "w") as f:
    f.write(f""".include "{os.path.join(fixture.EX, 'authscore.conf')}"
lists {{ known_relays {{ domains = ["mail.good.example"]; }} }}
rules {{
  LOCAL_KNOWN_RELAY {{
    weight = 0.0;
    group = "policy";
    description = "A relay this site knows: its DMARC failures are delivered";
    helo {{ list = "known_relays"; }}
    dmarc = "fail";
    dmarc_disposition = "none";
  }}
}}
""")
logo = scored_log("override", "--rules", rules)
reports_o = os.path.join(w, "out-override")
report(logo, reports_o)
go = ET.fromstring(reports_in(reports_o)["good.example"][1])
seen = 0
for r in go.findall(NS + "record"):
    if r.findtext(f"{NS}row/{NS}source_ip") == "203.0.113.66":  # dmarc-reject.eml
        seen += 1
        ev = r.find(f"{NS}row/{NS}policy_evaluated")
        check(ev.findtext(NS + "disposition") == "none", "the override lowered the disposition")
        check(ev.findtext(f"{NS}reason/{NS}type") == "local_policy" and
              ev.findtext(f"{NS}reason/{NS}comment") == "LOCAL_KNOWN_RELAY",
              "reason local_policy, naming the rule")
check(seen == 1, f"one record for the overridden messages, {seen}")
validate(os.path.join(reports_o, "override"), reports_in(reports_o)["good.example"][1])

# ---- the size limit -------------------------------------------------------
# "!size" and --max-size limit the mail as SMTP carries it (CRLF line
# ends), not the gzip inside it (docs/dmarc-reports.md).
printed_s, err_s = report(log, os.path.join(w, "out-size"), "--max-size", "100")
check(not printed_s, f"--max-size 100: nothing mailed, got {printed_s}")
check("over its size limit (100 bytes)" in err_s, f"--max-size: said why: {err_s}")
check(len(reports_in(os.path.join(w, "out-size"))) == len(want), "the files are still written")


def smtp_size(path):
    data = open(path, "rb").read()
    return len(data) + data.count(b"\n")


gz_size = os.path.getsize(os.path.join(out, got["partner.example"][0]))
mail_size = smtp_size(printed["partner.example"][2])
check(gz_size < 1024 < mail_size, f"partner.example: gzip {gz_size}, mail {mail_size} bytes: "
      "the !1k target no longer tells the two apart")
check(f"rua small@partner.example: the report's mail (" in err and
      "over its size limit (1024 bytes)" in err, f"!1k: left out, and said why: {err}")
for limit, mailed in ((mail_size, True), (mail_size - 1, False), (gz_size, False)):
    p_l, e_l = report(log, os.path.join(w, f"out-size-{limit}"), "--domain", "partner.example",
                      "--max-size", str(limit))
    check(("partner.example" in p_l) == mailed,
          f"--max-size {limit} (mail {mail_size}, gzip {gz_size}): mailed {p_l}: {e_l}")
    if mailed and "partner.example" in p_l:
        check(smtp_size(p_l["partner.example"][2]) <= limit, f"--max-size {limit}: mail size")

# ---- truncated and garbage lines -----------------------------------------
# A row cut short (a full disk) ends without its newline, and O_APPEND puts
# the next writer's row right behind it: line 4 holds a cut row and a whole
# one, line 5 two whole rows whose newline was lost.  Only the cut row is lost.
bad = os.path.join(w, "bad.jsonl")
good_rows = rows
with open(bad, "w") as f:
    f.write(good_rows[0] + "\n")
    f.write("this is not JSON\n")                            # line 2
    f.write(good_rows[1][: len(good_rows[1]) // 2] + "\n")   # line 3: truncated
    f.write(good_rows[2][:60] + good_rows[1] + "\n")         # line 4: cut, then a row
    f.write(good_rows[2] + good_rows[3] + "\n")              # line 5: two rows
    for r in good_rows[4:]:
        f.write(r + "\n")
    f.write('{"version":2,"time":1}\n')                      # a later format
    f.write("\x00\xff garbage\n")
    f.write(good_rows[0][:100])                              # cut off, no newline
n_lines = len(good_rows) + 4
printed_b, err_b = report(bad, os.path.join(w, "out-bad"))
for line in (2, 3, 4, n_lines - 2, n_lines - 1, n_lines):
    check(f"{bad}:{line}: skipped" in err_b, f"line {line} not reported: {err_b}")
check(f"{bad}:4: skipped: a cut-off row" in err_b, f"line 4: the cut row named: {err_b}")
check(err_b.count(": skipped:") == 6, f"exactly the six bad pieces: {err_b}")
check(f"{len(good_rows)} rows (6 lines skipped)" in err_b, f"every whole row read: {err_b}")
clean = reports_in(out)
dirty = reports_in(os.path.join(w, "out-bad"))
check({d: x for d, (_, x) in dirty.items()} == {d: x for d, (_, x) in clean.items()},
      "bad lines change nothing in the reports")

print(f"reports: {len(got)} domains, {len(rows)} rows, {len(fails)} problems")
for f in fails:
    print("FAIL:", f)
fx.close()
sys.exit(1 if fails else 0)
