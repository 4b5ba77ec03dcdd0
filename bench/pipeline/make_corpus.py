#!/usr/bin/python3
"""Generate the pipeline benchmark corpus (deterministic layout, fresh keys).

    make_corpus.py OUTDIR [MESSAGES [SEED]]

Writes into OUTDIR:
  zone.txt       every record the corpus needs, in as_memdns_load_file's
                 format (module/dns/memdns.h): SPF trees, MX/A/AAAA,
                 exists targets, DKIM keys, DMARC records, DNSSEC states
  msgs/mNNNN.eml the messages, signed by dkimpy
  envelopes.txt  one line per message, tab-separated:
                 path client_ip helo mail_from chain
                 chain = the longest chain of dependent DNS lookups the
                 message can need (computed from the records written here)
  list.txt       the message paths alone (bench/dkim/bench_dkim's LISTFILE)

The mix (the random choices follow SEED; the keys, and so the signature
bytes, are generated at each run and never checked in):
  sizes mostly 2-20 KB, ~10% 20-200 KB, ~2% 200 KB-1 MB; three Received
  fields; multipart/mixed with a text/html alternative and base64
  attachments for the larger ones;
  DKIM: rsa-sha256 2048 relaxed/relaxed (most), simple/simple,
  ed25519-sha256, and two signatures on ~15% (author + ESP, or
  RSA + Ed25519 by the author);
  SPF: include chains 2-3 deep (ESP netblocks), ip4/ip6, mx, a, exists
  with a %{i} macro, redirect; ~10% of clients are not authorized;
  DMARC: p=none/quarantine/reject at the organizational domain, some
  From subdomains (tree walk), a few domains without a record.
"""
import base64
import os
import random
import sys

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


def rsa_key(bits=2048):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    priv = k.private_bytes(serialization.Encoding.PEM,
                           serialization.PrivateFormat.TraditionalOpenSSL,
                           serialization.NoEncryption())
    pub = k.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    return priv, "v=DKIM1; k=rsa; p=" + base64.b64encode(pub).decode()


def ed_key():
    k = ed25519.Ed25519PrivateKey.generate()
    seed = k.private_bytes(serialization.Encoding.Raw,
                           serialization.PrivateFormat.Raw,
                           serialization.NoEncryption())
    pub = k.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return base64.b64encode(seed), \
        "v=DKIM1; k=ed25519; p=" + base64.b64encode(pub).decode()


class Zone:
    def __init__(self):
        self.lines = []
        self.spf = {}    # name -> SPF record text (for the chain depth)

    def txt(self, name, text):
        self.lines.append('%s TXT "%s"' % (name, text.replace('"', '\\"')))

    def spf_rec(self, name, text):
        self.spf[name] = text
        self.txt(name, text)

    def rr(self, name, rtype, data):
        self.lines.append("%s %s %s" % (name, rtype, data))


def spf_depth(zone, name, seen=()):
    """Rounds the record tree under `name` can need: its TXT is one round;
    include/redirect add the target's tree; a/exists one more round, mx
    two (MX, then the exchanges' addresses)."""
    rec = zone.spf.get(name)
    if rec is None or name in seen:
        return 1
    deepest = 0
    for term in rec.split()[1:]:
        t = term.lstrip("+-~?")
        if t.startswith("include:") or t.startswith("redirect="):
            deepest = max(deepest, spf_depth(zone, t.split(":", 1)[-1].split(
                "=", 1)[-1], seen + (name,)))
        elif t == "a" or t.startswith("a:") or t.startswith("exists:"):
            deepest = max(deepest, 1)
        elif t == "mx" or t.startswith("mx:"):
            deepest = max(deepest, 2)
    return 1 + deepest


WORDS = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
         "eiusmod tempor incididunt ut labore et dolore magna aliqua enim "
         "minim veniam quis nostrud exercitation ullamco laboris nisi").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def text_lines(rng, size):
    out, total = [], 0
    while total < size:
        line = words(rng, rng.randint(4, 13))
        if rng.random() < 0.12:
            line = ""
        out.append(line)
        total += len(line) + 2
    return out


