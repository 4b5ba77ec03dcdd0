"""fixture.py - what the report tests share: the example zones and
tests/report/zones signed for this run (offline, tests/dns/sign-zones.sh),
messages from several domains, and envelopes from several IPs.

skip(why) exits 77 (meson: SKIP), so a run without ldnsutils or xmllint
never reports OK."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("AUTHSCORE_SOURCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
EX = os.path.join(SRC, "examples")
HERE = os.path.join(SRC, "tests", "report")
# The clock the example messages were signed at, plus an hour.
NOW = 1795478000

# Messages of tests/report's own domain: no DKIM, SPF decides.
PARTNER = {
    "partner.eml": "ops@partner.example",
    "partner-sub.eml": "news@mail.partner.example",
}

# file, client IP, HELO, MAIL FROM: each line one message.  Several IPs
# per domain; the same message from the same IP gives the same record.
ENVELOPES = [
    ("pass.eml", "192.0.2.25", "mx.good.example", "alice@good.example", 3),
    ("pass.eml", "192.0.2.26", "mx2.good.example", "alice@good.example", 2),
    ("dkim-body-modified.eml", "192.0.2.25", "mx.good.example", "alice@good.example", 1),
    ("dmarc-reject.eml", "203.0.113.66", "mail.good.example", "ceo@good.example", 2),
    ("forwarded.eml", "198.51.100.25", "list.forwarder.example", "alice@good.example", 1),
    ("spf-fail.eml", "198.51.100.7", "mail.softpolicy.example", "news@softpolicy.example", 2),
    ("spf-fail.eml", "198.51.100.8", "mail.softpolicy.example", "news@softpolicy.example", 1),
    ("partner.eml", "203.0.113.10", "mail.partner.example", "ops@partner.example", 3),
    ("partner.eml", "198.51.100.99", "relay.elsewhere.example", "ops@partner.example", 2),
    ("partner-sub.eml", "203.0.113.11", "mail.partner.example", "news@mail.partner.example", 1),
    # No rua at bogus.example (and DNSSEC-bogus): never reported.
    ("dnssec-bogus.eml", "192.0.2.90", "mail.bogus.example", "support@bogus.example", 1),
]
# The policy domain of each message (where its DMARC record is).
DOMAIN = {"pass.eml": "good.example", "dkim-body-modified.eml": "good.example",
          "dmarc-reject.eml": "good.example", "forwarded.eml": "good.example",
          "spf-fail.eml": "softpolicy.example", "partner.eml": "partner.example",
          "partner-sub.eml": "partner.example", "dnssec-bogus.eml": None}


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def need(tool, package):
    if not shutil.which(tool):
        skip(f"{tool} missing (Debian package {package})")


def zone_files():
    z = os.path.join(EX, "zones")
    return [os.path.join(z, "example.zone"), os.path.join(z, "good.example.zone"),
            os.path.join(z, "softpolicy.example.zone"), os.path.join(z, "forwarder.example.zone"),
            os.path.join(HERE, "zones", "partner.example.zone"),
            "--tamper", os.path.join(z, "bogus.example.zone")]


def dmarc_record(domain):
    """The _dmarc TXT record of a zone file, as tags."""
    path = {"good.example": os.path.join(EX, "zones", "good.example.zone"),
            "softpolicy.example": os.path.join(EX, "zones", "softpolicy.example.zone"),
            "partner.example": os.path.join(HERE, "zones", "partner.example.zone")}[domain]
    for line in open(path):
        m = re.match(r'^_dmarc\s+IN\s+TXT\s+"(.*)"\s*$', line)
        if m:
            return dict(t.strip().split("=", 1) for t in m.group(1).split(";") if "=" in t)
    raise SystemExit(f"no _dmarc record in {path}")


class Fixture:
    def __init__(self, cli):
        need("ldns-signzone", "ldnsutils")
        self.cli = cli
        self.work = tempfile.mkdtemp(prefix="authscore-report-")
        out = subprocess.run([os.path.join(SRC, "tests", "dns", "sign-zones.sh"),
                              os.path.join(self.work, "zones")] + zone_files(),
                             capture_output=True, text=True)
        if out.returncode == 77:
            skip("sign-zones.sh cannot sign (ldnsutils)")
        if out.returncode:
            raise SystemExit("sign-zones.sh: " + out.stderr)
        self.dns = os.path.join(self.work, "zones", "unbound-serverless.conf")
        self.msgs = os.path.join(self.work, "messages")
        os.mkdir(self.msgs)
        for name in DOMAIN:
            src = os.path.join(EX, "messages", name)
            if os.path.exists(src):
                shutil.copy(src, self.msgs)
        for name, sender in PARTNER.items():
            with open(os.path.join(self.msgs, name), "w") as f:
                f.write(f"From: <{sender}>\r\nTo: <bob@receiver.example>\r\n"
                        f"Subject: {name}\r\nMessage-ID: <{name}@partner.example>\r\n"
                        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n")

    def envelopes(self, path, lines=ENVELOPES, repeat=1):
        """An --envelopes list; returns the number of messages."""
        n = 0
        with open(path, "w") as f:
            for _ in range(repeat):
                for name, ip, helo, mf, count in lines:
                    for _ in range(count):
                        f.write(f"{os.path.join(self.msgs, name)} {ip} {helo} {mf}\n")
                        n += 1
        return n

    def check_cmd(self, envelopes, *extra):
        return [self.cli, "check", "--dns-config", self.dns, "--trust-anchor", "none",
                "--dns-timeout", "3000", "--authserv-id", "mx.receiver.example",
                "--now", str(NOW), "--rules", os.path.join(EX, "authscore.conf"),
                "--envelopes", envelopes] + list(extra)

    def close(self):
        shutil.rmtree(self.work, ignore_errors=True)
