#!/usr/bin/python3
"""test_docs.py - every snippet of docs/dmarc-reports.md, pasted as an
admin pastes it, in a sandbox: the paths under /var, /usr/local/sbin and
/usr/sbin/sendmail are moved into a temp dir, `authscore` on the PATH is
the built command with the test zones (check) and a clock on the day after
the messages (report), and sendmail keeps what it is given.

  setup/directory      the log directory, owned by Exim's user
  cli/check            rows of the command, one file per UTC day
  exim/exim.opts       the same option through Exim's entry point
  script/...           yesterday's reports, each mail to `sendmail -t`
  cron/...reports      a valid crontab line that runs the script
  systemd/...          systemd-analyze verify accepts service and timer
  cron/...prune        deletes old days, keeps recent ones
  logrotate/authscore  the one-file form rotated twice (logrotate -f), rows
                       followed into the new file, all of them reported
  setup/directory-milter, milter/milter.conf
                       the milter's directory, and the line added to the
                       shipped milter.conf (--check-config accepts it); the
                       milter, after dropping root, writes a message's row
                       there (miltertest, tests/milter/lib.lua).  Its user is
                       _authscore, or nobody where that user does not exist
                       (put into the pasted line, as run-miltertest.sh does)
  rspamd/...           in report-rspamd (test-rspamd-setting.lua)
A snippet added to the page without a case here fails the test.
usage: test_docs.py PATH/TO/authscore PATH/TO/test_exim_rows [PATH/TO/authscore-milter]
Exit 0, 1, or 77 (SKIP: a tool is missing, or not root; also when the
milter is not built or miltertest is missing, after every other case ran)."""
import email
import email.policy
import glob
import grp
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture  # noqa: E402

cli, exim_rows = sys.argv[1], sys.argv[2]
milter = sys.argv[3] if len(sys.argv) > 3 else None
DOC = os.path.join(fixture.SRC, "docs", "dmarc-reports.md")
spec = importlib.util.spec_from_file_location(
    "snippet", os.path.join(fixture.SRC, "tests", "exim", "snippet.py"))
snippet = importlib.util.module_from_spec(spec)
spec.loader.exec_module(snippet)

HANDLED = {"setup/directory", "cli/check", "exim/exim.opts", "rspamd/local.d/authscore.conf",
           "script/authscore-dmarc-reports", "cron/authscore-dmarc-reports",
           "systemd/authscore-dmarc-reports.service", "systemd/authscore-dmarc-reports.timer",
           "cron/authscore-dmarc-prune", "logrotate/authscore", "setup/directory-milter",
           "milter/milter.conf"}
if os.geteuid() != 0:
    fixture.skip("needs root (install -o Debian-exim, logrotate's state)")
for tool, pkg in (("logrotate", "logrotate"), ("systemd-analyze", "systemd")):
    fixture.need(tool, pkg)
try:
    import pwd
    pwd.getpwnam("Debian-exim")
except KeyError:
    fixture.skip("no Debian-exim user (exim4)")

found = snippet.snippets(DOC)
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


extra = set(found) - HANDLED
check(not extra, f"snippets no test pastes: {sorted(extra)}")
missing = HANDLED - set(found)
check(not missing, f"snippets gone from the page: {sorted(missing)}")
if extra or missing:
    print("\n".join("FAIL: " + f for f in fails))
    sys.exit(1)

fx = fixture.Fixture(cli)
w = fx.work
box = os.path.join(w, "box")
MOVES = [("/usr/local/sbin/", f"{box}/sbin/"), ("/usr/sbin/sendmail", f"{box}/bin/sendmail"),
         ("/var/log/authscore", f"{box}/log"), ("/var/lib/authscore", f"{box}/lib"),
         ("/var/tmp/ENVELOPES", f"{box}/ENVELOPES")]
for d in ("sbin", "bin", "log", "lib", "sent", "units"):
    os.makedirs(os.path.join(box, d), exist_ok=True)


def moved(text):
    for a, b in MOVES:
        text = text.replace(a, b)
    return text


def text_of(name):
    return moved(found[name][0])


