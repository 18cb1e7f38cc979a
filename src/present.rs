//! Presentation format: DNS data as zone-file text (RFC 1035 §5.1), for tables and JSON alike,
//! and terminal safety for any text that came from the network.
//!
//! [`rdata`] is the canonical text form, with TXT strings quoted and escaped as a zone file
//! writes them, where hickory's `Display` would glue them together. [`for_tty`] is the last
//! step before a terminal (after fd's `sanitize.rs`): control characters, bidirectional
//! overrides and zero-width characters become `\u{..}` escapes, so a TXT record or a label
//! cannot move the cursor, recolour the screen or reorder text. JSON output does not use it:
//! serde escapes what JSON needs and keeps the data exact.

use hickory_proto::op::{OpCode, ResponseCode};
use hickory_proto::rr::rdata::HTTPS;
use hickory_proto::rr::rdata::svcb::{SVCB, SvcParamValue};
use hickory_proto::rr::{DNSClass, Name, RData, Record};

use crate::wire::rtype_name;

/// A name in presentation form, as it travels on the wire (RFC 1035 §5.1): A-labels (`xn--`)
/// as they are, printable ASCII as it is, `\X` for the characters that mean something in
/// a zone file (`.` inside a label, `\`, `"`, `(`, `)`, `;`, `@`, `$`), and `\DDD` (decimal)
/// for any other byte, space included, as dig writes them. hickory's `Display` would show
/// IDNs in Unicode, and its `to_ascii` writes octal escapes.
pub fn name(n: &Name) -> String {
    if n.is_root() {
        return ".".to_string();
    }
    let mut out = String::with_capacity(n.len() + 1);
    for label in n.iter() {
        label_text(label, &mut out);
        out.push('.');
    }
    if !n.is_fqdn() {
        out.pop();
    }
    out
}

/// A name that displays in presentation form (see [`name`]): `format!("{}", Wire(&n))`.
#[derive(Debug, Clone, Copy)]
pub struct Wire<'a>(pub &'a Name);

impl std::fmt::Display for Wire<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&name(self.0))
    }
}

/// `.wire()` on a name: its presentation form for `format!`.
pub trait Shown {
    /// The name in presentation form (see [`name`]).
    fn wire(&self) -> Wire<'_>;
}

impl Shown for Name {
    fn wire(&self) -> Wire<'_> {
        Wire(self)
    }
}

