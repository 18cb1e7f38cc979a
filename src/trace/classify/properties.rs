//! Properties of the classification over generated responses (proptest).

use hickory_proto::op::{MessageType, OpCode};
use hickory_proto::rr::rdata::{A, CNAME, NS};
use proptest::prelude::*;

use super::*;

/// Names around the zone asked (shop.test.): above it, at it, below it, beside it.
const NAMES: &[&str] = &[
    ".",
    "test.",
    "shop.test.",
    "www.shop.test.",
    "eu.shop.test.",
    "a.eu.shop.test.",
    "ns1.eu.shop.test.",
    "ns.shop.test.",
    "other.test.",
    "ns.other.test.",
    "evil.example.",
];

fn pick() -> impl Strategy<Value = Name> {
    prop::sample::select(NAMES).prop_map(|s| Name::from_ascii(s).unwrap_or_else(|_| Name::root()))
}

fn record() -> impl Strategy<Value = Record> {
    (pick(), pick(), 0u8..3).prop_map(|(owner, target, kind)| match kind {
        0 => Record::from_rdata(owner, 300, RData::NS(NS(target))),
        1 => Record::from_rdata(owner, 300, RData::CNAME(CNAME(target))),
        _ => Record::from_rdata(owner, 300, RData::A(A::new(192, 0, 2, 1))),
    })
}

fn response() -> impl Strategy<Value = Message> {
    (
        any::<bool>(),
        prop::sample::select(vec![ResponseCode::NoError, ResponseCode::NXDomain]),
        prop::collection::vec(record(), 0..4),
        prop::collection::vec(record(), 0..4),
        prop::collection::vec(record(), 0..4),
    )
        .prop_map(|(aa, rcode, answers, authorities, additionals)| {
            let mut m = Message::new(1, MessageType::Response, OpCode::Query);
            m.metadata.authoritative = aa;
            m.metadata.response_code = rcode;
            m.answers = answers;
            m.authorities = authorities;
            m.additionals = additionals;
            m
        })
}

proptest! {
    /// Whatever a server sends: a referral leads strictly below the zone asked and toward
    /// the name, its glue stays inside the zone asked (RFC 2181 §5.4.1), and an answer is
    /// records of the type asked.
    #[test]
    fn verdicts_keep_to_the_zone_asked(
        m in response(),
        qname in pick().prop_filter("a name in shop.test.", |n| {
            Name::from_ascii("shop.test.").is_ok_and(|z| z.zone_of(n))
        }),
    ) {
        let zone = Name::from_ascii("shop.test.").unwrap_or_else(|_| Name::root());
        match classify(&zone, &qname, RecordType::A, &m) {
            Verdict::Referral(r) => {
                prop_assert!(zone.zone_of(&r.zone) && r.zone != zone, "{} from {}", r.zone, zone);
                prop_assert!(r.zone.zone_of(&qname), "{} is not above {}", r.zone, qname);
                for g in &r.glue {
                    prop_assert!(zone.zone_of(&g.name), "glue {} outside {}", g.name, zone);
                    prop_assert!(r.ns.iter().any(|(n, _)| *n == g.name.to_lowercase()));
                }
            }
            Verdict::Answer { records, .. } => {
                prop_assert!(!records.is_empty());
                prop_assert!(records.iter().all(|r| r.record_type() == RecordType::A));
            }
            _ => {}
        }
    }
}
