//! Building questions and reading names and types as users type them.
//!
//! Names and types come from the command line, so every check here produces an error a person
//! can act on, rather than hickory's terser parser messages.

use std::net::IpAddr;
use std::str::FromStr;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use hickory_proto::rr::DNSClass;
use hickory_proto::rr::domain::Label;
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption, NSIDPayload};
use hickory_proto::rr::{Name, RecordType};

use super::{EDNS_PAYLOAD, QueryOptions};

/// A name that cannot be a DNS name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing was given.
    #[error("empty name")]
    Empty,
    /// Two dots in a row, or a leading dot.
    #[error("invalid name {name:?}: empty label (two dots in a row, or a leading dot)")]
    EmptyLabel { name: String },
    /// RFC 1035 §2.3.4: labels are at most 63 octets.
    #[error(
        "invalid name {name:?}: label {label:?} is {len} bytes long, the limit is 63 (RFC 1035 §2.3.4)"
    )]
    LabelTooLong {
        name: String,
        label: String,
        len: usize,
    },
    /// RFC 1035 §2.3.4: names are at most 255 octets on the wire.
    #[error("invalid name {name:?}: {len} bytes on the wire, the limit is 255 (RFC 1035 §2.3.4)")]
    NameTooLong { name: String, len: usize },
    /// A backslash escape that is not `\X` or `\DDD` (a decimal byte, 0 to 255).
    #[error(
        "invalid name {name:?}: bad escape {escape:?} (write \\. for a dot inside a label, \\DDD for a byte)"
    )]
    BadEscape { name: String, escape: String },
    /// A non-ASCII label that IDNA (UTS #46) cannot turn into an A-label.
    #[error("invalid name {name:?}: label {label:?} is not a valid internationalised label (IDNA)")]
    Idna { name: String, label: String },
}

/// A record type we do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown record type {given:?} (use a name such as A, AAAA, MX, TXT, or the numeric form TYPE123)"
)]
pub struct TypeError {
    /// What the user typed.
    pub given: String,
}

/// Parse a domain name as typed by a user, the way dig reads one (RFC 1035 §5.1, RFC 2181
/// §11): absolute (a trailing dot is optional); any byte in a label, `\.` for a dot inside a
/// label and `\DDD` for any byte; underscores and other characters as they are (DKIM
/// selectors, SRV and ACME labels). Only non-ASCII labels go through IDNA, to their A-label
/// (`xn--`) form. Rejected: what cannot be encoded (an empty label, a label over 63 octets, a
/// name over 255).
///
/// # Errors
/// [`NameError`] naming the rule that was broken.
pub fn parse_name(input: &str) -> Result<Name, NameError> {
    let name = input.to_string();
    if input.is_empty() {
        return Err(NameError::Empty);
    }
    if input == "." {
        return Ok(Name::root());
    }
    // Each label's bytes, and whether it holds non-ASCII characters typed as such (then it is
    // internationalised text; bytes given as `\DDD` are raw octets whatever they are).
    let mut labels: Vec<(Vec<u8>, bool)> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut typed_unicode = false;
    let mut chars = input.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if current.is_empty() {
                    return Err(NameError::EmptyLabel { name });
                }
                labels.push((std::mem::take(&mut current), typed_unicode));
                typed_unicode = false;
            }
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err(NameError::BadEscape {
                        name,
                        escape: "\\".to_string(),
                    });
                };
                if next.is_ascii_digit() {
                    let mut digits = String::from(next);
                    for _ in 0..2 {
                        match chars.next() {
                            Some(d) if d.is_ascii_digit() => digits.push(d),
                            other => {
                                let mut escape = format!("\\{digits}");
                                escape.extend(other);
                                return Err(NameError::BadEscape { name, escape });
                            }
                        }
                    }
                    let byte = digits.parse::<u8>().map_err(|_| NameError::BadEscape {
                        name: name.clone(),
                        escape: format!("\\{digits}"),
                    })?;
                    current.push(byte);
                } else {
                    typed_unicode |= !next.is_ascii();
                    let mut buf = [0u8; 4];
                    current.extend_from_slice(next.encode_utf8(&mut buf).as_bytes());
                }
            }
            other => {
                typed_unicode |= !other.is_ascii();
                let mut buf = [0u8; 4];
                current.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    if !current.is_empty() {
        labels.push((current, typed_unicode));
    }
    let mut wire_labels = Vec::with_capacity(labels.len());
    for (raw, unicode) in labels {
        let bytes = match std::str::from_utf8(&raw) {
            // Only a label with non-ASCII characters typed as text is internationalised.
            Ok(text) if unicode => Label::from_utf8(text)
                .map_err(|_| NameError::Idna {
                    name: name.clone(),
                    label: text.to_string(),
                })?
                .as_bytes()
                .to_vec(),
            _ => raw,
        };
        if bytes.len() > 63 {
            return Err(NameError::LabelTooLong {
                name,
                label: String::from_utf8_lossy(&bytes).into_owned(),
                len: bytes.len(),
            });
        }
        wire_labels.push(bytes);
    }
    let wire: usize = wire_labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    if wire > 255 {
        return Err(NameError::NameTooLong { name, len: wire });
    }
    let labels: Vec<Label> = wire_labels
        .iter()
        .filter_map(|l| Label::from_raw_bytes(l).ok())
        .collect();
    let mut parsed = Name::from_labels(labels).map_err(|_| NameError::NameTooLong {
        name: name.clone(),
        len: wire,
    })?;
    parsed.set_fqdn(true);
    Ok(parsed)
}