/// One label in presentation form (see [`name`]).
pub fn label_text(label: &[u8], out: &mut String) {
    for &b in label {
        match b {
            b'.' | b'\\' | b'"' | b'(' | b')' | b';' | b'@' | b'$' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x21..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
}

/// The rcode mnemonic as dig prints it (`NOERROR`, `NXDOMAIN`, ...).
pub fn rcode(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::FormErr => "FORMERR".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::NotImp => "NOTIMP".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::YXDomain => "YXDOMAIN".into(),
        ResponseCode::YXRRSet => "YXRRSET".into(),
        ResponseCode::NXRRSet => "NXRRSET".into(),
        ResponseCode::NotAuth => "NOTAUTH".into(),
        ResponseCode::NotZone => "NOTZONE".into(),
        ResponseCode::BADVERS => "BADVERS".into(),
        ResponseCode::BADCOOKIE => "BADCOOKIE".into(),
        other => format!("RCODE{}", u16::from(other)),
    }
}

/// The opcode mnemonic (`QUERY`, `NOTIFY`, ...).
pub fn opcode(code: OpCode) -> String {
    match code {
        OpCode::Query => "QUERY".into(),
        OpCode::Status => "STATUS".into(),
        OpCode::Notify => "NOTIFY".into(),
        OpCode::Update => "UPDATE".into(),
        other => format!("OPCODE{}", u8::from(other)),
    }
}

/// The class mnemonic (`IN`, `CH`, ...).
pub fn class(class: DNSClass) -> String {
    match class {
        DNSClass::IN => "IN".into(),
        DNSClass::CH => "CH".into(),
        DNSClass::HS => "HS".into(),
        DNSClass::NONE => "NONE".into(),
        DNSClass::ANY => "ANY".into(),
        other => format!("CLASS{}", u16::from(other)),
    }
}

/// A record's type as text.
pub fn rtype(record: &Record) -> String {
    rtype_name(record.record_type())
}

/// A record's data in presentation form.
pub fn rdata(data: &RData) -> String {
    match data {
        RData::TXT(txt) => txt
            .txt_data
            .iter()
            .map(|s| character_string(s))
            .collect::<Vec<_>>()
            .join(" "),
        RData::SVCB(svcb) | RData::HTTPS(HTTPS(svcb)) => svcb_params(svcb),
        // Names inside the data, as the wire carries them (see `name`).
        RData::NS(ns) => name(&ns.0),
        RData::CNAME(c) => name(&c.0),
        RData::PTR(p) => name(&p.0),
        RData::MX(mx) => format!("{} {}", mx.preference, name(&mx.exchange)),
        RData::SRV(s) => format!("{} {} {} {}", s.priority, s.weight, s.port, name(&s.target)),
        RData::SOA(s) => format!(
            "{} {} {} {} {} {} {}",
            name(&s.mname),
            name(&s.rname),
            s.serial,
            s.refresh,
            s.retry,
            s.expire,
            s.minimum
        ),
        other => other.to_string(),
    }
}

/// SVCB/HTTPS in RFC 9460 presentation form. hickory 0.26.3's `Display` leaves a trailing
/// comma after every list value (`alpn=h2,h3,`), which no parser accepts.
fn svcb_params(svcb: &SVCB) -> String {
    let mut out = format!("{} {}", svcb.svc_priority, name(&svcb.target_name));
    for (key, value) in &svcb.svc_params {
        let joined = |items: Vec<String>| items.join(",");
        let text = match value {
            SvcParamValue::NoDefaultAlpn => {
                out.push_str(&format!(" {key}"));
                continue;
            }
            SvcParamValue::Alpn(a) => joined(a.0.clone()),
            SvcParamValue::Mandatory(m) => joined(m.0.iter().map(ToString::to_string).collect()),
            SvcParamValue::Ipv4Hint(h) => joined(h.0.iter().map(ToString::to_string).collect()),
            SvcParamValue::Ipv6Hint(h) => joined(h.0.iter().map(ToString::to_string).collect()),
            SvcParamValue::Port(p) => p.to_string(),
            SvcParamValue::Unknown(u) => character_string(&u.0),
            other => other.to_string(),
        };
        out.push_str(&format!(" {key}={text}"));
    }
    out
}

/// One `<character-string>`: quoted, with `"` and `\` escaped and any byte outside printable
/// ASCII written as `\DDD` (RFC 1035 §5.1).
pub fn character_string(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

/// Escape `text` for display on a terminal.
pub fn for_tty(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061c}'              // Arabic letter mark
            | '\u{feff}') // zero-width no-break space
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_bidi() {
        assert_eq!(for_tty("plain text"), "plain text");
        assert_eq!(for_tty("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(for_tty("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(for_tty("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(for_tty("bücher"), "bücher");
    }

    #[test]
    fn character_strings_are_escaped() {
        assert_eq!(character_string(b"v=spf1 -all"), "\"v=spf1 -all\"");
        assert_eq!(character_string(b"a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(character_string(b"\x1b[31m\xff"), "\"\\027[31m\\255\"");
    }

    #[test]
    fn names_are_shown_as_the_wire_carries_them() {
        let n = |s: &str| Name::from_ascii(s).expect("name");
        assert_eq!(name(&Name::root()), ".");
        assert_eq!(name(&n("www.shop.test.")), "www.shop.test.");
        assert_eq!(name(&n("xn--bcher-kva.test.")), "xn--bcher-kva.test.");
        let odd = Name::from_labels(vec![&b"a b"[..], &b"x.y"[..], &b"\x1b"[..]]).expect("labels");
        assert_eq!(name(&odd), "a\\032b.x\\.y.\\027.");
    }

    #[test]
    fn rcodes_read_like_dig() {
        assert_eq!(rcode(ResponseCode::NXDomain), "NXDOMAIN");
        assert_eq!(rcode(ResponseCode::NoError), "NOERROR");
        assert_eq!(rcode(ResponseCode::Unknown(3841)), "RCODE3841");
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn labels() -> impl Strategy<Value = Vec<Vec<u8>>> {
        prop::collection::vec(prop::collection::vec(any::<u8>(), 1..20), 1..5)
    }

    proptest! {
        /// Nothing that could move the cursor, change colours or reorder text reaches a
        /// terminal; text with nothing to escape goes through unchanged.
        #[test]
        fn for_tty_leaves_no_control_characters(text in any::<String>()) {
            let shown = for_tty(&text);
            prop_assert!(!shown.chars().any(needs_escape), "{shown:?}");
            if !text.chars().any(needs_escape) {
                prop_assert_eq!(shown, text);
            }
        }

        /// Any name, any bytes in its labels: shown as printable ASCII, and read back by
        /// dnscope's name parser as the same name. (Not by hickory's `Name::from_ascii`: it
        /// reads `\DDD` as octal, and refuses control characters.)
        #[test]
        fn names_round_trip_through_their_presentation(labels in labels()) {
            let Ok(n) = Name::from_labels(labels.iter().map(Vec::as_slice)) else {
                return Ok(()); // too long for a name
            };
            let shown = name(&n);
            prop_assert!(shown.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{shown}");
            let back = crate::wire::parse_name(&shown)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            // Byte for byte: hickory's Name equality ignores ASCII case.
            let bytes = |n: &Name| n.iter().map(<[u8]>::to_vec).collect::<Vec<_>>();
            prop_assert_eq!(bytes(&back), bytes(&n));
        }

        /// A character-string is printable ASCII between quotes, whatever its bytes.
        #[test]
        fn character_strings_are_printable(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let shown = character_string(&bytes);
            prop_assert!(shown.bytes().all(|b| (0x20..=0x7e).contains(&b)), "{shown}");
            prop_assert!(shown.starts_with('"') && shown.ends_with('"') && shown.len() >= 2);
        }
    }
}