def write_exec(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


# `authscore` for the sandbox: the test zones and the examples' clock.
write_exec(os.path.join(box, "bin", "authscore"), f"""#!/bin/sh
cmd=$1; shift
case $cmd in
check) exec {cli} check --dns-config {fx.dns} --trust-anchor none --dns-timeout 3000 \\
    --authserv-id mx.receiver.example --now {fixture.NOW} "$@" ;;
report) exec {cli} report --now {fixture.NOW + 86400} "$@" ;;
*) exec {cli} "$cmd" "$@" ;;
esac
""")
# sendmail -t: keep each mail.
write_exec(os.path.join(box, "bin", "sendmail"), f"""#!/bin/sh
[ "$1" = -t ] || {{ echo "sendmail called without -t: $*" >&2; exit 64; }}
n=$(ls {box}/sent | wc -l)
cat > {box}/sent/$n.eml
""")
env = dict(os.environ, PATH=os.path.join(box, "bin") + ":" + os.environ["PATH"])


def sh(text, what, **kw):
    r = subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=env,
                       timeout=300, **kw)
    check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr[-400:]}")
    return r


def rows(path):
    return sum(1 for _ in open(path)) if os.path.exists(path) else 0


day = time.strftime("%Y-%m-%d", time.gmtime(fixture.NOW))
day_log = os.path.join(box, "log", "dmarc", f"authscore-{day}.jsonl")

# setup/directory
sh(text_of("setup/directory"), "setup/directory")
st = os.stat(os.path.join(box, "log", "dmarc"))
check(pwd.getpwuid(st.st_uid).pw_name == "Debian-exim" and stat.S_IMODE(st.st_mode) == 0o750,
      "the log directory belongs to Debian-exim, 0750")

# cli/check
n_msgs = fx.envelopes(os.path.join(box, "ENVELOPES"))
sh(text_of("cli/check"), "cli/check")
n_rows = rows(day_log)
check(n_rows > 0, f"cli/check: no rows in {day_log}")

# exim/exim.opts: the file's lines as Exim's options argument.
opts = ";".join(ln.strip() for ln in text_of("exim/exim.opts").splitlines()
                if ln.strip() and not ln.startswith("#"))
msg = open(os.path.join(fixture.EX, "messages", "pass.eml"), "rb").read().replace(b"\r\n", b"\n")
head, body = msg.split(b"\n\n", 1)
open(os.path.join(w, "headers"), "wb").write(head + b"\n")
open(os.path.join(w, "spool-D"), "wb").write(b"1xVdrt-0003ya-1G-D\n" + body)
os.makedirs(os.path.join(w, "spools"))
r = subprocess.run([exim_rows, f"dns.config={fx.dns};dns.trust_anchor=none;{opts}",
                    os.path.join(w, "headers"), os.path.join(w, "spool-D"),
                    os.path.join(w, "spools"), "192.0.2.25", "alice@good.example", "1", "2"],
                   capture_output=True, text=True, timeout=120)
check(r.returncode == 0, f"exim/exim.opts: {r.stdout} {r.stderr[-300:]}")
# Exim's messages are scored now (no pinned clock): today's file.
all_rows = sum(rows(p) for p in glob.glob(os.path.join(box, "log", "dmarc", "*.jsonl")))
check(all_rows == n_rows + 3, f"exim/exim.opts: {all_rows - n_rows} rows for 3 messages")

# script/authscore-dmarc-reports, then the cron line that runs it.
script = os.path.join(box, "sbin", "authscore-dmarc-reports")
write_exec(script, text_of("script/authscore-dmarc-reports"))
sh(script, "script")
sent = sorted(glob.glob(os.path.join(box, "sent", "*.eml")))
domains = set()
for path in sent:
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    domains.add(re.sub(r"^Report Domain: (\S+) .*", r"\1", str(m["Subject"])))
    check(m["To"] and m["From"].addresses[0].addr_spec == "dmarc-noreply@mail.example.org",
          f"script: mail {path}")
    check(len(list(m.iter_attachments())) == 1, f"script: attachment of {path}")
want = {d for d in fixture.DOMAIN.values() if d}
check(domains == want, f"script: mails for {sorted(domains)}, not {sorted(want)}")
check(glob.glob(os.path.join(box, "lib", "reports", "*", "*.xml.gz")), "script: reports kept")

