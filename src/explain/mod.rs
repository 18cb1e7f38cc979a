//! Explanations for classrooms: what each record type and field means (`dnscope explain`),
//! a one-line reading of any record, and a sentence for each step of a trace (`--explain`).
//!
//! Text only: the renderers decide where it goes.

mod catalog;

use hickory_proto::rr::{RData, Record};

pub use catalog::{CONCEPTS, ConceptDoc, TYPES, TypeDoc};

use crate::present;
use crate::trace::{Purpose, Step, Trace, Verdict};

/// The documentation of a record type, by mnemonic (any case).
pub fn type_doc(name: &str) -> Option<&'static TypeDoc> {
    TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The documentation of a concept, by name or alias (any case).
pub fn concept(name: &str) -> Option<&'static ConceptDoc> {
    let wanted = name.to_ascii_lowercase();
    CONCEPTS
        .iter()
        .find(|c| c.name == wanted || c.aliases.contains(&wanted.as_str()))
}

/// A one-line reading of a record's fields, in plain words.
pub fn read_record(r: &Record) -> String {
    let owner = r.name.to_string();
    let data = present::rdata(&r.data);
    let ttl = format!("kept in caches up to {} s", r.ttl);
    let text = match &r.data {
        RData::A(a) => format!("{owner} has the IPv4 address {a}"),
        RData::AAAA(a) => format!("{owner} has the IPv6 address {a}"),
        RData::NS(ns) => format!("the zone {owner} is served by the name server {}", ns.0),
        RData::CNAME(c) => format!(
            "{owner} is an alias: its canonical name is {}, where a resolver continues the lookup",
            c.0
        ),
        RData::PTR(p) => format!("the address behind {owner} maps back to the name {}", p.0),
        RData::MX(mx) => format!(
            "mail for {owner} goes to {}, preference {}: lower is tried first",
            mx.exchange, mx.preference
        ),
        RData::SOA(s) => format!(
            "zone {owner}: primary server {}, contact {}, version (serial) {}; secondaries check every {} s (retry {} s) and stop answering after {} s without the primary; negative answers may be cached {} s (the smaller of this record's TTL and MINIMUM)",
            s.mname,
            mailbox(&s.rname),
            s.serial,
            s.refresh,
            s.retry,
            s.expire,
            s.minimum.min(r.ttl)
        ),
        RData::SRV(s) => format!(
            "the service {owner} runs on {} port {}; priority {} (lower first), weight {} (share among equal priorities)",
            s.target, s.port, s.priority, s.weight
        ),
        RData::TXT(_) if data.contains("v=spf1") => {
            format!("an SPF policy: which servers may send mail as {owner} ({data})")
        }
        RData::TXT(_) => format!("free text attached to {owner}: {data}"),
        RData::CAA(_) => {
            let parts: Vec<&str> = data.splitn(3, ' ').collect();
            match parts.as_slice() {
                [_, "issue", v] => format!("only the CA {v} may issue certificates for {owner}"),
                [_, "issuewild", v] => {
                    format!("only the CA {v} may issue wildcard certificates for {owner}")
                }
                [_, "iodef", v] => format!(
                    "CAs report certificate requests that break the policy for {owner} to {v}"
                ),
                _ => format!("a certificate-authority rule for {owner}: {data}"),
            }
        }
        RData::HTTPS(_) | RData::SVCB(_) => {
            let mut words = data.split_whitespace();
            let priority = words.next().unwrap_or("?");
            let target = words.next().unwrap_or(".");
            let params: Vec<&str> = words.collect();
            let target = if target == "." {
                owner.clone()
            } else {
                target.to_string()
            };
            if priority == "0" {
                format!("{owner} is served by {target} (alias mode)")
            } else {
                let alpn = params
                    .iter()
                    .find_map(|p| p.strip_prefix("alpn="))
                    .map(|a| {
                        let names: Vec<&str> = a
                            .split(',')
                            .map(|p| match p {
                                "h2" => "HTTP/2",
                                "h3" => "HTTP/3 (QUIC)",
                                "http/1.1" => "HTTP/1.1",
                                other => other,
                            })
                            .collect();
                        format!(", speaking {}", names.join(" and "))
                    })
                    .unwrap_or_default();
                format!(
                    "clients may connect to {target}{alpn} (priority {priority}; lower is preferred)"
                )
            }
        }
        RData::NAPTR(_) => format!(
            "a rewriting rule for {owner} (order, preference, flags, service, regexp, replacement): {data}"
        ),
        _ => format!("a {} record of {owner}: {data}", present::rtype(r)),
    };
    format!("{text}; {ttl}")
}

/// RNAME's first label is the mailbox's local part (RFC 1035 §8); it may itself contain a
/// dot, escaped in presentation form (john\.doe.example.com = john.doe@example.com).
pub fn mailbox(rname: &hickory_proto::rr::Name) -> String {
    let labels: Vec<String> = rname
        .iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    match labels.split_first() {
        Some((user, domain)) if !domain.is_empty() => format!("{user}@{}", domain.join(".")),
        Some((user, _)) => user.clone(),
        None => String::new(),
    }
}

