//! One zone's link of the chain of trust in words (its DS, DNSKEYs and RRSIGs, its status,
//! the narration of `--explain`), RRSIGs as `query` reads them out, and Extended DNS Errors
//! (RFC 8914) by name.

use dnscope::dnssec::{Indeterminate, InsecureWhy, KeySeen, SigResult, SigSeen, Status, ZoneCheck};
use dnscope::present::Shown;
use dnscope::wire::rtype_name;

use super::dnssec::{bogus, date, indeterminate, insecure, relative, short, verdict_kind};
use super::{Mood, Said};

/// What one RRSIG came to, short: "valid until 2026-12-30 (in 30 d)".
pub fn sig_result(s: &SigSeen, now: u32) -> Said {
    match s.result {
        SigResult::Valid => Said::new(
            "valid",
            format!("valid, expires {}", relative(s.expiration, now)),
            Mood::Good,
        ),
        SigResult::Expired => Said::new(
            "expired",
            format!(
                "expired {} ({})",
                relative(s.expiration, now),
                date(s.expiration)
            ),
            Mood::Bad,
        ),
        SigResult::NotYetValid => Said::new(
            "not_yet_valid",
            format!(
                "not valid until {} ({})",
                date(s.inception),
                relative(s.inception, now)
            ),
            Mood::Bad,
        ),
        SigResult::BadSignature => Said::new("bad_signature", "does not verify", Mood::Bad),
        SigResult::NoKey => Said::new("no_key", "no DNSKEY has this key tag", Mood::Bad),
        SigResult::UnsupportedAlgorithm => Said::new(
            "unsupported_algorithm",
            format!("algorithm {} is not implemented here", s.algorithm),
            Mood::Warn,
        ),
        SigResult::WrongSigner => Said::new(
            "wrong_signer",
            format!("signed by {}, not by the zone", s.signer.wire()),
            Mood::Bad,
        ),
        SigResult::NotChecked => Said::new(
            "not_checked",
            "not checked (work limit reached)",
            Mood::Warn,
        ),
    }
}

/// A DNSKEY, short: "40310 (KSK)".
pub fn key(k: &KeySeen) -> String {
    let role = match k.flags {
        257 => "KSK",
        256 => "ZSK",
        f if f & 0x80 != 0 => "revoked",
        _ => "other",
    };
    format!("{} ({role}, {})", k.key_tag, algorithm(k.algorithm))
}

/// A DNSSEC algorithm number's name.
pub fn algorithm(n: u8) -> &'static str {
    match n {
        5 => "RSASHA1",
        7 => "RSASHA1-NSEC3-SHA1",
        8 => "RSASHA256",
        10 => "RSASHA512",
        13 => "ECDSAP256SHA256",
        14 => "ECDSAP384SHA384",
        15 => "ED25519",
        16 => "ED448",
        253 => "PRIVATEDNS",
        _ => "unknown",
    }
}

/// A DS digest type's name.
pub fn digest(n: u8) -> &'static str {
    match n {
        1 => "SHA-1",
        2 => "SHA-256",
        4 => "SHA-384",
        _ => "unknown",
    }
}