cron = [ln for ln in text_of("cron/authscore-dmarc-reports").splitlines()
        if ln.strip() and not ln.startswith("#")]
check(len(cron) == 1, "cron: one line")
f = cron[0].split(None, 6)
check(len(f) == 7 and re.fullmatch(r"\d+", f[0]) and 0 <= int(f[0]) < 60 and
      re.fullmatch(r"\d+", f[1]) and int(f[1]) < 24 and f[2:5] == ["*", "*", "*"] and
      f[5] == "root", f"cron: {cron[0]}")
check(len(f) == 7 and f[6] == script, f"cron runs the script: {f[6:]}")

# systemd/...: the units as systemd reads them.
for unit in ("service", "timer"):
    with open(os.path.join(box, "units", f"authscore-dmarc-reports.{unit}"), "w") as u:
        u.write(text_of(f"systemd/authscore-dmarc-reports.{unit}"))
r = subprocess.run(["systemd-analyze", "verify",
                    os.path.join(box, "units", "authscore-dmarc-reports.service"),
                    os.path.join(box, "units", "authscore-dmarc-reports.timer")],
                   capture_output=True, text=True, env=env)
check(r.returncode == 0 and "authscore" not in r.stderr, f"systemd-analyze verify: {r.stderr}")
check(f"ExecStart={script}" in text_of("systemd/authscore-dmarc-reports.service"),
      "the service runs the script")

# cron/authscore-dmarc-prune: old days go, recent ones stay.
old = os.path.join(box, "log", "dmarc", "authscore-2000-01-01.jsonl")
open(old, "w").close()
os.utime(old, (time.time() - 40 * 86400,) * 2)
prune = [ln for ln in text_of("cron/authscore-dmarc-prune").splitlines()
         if ln.strip() and not ln.startswith("#")]
check(len(prune) == 1 and prune[0].split(None, 6)[5] == "root", f"prune: {prune}")
sh(prune[0].split(None, 6)[6], "prune")
check(not os.path.exists(old) and os.path.exists(day_log), "prune: removes old days only")

# logrotate/authscore: the one-file form, rotated twice while rows come.
one = os.path.join(box, "log", "dmarc.jsonl")
conf = os.path.join(box, "logrotate.conf")
with open(conf, "w") as c:
    c.write(text_of("logrotate/authscore"))
os.chmod(conf, 0o644)
total = 0
for turn in range(3):
    sh(f"authscore check --report-log {one} --envelopes {box}/ENVELOPES", "one-file check")
    total += n_rows
    if turn < 2:
        r = subprocess.run(["logrotate", "-f", "-s", os.path.join(box, "state"), conf],
                           capture_output=True, text=True)
        check(r.returncode == 0, f"logrotate: {r.stderr}")
        check(not os.path.exists(one), "nocreate: the host makes the next file")
check(os.path.exists(one + ".1") and os.path.exists(one + ".2.gz"),
      f"rotated: {sorted(os.listdir(os.path.join(box, 'log')))}")
r = subprocess.run(["authscore", "report", "--org-name", "R", "--email", "d@receiver.example",
                    "--out", w, "--log", one, "--log", one + ".1", "--log", one + ".2.gz"],
                   capture_output=True, text=True, env=env)
m = re.search(r"(\d+) rows \((\d+) lines skipped\)", r.stderr)
check(r.returncode == 0 and m and int(m.group(1)) == total and m.group(2) == "0",
      f"every row of the three files read: {r.stderr}")



