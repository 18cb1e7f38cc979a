//! What a response means for an iterative resolver (RFC 1034 §5.3.3, RFC 2308 §2): a
//! referral closer to the name, an answer, a CNAME to follow, a negative answer, or a reason
//! to call the server lame. Pure functions over a decoded message, so every case is
//! unit-tested without a network.

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// A delegation handed down by a referral.
#[derive(Debug, Clone)]
pub struct Referral {
    /// The delegated zone (the owner of the NS RRset).
    pub zone: Name,
    /// The NS names, with the NS RRset's TTL each.
    pub ns: Vec<(Name, u32)>,
    /// Glue accepted: addresses of the NS names inside the zone that was asked (in-domain
    /// and sibling glue, RFC 9471).
    pub glue: Vec<Record>,
    /// Address records in the additional section that were not accepted: outside the zone
    /// that was asked (out of bailiwick, RFC 2181 §5.4.1), or for names that are not NS.
    pub ignored_glue: Vec<Record>,
}

/// Where one NS name of a referral stands with respect to glue (RFC 9471).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glue {
    /// Inside the delegated zone, address given: in-domain glue (required).
    InDomain,
    /// Outside the delegated zone but inside the zone that referred, address given: sibling
    /// glue.
    Sibling,
    /// Inside the delegated zone, no address given: required glue missing (RFC 9471 §2.1),
    /// so the name can only be found through the servers it names.
    MissingInDomain,
    /// Outside the delegated zone but inside the zone that referred, no address given: the
    /// referring servers could have sent it as sibling glue (optional, RFC 9471 §2.2).
    MissingSibling,
    /// Outside the zone that referred: it cannot vouch for the address, so no glue is
    /// possible and the name is looked up.
    Outside,
}

impl Glue {
    /// Whether an address came with the referral.
    pub fn given(self) -> bool {
        matches!(self, Glue::InDomain | Glue::Sibling)
    }
}

impl Referral {
    /// The glue standing of NS name `ns`, in a referral from the servers of `parent`.
    pub fn glue_of(&self, parent: &Name, ns: &Name) -> Glue {
        let given = self.glue.iter().any(|g| g.name.to_lowercase() == *ns);
        let inside_child = self.zone.zone_of(ns);
        let inside_parent = parent.zone_of(ns);
        match (given, inside_child, inside_parent) {
            (true, true, _) => Glue::InDomain,
            (true, false, _) => Glue::Sibling,
            (false, true, _) => Glue::MissingInDomain,
            (false, false, true) => Glue::MissingSibling,
            (false, false, false) => Glue::Outside,
        }
    }
}

/// A negative answer and how long it may be cached.
#[derive(Debug, Clone)]
pub struct Negative {
    /// CNAME links inside the zone that led to the missing name (RFC 6604).
    pub cnames: Vec<Record>,
    /// The SOA from the authority section, if the server sent one.
    pub soa: Option<Record>,
    /// min(SOA TTL, SOA MINIMUM): the negative-caching TTL (RFC 2308 §5).
    pub ttl: Option<u32>,
}

/// What one server's response means.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// A referral to a zone closer to the name.
    Referral(Referral),
    /// The answer: the records for the name and type, after any CNAMEs in the same response.
    Answer {
        /// CNAME links followed inside the response.
        cnames: Vec<Record>,
        /// The final RRset.
        records: Vec<Record>,
    },
    /// One or more CNAMEs ending at a name this response does not answer for: restart there.
    Cname {
        /// The links, in order.
        cnames: Vec<Record>,
        /// Where the chain leaves this zone.
        target: Name,
    },
    /// NXDOMAIN from an authoritative server.
    NxDomain(Negative),
    /// NOERROR, no data, from an authoritative server.
    NoData(Negative),
    /// A response a resolver must not use, with the reason.
    Lame(LameReason),
    /// REFUSED (the server does not serve the zone).
    Refused,
    /// SERVFAIL.
    ServFail,
    /// Any other rcode or shape that makes no sense.
    Bad(BadReason),
}