/// Parse a record type by mnemonic (any case) or in the RFC 3597 form `TYPE123`.
///
/// # Errors
/// [`TypeError`] when the mnemonic is unknown or the number does not fit 16 bits.
pub fn parse_rtype(input: &str) -> Result<RecordType, TypeError> {
    let upper = input.to_ascii_uppercase();
    let err = || TypeError {
        given: input.to_string(),
    };
    if let Some(num) = upper.strip_prefix("TYPE")
        && !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_digit())
    {
        return num.parse::<u16>().map(RecordType::from).map_err(|_| err());
    }
    match RecordType::from_str(&upper) {
        Ok(RecordType::Unknown(_)) | Err(_) => Err(err()),
        Ok(t) => Ok(t),
    }
}

/// The presentation name of a type: the mnemonic, or `TYPE123` for ones hickory has no name for.
pub fn rtype_name(rtype: RecordType) -> String {
    match rtype {
        RecordType::Unknown(n) => format!("TYPE{n}"),
        other => other.to_string(),
    }
}

/// The reverse-mapping name of an address: `d.c.b.a.in-addr.arpa.` (RFC 1035 §3.5) or the
/// nibble form under `ip6.arpa.` (RFC 3596 §2.5).
pub fn reverse_name(addr: IpAddr) -> Name {
    let text = match addr {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa.", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(73);
            for byte in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
            }
            s.push_str("ip6.arpa.");
            s
        }
    };
    // Built from digits and fixed labels only, so it always parses.
    Name::from_ascii(&text).unwrap_or_else(|_| Name::root())
}

/// Build a question of class IN (see [`build_query_in`]).
pub fn build_query(name: &Name, rtype: RecordType, opts: &QueryOptions) -> Message {
    build_query_in(name, rtype, DNSClass::IN, opts)
}

/// Build a question: a random ID (RFC 5452 §9.2), one question of `class`, RD/CD as asked,
/// and an EDNS0 OPT record with our payload size, the DO bit as asked and, when asked, an
/// empty NSID option (RFC 5001 §2.3: the server fills it in).
pub fn build_query_in(
    name: &Name,
    rtype: RecordType,
    class: DNSClass,
    opts: &QueryOptions,
) -> Message {
    let mut message = Message::new(rand::random::<u16>(), MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = opts.recursion_desired;
    message.metadata.checking_disabled = opts.checking_disabled;
    // AD in a question asks a validating resolver to say whether it validated the answer,
    // even without DO (RFC 6840 §5.7); dig sets it too.
    message.metadata.authentic_data = true;
    let mut query = Query::query(name.clone(), rtype);
    query.set_query_class(class);
    message.add_query(query);
    if opts.edns {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD)
            .set_dnssec_ok(opts.dnssec_ok);
        // An empty payload always fits (its size limit is 65535 bytes).
        if opts.nsid
            && let Ok(empty) = NSIDPayload::new(Vec::new())
        {
            edns.options_mut().insert(EdnsOption::NSID(empty));
        }
        message.set_edns(edns);
    }
    message
}

