//! What the fuzz targets share: the questions they ask, and how one input holds several
//! messages.

use hickory_proto::rr::{Name, RecordType};

/// The questions a target asks: (zone whose servers are asked, name, type).
pub const QUESTIONS: &[(&str, &str, RecordType)] = &[
    (".", "www.shop.test.", RecordType::A),
    ("test.", "www.shop.test.", RecordType::A),
    ("shop.test.", "www.shop.test.", RecordType::A),
    ("shop.test.", "shop.test.", RecordType::DNSKEY),
    ("shop.test.", "nope.shop.test.", RecordType::A),
    ("shop.test.", "blog.shop.test.", RecordType::A),
    ("test.", "shop.test.", RecordType::DS),
    ("nsec3.test.", "nope.nsec3.test.", RecordType::A),
    ("cdn.example.", "www.cdn.example.", RecordType::AAAA),
    ("shop.test.", "shop.test.", RecordType::MX),
];

/// The question `selector` picks.
pub fn question(selector: u8) -> (Name, Name, RecordType) {
    let (zone, qname, qtype) = QUESTIONS[usize::from(selector) % QUESTIONS.len()];
    let name = |s: &str| Name::from_ascii(s).unwrap_or_else(|_| Name::root());
    (name(zone), name(qname), qtype)
}

/// Split an input into messages, each prefixed with its length (two bytes, big-endian, as DNS
/// over TCP frames them).
#[allow(dead_code)] // not every target reads several messages
pub fn frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}
