//! A plain-words reading of any record (`--explain`), and what a response as a whole means.

use dnscope::present;
use dnscope::present::Shown;
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};

/// An SOA's fields one by one (`--explain` under a negative answer): `(field, value, what it
/// means)`, the meanings from the `explain SOA` catalogue so both say the same.
pub fn soa_fields(soa: &Record) -> Vec<(&'static str, String, String)> {
    let RData::SOA(s) = &soa.data else {
        return Vec::new();
    };
    let meaning = |field: &str| -> String {
        super::catalog::type_doc("SOA")
            .and_then(|d| d.fields.iter().find(|(f, _)| *f == field))
            .map(|(_, m)| (*m).to_string())
            .unwrap_or_default()
    };
    let secs = |v: i64| format!("{v} ({})", super::human_ttl(u32::try_from(v).unwrap_or(0)));
    vec![
        ("MNAME", s.mname.wire().to_string(), meaning("MNAME")),
        (
            "RNAME",
            s.rname.wire().to_string(),
            format!("the contact: {}", mailbox(&s.rname)),
        ),
        ("SERIAL", s.serial.to_string(), meaning("SERIAL")),
        ("REFRESH", secs(i64::from(s.refresh)), meaning("REFRESH")),
        ("RETRY", secs(i64::from(s.retry)), meaning("RETRY")),
        ("EXPIRE", secs(i64::from(s.expire)), meaning("EXPIRE")),
        (
            "MINIMUM",
            secs(i64::from(s.minimum)),
            format!(
                "the negative-caching TTL: NXDOMAIN/NODATA may be cached for min(SOA TTL {}, MINIMUM {}) = {} s (RFC 2308 §5)",
                soa.ttl,
                s.minimum,
                soa.ttl.min(s.minimum)
            ),
        ),
    ]
}

/// The readings of a set of records, one line each, except that the MX records of one name
/// are read together: which is preferred and which are the backups.
pub fn readings(records: &[Record]) -> Vec<String> {
    let mut out = Vec::new();
    let mut done: Vec<&Name> = Vec::new();
    for r in records {
        let RData::MX(_) = &r.data else {
            out.push(reading(r));
            continue;
        };
        if done.contains(&&r.name) {
            continue;
        }
        done.push(&r.name);
        let set: Vec<(&Record, u16, &Name)> = records
            .iter()
            .filter(|x| x.name == r.name)
            .filter_map(|x| match &x.data {
                RData::MX(mx) => Some((x, mx.preference, &mx.exchange)),
                _ => None,
            })
            .collect();
        match mx_set(&set) {
            Some(text) => out.push(text),
            None => out.push(reading(r)),
        }
    }
    out
}

/// The MX records of one name in one sentence.
fn mx_set(set: &[(&Record, u16, &Name)]) -> Option<String> {
    let (first, _, _) = set.first()?;
    let owner = present::name(&first.name);
    if let [(r, p, exchange)] = set {
        return Some(format!(
            "mail for {owner} goes to {}, preference {p}: the only MX record, so there is no backup; kept in caches up to {} s",
            exchange.wire(),
            r.ttl
        ));
    }
    let best = set.iter().map(|(_, p, _)| *p).min()?;
    let names = |want: &dyn Fn(u16) -> bool| -> Vec<String> {
        let mut v: Vec<(u16, String)> = set
            .iter()
            .filter(|(_, p, _)| want(*p))
            .map(|(_, p, n)| (*p, format!("{} ({p})", n.wire())))
            .collect();
        v.sort();
        v.into_iter().map(|(_, s)| s).collect()
    };
    let preferred = names(&|p| p == best);
    let backups = names(&|p| p != best);
    let ttl = set.iter().map(|(r, _, _)| r.ttl).min().unwrap_or(0);
    let head = if preferred.len() == 1 {
        format!(
            "mail for {owner} goes to {}: the lowest preference number, so it is preferred",
            preferred.join(", ")
        )
    } else {
        format!(
            "mail for {owner} goes to {}: they share the lowest preference number, so senders spread mail among them",
            preferred.join(", ")
        )
    };
    let tail = if backups.is_empty() {
        String::new()
    } else {
        format!(
            "; the other{} {} backup{}, tried in order of number when the preferred cannot be reached: {}",
            if backups.len() == 1 { "" } else { "s" },
            if backups.len() == 1 { "is a" } else { "are" },
            if backups.len() == 1 { "" } else { "s" },
            backups.join(", ")
        )
    };
    Some(format!("{head}{tail}; kept in caches up to {ttl} s"))
}

