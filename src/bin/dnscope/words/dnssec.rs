//! DNSSEC in words: a verdict and its reason, each zone's chain link (DS, DNSKEY, RRSIGs),
//! signature times as people read them ("expired 2 d ago", "valid 30 d more"), the stable
//! codes of the JSON (`signature-expired`, `ds-mismatch`, …), and the Extended DNS Errors
//! (RFC 8914) resolvers attach.

use dnscope::dnssec::{
    Bogus, BogusWhy, DenialProblem, Indeterminate, Insecure, InsecureWhy, KeySeen, Report,
    SigResult, SigSeen, Status, ZoneCheck,
};
use dnscope::present::Shown;
use dnscope::wire::rtype_name;

use super::{Mood, Said};

/// The verdict's one word, for JSON and table cells.
pub fn verdict_kind(s: &Status) -> &'static str {
    match s {
        Status::Secure => "secure",
        Status::Insecure(_) => "insecure",
        Status::Bogus(_) => "bogus",
        Status::Indeterminate(_) => "indeterminate",
    }
}

/// The stable kebab-case reason code (None for secure).
pub fn code(s: &Status) -> Option<&'static str> {
    Some(match s {
        Status::Secure => return None,
        Status::Insecure(Insecure { why, .. }) => match why {
            InsecureWhy::NoDs { .. } => "no-ds",
            InsecureWhy::OptOut => "opt-out",
            InsecureWhy::UnsupportedAlgorithm { .. } => "unsupported-algorithm",
            InsecureWhy::UnsupportedDigest { .. } => "unsupported-digest",
            InsecureWhy::Nsec3Iterations { .. } => "nsec3-iterations",
            InsecureWhy::Unsigned => "unsigned",
        },
        Status::Bogus(Bogus { why, .. }) => match why {
            BogusWhy::SignatureExpired { .. } => "signature-expired",
            BogusWhy::SignatureNotYetValid { .. } => "signature-not-yet-valid",
            BogusWhy::BadSignature { .. } => "bad-signature",
            BogusWhy::RrsigMissing { .. } => "rrsig-missing",
            BogusWhy::NoMatchingKey { .. } => "no-matching-key",
            BogusWhy::SignerNotApex { .. } => "signer-not-apex",
            BogusWhy::DsMismatch { .. } => "ds-mismatch",
            BogusWhy::DnskeyMissing => "dnskey-missing",
            BogusWhy::AnchorMismatch { .. } => "anchor-mismatch",
            BogusWhy::NoDsProof => "no-ds-proof",
            BogusWhy::DenialMissing { .. } => "nsec-missing",
            BogusWhy::DenialInvalid { .. } => "nsec-proof-invalid",
            BogusWhy::TooMuchWork { .. } => "too-much-work",
        },
        Status::Indeterminate(i) => match i {
            Indeterminate::NoAnchor => "no-trust-anchor",
            Indeterminate::Unreachable { .. } => "keys-unreachable",
        },
    })
}

/// The zone where the verdict was decided (where the chain broke or became insecure).
pub fn zone(s: &Status) -> Option<String> {
    match s {
        Status::Insecure(Insecure { zone, .. }) | Status::Bogus(Bogus { zone, .. }) => {
            Some(dnscope::present::name(zone))
        }
        Status::Indeterminate(Indeterminate::Unreachable { zone, .. }) => {
            Some(dnscope::present::name(zone))
        }
        _ => None,
    }
}

/// How long ago or from now `t` is, relative to `now` (Unix seconds): "in 30 d", "2 d ago".
pub fn relative(t: u32, now: u32) -> String {
    let (ahead, secs) = if t >= now {
        (true, t - now)
    } else {
        (false, now - t)
    };
    // Rounded to the nearest unit, so that "30 d" stays 30 d a second after signing.
    let span = if secs >= 2 * 86400 {
        format!("{} d", (secs + 43_200) / 86400)
    } else if secs >= 2 * 3600 {
        format!("{} h", (secs + 1800) / 3600)
    } else if secs >= 120 {
        format!("{} min", (secs + 30) / 60)
    } else {
        format!("{secs} s")
    };
    if ahead {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// A Unix time as a UTC date and time: 2026-11-30 17:00 UTC.
pub fn date(t: u32) -> String {
    let days = i64::from(t / 86400);
    let secs = t % 86400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs / 60) % 60
    )
}

fn rrset(r: &dnscope::dnssec::RrsetId) -> String {
    format!("{} {}", r.name.wire(), rtype_name(r.rtype))
}

