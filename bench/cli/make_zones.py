#!/usr/bin/python3
"""Serve the pipeline corpus's records from real DNS zones.

    make_zones.py CORPUS OUTDIR

Reads CORPUS/zone.txt (bench/pipeline/make_corpus.py, the in-memory
backend's format) and writes into OUTDIR:
  templates/ZONE.zone   one zone file per registered domain (the last two
                        labels) with SOA and NS, plus the parent "example."
                        (so the DMARC tree walk's _dmarc.example is an
                        NXDOMAIN, as the root would say, not a SERVFAIL);
  signed zones, keys, trust-anchors.ds and unbound-serverless.conf from
  tests/dns/sign-zones.sh: the zones zone.txt marks SECURE are signed
  (NSEC), the others are served unsigned (insecure);
  unbound-serverless.conf gets "example." as a local-zone nodefault and
  domain-insecure, as the test zones get "test.";
  zones.list            "ORIGIN ZONEFILE" per line (from sign-zones.sh),
                        for an authoritative server;
  opendkim-keys.txt     "name<TAB>key text" of every DKIM key, for
                        bench/cli/opendkim_verify.c.
"""
import os
import subprocess
import sys

SOA_TTL = 3600
SOA_MINIMUM = 300  # the negative TTL (RFC 2308 5)


def zone_of(name):
    labels = name.rstrip(".").split(".")
    return ".".join(labels[-2:]) if len(labels) >= 2 else name


def txt_strings(text):
    """Zone-file TXT data: character-strings of at most 255 bytes."""
    raw = text.encode()
    parts = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    out = []
    for p in parts:
        s = p.decode().replace("\\", "\\\\").replace('"', '\\"')
        out.append('"%s"' % s)
    return " ".join(out)


def unquote(data):
    """zone.txt TXT data: "quoted" strings joined, or bare text."""
    data = data.strip()
    if not data.startswith('"'):
        return data
    out, i = [], 0
    while i < len(data):
        if data[i] != '"':
            i += 1
            continue
        i += 1
        cur = []
        while i < len(data) and data[i] != '"':
            if data[i] == "\\" and i + 1 < len(data):
                i += 1
            cur.append(data[i])
            i += 1
        out.append("".join(cur))
        i += 1
    return "".join(out)


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "templates"), exist_ok=True)
    zones, secure, keys = {"example": []}, set(), []
    with open(os.path.join(corpus, "zone.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, rtype, *rest = line.split(None, 2)
            data = rest[0] if rest else ""
            if rtype in ("SECURE", "INSECURE", "BOGUS"):
                if rtype == "SECURE":
                    secure.add(name)
                continue
            z = zone_of(name)
            zones.setdefault(z, [])
            if rtype == "TXT":
                text = unquote(data)
                if "._domainkey." in name:
                    keys.append((name, text))
                data = txt_strings(text)
            zones[z].append((name, rtype, data))
    args = []
    for z, recs in sorted(zones.items()):
        path = os.path.join(out, "templates", z + ".zone")
        with open(path, "w") as f:
            f.write("$ORIGIN %s.\n$TTL %d\n" % (z, SOA_TTL))
            f.write("@ IN SOA ns1.%s. hostmaster.%s. 1 7200 3600 1209600 %d\n"
                    % (z, z, SOA_MINIMUM))
            f.write("@ NS ns1.%s.\n" % z)
            f.write("ns1 A 127.0.0.1\n")
            for name, rtype, data in recs:
                if name == "ns1." + z:
                    continue
                if rtype in ("MX", "PTR", "CNAME") and not data.endswith("."):
                    data += "."
                f.write("%s. %s %s\n" % (name, rtype, data))
        if z not in secure:
            args.append("--unsigned")
        args.append(path)
    here = os.path.dirname(os.path.abspath(__file__))
    sign = os.path.join(here, "..", "..", "tests", "dns", "sign-zones.sh")
    subprocess.run([sign, out] + args, check=True, stdout=subprocess.DEVNULL)
    conf = os.path.join(out, "unbound-serverless.conf")
    with open(conf) as f:
        text = f.read()
    text = text.replace('    local-zone: "test." nodefault\n',
                        '    local-zone: "test." nodefault\n'
                        '    local-zone: "example." nodefault\n', 1)
    text = text.replace('    domain-insecure: "test."\n',
                        '    domain-insecure: "test."\n'
                        '    domain-insecure: "example."\n', 1)
    with open(conf, "w") as f:
        f.write(text)
    with open(os.path.join(out, "opendkim-keys.txt"), "w") as f:
        for name, text in keys:
            f.write("%s\t%s\n" % (name, text))


if __name__ == "__main__":
    main()