/// A sentence saying what happened at a step of a trace, and why.
pub fn read_step(t: &Trace, index: usize) -> Option<String> {
    let s: &Step = t.steps.get(index)?;
    let who = if s.zone.is_root() {
        "The root".to_string()
    } else {
        format!("The servers of {}", s.zone)
    };
    let purpose = match &s.purpose {
        Purpose::Resolve => String::new(),
        Purpose::NsAddress { for_zone } => {
            format!(
                " (this lookup only finds the address of a server of {for_zone}, whose delegation came without glue)"
            )
        }
    };
    let text = match s.verdict() {
        Some(Verdict::Referral(r)) => {
            let n = r.ns.len();
            let with_glue = r
                .ns
                .iter()
                .filter(|(ns, _)| r.glue.iter().any(|g| g.name.to_lowercase() == *ns))
                .count();
            let root = s.zone.is_root();
            let (subject, give, refer) = if root {
                ("it", "gives", "refers")
            } else {
                ("they", "give", "refer")
            };
            let (their, addresses, names_lie, those) = if n == 1 {
                ("its", "address", "its name lies", "that name")
            } else {
                ("their", "addresses", "their names lie", "those names")
            };
            let glue = if with_glue == n {
                format!("and {give} {their} {addresses} (glue), so no extra lookup is needed")
            } else if with_glue == 0 {
                format!(
                    "but cannot give {their} {addresses} ({names_lie} outside the zone: no glue), so {those} must be looked up first"
                )
            } else {
                format!("and {give} the addresses of {with_glue} of them (glue)")
            };
            format!(
                "{who} do{} not hold {} itself; {subject} {refer} you to the {n} server{} of {} {glue}.",
                if root { "es" } else { "" },
                s.qname,
                if n == 1 { "" } else { "s" },
                r.zone
            )
        }
        Some(Verdict::Answer { cnames, records }) => {
            let chain = if cnames.is_empty() {
                String::new()
            } else {
                format!(" after following {} alias(es) inside the zone", cnames.len())
            };
            format!(
                "{who} hold{} {} (AA flag: authoritative) and answer{chain}: {} record{}.",
                if s.zone.is_root() { "s" } else { "" },
                s.qname,
                records.len(),
                if records.len() == 1 { "" } else { "s" }
            )
        }
        Some(Verdict::Cname { target, .. }) => format!(
            "{} is an alias for {target}, which is not in {}: the lookup continues from the closest zone already known for {target}.",
            s.qname, s.zone
        ),
        Some(Verdict::NxDomain(n)) => format!(
            "{who} say {} does not exist (NXDOMAIN){}.",
            s.qname,
            n.ttl
                .map(|t| format!("; resolvers may remember that for {t} s (the smaller of the SOA's TTL and MINIMUM, RFC 2308)"))
                .unwrap_or_default()
        ),
        Some(Verdict::NoData(n)) => format!(
            "{} exists but has no {} record (NODATA){}.",
            s.qname,
            crate::wire::rtype_name(s.qtype),
            n.ttl
                .map(|t| format!("; resolvers may remember that for {t} s (RFC 2308)"))
                .unwrap_or_default()
        ),
        _ => {
            if s.attempts.is_empty() {
                format!("No server of {} could be asked.", s.zone)
            } else {
                format!(
                    "None of the {} server(s) of {} asked gave a usable answer, so the lookup cannot go on from here.",
                    s.attempts.len(),
                    s.zone
                )
            }
        }
    };
    Some(format!("{text}{purpose}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::Name;
    use hickory_proto::rr::rdata::{MX, SOA};

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    #[test]
    fn every_type_query_knows_is_documented() {
        for t in [
            "A", "AAAA", "NS", "CNAME", "SOA", "MX", "TXT", "SRV", "CAA", "PTR", "DS", "DNSKEY",
            "RRSIG", "NSEC", "NSEC3", "SVCB", "HTTPS", "NAPTR", "TLSA", "SSHFP", "DNAME", "HINFO",
        ] {
            let doc = type_doc(t).unwrap_or_else(|| panic!("{t} undocumented"));
            assert!(!doc.fields.is_empty() && doc.rfc.starts_with("RFC"), "{t}");
            assert!(!doc.mistakes.is_empty(), "{t}");
            assert!(doc.example.contains(t), "{t}: example {:?}", doc.example);
        }
    }

    #[test]
    fn concepts_by_name_and_alias() {
        for c in [
            "ttl",
            "glue",
            "referral",
            "negative-caching",
            "zone-cut",
            "authoritative",
        ] {
            assert!(concept(c).is_some(), "{c}");
        }
        assert_eq!(
            concept("NXDOMAIN").map(|c| c.name),
            Some("negative-caching")
        );
    }

    #[test]
    fn a_mailbox_with_a_dot_in_its_local_part() {
        let rname = Name::from_ascii("john\\.doe.shop.test.").expect("name");
        assert_eq!(mailbox(&rname), "john.doe@shop.test");
    }

    #[test]
    fn records_read_in_plain_words() {
        let mx = Record::from_rdata(
            n("shop.test."),
            3600,
            RData::MX(MX::new(10, n("mail.shop.test."))),
        );
        assert_eq!(
            read_record(&mx),
            "mail for shop.test. goes to mail.shop.test., preference 10: lower is tried first; kept in caches up to 3600 s"
        );
        let soa = Record::from_rdata(
            n("shop.test."),
            3600,
            RData::SOA(SOA::new(
                n("ns1.shop.test."),
                n("hostmaster.shop.test."),
                7,
                7200,
                3600,
                1_209_600,
                300,
            )),
        );
        let text = read_record(&soa);
        assert!(text.contains("contact hostmaster@shop.test"), "{text}");
        assert!(
            text.contains("negative answers may be cached 300 s"),
            "{text}"
        );
    }
}
