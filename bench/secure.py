#!/usr/bin/env python3
"""Encrypted transports benchmark on the lab (issue 13's speed targets).

In one run, against the lab resolver isp-a (its cache warmed first, so every question is a
cache hit and the transport is what is measured), it prints:

  - one question, whole command, dnscope vs kdig (knot-dnsutils) over DoT and over DoH, and
    over UDP for reference: medians of --runs runs, and the ratio dnscope / kdig (target
    <= 1.0x); plus the handshake's share of dnscope's question (connection set-up / (set-up +
    the question's round trip), from its JSON);
  - compare --watch rounds (the propagation scenario, the two validating lab resolvers asked
    over one transport): the median wall time of a round after the first, when the encrypted
    connections are reused, against the same over UDP (target: within 1.2x).

Only loopback addresses are used. kdig has no DoQ on Debian (not built with ngtcp2), so DoQ
is measured for dnscope alone.
Usage: bench/secure.py [--runs N] [--binary target/release/dnscope]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import time

from labrun import start_lab

ENV = {**os.environ, "DNSCOPE_LOOPBACK_ONLY": "1", "NO_COLOR": "1"}


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    return (time.perf_counter() - start) * 1000, out


def median_of(runs, cmd, check):
    times = []
    for _ in range(runs):
        ms, out = timed(cmd)
        if not check(out):
            raise SystemExit(f"failed: {' '.join(cmd)}\n{out.stdout}\n{out.stderr}")
        times.append(ms)
    return statistics.median(times)


def rounds(binary, scheme, runs):
    """Median wall time of the rounds after the first, over `runs` watches."""
    later = []
    for _ in range(runs):
        resolvers = []
        for r in ["isp-a", "isp-b"]:
            resolvers += ["--resolver", f"{scheme}{r}" if scheme else r]
        if scheme.startswith("https"):
            resolvers = [x + "/dns-query" if x.startswith("https") else x for x in resolvers]
        out = subprocess.run(
            [binary, "compare", "--scenario", "propagation", "--lab", "--watch", "1", "--json", *resolvers],
            capture_output=True, text=True, env=ENV)
        docs = []
        dec = json.JSONDecoder()
        text = out.stdout
        i = 0
        while True:
            text = text[i:].lstrip()
            if not text:
                break
            doc, i = dec.raw_decode(text)
            docs.append(doc)
        if len(docs) < 2:
            raise SystemExit(f"compare --watch over {scheme or 'udp'}: fewer than 2 rounds\n{out.stderr}")
        for d in docs[1:]:
            if scheme:
                enc = [s for s in d["servers"] if s["transport"] != "udp"]
                assert enc and all(s.get("reused_connection") for s in enc), "not reused"
            later.append(d["elapsed_ms"])
    return statistics.median(later), len(later)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--watch-runs", type=int, default=3)
    ap.add_argument("--binary", default="target/release/dnscope")
    args = ap.parse_args()
    if not shutil.which("kdig"):
        raise SystemExit("kdig not found (apt-get install knot-dnsutils)")
    here = os.path.dirname(os.path.abspath(__file__))
    lab_dir = os.path.join(here, "..", "fixtures", "lab")
    lab, plan = start_lab(args.binary, lab_dir, "127.79.9.0")
    try:
        isp = next(s for s in plan["servers"] if s["name"] == "isp-a.")
        addr, ca = isp["address"], plan["ca_file"]
        enc = isp["encrypted"]
        port = plan["port"]
        ok_dnscope = lambda out: out.returncode == 0
        ok_kdig = lambda out: out.returncode == 0 and "192.0.2.80" in out.stdout
        dn = [args.binary, "query", "www.shop.test"]
        kd = ["kdig", f"@{addr}", "+tls-ca=" + ca, "+tls-hostname=isp-a", "www.shop.test", "A"]
        cases = [
            ("UDP", dn + [f"@{addr}:{port}"], ["kdig", f"@{addr}", "-p", str(port), "www.shop.test", "A"]),
            ("DoT", dn + [f"@tls://{addr}:{enc['tls']}#isp-a", "--ca-file", ca], kd + ["-p", str(enc["tls"])]),
            ("DoH", dn + [f"@https://{addr}:{enc['https']}/dns-query#isp-a", "--ca-file", ca],
             kd + ["-p", str(enc["https"]), "+https=/dns-query"]),
        ]
        # Warm isp-a's cache and both programs' pages.
        for _, ours, theirs in cases:
            timed(ours)
            timed(theirs)
        print(f"one question to the lab resolver isp-a (cache warm), whole command, {args.runs} runs (medians)")
        for name, ours, theirs in cases:
            a = median_of(args.runs, ours, ok_dnscope)
            b = median_of(args.runs, theirs, ok_kdig)
            print(f"  {name}: dnscope {a:6.2f} ms, kdig {b:6.2f} ms -> {a / b:.2f}x")
        shares = {}
        for name, url in [("DoT", f"@tls://{addr}:{enc['tls']}#isp-a"),
                          ("DoH", f"@https://{addr}:{enc['https']}/dns-query#isp-a"),
                          ("DoQ", f"@quic://{addr}:{enc['quic']}#isp-a")]:
            s = []
            total = []
            for _ in range(args.runs):
                ms, out = timed(dn + [url, "--ca-file", ca, "--json"])
                r = json.loads(out.stdout)["responses"][0]
                setup, rtt = r["session"]["setup_ms"], r["rtt_ms"]
                s.append(setup / (setup + rtt))
                total.append(ms)
            shares[name] = (statistics.median(s), statistics.median(total))
        print("  handshake share of dnscope's question (set-up / (set-up + round trip)), and DoQ's whole command:")
        for name, (share, total) in shares.items():
            print(f"    {name}: {share * 100:4.1f}% of the exchange; whole command {total:6.2f} ms")
    finally:
        lab.terminate()
        lab.wait()
    print(f"compare --watch rounds after the first (propagation scenario, isp-a and isp-b), {args.watch_runs} watches")
    udp, n = rounds(args.binary, "", args.watch_runs)
    print(f"  UDP: {udp:6.2f} ms per round ({n} rounds)")
    for name, scheme in [("DoT", "tls://"), ("DoH", "https://"), ("DoQ", "quic://")]:
        t, n = rounds(args.binary, scheme, args.watch_runs)
        print(f"  {name}: {t:6.2f} ms per round ({n} rounds, connections reused) -> {t / udp:.2f}x UDP")


if __name__ == "__main__":
    main()
