//! Raw bytes → a DNS message → what the trace engine makes of it as the answer to a question
//! asked of a zone's servers. Never a panic, and the verdict keeps to the zone asked: a
//! referral leads strictly below it and toward the name, its glue stays inside it (RFC 2181
//! §5.4.1), an answer holds records of the type asked.

#![no_main]

mod common;

use dnscope::trace::{LameReason, Verdict, classify};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let Ok(m) = Message::from_vec(bytes) else {
        return;
    };
    let (zone, qname, qtype) = common::question(selector);
    let aa = m.metadata.authoritative;
    let rcode = m.metadata.response_code;
    match classify(&zone, &qname, qtype, &m) {
        Verdict::Referral(r) => {
            assert!(
                zone.zone_of(&r.zone) && r.zone != zone,
                "referral upward or sideways"
            );
            assert!(r.zone.zone_of(&qname), "referral away from the name");
            for g in &r.glue {
                assert!(zone.zone_of(&g.name), "glue out of bailiwick accepted");
                assert!(
                    r.ns.iter().any(|(n, _)| *n == g.name.to_lowercase()),
                    "glue for a name that is not one of the NS"
                );
            }
        }
        Verdict::Answer { records, cnames } => {
            assert!(aa, "an answer taken without AA");
            assert!(!records.is_empty(), "an empty answer");
            assert!(
                records
                    .iter()
                    .all(|r| r.record_type() == qtype || qtype == RecordType::ANY),
                "records of another type as the answer"
            );
            let owner = chain_end(&qname, &cnames);
            assert!(
                records.iter().all(|r| r.name.to_lowercase() == owner),
                "answer records owned by another name than the chain's end"
            );
            assert!(zone.zone_of(&owner), "an answer from outside the zone");
        }
        Verdict::Cname { cnames, target } => {
            assert!(!cnames.is_empty(), "a CNAME verdict without a link");
            assert_eq!(
                chain_end(&qname, &cnames),
                target,
                "chain and target differ"
            );
        }
        Verdict::NxDomain(_) => {
            assert!(aa && rcode == ResponseCode::NXDomain, "NXDOMAIN without AA");
        }
        Verdict::NoData(_) => {
            assert!(aa && rcode == ResponseCode::NoError, "NODATA without AA");
        }
        Verdict::Lame(LameReason::Upward { child }) => {
            assert!(child.zone_of(&zone) && child != zone, "upward is not above");
        }
        Verdict::Lame(LameReason::Sideways { child }) => {
            assert_eq!(child, zone.to_lowercase(), "sideways is not the zone");
        }
        Verdict::Lame(LameReason::ReferralAway { child }) => {
            assert!(!child.zone_of(&qname), "away contains the name");
        }
        Verdict::Refused => assert_eq!(rcode, ResponseCode::Refused),
        Verdict::ServFail => assert_eq!(rcode, ResponseCode::ServFail),
        _ => {}
    }
});

/// Where a chain of CNAME links starting at `qname` ends, checking that each link starts
/// where the previous one ended.
fn chain_end(qname: &Name, cnames: &[Record]) -> Name {
    let mut at = qname.to_lowercase();
    for link in cnames {
        assert_eq!(link.name.to_lowercase(), at, "a broken CNAME chain");
        let RData::CNAME(target) = &link.data else {
            panic!("a CNAME link that is not a CNAME");
        };
        at = target.0.to_lowercase();
    }
    at
}