/// Why a response makes its server lame for the zone (RFC 1034 §4.2.2, RFC 4697 §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LameReason {
    /// NXDOMAIN without AA: not authoritative.
    NxDomainWithoutAa,
    /// An answer without AA: cached data, or a server that does not hold the zone.
    AnswerWithoutAa,
    /// No answer, no referral and no AA.
    Empty,
    /// A referral to a zone that does not contain the name asked.
    ReferralAway {
        /// The zone referred to.
        child: Name,
    },
    /// A referral to the zone that was asked (it should have answered).
    Sideways {
        /// The zone referred to.
        child: Name,
    },
    /// A referral to a zone above the one that was asked.
    Upward {
        /// The zone referred to.
        child: Name,
    },
}

/// Why a response makes no sense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadReason {
    /// An rcode a query never gets (FORMERR, NOTIMP, ...).
    Rcode(ResponseCode),
    /// An authoritative answer with no record of the type asked for, and no CNAME.
    NoRecordOfType(RecordType),
}

impl Verdict {
    /// Whether a resolver can move on with it.
    pub fn is_good(&self) -> bool {
        matches!(
            self,
            Verdict::Referral(_)
                | Verdict::Answer { .. }
                | Verdict::Cname { .. }
                | Verdict::NxDomain(_)
                | Verdict::NoData(_)
        )
    }
}

/// Classify `response` to the question `qname`/`qtype` asked of a server of `zone`.
pub fn classify(zone: &Name, qname: &Name, qtype: RecordType, response: &Message) -> Verdict {
    let meta = &response.metadata;
    match meta.response_code {
        ResponseCode::NoError => {}
        ResponseCode::NXDomain => {
            if !meta.authoritative {
                return Verdict::Lame(LameReason::NxDomainWithoutAa);
            }
            // A CNAME chain may precede the NXDOMAIN (RFC 6604): the rcode speaks of the end
            // of the chain. If the chain leaves this zone, the rcode is not this server's to
            // give: follow the target.
            let (cnames, end) = chain(zone, qname, response);
            if !zone.zone_of(&end) {
                return Verdict::Cname {
                    cnames,
                    target: end,
                };
            }
            let mut neg = negative(response);
            neg.cnames = cnames;
            return Verdict::NxDomain(neg);
        }
        ResponseCode::Refused => return Verdict::Refused,
        ResponseCode::ServFail => return Verdict::ServFail,
        other => return Verdict::Bad(BadReason::Rcode(other)),
    }

    if !response.answers.is_empty() {
        return answer(zone, qname, qtype, response);
    }

    // No answer: a referral, a NODATA, or nonsense.
    let ns_owner = response
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::NS)
        .map(|r| r.name.to_lowercase());
    let has_soa = response
        .authorities
        .iter()
        .any(|r| r.record_type() == RecordType::SOA);
    if meta.authoritative && (has_soa || ns_owner.is_none()) {
        return Verdict::NoData(negative(response));
    }
    let Some(child) = ns_owner else {
        return Verdict::Lame(LameReason::Empty);
    };
    if !child.zone_of(&qname.to_lowercase()) {
        return Verdict::Lame(LameReason::ReferralAway { child });
    }
    if !zone.zone_of(&child) || child.num_labels() <= zone.num_labels() {
        return Verdict::Lame(if child == zone.to_lowercase() {
            LameReason::Sideways { child }
        } else {
            LameReason::Upward { child }
        });
    }
    let ns: Vec<(Name, u32)> = response
        .authorities
        .iter()
        .filter(|r| r.record_type() == RecordType::NS && r.name.to_lowercase() == child)
        .filter_map(|r| match &r.data {
            RData::NS(ns) => Some((ns.0.to_lowercase(), r.ttl)),
            _ => None,
        })
        .collect();
    let mut glue = Vec::new();
    let mut ignored_glue = Vec::new();
    for r in &response.additionals {
        if !matches!(r.record_type(), RecordType::A | RecordType::AAAA) {
            continue;
        }
        let owner = r.name.to_lowercase();
        let named = ns.iter().any(|(n, _)| *n == owner);
        // RFC 2181 §5.4.1: only data inside the zone this server answers for is trusted, so
        // glue must lie inside the zone that was asked: in the delegated zone itself, or a
        // sibling of it (RFC 9471). Anything else could be a poisoning attempt and is looked
        // up instead.
        if named && zone.zone_of(&owner) {
            glue.push(r.clone());
        } else {
            ignored_glue.push(r.clone());
        }
    }
    Verdict::Referral(Referral {
        zone: child,
        ns,
        glue,
        ignored_glue,
    })
}