/// The lines of one zone's chain link, for the step that asked that zone's servers.
pub fn zone_lines(z: &ZoneCheck, now: u32) -> Vec<(String, Mood)> {
    let mut out = Vec::new();
    if z.anchored {
        out.push(("its key is a trust anchor".to_string(), Mood::Quiet));
    }
    if !z.ds.is_empty() {
        let ds: Vec<String> =
            z.ds.iter()
                .map(|d| {
                    let unknown = !matches!(d.algorithm, 5 | 7 | 8 | 10 | 13 | 14 | 15)
                        || digest(d.digest_type) == "unknown";
                    format!(
                        "{} ({} {}){}",
                        d.key_tag,
                        algorithm(d.algorithm),
                        digest(d.digest_type),
                        if d.matched {
                            " → matches"
                        } else if unknown {
                            " → not checked: unknown here"
                        } else {
                            " → matches no DNSKEY"
                        }
                    )
                })
                .collect();
        let mood = if z.ds.iter().any(|d| d.matched) || !matches!(z.status, Status::Bogus(_)) {
            Mood::Good
        } else {
            Mood::Bad
        };
        out.push((format!("DS from the parent: {}", ds.join(", ")), mood));
    }
    if !z.keys.is_empty() {
        let keys: Vec<String> = z.keys.iter().take(6).map(key).collect();
        let more = z.keys.len().saturating_sub(6);
        out.push((
            format!(
                "DNSKEY {}{}",
                keys.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
            Mood::Quiet,
        ));
    }
    // One line per RRset: its first decisive RRSIG (a valid one, else the first), and how
    // many more there were.
    let mut done: Vec<(String, u16)> = Vec::new();
    for s in &z.sigs {
        let id = (
            format!("{} {}", s.rrset.name.wire(), rtype_name(s.rrset.rtype)),
            0,
        );
        if done.iter().any(|d| d.0 == id.0) {
            continue;
        }
        let same: Vec<&SigSeen> = z.sigs.iter().filter(|x| x.rrset == s.rrset).collect();
        let shown = same
            .iter()
            .find(|x| x.result == SigResult::Valid)
            .copied()
            .unwrap_or(s);
        let r = sig_result(shown, now);
        let more = if same.len() > 1 {
            format!(" ({} RRSIGs)", same.len())
        } else {
            String::new()
        };
        out.push((
            format!("RRSIG {} by {}: {}{more}", id.0, shown.key_tag, r.text),
            r.mood,
        ));
        done.push(id);
    }
    out
}

/// One zone's status as a step shows it: its own link, or the zone above it that decided.
pub fn zone_status(z: &ZoneCheck) -> Said {
    let kind = verdict_kind(&z.status);
    match &z.status {
        Status::Secure => Said::new(kind, "secure", Mood::Good),
        Status::Insecure(i) if i.zone == z.zone => {
            let how = match &i.why {
                InsecureWhy::NoDs { nsec3: true } => {
                    "the parent proves with a signed NSEC3 that there is no DS".to_string()
                }
                InsecureWhy::NoDs { nsec3: false } => {
                    "the parent proves with a signed NSEC that there is no DS".to_string()
                }
                InsecureWhy::OptOut => {
                    "it lies in an NSEC3 opt-out span of the parent: no DS".to_string()
                }
                _ => insecure(i),
            };
            Said::new(kind, format!("insecure: not signed; {how}"), Mood::Quiet)
        }
        Status::Insecure(i) => Said::new(
            kind,
            format!("insecure: below {}, which is not signed", i.zone.wire()),
            Mood::Quiet,
        ),
        Status::Bogus(b) if b.zone == z.zone => {
            Said::new(kind, format!("BOGUS: {}", short(&b.why)), Mood::Bad)
        }
        Status::Bogus(b) => Said::new(
            kind,
            format!("bogus: below {}, whose chain is broken", b.zone.wire()),
            Mood::Bad,
        ),
        Status::Indeterminate(Indeterminate::NoAnchor) => Said::new(
            kind,
            "not validated: no trust anchor covers this zone",
            Mood::Quiet,
        ),
        Status::Indeterminate(i) => Said::new(kind, indeterminate(i), Mood::Warn),
    }
}

/// With `--explain`: one zone's link of the chain in plain words.
pub fn narrate(
    z: &ZoneCheck,
    parent: Option<&hickory_proto::rr::Name>,
    now: u32,
) -> Option<String> {
    let zone = z.zone.wire();
    let ksk: Vec<String> = z
        .keys
        .iter()
        .filter(|k| k.trusted)
        .map(|k| k.key_tag.to_string())
        .collect();
    let zsk: Vec<String> = z
        .keys
        .iter()
        .filter(|k| !k.trusted && k.flags & 0x0100 != 0)
        .map(|k| k.key_tag.to_string())
        .collect();
    let signs = if zsk.is_empty() {
        String::new()
    } else {
        format!(
            "; the other key{} ({}) sign{} the zone's data",
            if zsk.len() == 1 { "" } else { "s" },
            zsk.join(", "),
            if zsk.len() == 1 { "s" } else { "" }
        )
    };
    Some(match &z.status {
        Status::Secure if z.anchored => format!(
            "{zone}'s key {} is a trust anchor: it signs {zone}'s DNSKEY RRset, so every key in it is trusted{signs}.",
            ksk.join(", ")
        ),
        Status::Secure => format!(
            "{} vouches for {zone}: the DS it handed down (signed with its own key) matches {zone}'s key {}, and that key signs {zone}'s DNSKEY RRset, so every key in it is trusted{signs}.",
            parent.map_or_else(|| "The parent".to_string(), |p| p.wire().to_string()),
            ksk.join(", ")
        ),
        Status::Insecure(i) if i.zone == z.zone => format!(
            "{zone} is not signed, and its parent proves it has no DS: a validating resolver accepts its data unvalidated (insecure, RFC 4035 §4.3), without the AD flag."
        ),
        Status::Bogus(b) if b.zone == z.zone => format!(
            "This is where the chain breaks: {}",
            bogus(b, now)
                .split(": ")
                .skip(1)
                .collect::<Vec<_>>()
                .join(": ")
        ),
        _ => return None,
    })
}

/// An Extended DNS Error as a server sent it: "EDE 7 (Signature Expired): text".
pub fn ede(e: &dnscope::wire::Ede) -> String {
    match &e.text {
        Some(t) => format!("{} ({}): {t}", e.code, ede_name(e.code)),
        None => format!("{} ({})", e.code, ede_name(e.code)),
    }
}

/// An RRSIG record read out: what it covers, which key, and its validity window.
pub fn rrsig(r: &hickory_proto::rr::Record, now: u32) -> Option<String> {
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::rr::RData;
    let RData::DNSSEC(DNSSECRData::RRSIG(sig)) = &r.data else {
        return None;
    };
    let i = sig.input();
    let (from, until) = (i.sig_inception.get(), i.sig_expiration.get());
    let state = if now < from {
        format!("not valid yet: from {}", relative(from, now))
    } else if now > until {
        format!("expired {}", relative(until, now))
    } else {
        format!("expires {}", relative(until, now))
    };
    Some(format!(
        "RRSIG over {} {}: key {} of {} ({}), valid {} to {}, {state}",
        r.name.wire(),
        rtype_name(i.type_covered),
        i.key_tag,
        i.signer_name.wire(),
        algorithm(u8::from(i.algorithm)),
        date(from),
        date(until)
    ))
}

/// An Extended DNS Error code's name (RFC 8914 §5 and the IANA registry).
pub fn ede_name(code: u16) -> &'static str {
    match code {
        0 => "Other Error",
        1 => "Unsupported DNSKEY Algorithm",
        2 => "Unsupported DS Digest Type",
        3 => "Stale Answer",
        4 => "Forged Answer",
        5 => "DNSSEC Indeterminate",
        6 => "DNSSEC Bogus",
        7 => "Signature Expired",
        8 => "Signature Not Yet Valid",
        9 => "DNSKEY Missing",
        10 => "RRSIGs Missing",
        11 => "No Zone Key Bit Set",
        12 => "NSEC Missing",
        13 => "Cached Error",
        14 => "Not Ready",
        15 => "Blocked",
        16 => "Censored",
        17 => "Filtered",
        18 => "Prohibited",
        19 => "Stale NXDomain Answer",
        20 => "Not Authoritative",
        21 => "Not Supported",
        22 => "No Reachable Authority",
        23 => "Network Error",
        24 => "Invalid Data",
        25 => "Signature Expired before Valid",
        26 => "Too Early",
        27 => "Unsupported NSEC3 Iterations Value",
        28 => "Unable to conform to policy",
        29 => "Synthesized",
        30 => "Invalid Query Type",
        _ => "unassigned",
    }
}
