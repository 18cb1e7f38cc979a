//! Raw bytes → a DNS message → what the trace engine makes of it as the answer to a question
//! asked of a zone's servers. Never a panic, and the verdict keeps to the zone asked: a
//! referral leads strictly below it and toward the name, its glue stays inside it (RFC 2181
//! §5.4.1), an answer holds records of the type asked.

#![no_main]

mod common;

use dnscope::trace::{Verdict, classify};
use hickory_proto::op::Message;
use hickory_proto::rr::RecordType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let Ok(m) = Message::from_vec(bytes) else {
        return;
    };
    let (zone, qname, qtype) = common::question(selector);
    match classify(&zone, &qname, qtype, &m) {
        Verdict::Referral(r) => {
            assert!(
                zone.zone_of(&r.zone) && r.zone != zone,
                "referral upward or sideways"
            );
            assert!(r.zone.zone_of(&qname), "referral away from the name");
            for g in &r.glue {
                assert!(zone.zone_of(&g.name), "glue out of bailiwick accepted");
            }
        }
        Verdict::Answer { records, .. } => {
            assert!(!records.is_empty(), "an empty answer");
            assert!(
                records
                    .iter()
                    .all(|r| r.record_type() == qtype || qtype == RecordType::ANY),
                "records of another type as the answer"
            );
        }
        _ => {}
    }
});