fn answer(zone: &Name, qname: &Name, qtype: RecordType, response: &Message) -> Verdict {
    if !response.metadata.authoritative {
        return Verdict::Lame(LameReason::AnswerWithoutAa);
    }
    let mut current = qname.to_lowercase();
    let mut cnames: Vec<Record> = Vec::new();
    // Follow CNAMEs inside the response, but only while the names stay inside the zone
    // this server is authoritative for: data about other zones is not its to give.
    for _ in 0..=response.answers.len() {
        let here: Vec<Record> = response
            .answers
            .iter()
            .filter(|r| r.name.to_lowercase() == current)
            .cloned()
            .collect();
        let records: Vec<Record> = here
            .iter()
            .filter(|r| r.record_type() == qtype || qtype == RecordType::ANY)
            .cloned()
            .collect();
        if !records.is_empty() {
            return Verdict::Answer { cnames, records };
        }
        let Some(link) = here.iter().find(|r| r.record_type() == RecordType::CNAME) else {
            break;
        };
        let RData::CNAME(target) = &link.data else {
            break;
        };
        cnames.push(link.clone());
        let target = target.0.to_lowercase();
        if cnames
            .iter()
            .filter(|c| c.name.to_lowercase() == target)
            .count()
            > 0
        {
            // A loop inside one response: hand it to the caller's loop check.
            return Verdict::Cname { cnames, target };
        }
        if !zone.zone_of(&target) {
            return Verdict::Cname { cnames, target };
        }
        current = target;
    }
    if cnames.is_empty() {
        return Verdict::Bad(BadReason::NoRecordOfType(qtype));
    }
    // The chain stays in the zone but the server gave no data for its end: ask again there.
    let target = current;
    Verdict::Cname { cnames, target }
}

/// The CNAME links from `qname` in the answer section, followed while they stay in `zone`,
/// and the name they end at.
fn chain(zone: &Name, qname: &Name, response: &Message) -> (Vec<Record>, Name) {
    let mut current = qname.to_lowercase();
    let mut links: Vec<Record> = Vec::new();
    while links.len() < response.answers.len() {
        let Some(link) = response
            .answers
            .iter()
            .find(|r| r.record_type() == RecordType::CNAME && r.name.to_lowercase() == current)
        else {
            break;
        };
        let RData::CNAME(target) = &link.data else {
            break;
        };
        links.push(link.clone());
        current = target.0.to_lowercase();
        if !zone.zone_of(&current) {
            break;
        }
    }
    (links, current)
}