/// The NSID a response carries (RFC 5001): the server's identity, as bytes.
pub fn nsid(message: &Message) -> Option<Vec<u8>> {
    match message.edns.as_ref()?.options().get(EdnsCode::NSID)? {
        EdnsOption::NSID(payload) => Some(payload.as_ref().to_vec()),
        EdnsOption::Unknown(_, data) => Some(data.clone()),
        _ => None,
    }
}

/// An Extended DNS Error (RFC 8914) a server attached to its response.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Ede {
    /// The INFO-CODE (e.g. 7: Signature Expired).
    pub code: u16,
    /// The EXTRA-TEXT, when the server sent some (lossily decoded as UTF-8).
    pub text: Option<String>,
}

/// The EDE options of a response (EDNS option 15, which hickory does not know by name).
pub fn ede(message: &Message) -> Vec<Ede> {
    let Some(edns) = message.edns.as_ref() else {
        return Vec::new();
    };
    edns.options()
        .options
        .iter()
        .filter_map(|(code, option)| match (code, option) {
            (EdnsCode::Unknown(15), EdnsOption::Unknown(15, data)) if data.len() >= 2 => {
                let text = String::from_utf8_lossy(&data[2..])
                    .trim_end_matches('\0')
                    .to_string();
                Some(Ede {
                    code: u16::from_be_bytes([data[0], data[1]]),
                    text: (!text.is_empty()).then_some(text),
                })
            }
            _ => None,
        })
        .collect()
}

/// A class we do not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown class {given:?} (use IN, CH, HS, or the numeric form CLASS3)")]
pub struct ClassError {
    /// What the user typed.
    pub given: String,
}

