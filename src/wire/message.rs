//! Building questions and reading names and types as users type them.
//!
//! Names and types come from the command line, so every check here produces an error a person
//! can act on, rather than hickory's terser parser messages.

use std::net::IpAddr;
use std::str::FromStr;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
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
    /// Anything else hickory refuses (bad escapes, IDNA failures, ...).
    #[error("invalid name {name:?}: {reason}")]
    Other { name: String, reason: String },
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

/// Parse a domain name as typed by a user: absolute (a trailing dot is optional),
/// internationalised names converted to their ASCII form (IDNA).
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
    let body = input.strip_suffix('.').unwrap_or(input);
    if !input.contains('\\') {
        for label in body.split('.') {
            if label.is_empty() {
                return Err(NameError::EmptyLabel { name });
            }
        }
    }
    let parsed = Name::from_utf8(input).map_err(|e| NameError::Other {
        name: name.clone(),
        reason: e.to_string(),
    });
    let parsed = match parsed {
        Ok(n) => n,
        Err(e) => {
            // Give the precise reason for the two limits people actually hit.
            if !input.contains('\\') {
                if let Some(label) = body.split('.').find(|l| l.len() > 63) {
                    return Err(NameError::LabelTooLong {
                        name,
                        label: label.to_string(),
                        len: label.len(),
                    });
                }
                let wire = body.len() + 2;
                if wire > 255 {
                    return Err(NameError::NameTooLong { name, len: wire });
                }
            }
            return Err(e);
        }
    };
    for label in parsed.iter() {
        if label.len() > 63 {
            return Err(NameError::LabelTooLong {
                name,
                label: String::from_utf8_lossy(label).into_owned(),
                len: label.len(),
            });
        }
    }
    let wire: usize = parsed.iter().map(|l| l.len() + 1).sum::<usize>() + 1;
    if wire > 255 {
        return Err(NameError::NameTooLong { name, len: wire });
    }
    let mut parsed = parsed;
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

/// Build a question: a random ID (RFC 5452 §9.2), one question, RD/CD as asked, and an EDNS0
/// OPT record with our payload size and the DO bit as asked.
pub fn build_query(name: &Name, rtype: RecordType, opts: &QueryOptions) -> Message {
    let mut message = Message::new(rand::random::<u16>(), MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = opts.recursion_desired;
    message.metadata.checking_disabled = opts.checking_disabled;
    message.add_query(Query::query(name.clone(), rtype));
    if opts.edns {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD)
            .set_dnssec_ok(opts.dnssec_ok);
        message.set_edns(edns);
    }
    message
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
    fn idn_names_become_punycode() {
        let n = parse_name("bücher.test").map(|n| n.to_ascii());
        assert_eq!(n, Ok("xn--bcher-kva.test.".to_string()));
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
