//! `dnscope explain TYPE`: every record type `query` knows, field by field.

use super::TypeDoc;

pub const TYPES: &[TypeDoc] = &[
    TypeDoc {
        name: "A",
        summary: "An IPv4 address of the name: where to connect.",
        fields: &[(
            "ADDRESS",
            "a 32-bit IPv4 address, written in dotted decimal (192.0.2.80)",
        )],
        example: "www.shop.test.  300  IN  A  192.0.2.80",
        rfc: "RFC 1035 §3.4.1",
        mistakes: &[
            "Putting an A record next to a CNAME at the same name: a name with a CNAME may have no other data (RFC 1034 §3.6.2).",
            "Forgetting the AAAA record, so IPv6-only clients cannot reach the service.",
        ],
    },
    TypeDoc {
        name: "AAAA",
        summary: "An IPv6 address of the name.",
        fields: &[(
            "ADDRESS",
            "a 128-bit IPv6 address in RFC 5952 text form (2001:db8::80)",
        )],
        example: "www.shop.test.  300  IN  AAAA  2001:db8::80",
        rfc: "RFC 3596",
        mistakes: &[
            "Publishing an AAAA for a host that does not answer on IPv6: clients try it first and stall (happy eyeballs only hides part of it).",
        ],
    },
    TypeDoc {
        name: "NS",
        summary: "A name server of the zone. In the parent zone, NS records delegate the child zone (a zone cut); at the child's apex they list its own servers.",
        fields: &[(
            "NSDNAME",
            "the host name of a server authoritative for the zone (never an address)",
        )],
        example: "shop.test.  172800  IN  NS  ns1.shop.test.",
        rfc: "RFC 1035 §3.3.11, RFC 1034 §4.2.2",
        mistakes: &[
            "A parent and child NS set that disagree: resolvers use one or the other, so a server only one side lists gets some traffic or none (try: dnscope trace www.paris.eu.shop.test --lab).",
            "An NS name inside the delegated zone without glue: nobody can ever find its address.",
            "Pointing NS at a CNAME or at an address: the target must be a host name with A/AAAA records (RFC 2181 §10.3).",
        ],
    },
    TypeDoc {
        name: "CNAME",
        summary: "This name is an alias: the canonical (real) name is elsewhere, and a resolver restarts the lookup there.",
        fields: &[("CNAME", "the canonical name the alias points to")],
        example: "blog.shop.test.  600  IN  CNAME  blog.media.example.",
        rfc: "RFC 1034 §3.6.2, RFC 1035 §3.3.1",
        mistakes: &[
            "A CNAME at the zone apex: the apex must have SOA and NS records, and a CNAME may not share its name with other data (use ALIAS/ANAME at the provider, or HTTPS/SVCB).",
            "A CNAME next to other records at the same name (MX, TXT, ...): they are ignored or the zone is rejected.",
            "MX or NS targets that are CNAMEs (RFC 2181 §10.3).",
            "Long chains and loops: every link costs a lookup, and a loop never ends (try: dnscope trace cname-loop.shop.test --lab).",
        ],
    },
    TypeDoc {
        name: "DNAME",
        summary: "Redirects a whole subtree: every name below the owner is rewritten to the same name below the target; servers synthesise a CNAME for each answer.",
        fields: &[("TARGET", "the name that replaces the owner as a suffix")],
        example: "old.example.  3600  IN  DNAME  new.example.",
        rfc: "RFC 6672",
        mistakes: &[
            "Expecting the owner name itself to be redirected: DNAME only rewrites names below it.",
        ],
    },
    TypeDoc {
        name: "SOA",
        summary: "The start of authority: one per zone, at its apex. It names the primary server and the zone's contact, versions the zone, and sets the timers of secondaries and of negative caching.",
        fields: &[
            ("MNAME", "the primary name server (where changes are made)"),
            (
                "RNAME",
                "the contact's mailbox, with the first dot standing for @ (hostmaster.shop.test. = hostmaster@shop.test)",
            ),
            (
                "SERIAL",
                "the zone's version; secondaries transfer the zone when it goes up (often YYYYMMDDnn)",
            ),
            (
                "REFRESH",
                "how often (seconds) secondaries check the primary's serial",
            ),
            ("RETRY", "how soon they check again after a failed check"),
            (
                "EXPIRE",
                "how long a secondary keeps answering without reaching the primary; after that it stops",
            ),
            (
                "MINIMUM",
                "the negative-caching TTL: how long NXDOMAIN/NODATA may be cached, together with the SOA's own TTL (RFC 2308 §5)",
            ),
        ],
        example: "shop.test.  3600  IN  SOA  ns1.shop.test. hostmaster.shop.test. 2026112801 7200 3600 1209600 300",
        rfc: "RFC 1035 §3.3.13, RFC 1912 §2.2, RFC 2308",
        mistakes: &[
            "Editing the zone without raising SERIAL: secondaries never fetch the change (a lagging secondary; try: dnscope compare www.news.example --lab).",
            "EXPIRE shorter than REFRESH + RETRY: secondaries give up before they could retry.",
            "A huge MINIMUM: a name created later stays invisible wherever its absence was cached.",
        ],
    },
    TypeDoc {
        name: "MX",
        summary: "Where mail for the name is delivered: a mail exchanger and its preference.",
        fields: &[
            (
                "PREFERENCE",
                "lower is tried first; equal values share the load",
            ),
            (
                "EXCHANGE",
                "the host name of the mail server (must have A/AAAA records)",
            ),
        ],
        example: "shop.test.  3600  IN  MX  10 mail.shop.test.",
        rfc: "RFC 1035 §3.3.9, RFC 5321 §5.1",
        mistakes: &[
            "An MX pointing to a CNAME (RFC 2181 §10.3) or to a name with no address: mail bounces or is delayed (try: dnscope lab exercises).",
            "An MX pointing to an IP address: the exchange must be a name.",
            "A 'null MX' (0 .) where mail is wanted: it says the domain accepts no mail (RFC 7505).",
        ],
    },
    TypeDoc {
        name: "TXT",
        summary: "Free text, one or more strings of up to 255 bytes each. Used for SPF policies, DKIM keys, DMARC, domain-ownership proofs.",
        fields: &[(
            "TXT-DATA",
            "one or more <character-string>s; software usually joins them without spaces",
        )],
        example: "shop.test.  3600  IN  TXT  \"v=spf1 mx -all\"",
        rfc: "RFC 1035 §3.3.14, RFC 7208 (SPF)",
        mistakes: &[
            "Two SPF records (v=spf1) at one name: SPF then fails with a permanent error.",
            "A string over 255 bytes in one piece: split it into several strings.",
            "Very large TXT RRsets: answers exceed UDP size and need TCP (try: dnscope query big.shop.test TXT --lab).",
        ],
    },
    TypeDoc {
        name: "SRV",
        summary: "Where a service runs: for _service._proto.name, the host and port to connect to.",
        fields: &[
            ("PRIORITY", "lower is tried first"),
            (
                "WEIGHT",
                "among equal priorities, the share of clients each target gets",
            ),
            ("PORT", "the TCP or UDP port of the service"),
            (
                "TARGET",
                "the host name (with A/AAAA records); '.' means the service is not offered",
            ),
        ],
        example: "_imaps._tcp.shop.test.  3600  IN  SRV  0 5 993 mail.shop.test.",
        rfc: "RFC 2782",
        mistakes: &["Forgetting the _service._proto labels, or a TARGET that is a CNAME."],
    },
    TypeDoc {
        name: "CAA",
        summary: "Which certificate authorities may issue certificates for the name.",
        fields: &[
            (
                "FLAGS",
                "0, or 128 (critical): a CA that does not understand the tag must not issue",
            ),
            (
                "TAG",
                "issue (any certificate), issuewild (wildcards), iodef (where to report violations)",
            ),
            (
                "VALUE",
                "the CA's domain for issue/issuewild, a mailto: or https: URL for iodef",
            ),
        ],
        example: "shop.test.  3600  IN  CAA  0 issue \"ca.example\"",
        rfc: "RFC 8659",
        mistakes: &[
            "Adding a CAA record that omits the CA actually in use: renewals start failing.",
        ],
    },
    TypeDoc {
        name: "PTR",
        summary: "A pointer: in the reverse tree (in-addr.arpa, ip6.arpa) it maps an address back to a name.",
        fields: &[("PTRDNAME", "the name the address maps to")],
        example: "80.2.0.192.in-addr.arpa.  3600  IN  PTR  www.shop.test.",
        rfc: "RFC 1035 §3.3.12, §3.5; RFC 3596 §2.5",
        mistakes: &[
            "A PTR whose name does not map forward to the same address (mail servers check both directions).",
        ],
    },
    TypeDoc {
        name: "DS",
        summary: "Delegation signer: in the parent zone, a digest of a key of the child zone. It links the chain of trust across a zone cut.",
        fields: &[
            ("KEY TAG", "a short number identifying the child's DNSKEY"),
            (
                "ALGORITHM",
                "the key's algorithm (8 RSASHA256, 13 ECDSAP256SHA256, 15 ED25519)",
            ),
            ("DIGEST TYPE", "the hash used: 2 SHA-256, 4 SHA-384"),
            ("DIGEST", "the hash of the child's DNSKEY"),
        ],
        example: "shop.test.  86400  IN  DS  12345 13 2 <hex digest>",
        rfc: "RFC 4034 §5, RFC 4509",
        mistakes: &[
            "Asking the child zone for its DS: DS lives in the parent (dnscope trace starts a DS question at the parent).",
            "Rolling the child's key without updating the DS first: the zone turns bogus for validating resolvers.",
        ],
    },
    TypeDoc {
        name: "DNSKEY",
        summary: "A public key of the zone, used to check its signatures (RRSIG).",
        fields: &[
            (
                "FLAGS",
                "257 = key-signing key (KSK, the SEP bit set: the DS points at it); 256 = zone-signing key (ZSK)",
            ),
            ("PROTOCOL", "always 3"),
            ("ALGORITHM", "as in DS"),
            ("PUBLIC KEY", "base64"),
        ],
        example: "shop.test.  3600  IN  DNSKEY  257 3 13 <base64 key>",
        rfc: "RFC 4034 §2",
        mistakes: &[
            "Removing an old key before caches have dropped signatures made with it (wait out the TTLs).",
        ],
    },
    TypeDoc {
        name: "RRSIG",
        summary: "A signature over one RRset, made with a DNSKEY of the zone.",
        fields: &[
            ("TYPE COVERED", "the type of the RRset signed"),
            ("ALGORITHM", "as in DNSKEY"),
            (
                "LABELS",
                "the number of labels of the owner (to spot wildcard answers)",
            ),
            ("ORIGINAL TTL", "the RRset's TTL when signed"),
            ("EXPIRATION / INCEPTION", "the validity window"),
            ("KEY TAG", "which DNSKEY signed it"),
            ("SIGNER'S NAME", "the zone"),
            ("SIGNATURE", "base64"),
        ],
        example: "www.shop.test.  300  IN  RRSIG  A 13 3 300 20261228000000 20261128000000 12345 shop.test. <base64>",
        rfc: "RFC 4034 §3",
        mistakes: &[
            "Letting signatures expire (a broken signing cron job): validating resolvers answer SERVFAIL.",
        ],
    },
    TypeDoc {
        name: "NSEC",
        summary: "Authenticated denial: proves that no name exists between the owner and the next name, and lists the types the owner has.",
        fields: &[
            (
                "NEXT DOMAIN NAME",
                "the next name in the zone, in canonical order",
            ),
            ("TYPE BIT MAPS", "the types that exist at the owner"),
        ],
        example: "shop.test.  300  IN  NSEC  backup-mail.shop.test. A NS SOA MX TXT RRSIG NSEC",
        rfc: "RFC 4034 §4",
        mistakes: &[
            "Forgetting that NSEC lets anyone list the zone (zone walking); NSEC3 makes that harder.",
        ],
    },
    TypeDoc {
        name: "NSEC3",
        summary: "Authenticated denial with hashed names, so the zone cannot simply be listed.",
        fields: &[
            ("HASH ALGORITHM", "1 = SHA-1"),
            ("FLAGS", "1 = opt-out (unsigned delegations are skipped)"),
            ("ITERATIONS", "extra hash rounds; RFC 9276 says use 0"),
            ("SALT", "'-' for none (recommended)"),
            ("NEXT HASHED OWNER", "the next hash in the chain"),
            ("TYPE BIT MAPS", "the types at the hashed owner"),
        ],
        example: "<hash>.shop.test.  300  IN  NSEC3  1 0 0 - <next hash> A RRSIG",
        rfc: "RFC 5155, RFC 9276",
        mistakes: &["High iteration counts: they cost resolvers CPU and gain nothing (RFC 9276)."],
    },
    TypeDoc {
        name: "SVCB",
        summary: "Service binding: how to reach a service (alternative endpoints, protocols, ports, address hints) in one lookup.",
        fields: &[
            (
                "PRIORITY",
                "0 = alias mode (like a CNAME for the service); 1 and up = service mode, lower preferred",
            ),
            (
                "TARGET",
                "the host to connect to; '.' means the owner name itself",
            ),
            (
                "PARAMS",
                "key=value: alpn (protocols such as h2, h3), port, ipv4hint/ipv6hint, ech, mandatory",
            ),
        ],
        example: "_8443._foo.shop.test.  300  IN  SVCB  1 svc.shop.test. alpn=foo port=8443",
        rfc: "RFC 9460",
        mistakes: &[
            "Address hints that disagree with the target's A/AAAA records: clients may use stale hints.",
        ],
    },
    TypeDoc {
        name: "HTTPS",
        summary: "SVCB for HTTPS: tells browsers, before they connect, which HTTP versions (alpn) and endpoints a site offers, and works at the zone apex where CNAME cannot.",
        fields: &[
            ("PRIORITY", "0 = alias mode; 1 and up = service mode"),
            ("TARGET", "'.' = the owner name itself"),
            (
                "PARAMS",
                "alpn=h2,h3 (HTTP/2 and HTTP/3), port, ipv4hint, ipv6hint, ech",
            ),
        ],
        example: "www.shop.test.  300  IN  HTTPS  1 . alpn=h2,h3",
        rfc: "RFC 9460 §9",
        mistakes: &[
            "Announcing h3 (QUIC) when UDP 443 is blocked: clients try it first and fall back slowly.",
        ],
    },
    TypeDoc {
        name: "NAPTR",
        summary: "Naming authority pointer: rewriting rules that map a name (often a phone number, ENUM) to a service URI or to another name to look up.",
        fields: &[
            ("ORDER", "rules are applied in increasing order"),
            ("PREFERENCE", "among equal orders, lower preferred"),
            (
                "FLAGS",
                "S (next: SRV lookup), A (next: address lookup), U (the result is a URI), P (protocol-specific)",
            ),
            (
                "SERVICES",
                "the service and protocol, e.g. SIP+D2U (SIP over UDP)",
            ),
            ("REGEXP", "a substitution applied to the original string"),
            (
                "REPLACEMENT",
                "the next name to look up when REGEXP is empty",
            ),
        ],
        example: "shop.test.  3600  IN  NAPTR  100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.shop.test.",
        rfc: "RFC 3403",
        mistakes: &["Setting both REGEXP and REPLACEMENT: only one may be used."],
    },
    TypeDoc {
        name: "TLSA",
        summary: "DANE: binds a TLS certificate or key to a service (port, protocol, name), protected by DNSSEC.",
        fields: &[
            (
                "USAGE",
                "0-3: CA constraint, service certificate constraint, trust anchor, domain-issued certificate",
            ),
            ("SELECTOR", "0 full certificate, 1 public key only"),
            ("MATCHING TYPE", "0 exact, 1 SHA-256, 2 SHA-512"),
            ("DATA", "the certificate data or its hash, hex"),
        ],
        example: "_25._tcp.mail.shop.test.  3600  IN  TLSA  3 1 1 <sha-256 hex>",
        rfc: "RFC 6698, RFC 7671",
        mistakes: &["Publishing TLSA in an unsigned zone: without DNSSEC it means nothing."],
    },
    TypeDoc {
        name: "SSHFP",
        summary: "A fingerprint of a host's SSH key, so clients can check it through (signed) DNS.",
        fields: &[
            ("ALGORITHM", "1 RSA, 2 DSA, 3 ECDSA, 4 Ed25519"),
            ("FINGERPRINT TYPE", "1 SHA-1, 2 SHA-256"),
            ("FINGERPRINT", "hex"),
        ],
        example: "host.shop.test.  3600  IN  SSHFP  4 2 <sha-256 hex>",
        rfc: "RFC 4255, RFC 6594, RFC 7479",
        mistakes: &["Trusting SSHFP from an unsigned zone."],
    },
    TypeDoc {
        name: "HINFO",
        summary: "Host information: CPU and operating system strings. Rarely used today, except as the minimal answer to ANY queries (RFC 8482).",
        fields: &[("CPU", "a string"), ("OS", "a string")],
        example: "host.shop.test.  3600  IN  HINFO  \"x86_64\" \"Linux\"",
        rfc: "RFC 1035 §3.3.2, RFC 8482",
        mistakes: &["Publishing real versions: it helps attackers."],
    },
    TypeDoc {
        name: "CDS",
        summary: "Child DS: the child zone publishes the DS record it wants in its parent, so the parent (or registry) can pick it up automatically.",
        fields: &[(
            "KEY TAG / ALGORITHM / DIGEST TYPE / DIGEST",
            "as in DS; 0 0 0 00 asks the parent to remove the DS (go insecure)",
        )],
        example: "shop.test.  3600  IN  CDS  12345 13 2 <hex digest>",
        rfc: "RFC 7344, RFC 8078",
        mistakes: &[
            "Leaving an old CDS in place after a key roll: the parent may put the wrong DS back.",
        ],
    },
    TypeDoc {
        name: "CDNSKEY",
        summary: "Child DNSKEY: like CDS, but the child publishes the key itself and the parent computes the DS.",
        fields: &[("FLAGS / PROTOCOL / ALGORITHM / PUBLIC KEY", "as in DNSKEY")],
        example: "shop.test.  3600  IN  CDNSKEY  257 3 13 <base64 key>",
        rfc: "RFC 7344, RFC 8078",
        mistakes: &["Publishing CDNSKEY and CDS that point at different keys."],
    },
    TypeDoc {
        name: "NSEC3PARAM",
        summary: "The NSEC3 parameters the zone uses, at its apex, so authoritative servers know how to hash names.",
        fields: &[
            ("HASH ALGORITHM", "1 = SHA-1"),
            (
                "FLAGS",
                "0 (opt-out is signalled in the NSEC3 records, not here)",
            ),
            ("ITERATIONS", "extra hash rounds: RFC 9276 says 0"),
            ("SALT", "'-' for none"),
        ],
        example: "shop.test.  0  IN  NSEC3PARAM  1 0 0 -",
        rfc: "RFC 5155 §4, RFC 9276",
        mistakes: &["A long salt and many iterations: no security gain, real CPU cost."],
    },
    TypeDoc {
        name: "OPENPGPKEY",
        summary: "An OpenPGP public key for an e-mail address (the local part hashed into the owner name).",
        fields: &[("KEY", "the OpenPGP key, base64")],
        example: "<sha256-of-local-part>._openpgpkey.shop.test.  3600  IN  OPENPGPKEY  <base64>",
        rfc: "RFC 7929",
        mistakes: &["Publishing it in an unsigned zone: anyone on the path could swap the key."],
    },
    TypeDoc {
        name: "SMIMEA",
        summary: "Binds an S/MIME certificate to an e-mail address, like TLSA does for services.",
        fields: &[("USAGE / SELECTOR / MATCHING TYPE / DATA", "as in TLSA")],
        example: "<hash>._smimecert.shop.test.  3600  IN  SMIMEA  3 0 1 <sha-256 hex>",
        rfc: "RFC 8162",
        mistakes: &["Relying on it without DNSSEC."],
    },
    TypeDoc {
        name: "ANY",
        summary: "Not a record type but a question: 'everything you have for this name'. Servers may answer with just one RRset (often HINFO) to avoid amplification abuse.",
        fields: &[("(none)", "ANY exists only in questions (QTYPE 255)")],
        example: "dnscope query shop.test ANY --lab   (question: shop.test. IN ANY)",
        rfc: "RFC 1035 §3.2.3, RFC 8482",
        mistakes: &[
            "Using ANY to list a name's records: the answer is allowed to be incomplete; ask for each type.",
        ],
    },
];