/// A one-line reading of a record's fields, in plain words.
pub fn reading(r: &Record) -> String {
    let owner = dnscope::present::name(&r.name);
    let data = present::rdata(&r.data);
    let ttl = format!("kept in caches up to {} s", r.ttl);
    let text = match &r.data {
        RData::A(a) => format!("{owner} has the IPv4 address {a}"),
        RData::AAAA(a) => format!("{owner} has the IPv6 address {a}"),
        RData::NS(ns) => format!(
            "the zone {owner} is served by the name server {}",
            ns.0.wire()
        ),
        RData::CNAME(c) => format!(
            "{owner} is an alias: its canonical name is {}, where a resolver continues the lookup",
            c.0.wire()
        ),
        RData::PTR(p) => format!(
            "the address behind {owner} maps back to the name {}",
            p.0.wire()
        ),
        RData::MX(mx) => format!(
            "mail for {owner} goes to {}, preference {} (the lowest number among the MX records is preferred; higher ones are backups)",
            mx.exchange.wire(),
            mx.preference
        ),
        RData::SOA(s) => format!(
            "zone {owner}: primary server {}, contact {}, version (serial) {}; secondaries check every {} s (retry {} s) and stop answering after {} s without the primary; negative answers may be cached {} s (the smaller of this record's TTL and MINIMUM)",
            s.mname.wire(),
            mailbox(&s.rname),
            s.serial,
            s.refresh,
            s.retry,
            s.expire,
            s.minimum.min(r.ttl)
        ),
        RData::SRV(s) => format!(
            "the service {owner} runs on {} port {}; priority {} (lower first), weight {} (share among equal priorities)",
            s.target.wire(),
            s.port,
            s.priority,
            s.weight
        ),
        RData::TXT(_) if data.contains("v=spf1") => {
            format!("an SPF policy: which servers may send mail as {owner} ({data})")
        }
        RData::TXT(_) => format!("free text attached to {owner}: {data}"),
        RData::CAA(_) => {
            let parts: Vec<&str> = data.splitn(3, ' ').collect();
            let rule = match parts.as_slice() {
                [_, "issue", v] if v.trim_matches('"').starts_with(';') => {
                    format!("tag issue: no CA may issue certificates for {owner}")
                }
                [_, "issue", v] => {
                    format!("tag issue: only the CA {v} may issue certificates for {owner}")
                }
                [_, "issuewild", v] => format!(
                    "tag issuewild: only the CA {v} may issue wildcard certificates (*.{owner})"
                ),
                [_, "iodef", v] => format!(
                    "tag iodef: CAs report certificate requests that break the policy for {owner} to {v}"
                ),
                [_, tag, v] => {
                    format!("tag {tag} (value {v}): a certificate-authority rule for {owner}")
                }
                _ => format!("a certificate-authority rule for {owner}: {data}"),
            };
            let flag = match parts.first().and_then(|f| f.parse::<u8>().ok()) {
                Some(f) if f & 128 != 0 => format!(
                    "flag {f}: critical (a CA that does not understand this tag must not issue)"
                ),
                Some(f) => format!(
                    "flag {f}: not critical (a CA that does not understand this tag may ignore it; 128 would make it critical)"
                ),
                None => String::new(),
            };
            if flag.is_empty() {
                rule
            } else {
                format!("{rule}; {flag}")
            }
        }
        RData::HTTPS(_) | RData::SVCB(_) => svcb(&owner, &data),
        RData::NAPTR(_) => format!(
            "a rewriting rule for {owner} (order, preference, flags, service, regexp, replacement): {data}"
        ),
        _ => format!("a {} record of {owner}: {data}", present::rtype(r)),
    };
    format!("{text}; {ttl}")
}