fn tags(t: &[u16]) -> String {
    t.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

/// The verdict as a sentence: what it is and why, in words a newcomer can follow.
pub fn verdict(s: &Status, now: u32) -> Said {
    let kind = verdict_kind(s);
    match s {
        Status::Secure => Said::new(
            kind,
            "secure: every link from the trust anchor down to the answer verifies",
            Mood::Good,
        ),
        Status::Insecure(i) => Said::new(kind, insecure(i), Mood::Quiet),
        Status::Bogus(b) => Said::new(kind, bogus(b, now), Mood::Bad),
        Status::Indeterminate(i) => Said::new(kind, indeterminate(i), Mood::Warn),
    }
}

fn insecure(i: &Insecure) -> String {
    let z = i.zone.wire();
    match &i.why {
        InsecureWhy::NoDs { nsec3 } => format!(
            "insecure: {z} is not signed, and its signed parent proves (with a signed {}) that it has no DS, so nothing below it can be validated; validating resolvers answer it without the AD flag",
            if *nsec3 { "NSEC3" } else { "NSEC" }
        ),
        InsecureWhy::OptOut => format!(
            "insecure: {z} lies in an NSEC3 opt-out span of its parent (unsigned delegations are not listed), so it has no DS and is not validated"
        ),
        InsecureWhy::UnsupportedAlgorithm { algorithms } => format!(
            "insecure: {z} is signed only with algorithm(s) {} that this validator does not implement, so it is treated as unsigned (RFC 4035 §5.2)",
            algorithms
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        InsecureWhy::UnsupportedDigest { digests } => format!(
            "insecure: the DS records for {z} use digest type(s) {} that this validator does not implement, so it is treated as unsigned",
            digests
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        InsecureWhy::Unsigned => {
            "unsigned: nothing in the answer is signed (no RRSIG), so there is nothing to validate"
                .to_string()
        }
        InsecureWhy::Nsec3Iterations { iterations, limit } => format!(
            "insecure: {z}'s NSEC3 records use {iterations} iterations, above the {limit} validators compute (RFC 9276; Unbound and BIND), so its proofs are not checked and its negative answers count as insecure"
        ),
    }
}

fn bogus(b: &Bogus, now: u32) -> String {
    let z = b.zone.wire();
    let why = match &b.why {
        BogusWhy::SignatureExpired {
            rrset: r,
            expired_at,
        } => format!(
            "the RRSIGs over {} expired {} ({}): the zone's signer stopped re-signing",
            rrset(r),
            relative(*expired_at, now),
            date(*expired_at)
        ),
        BogusWhy::SignatureNotYetValid {
            rrset: r,
            valid_from,
        } => format!(
            "the RRSIGs over {} only become valid {} ({}): a signer with its clock ahead, or a validator's clock behind",
            rrset(r),
            relative(*valid_from, now),
            date(*valid_from)
        ),
        BogusWhy::BadSignature { rrset: r, key_tags } => format!(
            "the RRSIGs over {} (key tag {}) do not verify: the data is not what was signed",
            rrset(r),
            tags(key_tags)
        ),
        BogusWhy::RrsigMissing { rrset: r } => {
            format!("{} came without any RRSIG, though {z} is signed", rrset(r))
        }
        BogusWhy::NoMatchingKey { rrset: r, key_tags } => format!(
            "the RRSIGs over {} name key tag(s) {} that are not in {z}'s DNSKEY RRset",
            rrset(r),
            tags(key_tags)
        ),
        BogusWhy::SignerNotApex { rrset: r, signer } => format!(
            "the RRSIGs over {} are signed by {}, not by {z}, the zone that holds it",
            rrset(r),
            signer.wire()
        ),
        BogusWhy::DsMismatch { ds_tags, key_tags } => format!(
            "the parent's DS (key tag {}) matches none of {z}'s DNSKEYs ({}): a key rollover that removed the old key before the parent's DS was updated",
            tags(ds_tags),
            tags(key_tags)
        ),
        BogusWhy::DnskeyMissing => format!(
            "the parent has a DS for {z}, but {z} serves no DNSKEY: it was unsigned while its DS stayed in the parent"
        ),
        BogusWhy::AnchorMismatch {
            anchor_tags,
            key_tags,
        } => format!(
            "the trust anchor for {z} (key tag {}) matches none of its DNSKEYs ({})",
            tags(anchor_tags),
            tags(key_tags)
        ),
        BogusWhy::NoDsProof => {
            format!("{z} referred down with neither a DS nor a signed proof that there is none")
        }
        BogusWhy::DenialMissing { nxdomain } => format!(
            "the {} from {z} came without NSEC or NSEC3 records to prove it",
            if *nxdomain {
                "NXDOMAIN"
            } else {
                "NODATA answer"
            }
        ),
        BogusWhy::DenialInvalid { nxdomain, problem } => format!(
            "the NSEC/NSEC3 records of {z} do not prove the {}: {}",
            if *nxdomain {
                "NXDOMAIN"
            } else {
                "NODATA answer"
            },
            denial(problem)
        ),
        BogusWhy::TooMuchWork {
            checks,
            limit,
            per_rrset,
        } => format!(
            "validation gave up after {checks} signature checks {} (the limit is {limit}, as in Unbound and BIND since 2024): {z} asks for more work than any honest zone needs (KeyTrap, CVE-2023-50387)",
            if *per_rrset { "on one RRset" } else { "in all" }
        ),
    };
    format!("bogus at {z}: {why}; validating resolvers answer SERVFAIL")
}

/// Why data is bogus, in a few words (the chain's table; the summary gives the sentence).
pub fn short(why: &BogusWhy) -> String {
    match why {
        BogusWhy::SignatureExpired { rrset: r, .. } => {
            format!("the RRSIGs over {} expired", rrset(r))
        }
        BogusWhy::SignatureNotYetValid { rrset: r, .. } => {
            format!("the RRSIGs over {} are not valid yet", rrset(r))
        }
        BogusWhy::BadSignature { rrset: r, .. } => {
            format!("the RRSIGs over {} do not verify", rrset(r))
        }
        BogusWhy::RrsigMissing { rrset: r } => format!("{} is not signed", rrset(r)),
        BogusWhy::NoMatchingKey { rrset: r, .. } => {
            format!("the RRSIGs over {} name keys it does not have", rrset(r))
        }
        BogusWhy::SignerNotApex { rrset: r, .. } => {
            format!("{} is signed by another zone", rrset(r))
        }
        BogusWhy::DsMismatch { .. } => "the parent's DS matches none of its keys".to_string(),
        BogusWhy::DnskeyMissing => "the parent has a DS, the zone has no DNSKEY".to_string(),
        BogusWhy::AnchorMismatch { .. } => "the trust anchor matches none of its keys".to_string(),
        BogusWhy::NoDsProof => "a referral with neither DS nor proof of none".to_string(),
        BogusWhy::DenialMissing { .. } => "a negative answer without NSEC/NSEC3".to_string(),
        BogusWhy::DenialInvalid { .. } => "its NSEC/NSEC3 records prove nothing".to_string(),
        BogusWhy::TooMuchWork { .. } => "too much validation work (KeyTrap)".to_string(),
    }
}

fn denial(p: &DenialProblem) -> &'static str {
    match p {
        DenialProblem::NameNotCovered => "nothing covers the name itself",
        DenialProblem::WildcardNotCovered => "nothing rules out a wildcard",
        DenialProblem::TypeExists => "the records say the type (or a CNAME) exists",
        DenialProblem::NoClosestEncloser => "no NSEC3 matches a closest encloser",
        DenialProblem::Unsigned => "their signatures do not verify",
    }
}

fn indeterminate(i: &Indeterminate) -> String {
    match i {
        Indeterminate::NoAnchor => "indeterminate: no trust anchor covers this name, so nothing can be validated (give one with --trust-anchor FILE)".to_string(),
        Indeterminate::Unreachable { zone, rtype } => format!(
            "indeterminate: {zone}'s {} RRset could not be fetched from any of its servers",
            rtype_name(*rtype)
        ),
    }
}

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

/// What validation cost.
pub fn work(r: &Report, queries: usize) -> String {
    let hashes = match r.work.nsec3_hashes {
        0 => String::new(),
        1 => ", 1 NSEC3 hash".to_string(),
        n => format!(", {n} NSEC3 hashes"),
    };
    format!(
        "{} DNSKEY/DS quer{}, {} signature check{}{hashes}, {:.2} ms of CPU",
        queries,
        if queries == 1 { "y" } else { "ies" },
        r.work.checks,
        super::plural(r.work.checks),
        r.work.cpu.as_secs_f64() * 1000.0,
    )
}

/// `query --validate`'s verdict: the answer checked against its zone's own keys only.
pub fn response_verdict(r: &Report) -> Said {
    let zone = r
        .zones
        .first()
        .map_or_else(String::new, |z| z.zone.wire().to_string());
    match &r.status {
        Status::Secure => Said::new(
            "secure",
            format!(
                "signatures valid: the answer's RRSIGs verify with {zone}'s own DNSKEY RRset (the chain of trust above {zone} is not checked here; dnscope trace checks it)"
            ),
            Mood::Good,
        ),
        other => verdict(other, r.now),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_spans_read_as_people_read_them() {
        assert_eq!(date(0), "1970-01-01 00:00 UTC");
        assert_eq!(date(1_796_058_474), "2026-11-30 17:07 UTC");
        assert_eq!(relative(1000 + 30 * 86400, 1000), "in 30 d");
        assert_eq!(relative(1000, 1000 + 2 * 86400), "2 d ago");
        assert_eq!(relative(1000, 1090), "90 s ago");
    }
}
