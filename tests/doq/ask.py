"""DoQ reference client for tests/secure.rs: dnspython's dns.query.quic (aioquic underneath).

Usage: ask.py ADDR PORT CA_FILE TLS_NAME QNAME QTYPE
Prints the answer section's rdata, one per line, then `RCODE <rcode>`.
"""

import sys

import dns.message
import dns.query
import dns.rcode

addr, port, ca, name, qname, qtype = sys.argv[1:]
query = dns.message.make_query(qname, qtype)
reply = dns.query.quic(query, addr, port=int(port), verify=ca, server_hostname=name, timeout=5)
for rrset in reply.answer:
    for rdata in rrset:
        print(rdata.to_text())
print("RCODE", dns.rcode.to_text(reply.rcode()))