fn svcb(owner: &str, data: &str) -> String {
    let mut words = data.split_whitespace();
    let priority = words.next().unwrap_or("?");
    let target = words.next().unwrap_or(".");
    let params: Vec<&str> = words.collect();
    let target = if target == "." { owner } else { target };
    if priority == "0" {
        return format!("{owner} is served by {target} (alias mode)");
    }
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
    format!("clients may connect to {target}{alpn} (priority {priority}; lower is preferred)")
}

/// RNAME's first label is the mailbox's local part (RFC 1035 §8); it may itself contain a
/// dot, escaped in presentation form (john\.doe.example.com = john.doe@example.com).
pub fn mailbox(rname: &Name) -> String {
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

/// What a response as a whole means (`query --explain`).
pub fn response(m: &Message) -> String {
    let h = &m.metadata;
    let aa = if h.authoritative {
        "The server is authoritative for the name (AA flag)"
    } else if h.recursion_available {
        "A recursive resolver answered (RA flag), from its cache or after asking for you"
    } else {
        "The server is not authoritative here (no AA flag)"
    };
    let referral = m
        .authorities
        .iter()
        .any(|r| r.record_type() == RecordType::NS);
    let what = match h.response_code {
        ResponseCode::NXDomain => "the name does not exist (NXDOMAIN); the SOA in the authority section says how long that may be cached".to_string(),
        ResponseCode::NoError if !m.answers.is_empty() => "it answered the question".to_string(),
        ResponseCode::NoError if referral && !h.authoritative => {
            "this is a referral: the NS records in the authority section name the servers to ask next, and the additional section gives their addresses (glue)".to_string()
        }
        ResponseCode::NoError => "the name exists but has no record of this type (NODATA)".to_string(),
        ResponseCode::Refused => "it refused: it does not serve this zone (or does not answer us)".to_string(),
        ResponseCode::ServFail => "it failed to find an answer (SERVFAIL)".to_string(),
        other => format!("it answered {}", present::rcode(other)),
    };
    format!("{aa}; {what}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{MX, SOA};

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
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
            reading(&mx),
            "mail for shop.test. goes to mail.shop.test., preference 10 (the lowest number among the MX records is preferred; higher ones are backups); kept in caches up to 3600 s"
        );
        // Read as a set: the preferred one and the backups, by name.
        let backup = Record::from_rdata(
            n("shop.test."),
            600,
            RData::MX(MX::new(20, n("backup.shop.test."))),
        );
        let also = Record::from_rdata(
            n("shop.test."),
            3600,
            RData::MX(MX::new(30, n("last.shop.test."))),
        );
        assert_eq!(
            readings(&[backup.clone(), mx.clone(), also]),
            [
                "mail for shop.test. goes to mail.shop.test. (10): the lowest preference number, so it is preferred; the others are backups, tried in order of number when the preferred cannot be reached: backup.shop.test. (20), last.shop.test. (30); kept in caches up to 600 s"
            ]
        );
        let twin = Record::from_rdata(
            n("shop.test."),
            3600,
            RData::MX(MX::new(10, n("mail2.shop.test."))),
        );
        assert!(
            readings(&[mx.clone(), twin])[0].contains("they share the lowest preference number")
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
        let text = reading(&soa);
        assert!(text.contains("contact hostmaster@shop.test"), "{text}");
        assert!(
            text.contains("negative answers may be cached 300 s"),
            "{text}"
        );
    }
}