def b64_lines(rng, size):
    raw = rng.getrandbits(8 * max(1, size * 3 // 4)).to_bytes(
        max(1, size * 3 // 4), "little")
    enc = base64.b64encode(raw).decode()
    return [enc[i:i + 76] for i in range(0, len(enc), 76)]


def pick_size(rng):
    r = rng.random()
    if r < 0.88:
        lo, hi = 2048, 20480
        s = int(rng.lognormvariate(8.8, 0.6))
    elif r < 0.98:
        lo, hi = 20480, 204800
        s = int(rng.lognormvariate(11.0, 0.6))
    else:
        lo, hi = 204800, 1048576
        s = int(rng.lognormvariate(12.9, 0.5))
    return min(hi, max(lo, s))


def message(rng, n, from_addr, from_dom, rcpt, relay_ip):
    size = pick_size(rng)
    bnd_mix = "=_mix_%08x" % rng.getrandbits(32)
    bnd_alt = "=_alt_%08x" % rng.getrandbits(32)
    text_size = min(size, rng.randint(1200, 6000))
    rest = size - text_size
    txt = text_lines(rng, text_size // 2)
    html = ["<p>" + l + "</p>" for l in text_lines(rng, text_size // 2)]
    body = ["This is a multi-part message in MIME format.", "",
            "--" + bnd_mix,
            'Content-Type: multipart/alternative; boundary="%s"' % bnd_alt,
            "", "--" + bnd_alt,
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", ""] + txt + [
            "", "--" + bnd_alt,
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: 8bit", "",
            "<html><body>"] + html + ["</body></html>", "",
                                      "--" + bnd_alt + "--", ""]
    k = 0
    while rest > 600:
        part = rest if rest < 300000 or k > 2 else rng.randint(100000, rest)
        name = "document-%d.%s" % (k, rng.choice(["pdf", "png", "xlsx"]))
        body += ["--" + bnd_mix,
                 'Content-Type: application/octet-stream; name="%s"' % name,
                 "Content-Transfer-Encoding: base64",
                 'Content-Disposition: attachment; filename="%s"' % name,
                 ""] + b64_lines(rng, part) + [""]
        rest -= part
        k += 1
    body += ["--" + bnd_mix + "--", ""]
    hops = []
    for h in range(3):
        hops.append(
            "Received: from mta%d.relay%d.example (mta%d.relay%d.example "
            "[%s])\r\n\tby mx%d.receiver.example with ESMTPS id %010x\r\n"
            "\tfor <%s>; Mon, 23 Nov 2026 10:%02d:%02d +0000\r\n"
            % (h, n % 7, h, n % 7, relay_ip if h == 0 else "10.0.%d.%d" % (
                h, n % 250 + 1), h, rng.getrandbits(40), rcpt, 10 - h, n % 60))
    head = ("".join(hops) +
            "From: %s <%s>\r\n" % (words(rng, 2).title(), from_addr) +
            "To: <%s>\r\n" % rcpt +
            "Subject: %s\r\n" % words(rng, rng.randint(3, 9)).capitalize() +
            "Date: Mon, 23 Nov 2026 10:00:%02d +0000\r\n" % (n % 60) +
            "Message-ID: <%d.%012x@%s>\r\n" % (n, rng.getrandbits(48),
                                               from_dom) +
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="%s"\r\n' % bnd_mix)
    return (head + "\r\n" + "\r\n".join(body) + "\r\n").encode()


def build_zone(rng, zone, ndomains):
    """The ESPs, the sender domains, and per domain the IPs that pass."""
    # ESP 1: include chain _spf -> netblocks (ip4 / ip6).
    nb4 = ["ip4:198.51.%d.0/24" % i for i in range(100, 112)]
    nb6 = ["ip6:2001:db8:%x::/48" % i for i in range(0x100, 0x108)]
    zone.spf_rec("mailer1.example", "v=spf1 include:_spf.mailer1.example ~all")
    zone.spf_rec("_spf.mailer1.example",
                 "v=spf1 include:_nb4.mailer1.example "
                 "include:_nb6.mailer1.example ~all")
    zone.spf_rec("_nb4.mailer1.example", "v=spf1 " + " ".join(nb4) + " ~all")
    zone.spf_rec("_nb6.mailer1.example", "v=spf1 " + " ".join(nb6) + " ~all")
    esp1_ips = ["198.51.%d.%d" % (rng.randint(100, 111), rng.randint(1, 254))
                for _ in range(20)] + \
               ["2001:db8:%x::%x" % (rng.randint(0x100, 0x107),
                                     rng.randint(1, 0xffff))
                for _ in range(6)]
    # ESP 2: ip4 list plus an exists reputation check with %{i}.
    zone.spf_rec("sendsvc.example",
                 "v=spf1 ip4:203.0.113.0/26 ip4:192.0.2.128/27 "
                 "exists:%{i}._ip.sendsvc.example -all")
    esp2_ips = []
    for _ in range(12):
        ip = "100.64.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254))
        zone.rr(ip + "._ip.sendsvc.example", "A", "127.0.0.2")
        esp2_ips.append(ip)
    esp2_ips += ["203.0.113.%d" % rng.randint(1, 62)]
    # Hosted mail: ip lists and one nested include.
    zone.spf_rec("hosted.example",
                 "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 "
                 "ip6:2a01:111:f400::/48 include:spfd.hosted.example -all")
    zone.spf_rec("spfd.hosted.example",
                 "v=spf1 ip4:51.4.72.0/24 ip4:51.5.72.0/24 "
                 "ip6:2a01:4180:4051:800::/64 -all")
    hosted_ips = ["40.107.%d.%d" % (rng.randint(0, 255), rng.randint(1, 254))
                  for _ in range(8)] + ["51.5.72.%d" % rng.randint(1, 254)]
    # HELO names of the ESPs: "a -all".
    for h in range(4):
        name = "mta%d.mailer1.example" % h
        zone.spf_rec(name, "v=spf1 a -all")
        zone.rr(name, "A", esp1_ips[h])
    zone.rr("_dmarc.mailer1.example", "TXT", '"v=DMARC1; p=none"')
    zone.lines.append("mailer1.example SECURE")

    esp_key = rsa_key()
    zone.txt("esp2026._domainkey.mailer1.example", esp_key[1])

    domains = []
    for i in range(ndomains):
        d = "brand%02d.example" % i
        shape = i % 5
        ips = []
        if shape == 0:      # an ESP's include chain
            zone.spf_rec(d, "v=spf1 include:_spf.mailer1.example ~all")
            ips = esp1_ips
        elif shape == 1:    # own servers: mx, a, a /28, plus ESP 2
            net = "192.0.2.%d" % (16 * (i % 8))
            zone.spf_rec(d, "v=spf1 mx a ip4:%s/28 include:sendsvc.example "
                         "-all" % net)
            zone.rr(d, "MX", "10 mx1.%s" % d)
            zone.rr(d, "MX", "20 mx2.%s" % d)
            zone.rr("mx1." + d, "A", "198.18.%d.25" % i)
            zone.rr("mx2." + d, "A", "198.18.%d.26" % i)
            zone.rr(d, "A", "198.18.%d.10" % i)
            zone.rr(d, "AAAA", "2001:db8:18:%x::10" % i)
            ips = ["198.18.%d.25" % i, "198.18.%d.26" % i,
                   "198.18.%d.10" % i] + esp2_ips
        elif shape == 2:    # redirect to a policy with two includes and a:
            zone.spf_rec(d, "v=spf1 redirect=_spf.%s" % d)
            zone.spf_rec("_spf." + d, "v=spf1 include:hosted.example "
                         "include:_spf.mailer1.example a:smtp.%s -all" % d)
            zone.rr("smtp." + d, "A", "198.18.%d.40" % i)
            ips = hosted_ips + esp1_ips + ["198.18.%d.40" % i]
        elif shape == 3:    # ip4/ip6 only
            zone.spf_rec(d, "v=spf1 ip4:198.18.%d.0/24 ip6:2001:db8:18:%x::/64"
                         " -all" % (i, i))
            ips = ["198.18.%d.%d" % (i, rng.randint(1, 254)),
                   "2001:db8:18:%x::%x" % (i, rng.randint(1, 0xffff))]
        else:               # a:host, ip6, ESP 2 include
            zone.spf_rec(d, "v=spf1 a:out.%s ip6:2001:db8:18:%x::/64 "
                         "include:sendsvc.example ~all" % (d, i))
            zone.rr("out." + d, "A", "198.18.%d.50" % i)
            ips = ["198.18.%d.50" % i] + esp2_ips
        # Bounce subdomain of an ESP (MAIL FROM not the author domain).
        zone.spf_rec("em." + d, "v=spf1 include:_spf.mailer1.example ~all")
        pol = rng.choice(["none", "quarantine", "reject", "reject"])
        if i % 10 != 9:
            zone.txt("_dmarc." + d, "v=DMARC1; p=%s; %srua=mailto:dmarc@%s"
                     % (pol, "sp=quarantine; " if i % 3 == 0 else "", d))
        if i % 2 == 0:
            zone.lines.append("%s SECURE" % d)
        keys = {"s2048": rsa_key()}
        zone.txt("s2048._domainkey." + d, keys["s2048"][1])
        if i % 3 == 0:
            keys["ed1"] = ed_key()
            zone.txt("ed1._domainkey." + d, keys["ed1"][1])
        domains.append({"d": d, "ips": ips, "keys": keys})
    return domains, esp_key, esp1_ips


HEADS = [b"from", b"to", b"subject", b"date", b"message-id",
         b"mime-version", b"content-type"]


def sign(msg, sel, dom, key, alg, canon):
    return dkim.sign(msg, sel.encode(), dom.encode(), key,
                     signature_algorithm=alg, canonicalize=canon,
                     include_headers=HEADS) + msg


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7208
    rng = random.Random(seed)
    os.makedirs(os.path.join(out, "msgs"), exist_ok=True)
    zone = Zone()
    domains, esp_key, esp1_ips = build_zone(rng, zone, 20)
    envs, paths = [], []
    rr = (b"relaxed", b"relaxed")
    for n in range(count):
        dom = rng.choice(domains)
        d = dom["d"]
        from_dom = ("news." + d) if rng.random() < 0.2 else d
        via_esp = rng.random() < 0.3
        mfrom_dom = ("em." + d) if via_esp else d
        mail_from = "bounce-%d@%s" % (n, mfrom_dom)
        # The ESP's MTAs say their own names (HELO "a -all" passes); the
        # domains' own servers say a name without an SPF record.
        h = rng.randint(0, 3)
        pool = [esp1_ips[h]] if via_esp else dom["ips"]
        helo = ("mta%d.mailer1.example" % h) if via_esp else "mail." + d
        ip = rng.choice(pool) if rng.random() < 0.9 else \
            "203.0.113.%d" % rng.randint(200, 254)
        rcpt = "user%d@receiver.example" % rng.randint(1, 500)
        msg = message(rng, n, "info@" + from_dom, from_dom, rcpt, ip)
        r = rng.random()
        keys = dom["keys"]
        if r < 0.65 or (r >= 0.85 and r < 0.9 and "ed1" not in keys):
            msg = sign(msg, "s2048", d, keys["s2048"][0], b"rsa-sha256", rr)
        elif r < 0.75:
            msg = sign(msg, "s2048", d, keys["s2048"][0], b"rsa-sha256",
                       (b"simple", b"simple"))
        elif r < 0.85:
            if "ed1" in keys:
                msg = sign(msg, "ed1", d, keys["ed1"][0], b"ed25519-sha256",
                           rr)
            else:
                msg = sign(msg, "s2048", d, keys["s2048"][0], b"rsa-sha256",
                           rr)
        elif r < 0.9:   # dual algorithm by the author
            msg = sign(msg, "s2048", d, keys["s2048"][0], b"rsa-sha256", rr)
            msg = sign(msg, "ed1", d, keys["ed1"][0], b"ed25519-sha256", rr)
        else:           # author + ESP
            msg = sign(msg, "s2048", d, keys["s2048"][0], b"rsa-sha256", rr)
            msg = sign(msg, "esp2026", "mailer1.example", esp_key[0],
                       b"rsa-sha256", rr)
        chain = max(spf_depth(zone, mfrom_dom), spf_depth(zone, helo), 1)
        p = os.path.abspath(os.path.join(out, "msgs", "m%05d.eml" % n))
        with open(p, "wb") as f:
            f.write(msg)
        paths.append(p)
        envs.append("\t".join([p, ip, helo, mail_from, str(chain)]))
    with open(os.path.join(out, "zone.txt"), "w") as f:
        f.write("# pipeline benchmark zone (bench/pipeline/make_corpus.py)\n")
        f.write("\n".join(zone.lines) + "\n")
    with open(os.path.join(out, "envelopes.txt"), "w") as f:
        f.write("\n".join(envs) + "\n")
    with open(os.path.join(out, "list.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")
    total = sum(os.path.getsize(p) for p in paths)
    print("corpus: %d messages, %.1f KB average, %.1f MB total, in %s"
          % (count, total / count / 1024, total / 1048576, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
