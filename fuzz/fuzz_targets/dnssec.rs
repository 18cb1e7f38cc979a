//! DNSKEY, DS, RRSIG, NSEC and NSEC3 records from bytes → the validator: an answer (first
//! frame) checked against the zone's DNSKEY response (second frame), as `query --validate`
//! does. Never a panic, and the work stays within the KeyTrap caps (signature checks per
//! resolution).

#![no_main]

mod common;

use dnscope::dnssec::{Limits, validate_response};
use hickory_proto::op::Message;
use libfuzzer_sys::fuzz_target;

/// A fixed "now" inside the lab's signatures' windows (2026-12-01).
const NOW: u32 = 1_796_083_200;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let frames = common::frames(rest);
    let Some(Ok(response)) = frames.first().map(|f| Message::from_vec(f)) else {
        return;
    };
    let keys = frames.get(1).and_then(|f| Message::from_vec(f).ok());
    let (zone, qname, qtype) = common::question(selector);
    let limits = Limits::default();
    let report = validate_response(&response, &qname, qtype, &zone, keys.as_ref(), NOW, limits);
    assert!(
        report.work.checks <= limits.per_resolution,
        "{} signature checks, over the cap of {}",
        report.work.checks,
        limits.per_resolution
    );
});