/// Parse a class by mnemonic (`IN`, `CH`/`CHAOS`, `HS`/`HESIOD`) or as `CLASS123`.
///
/// # Errors
/// [`ClassError`] for anything else.
pub fn parse_class(input: &str) -> Result<DNSClass, ClassError> {
    let upper = input.to_ascii_uppercase();
    match upper.as_str() {
        "IN" => Ok(DNSClass::IN),
        "CH" | "CHAOS" => Ok(DNSClass::CH),
        "HS" | "HESIOD" => Ok(DNSClass::HS),
        _ => upper
            .strip_prefix("CLASS")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u16>().ok())
            .map(DNSClass::from)
            .ok_or(ClassError {
                given: input.to_string(),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_absolute_and_checked() {
        assert_eq!(
            parse_name("www.shop.test").map(|n| n.to_string()),
            Ok("www.shop.test.".into())
        );
        assert_eq!(
            parse_name("www.shop.test.").map(|n| n.to_string()),
            Ok("www.shop.test.".into())
        );
        assert_eq!(parse_name(".").map(|n| n.to_string()), Ok(".".into()));
        assert_eq!(parse_name(""), Err(NameError::Empty));
        assert!(matches!(
            parse_name("a..b"),
            Err(NameError::EmptyLabel { .. })
        ));
        assert!(matches!(
            parse_name(".a"),
            Err(NameError::EmptyLabel { .. })
        ));
        let long = "a".repeat(64);
        assert!(matches!(
            parse_name(&format!("{long}.test")),
            Err(NameError::LabelTooLong { len: 64, .. })
        ));
        let label = "a".repeat(60);
        let huge = [label.as_str(); 5].join(".");
        assert!(matches!(
            parse_name(&huge),
            Err(NameError::NameTooLong { .. })
        ));
        // 63 bytes is fine, and so is a name of exactly 255 bytes on the wire.
        assert!(parse_name(&"b".repeat(63)).is_ok());
        let l63 = "c".repeat(63);
        let max = format!("{l63}.{l63}.{l63}.{}", "d".repeat(61));
        assert!(parse_name(&max).is_ok(), "{:?}", parse_name(&max));
    }

    #[test]
    fn names_take_any_character_dig_takes() {
        // See: issue 11, defect 1 (DKIM selectors and other underscore names were rejected).
        for (input, wire) in [
            (
                "s1_2024._domainkey.shop.test",
                "s1_2024._domainkey.shop.test.",
            ),
            ("www_x.shop.test", "www_x.shop.test."),
            ("foo_bar.example", "foo_bar.example."),
            ("-lead.test", "-lead.test."),
            ("a\\.b.test", "a\\.b.test."),
            ("a\\032b.test", "a\\032b.test."),
        ] {
            assert_eq!(
                parse_name(input).map(|n| crate::present::name(&n)),
                Ok(wire.to_string()),
                "{input}"
            );
        }
        assert_eq!(parse_name("a\\.b.test").map(|n| n.num_labels()), Ok(2));
        assert!(matches!(
            parse_name("a\\3x.test"),
            Err(NameError::BadEscape { .. })
        ));
        assert!(matches!(
            parse_name("a\\999.test"),
            Err(NameError::BadEscape { .. })
        ));
        assert!(matches!(
            parse_name("trailing\\"),
            Err(NameError::BadEscape { .. })
        ));
    }

    #[test]
    fn idn_names_become_punycode() {
        let n = parse_name("bücher.test").map(|n| n.to_ascii());
        assert_eq!(n, Ok("xn--bcher-kva.test.".to_string()));
    }

    #[test]
    fn escaped_bytes_are_raw_octets_not_text() {
        // Found by the round-trip property in present.rs: `\195\169` (the bytes of "é" in
        // UTF-8) went through IDNA as if "é" had been typed, so a name shown by dnscope did
        // not read back as itself.
        let raw = parse_name("\\195\\169.test").expect("valid name");
        assert_eq!(raw.iter().next(), Some(&[195u8, 169][..]));
        let typed = parse_name("é.test").expect("valid name");
        assert_eq!(typed.to_ascii(), "xn--9ca.test.");
    }

    #[test]
    fn types_by_name_and_number() {
        assert_eq!(parse_rtype("a"), Ok(RecordType::A));
        assert_eq!(parse_rtype("HTTPS"), Ok(RecordType::HTTPS));
        assert_eq!(parse_rtype("naptr"), Ok(RecordType::NAPTR));
        assert_eq!(parse_rtype("TYPE1"), Ok(RecordType::A));
        assert_eq!(parse_rtype("type65280"), Ok(RecordType::Unknown(65280)));
        assert_eq!(rtype_name(RecordType::Unknown(65280)), "TYPE65280");
        assert!(parse_rtype("BOGUS").is_err());
        assert!(parse_rtype("TYPE70000").is_err());
        assert!(parse_rtype("TYPE").is_err());
    }

    #[test]
    fn reverse_names() {
        let v4: IpAddr = "192.0.2.80".parse().expect("literal");
        assert_eq!(reverse_name(v4).to_string(), "80.2.0.192.in-addr.arpa.");
        let v6: IpAddr = "2001:db8::80".parse().expect("literal");
        assert_eq!(
            reverse_name(v6).to_string(),
            "0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
    }

    #[test]
    fn query_has_edns_and_flags() {
        let opts = QueryOptions {
            recursion_desired: false,
            dnssec_ok: true,
            ..QueryOptions::default()
        };
        let name = parse_name("shop.test").expect("valid");
        let q = build_query(&name, RecordType::SOA, &opts);
        assert!(!q.metadata.recursion_desired);
        let edns = q.edns.as_ref().expect("edns");
        assert_eq!(edns.max_payload(), 1232);
        assert!(edns.flags().dnssec_ok);
    }
}