# setup/directory-milter, milter/milter.conf: authscore-milter writes the
# rows as its user, into a directory of its own (a tree of its own here,
# so Exim's files above play no part).
def milter_case():
    if not milter:
        return "authscore-milter not built (libmilter-dev)"
    if not shutil.which("miltertest"):
        return "miltertest missing (Debian package miltertest)"
    try:
        user = pwd.getpwnam("_authscore").pw_name
    except KeyError:
        user = "nobody"

    def pasted(name):
        return found[name][0].replace("/var/log/authscore", f"{box}/milter-log") \
            .replace("_authscore", user)

    for d in (w, box):  # the milter's user must reach its directory
        os.chmod(d, 0o755)
    subprocess.run(["chmod", "-R", "a+rX", os.path.dirname(fx.dns)], check=True)
    sh(pasted("setup/directory-milter"), "setup/directory-milter")
    logdir = os.path.join(box, "milter-log", "dmarc")
    st = os.stat(logdir)
    check(pwd.getpwuid(st.st_uid).pw_name == user and stat.S_IMODE(st.st_mode) == 0o750 and
          grp.getgrgid(st.st_gid).gr_name == "adm",
          f"the milter's log directory belongs to {user}:adm, 0750")
    run_dir = os.path.join(w, "milter-run")
    os.mkdir(run_dir, 0o755)
    sock = os.path.join(run_dir, "milter.sock")
    # The shipped milter.conf with the test's socket, user and DNS, then
    # the line of the page, appended as an admin adds it.
    own = {"socket": f"unix:{sock}", "socket_group": "adm", "user": user,
           "pid_file": os.path.join(run_dir, "milter.pid"),
           "authserv_id": "mx.receiver.example",
           "rules.file": os.path.join(fixture.EX, "authscore.conf"),
           "dns.config": fx.dns, "dns.trust_anchor": "none", "dns.timeout_ms": "3000"}
    lines = []
    for ln in open(os.path.join(fixture.SRC, "module", "host", "milter", "milter.conf")):
        name = ln.split("=", 1)[0].strip()
        lines.append(ln if ln.startswith("#") or name not in own else "")
    lines += [f"{k} = {v}\n" for k, v in own.items()]
    conf = os.path.join(run_dir, "milter.conf")
    with open(conf, "w") as c:
        c.write("".join(lines) + pasted("milter/milter.conf"))
    os.chmod(conf, 0o644)
    r = subprocess.run([milter, "--check-config", "--config", conf], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 0, f"milter.conf with the page's line: {r.stdout} {r.stderr[-400:]}")
    err = open(os.path.join(w, "milter.log"), "w+")
    d = subprocess.Popen([milter, "--foreground", "--config", conf], stdout=err, stderr=err)
    try:
        for _ in range(200):
            if d.poll() is not None or os.path.exists(sock):
                break
            time.sleep(0.05)
        mt = subprocess.run(["miltertest", "-D", f"SOCKET=unix:{sock}",
                             "-D", f"EX={fixture.EX}/messages",
                             "-D", f"LIB={fixture.SRC}/tests/milter/lib.lua",
                             "-s", os.path.join(fixture.HERE, "milter-row.lua")],
                            capture_output=True, text=True, timeout=120)
        check(mt.returncode == 0, f"miltertest: {mt.stdout[-400:]} {mt.stderr[-400:]}")
    finally:
        d.terminate()  # SIGTERM to the milter's own PID
        try:
            d.wait(timeout=20)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()
    err.seek(0)
    log = err.read()
    check(d.returncode == 0, f"the milter's exit status {d.returncode}: {log[-600:]}")
    check("Sanitizer" not in log and "runtime error" not in log, f"sanitizer: {log[-2000:]}")
    days = glob.glob(os.path.join(logdir, "authscore-*.jsonl"))
    got = [json.loads(ln) for p in days for ln in open(p)]
    check(len(got) == 1 and got[0]["envelope"]["ip"] == "192.0.2.25" and
          got[0]["dmarc"]["published"]["domain"] == "good.example",
          f"one row of the milter's message in {logdir}: {got}")
    for p in days:
        st = os.stat(p)
        check(pwd.getpwuid(st.st_uid).pw_name == user and stat.S_IMODE(st.st_mode) == 0o640,
              f"{p}: the milter's user's, 0640")
    print(f"postfix: authscore-milter as {user} wrote {len(got)} row into {logdir}")
    return None


not_run = milter_case()
print(f"docs: {len(found)} snippets pasted, {n_msgs} messages, {len(sent)} mails")
for f_ in fails:
    print("FAIL:", f_)
fx.close()
if not fails and not_run:
    print(f"SKIP: the Postfix snippets were not pasted: {not_run}")
    sys.exit(77)
sys.exit(1 if fails else 0)
