//! `dnscope explain CONCEPT`: the ideas a class needs, each with a lab command that shows it.

use super::ConceptDoc;

pub const CONCEPTS: &[ConceptDoc] = &[
    ConceptDoc {
        name: "ttl",
        aliases: &["time-to-live"],
        summary: "How long (in seconds) a resolver may keep a record in its cache.",
        text: "Every record carries a TTL. A resolver that fetches it counts the TTL down and answers from its cache until it reaches 0, then asks the authoritative servers again. So after a change, caches may serve the old data for up to the old TTL: lower the TTL well before a planned change. The TTL a resolver returns is what is left: the authoritative TTL minus that is how long it has had the record (its cache age).",
        rfc: "RFC 1035 §3.2.1, RFC 2181 §8",
        try_it: "dnscope compare --lab --scenario propagation",
    },
    ConceptDoc {
        name: "glue",
        aliases: &["glue-records"],
        summary: "Addresses of name servers handed down with a referral, so that their names need no separate lookup.",
        text: "When a parent delegates a zone to servers whose names lie inside that zone (ns1.shop.test for shop.test), nobody could look up their addresses without already reaching them. So the parent also holds their A/AAAA records and sends them in the additional section of the referral: glue. A resolver trusts glue only for names inside the zone that was asked (in-domain or sibling glue); addresses of other names are looked up separately. A delegation to names in other zones needs no glue, but costs extra lookups (a glueless delegation).",
        rfc: "RFC 1034 §4.2.1, RFC 2181 §5.4.1, RFC 9471",
        try_it: "dnscope trace www.cdn.example --lab",
    },
    ConceptDoc {
        name: "referral",
        aliases: &["delegation-response"],
        summary: "An answer that says 'not here, ask these servers': NS records of a child zone, without the AA flag.",
        text: "An authoritative server asked about a name below one of its zone cuts does not answer the question; it refers the resolver to the child zone's servers: the NS RRset in the authority section, glue in the additional section, an empty answer section and AA=0. A resolver follows referrals from the root down until a server answers with AA=1. A referral must lead closer to the name; one that points up or sideways is lame.",
        rfc: "RFC 1034 §4.3.2, §5.3.3",
        try_it: "dnscope query www.shop.test @a.root-servers.test --no-rd --lab",
    },
    ConceptDoc {
        name: "negative-caching",
        aliases: &["nxdomain", "nodata", "negative"],
        summary: "Resolvers remember that a name (NXDOMAIN) or a type (NODATA) does not exist, for min(SOA TTL, SOA MINIMUM).",
        text: "A negative answer carries the zone's SOA in its authority section. Resolvers cache the fact that the name or type is missing for the smaller of the SOA record's TTL and its MINIMUM field. A name created after a resolver cached its absence stays invisible there until that time runs out.",
        rfc: "RFC 2308",
        try_it: "dnscope compare --lab --scenario new-name",
    },
    ConceptDoc {
        name: "zone-cut",
        aliases: &["delegation", "zone"],
        summary: "The boundary where a parent zone delegates a child zone to other servers.",
        text: "The DNS tree is split into zones. At a zone cut the parent holds NS records (and glue) for the child; above it the parent's servers are authoritative, below it the child's. A resolution crosses one zone cut per referral: . -> test. -> shop.test. The NS set exists on both sides of the cut (parent and child) and the two should agree.",
        rfc: "RFC 1034 §4.2",
        try_it: "dnscope trace www.paris.eu.shop.test --lab",
    },
    ConceptDoc {
        name: "authoritative",
        aliases: &["aa", "authority"],
        summary: "A server that holds the zone itself (primary or secondary) answers with the AA flag set.",
        text: "Authoritative servers answer from the zone data they hold, with AA=1; they do not ask anyone else. Recursive resolvers answer from their cache or by asking authoritative servers, with AA=0 and RA=1. A server that is listed as authoritative but does not hold the zone is lame: it refuses, or answers without AA.",
        rfc: "RFC 1035 §4.1.1",
        try_it: "dnscope query www.lame.test @ns1.lame.test @ns2.lame.test --no-rd --lab",
    },
    ConceptDoc {
        name: "lame",
        aliases: &["lame-delegation"],
        summary: "A server named in a delegation that does not serve the zone.",
        text: "When an NS record points at a server that is not authoritative for the zone (it answers REFUSED, SERVFAIL, a non-authoritative answer, or a referral back up), the delegation is lame. Resolvers skip such servers after wasting a query on them; if all servers are lame, the zone is unreachable.",
        rfc: "RFC 1912 §2.8",
        try_it: "dnscope trace www.lame.test --lab",
    },
    ConceptDoc {
        name: "recursion",
        aliases: &["rd", "ra", "resolver", "iterative"],
        summary: "A recursive resolver does the whole lookup for its clients; authoritative servers only answer for their zones.",
        text: "A client (stub resolver) sets RD=1 and asks a recursive resolver, which walks the tree iteratively (root, TLD, zone) and caches every answer. Authoritative servers are asked with RD=0 and answer only for their zones. dnscope trace walks the tree itself, as a resolver with an empty cache would.",
        rfc: "RFC 1034 §5.3",
        try_it: "dnscope trace www.shop.test --lab",
    },
];