fn negative(response: &Message) -> Negative {
    let soa = response
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::SOA)
        .cloned();
    let ttl = soa.as_ref().and_then(|r| match &r.data {
        RData::SOA(soa) => Some(r.ttl.min(soa.minimum)),
        _ => None,
    });
    Negative {
        cnames: Vec::new(),
        soa,
        ttl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{MessageType, OpCode};
    use hickory_proto::rr::rdata::{A, CNAME, NS, SOA};

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    fn msg(aa: bool, rcode: ResponseCode) -> Message {
        let mut m = Message::new(1, MessageType::Response, OpCode::Query);
        m.metadata.authoritative = aa;
        m.metadata.response_code = rcode;
        m
    }

    fn ns(owner: &str, target: &str) -> Record {
        Record::from_rdata(n(owner), 172_800, RData::NS(NS(n(target))))
    }

    fn cname(owner: &str, target: &str) -> Record {
        Record::from_rdata(n(owner), 60, RData::CNAME(CNAME(n(target))))
    }

    fn a(owner: &str, ip: [u8; 4]) -> Record {
        Record::from_rdata(n(owner), 300, RData::A(A::new(ip[0], ip[1], ip[2], ip[3])))
    }

    fn soa(owner: &str, ttl: u32, minimum: u32) -> Record {
        Record::from_rdata(
            n(owner),
            ttl,
            RData::SOA(SOA::new(n("ns1.t."), n("h.t."), 1, 2, 3, 4, minimum)),
        )
    }

    #[test]
    fn referral_keeps_only_in_bailiwick_glue() {
        let mut m = msg(false, ResponseCode::NoError);
        m.authorities.push(ns("shop.test.", "ns1.shop.test."));
        m.authorities.push(ns("shop.test.", "ns.other.example."));
        m.additionals.push(a("ns1.shop.test.", [127, 0, 0, 40]));
        m.additionals.push(a("ns.other.example.", [192, 0, 2, 66]));
        match classify(&n("test."), &n("www.shop.test."), RecordType::A, &m) {
            Verdict::Referral(r) => {
                assert_eq!(r.zone, n("shop.test."));
                assert_eq!(r.ns.len(), 2);
                assert_eq!(r.glue.len(), 1);
                assert_eq!(r.ignored_glue.len(), 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_ns_name_has_its_glue_standing() {
        // arpa. delegates in-addr.arpa. (RFC 9471's sibling case) and more.
        let mut m = msg(false, ResponseCode::NoError);
        for target in [
            "a.in-addr.arpa.",
            "b.in-addr.arpa.",
            "c.in-addr-servers.arpa.",
            "d.in-addr-servers.arpa.",
            "e.example.",
        ] {
            m.authorities.push(ns("in-addr.arpa.", target));
        }
        m.additionals.push(a("a.in-addr.arpa.", [127, 0, 0, 1]));
        m.additionals
            .push(a("c.in-addr-servers.arpa.", [127, 0, 0, 3]));
        let parent = n("arpa.");
        let Verdict::Referral(r) = classify(&parent, &n("1.in-addr.arpa."), RecordType::PTR, &m)
        else {
            panic!("not a referral")
        };
        let of = |s: &str| r.glue_of(&parent, &n(s));
        assert_eq!(of("a.in-addr.arpa."), Glue::InDomain);
        assert_eq!(of("b.in-addr.arpa."), Glue::MissingInDomain);
        assert_eq!(of("c.in-addr-servers.arpa."), Glue::Sibling);
        assert_eq!(of("d.in-addr-servers.arpa."), Glue::MissingSibling);
        assert_eq!(of("e.example."), Glue::Outside);
    }

    #[test]
    fn sibling_glue_inside_the_zone_asked_is_kept() {
        let mut m = msg(false, ResponseCode::NoError);
        m.authorities.push(ns("a.test.", "ns.b.test."));
        m.additionals.push(a("ns.b.test.", [127, 0, 0, 41]));
        match classify(&n("test."), &n("www.a.test."), RecordType::A, &m) {
            Verdict::Referral(r) => assert_eq!((r.glue.len(), r.ignored_glue.len()), (1, 0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nxdomain_after_a_cname_keeps_the_chain_or_follows_it_out() {
        let mut m = msg(true, ResponseCode::NXDomain);
        m.answers.push(cname("www.z.", "gone.z."));
        m.authorities.push(soa("z.", 60, 30));
        match classify(&n("z."), &n("www.z."), RecordType::A, &m) {
            Verdict::NxDomain(neg) => assert_eq!(neg.cnames.len(), 1),
            other => panic!("{other:?}"),
        }
        let mut m = msg(true, ResponseCode::NXDomain);
        m.answers.push(cname("www.z.", "x.other."));
        assert!(matches!(
            classify(&n("z."), &n("www.z."), RecordType::A, &m),
            Verdict::Cname { target, .. } if target == n("x.other.")
        ));
    }

    #[test]
    fn upward_and_sideways_referrals_are_lame() {
        let mut m = msg(false, ResponseCode::NoError);
        m.authorities.push(ns("test.", "ns1.nic.test."));
        let v = classify(&n("shop.test."), &n("www.shop.test."), RecordType::A, &m);
        assert!(
            matches!(&v, Verdict::Lame(LameReason::Upward { child }) if *child == n("test.")),
            "{v:?}"
        );
        let mut m = msg(false, ResponseCode::NoError);
        m.authorities.push(ns("shop.test.", "ns1.shop.test."));
        let v = classify(&n("shop.test."), &n("www.shop.test."), RecordType::A, &m);
        assert!(
            matches!(&v, Verdict::Lame(LameReason::Sideways { .. })),
            "{v:?}"
        );
        let mut m = msg(false, ResponseCode::NoError);
        m.authorities.push(ns("other.test.", "ns1.other.test."));
        let v = classify(&n("test."), &n("www.shop.test."), RecordType::A, &m);
        assert!(
            matches!(&v, Verdict::Lame(LameReason::ReferralAway { .. })),
            "{v:?}"
        );
    }

    #[test]
    fn answers_need_aa_and_follow_in_zone_cnames() {
        let mut m = msg(true, ResponseCode::NoError);
        m.answers.push(cname("www.z.", "web.z."));
        m.answers.push(a("web.z.", [192, 0, 2, 1]));
        match classify(&n("z."), &n("www.z."), RecordType::A, &m) {
            Verdict::Answer { cnames, records } => {
                assert_eq!(cnames.len(), 1);
                assert_eq!(records.len(), 1);
            }
            other => panic!("{other:?}"),
        }
        let mut m = msg(true, ResponseCode::NoError);
        m.answers.push(cname("www.z.", "x.other."));
        assert!(matches!(
            classify(&n("z."), &n("www.z."), RecordType::A, &m),
            Verdict::Cname { target, .. } if target == n("x.other.")
        ));
        let mut m = msg(false, ResponseCode::NoError);
        m.answers.push(a("www.z.", [192, 0, 2, 1]));
        assert!(matches!(
            classify(&n("z."), &n("www.z."), RecordType::A, &m),
            Verdict::Lame(LameReason::AnswerWithoutAa)
        ));
    }

    #[test]
    fn negative_answers_carry_the_rfc2308_ttl() {
        let mut m = msg(true, ResponseCode::NXDomain);
        m.authorities.push(soa("z.", 3600, 300));
        match classify(&n("z."), &n("nope.z."), RecordType::A, &m) {
            Verdict::NxDomain(neg) => assert_eq!(neg.ttl, Some(300)),
            other => panic!("{other:?}"),
        }
        let mut m = msg(true, ResponseCode::NoError);
        m.authorities.push(soa("z.", 60, 300));
        match classify(&n("z."), &n("www.z."), RecordType::MX, &m) {
            Verdict::NoData(neg) => assert_eq!(neg.ttl, Some(60)),
            other => panic!("{other:?}"),
        }
        let m = msg(false, ResponseCode::NXDomain);
        assert!(matches!(
            classify(&n("z."), &n("nope.z."), RecordType::A, &m),
            Verdict::Lame(LameReason::NxDomainWithoutAa)
        ));
        assert!(matches!(
            classify(
                &n("z."),
                &n("a.z."),
                RecordType::A,
                &msg(false, ResponseCode::Refused)
            ),
            Verdict::Refused
        ));
        assert!(matches!(
            classify(
                &n("z."),
                &n("a.z."),
                RecordType::A,
                &msg(false, ResponseCode::ServFail)
            ),
            Verdict::ServFail
        ));
    }
}

#[cfg(test)]
mod properties;
