//! DNSSEC in words: a verdict and its reason, each zone's chain link (DS, DNSKEY, RRSIGs),
//! signature times as people read them ("expired 2 d ago", "valid 30 d more"), the stable
//! codes of the JSON (`signature-expired`, `ds-mismatch`, …), and the Extended DNS Errors
//! (RFC 8914) resolvers attach.

use dnscope::dnssec::{
    Bogus, BogusWhy, DenialProblem, Indeterminate, Insecure, InsecureWhy, Report, Status,
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

pub(super) fn insecure(i: &Insecure) -> String {
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

pub(super) fn bogus(b: &Bogus, now: u32) -> String {
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

pub(super) fn indeterminate(i: &Indeterminate) -> String {
    match i {
        Indeterminate::NoAnchor => "indeterminate: no trust anchor covers this name, so nothing can be validated (give one with --trust-anchor FILE)".to_string(),
        Indeterminate::Unreachable { zone, rtype } => format!(
            "indeterminate: {zone}'s {} RRset could not be fetched from any of its servers",
            rtype_name(*rtype)
        ),
    }
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

/// How loud compare's DNSSEC finding is: bogus data is bad news, the rest is information.
pub fn compare_mood(status: &Status) -> Mood {
    match status {
        Status::Bogus(_) => Mood::Bad,
        _ => Mood::Quiet,
    }
}

/// Resolvers and DNSSEC: who rejected bogus data (and the EDE they sent), who vouched with AD,
/// who passed the data on unvalidated.
pub fn compare_finding(
    status: &Status,
    rejected: &[String],
    validated: &[String],
    passed: &[String],
    c: &dnscope::compare::Comparison,
) -> String {
    let now = u32::try_from(c.at & u64::from(u32::MAX)).unwrap_or(0);
    let list = |v: &[String]| match v {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let verb = |v: &[String], one: &str, many: &str| {
        if v.len() == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    match status {
        Status::Bogus(_) => {
            let reason = verdict(status, now).text;
            let reason = reason.trim_end_matches("; validating resolvers answer SERVFAIL");
            let mut text = format!(
                "The answer is DNSSEC-{reason} (the chain of trust dnscope checked from the root)"
            );
            if !rejected.is_empty() {
                // The EDEs they sent, each once ("EDE 7 (Signature Expired)").
                let mut ede: Vec<String> = c
                    .servers
                    .iter()
                    .filter(|s| rejected.contains(&s.label))
                    .flat_map(|s| {
                        s.ede
                            .iter()
                            .map(|e| format!("EDE {} ({})", e.code, super::chain::ede_name(e.code)))
                    })
                    .collect();
                ede.sort();
                ede.dedup();
                text.push_str(&format!(
                    ". {} validate{} and therefore answer{} SERVFAIL{}",
                    list(rejected),
                    verb(rejected, "s", ""),
                    verb(rejected, "s", ""),
                    if ede.is_empty() {
                        String::new()
                    } else {
                        format!(" with {}", ede.join(", "))
                    }
                ));
            }
            if !passed.is_empty() {
                text.push_str(&format!(
                    "; {} {} not validate and pass{} the data on as if nothing were wrong",
                    list(passed),
                    verb(passed, "does", "do"),
                    verb(passed, "es", "")
                ));
            }
            text.push_str(". The authoritative servers answer: the fault is in the zone's signatures or keys, not in the resolvers.");
            text
        }
        _ => format!(
            "The answer is DNSSEC-secure: {} validated it (AD flag); {} passed it on without AD: {} not validate.",
            list(validated),
            list(passed),
            verb(passed, "it does", "they do")
        ),
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
