#!/usr/bin/env python3
"""Build the fuzz targets' seed corpora from the lab's real traffic and the project's files.

Starts `dnscope lab` on loopback, asks its authoritative servers real questions (with the DO
bit, so signatures, NSEC and NSEC3 records come back) and saves the responses as each target
reads its input:

  classify  selector byte (the question in fuzz_targets/common.rs) + one response
  trace     selector byte + the responses of one resolution, root down, each length-prefixed
            (DNSKEY responses after them for the DNSSEC checks)
  dnssec    selector byte + the answer + the zone's DNSKEY response, length-prefixed
  present   one response
  parsers   selector byte (which parser) + a file: zone files, root hints, trust anchors, the
            lab manifest, names lists

Usage: python3 fuzz/seeds.py [path/to/dnscope]   (default target/release/dnscope)
Only loopback is contacted: the lab's addresses.
"""

import hashlib
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from labrun import start_lab  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28,
         "DS": 43, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "NSEC3PARAM": 51,
         "CAA": 257, "ANY": 255, "PTR": 12, "SRV": 33}

# The questions of fuzz_targets/common.rs, in its order: (zone, name, type).
QUESTIONS = [
    (".", "www.shop.test.", "A"),
    ("test.", "www.shop.test.", "A"),
    ("shop.test.", "www.shop.test.", "A"),
    ("shop.test.", "shop.test.", "DNSKEY"),
    ("shop.test.", "nope.shop.test.", "A"),
    ("shop.test.", "blog.shop.test.", "A"),
    ("test.", "shop.test.", "DS"),
    ("nsec3.test.", "nope.nsec3.test.", "A"),
    ("cdn.example.", "www.cdn.example.", "AAAA"),
    ("shop.test.", "shop.test.", "MX"),
]

# More questions for the corpora that take any response (present, dnssec).
EXTRA = ["www.expired.test.", "www.future.test.", "www.rollover.test.", "www.badsig.test.",
         "www.keytrap.test.", "nope.iter.test.", "www.privalg.test.", "www.nosig.test.",
         "big.shop.test.", "www.flaky.test.", "www.lame.test.", "www.loop.test.",
         "www.media.example.", "www.news.example.", "www.cafe.example.",
         "www.photos.example.", "www.paris.eu.shop.test.", "x.nsec3.test.", "_dmarc.shop.test.",
         "1.2.0.192.in-addr.arpa.", "shop.test.", "nsec3.test.", "test.", "."]


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, rtype, qid):
    header = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)  # RD off, as a resolver asks
    question = encode_name(name) + struct.pack(">HH", TYPES[rtype], 1)
    opt = b"\0" + struct.pack(">HHIH", 41, 4096, 0x8000, 0)  # EDNS, DO
    return header + question + opt


def ask(addr, port, name, rtype):
    qid = random.randrange(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        s.sendto(query(name, rtype, qid), (addr, port))
        try:
            data, _ = s.recvfrom(65535)
        except OSError:
            return None
    return data


def frame(msg):
    return struct.pack(">H", len(msg)) + msg


def save(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def servers_of(plan, zone):
    return [s["address"] for s in plan["servers"]
            if s["kind"] == "authoritative" and zone in s["zones"]]


def zone_path(plan, name):
    """The zones from the root down to the deepest one the lab serves that holds `name`."""
    zones = {z for s in plan["servers"] if s["kind"] == "authoritative" for z in s["zones"]}
    labels = name.rstrip(".").split(".")
    path = ["."]
    for i in range(len(labels) - 1, -1, -1):
        z = ".".join(labels[i:]) + "."
        if z in zones:
            path.append(z)
    return path


def first_answer(plan, port, zone, name, rtype):
    for addr in servers_of(plan, zone):
        r = ask(addr, port, name, rtype)
        if r is not None:
            return r
    return None


def traffic(plan):
    port = plan["port"]
    for sel, (zone, name, rtype) in enumerate(QUESTIONS):
        for addr in servers_of(plan, zone):
            r = ask(addr, port, name, rtype)
            if r is None:
                continue
            save("classify", bytes([sel]) + r)
            save("present", r)
        # One resolution root down, as the trace asks it; then the zones' DNSKEY responses.
        path = zone_path(plan, name)
        hops = [first_answer(plan, port, z, name, rtype) for z in path]
        keys = [first_answer(plan, port, z, z, "DNSKEY") for z in path]
        seq = b"".join(frame(m) for m in hops if m)
        for dnssec in (0, 0x80):
            save("trace", bytes([sel | dnssec]) + seq)
            save("trace", bytes([sel | dnssec]) + seq + b"".join(frame(k) for k in keys if k))
        answer, key = hops[-1], keys[-1]
        if answer and key:
            save("dnssec", bytes([sel]) + frame(answer) + frame(key))
    for name in EXTRA:
        zone = zone_path(plan, name)[-1]
        key = first_answer(plan, port, zone, zone, "DNSKEY")
        for rtype in ("A", "AAAA", "TXT", "MX", "NS", "SOA", "DS", "DNSKEY", "CAA", "PTR"):
            r = first_answer(plan, port, zone, name, rtype)
            if r is None:
                continue
            save("present", r)
            sel = random.randrange(len(QUESTIONS))
            save("classify", bytes([sel]) + r)
            if key:
                save("dnssec", bytes([sel]) + frame(r) + frame(key))


def files(plan):
    def read(*parts):
        with open(os.path.join(ROOT, *parts), "rb") as f:
            return f.read()

    zones = os.path.join(ROOT, "fixtures", "lab", "zones")
    for z in sorted(os.listdir(zones)):
        save("parsers", b"\0" + read("fixtures", "lab", "zones", z))
    for z in sorted(os.listdir(os.path.join(ROOT, "fixtures", "intended"))):
        save("parsers", b"\0" + read("fixtures", "intended", z))
    hints = "".join(f". 3600000 NS {h}.\n{h}. 3600000 A {a}\n"
                    for h, a in (("a.root-servers.test", "127.0.0.2"),
                                 ("b.root-servers.test", "127.0.0.3")))
    save("parsers", b"\1" + hints.encode())
    save("parsers", b"\1" + b". 518400 NS a.root-servers.net.\n"
                            b"a.root-servers.net. 518400 A 198.41.0.4\n"
                            b"a.root-servers.net. 518400 AAAA 2001:503:ba3e::2:30\n")
    for anchor in plan.get("trust_anchor", []):
        save("parsers", b"\2" + anchor.encode() + b"\n")
    save("parsers", b"\2. IN DS 20326 8 2 "
                    b"E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n")
    save("parsers", b"\3" + read("fixtures", "lab", "lab.toml"))
    names = b"# names\nwww.shop.test\nshop.test MX\nnope.shop.test AAAA\n_dmarc.shop.test TXT\n"
    save("parsers", b"\4" + names)
    save("parsers", b"\5www.shop.test\nA\nTYPE65534\n\\046.x\\000y.test.\nxn--bcher-kva.example\n")
    save("parsers", b"\6" + names + b"\xff\xfe bad\n")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release",
                                                                  "dnscope")
    random.seed(15)
    lab, plan = start_lab(binary, os.path.join(ROOT, "fixtures", "lab"), "127.0.61.0")
    try:
        traffic(plan)
        files(plan)
    finally:
        lab.terminate()
        lab.wait()
    for t in sorted(os.listdir(CORPUS)):
        print(f"{t}: {len(os.listdir(os.path.join(CORPUS, t)))} seeds")


if __name__ == "__main__":
    main()
