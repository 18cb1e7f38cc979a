//! A comparison in words: each finding with its kind, each server's status and problem, the
//! answer groups, and the parent/child NS mismatch found by the discovery.

use dnscope::compare::{
    AnswerKey, Comparison, Discovery, DiscoveryError, Finding, Kind, Problem, ServerView, Status,
    WorstSource,
};
use dnscope::present::Shown;
use dnscope::present::for_tty;
use hickory_proto::op::ResponseCode;

use super::{Mood, Said, clock, secs};

/// The label of answer group `i`: A, B, C ...
pub fn group_label(i: usize) -> String {
    char::from(b'A' + u8::try_from(i.min(25)).unwrap_or(25)).to_string()
}

/// A server's group label, or "-".
pub fn group_of(s: &ServerView) -> String {
    s.group.map_or_else(|| "-".to_string(), group_label)
}

/// A reduced answer in a few words.
pub fn answer(key: &AnswerKey) -> String {
    match key {
        AnswerKey::Data(lines) => lines
            .iter()
            .map(|l| {
                l.split_once(' ')
                    .map_or(l.as_str(), |(_, rest)| rest)
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(", "),
        AnswerKey::NxDomain => "NXDOMAIN (no such name)".to_string(),
        AnswerKey::NoData => "NODATA (the name has no record of this type)".to_string(),
    }
}

/// A reduced answer in one word, for `--short` (NXDOMAIN, NODATA; data is printed as is).
pub fn short_key(key: &AnswerKey) -> String {
    match key {
        AnswerKey::Data(_) => "-".to_string(),
        AnswerKey::NxDomain => "NXDOMAIN".to_string(),
        AnswerKey::NoData => "NODATA".to_string(),
    }
}

/// The word for a server's role.
pub fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Resolver => "resolver",
        Kind::Authoritative => "authoritative",
    }
}

/// A server's status, for its table cell.
pub fn status(s: &ServerView) -> Said {
    let said = match s.status {
        Status::Agrees => Said::new("agrees", "agrees", Mood::Good),
        Status::Stale => Said::new(
            "stale",
            match (s.kind, s.expires_in) {
                (Kind::Resolver, Some(t)) => format!("stale, {t} s left"),
                (Kind::Authoritative, _) => "stale secondary".to_string(),
                _ => "stale".to_string(),
            },
            Mood::Warn,
        ),
        Status::Differs => Said::new("differs", "differs", Mood::Bad),
        Status::Error => Said::new("error", "error", Mood::Bad),
    };
    match (s.status, s.cache_age) {
        (Status::Agrees, Some(age)) if age > 0 => Said::new(
            said.kind,
            format!("{} (cached {age} s)", said.text),
            said.mood,
        ),
        _ => said,
    }
}

/// Why a server gave no usable answer.
pub fn problem(p: &Problem) -> Said {
    match p {
        Problem::NoResponse(e) => Said::new(super::trace::wire_kind(e), e.to_string(), Mood::Bad),
        Problem::Rcode(rcode) => Said::new(
            match rcode {
                ResponseCode::ServFail => "servfail",
                ResponseCode::Refused => "refused",
                _ => "rcode",
            },
            format!("answered {}", dnscope::present::rcode(*rcode)),
            Mood::Bad,
        ),
        Problem::NotAuthoritative => Said::new(
            "lame",
            "answered without AA: not authoritative for the zone (lame)",
            Mood::Warn,
        ),
        Problem::NoRecursion => Said::new(
            "no_recursion",
            "RA=0: does not offer recursion to us",
            Mood::Bad,
        ),
    }
}

/// The sentences before the findings: a discovery that failed, and parent/child NS
/// mismatches.
pub fn discovery(d: Option<&Result<Discovery, DiscoveryError>>) -> Vec<Said> {
    let mut out = Vec::new();
    match d {
        Some(Err(e)) => {
            let t = &e.trace;
            let why = super::trace::end(t).text;
            out.push(Said::new(
                "no_authoritative",
                format!(
                    "The authoritative servers could not be asked: the trace of {} found no zone that answers for it ({why}).",
                    t.name.wire()
                ),
                Mood::Bad,
            ));
        }
        Some(Ok(d)) => {
            for ns in &d.child_only {
                out.push(Said::new(
                    "child_only_ns",
                    format!(
                        "{} is in {}'s own NS set but not in the delegation from the parent: resolvers starting from the root are not sent there, so they can miss what only it serves (a parent/child NS mismatch).",
                        ns.wire(),
                        d.zone.wire()
                    ),
                    Mood::Warn,
                ));
            }
            for ns in &d.parent_only {
                out.push(Said::new(
                    "parent_only_ns",
                    format!(
                        "{} is in the delegation from the parent but not in {}'s own NS set (a parent/child NS mismatch).",
                        ns.wire(),
                        d.zone.wire()
                    ),
                    Mood::Warn,
                ));
            }
        }
        None => {}
    }
    out
}

/// One finding in words, with its kind.
pub fn finding(f: &Finding, c: &Comparison) -> Said {
    let stale_secondary = c
        .findings
        .iter()
        .any(|f| matches!(f, Finding::StaleSecondary { .. }));
    let (kind, mood, text) = match f {
        Finding::Reference { server, serial, ttl } => (
            "reference",
            Mood::Quiet,
            format!(
                "The authoritative answer is {}, from {server}{}{}.",
                group_label(0),
                serial.map(|s| format!(" (serial {s}, the highest)")).unwrap_or_default(),
                ttl.map(|t| format!("; at the source it carries a TTL of {}", secs(t))).unwrap_or_default()
            ),
        ),
        Finding::AliasOnly => (
            "alias_only",
            Mood::Quiet,
            "The name is an alias (CNAME) into another zone: its own servers answer with the alias only, so only the alias is compared here; compare the target to see its data.".to_string(),
        ),
        Finding::NoReference => (
            "no_reference",
            Mood::Bad,
            "No authoritative server gave a usable answer, so the resolvers cannot be checked against the source.".to_string(),
        ),
        Finding::CacheAge { server, ttl, authoritative_ttl, age, expires_at } => (
            "cache_age",
            Mood::Good,
            if *age == 0 {
                format!("{server} agrees and has just fetched the answer (TTL {ttl}, as at the source); it will keep it until {}.", clock(*expires_at))
            } else {
                format!(
                    "{server} agrees, from its cache: it has held the answer for about {} (TTL {authoritative_ttl} at the source, {ttl} left) and will drop it in {}, at {}, then ask again.",
                    secs(*age), secs(*ttl), clock(*expires_at)
                )
            },
        ),
        Finding::TtlAboveAuthoritative { server, ttl, authoritative_ttl } => (
            "ttl_above_authoritative",
            Mood::Warn,
            format!(
                "{server} gives TTL {ttl}, more than the {authoritative_ttl} at the source: it raises TTLs (a minimum-TTL policy) or fetched the record while its TTL was higher, so its cache age cannot be told."
            ),
        ),
        Finding::StaleCache { server, group, served, ttl, expires_at, original_ttl } => (
            "stale_cache",
            Mood::Warn,
            format!(
                "{server} still serves {} ({}) from its cache{}; it must drop it within {}, by {}, and will then ask again{}.",
                group.map_or_else(|| "?".to_string(), group_label),
                for_tty(&answer(served)),
                original_ttl
                    .filter(|o| o >= ttl)
                    .map(|o| format!(", fetched about {} ago (TTL {o} when it was fetched)", secs(o - ttl)))
                    .unwrap_or_default(),
                secs(*ttl),
                clock(*expires_at),
                if stale_secondary {
                    " (and may get the old data again from the secondary that lags)".to_string()
                } else if c.reference.is_some() {
                    format!(" and get {}", group_label(0))
                } else {
                    " and get the new answer".to_string()
                }
            ),
        ),
        Finding::NegativeCache { server, ttl, expires_at, negative_ttl } => (
            "negative_cache",
            Mood::Warn,
            format!(
                "{server} cached that the name did not exist and keeps serving that for {} more, until {}{}. A name created after a resolver cached its absence stays invisible there for up to the negative TTL.",
                secs(*ttl),
                clock(*expires_at),
                negative_ttl
                    .map(|n| format!(" (the zone allows {}: min(SOA TTL, SOA MINIMUM), RFC 2308 §5)", secs(n)))
                    .unwrap_or_default()
            ),
        ),
        Finding::WorstCase { old_ttl, source, secondary_refresh } => {
            let from = worst_source(source);
            (
                "worst_case",
                Mood::Quiet,
                match secondary_refresh {
                    None => format!(
                        "Worst case for any cache in the world: a resolver that fetched the old data just before the change keeps it up to {} after the change ({from}).",
                        secs(*old_ttl)
                    ),
                    Some(refresh) => format!(
                        "Worst case for any cache in the world: while a secondary still hands out the old data (up to about {} until it catches up), a resolver can fetch it there and keep it for {} more ({from}): about {} after the change.",
                        secs(*refresh),
                        secs(*old_ttl),
                        secs(refresh.saturating_add(*old_ttl))
                    ),
                },
            )
        }
        Finding::StaleSecondary { server, serial, primary, primary_serial, refresh, retry, expire } => (
            "stale_secondary",
            Mood::Warn,
            format!(
                "{server} serves serial {serial}, behind {primary}'s {primary_serial}: a secondary that has not caught up yet. Secondaries check the primary's serial every {} (the SOA REFRESH; sooner when the primary sends NOTIFY), retry every {} when that fails, and stop answering for the zone after {} without contact (EXPIRE): so this lasts about {} if transfers work, {} at worst.",
                secs(*refresh), secs(*retry), secs(*expire), secs(*refresh), secs(*expire)
            ),
        ),
        Finding::AuthoritativeConflict { servers } => (
            "authoritative_conflict",
            Mood::Bad,
            format!(
                "{} serve different data with the same serial: the zone was edited without a serial change, or the servers are fed from different sources.",
                servers.join(", ")
            ),
        ),
        Finding::NegativeAtSource { negative_ttl } => (
            "negative_at_source",
            Mood::Quiet,
            format!(
                "At the source the answer is negative; resolvers may cache it for {} (RFC 2308).",
                secs(*negative_ttl)
            ),
        ),
        Finding::TtlOnly { min, max, servers } => (
            "ttl_only",
            Mood::Quiet,
            format!(
                "{servers} servers give the same data with TTLs from {min} to {max}: that is only how long each has had it cached, not a disagreement."
            ),
        ),
        Finding::Failed { server, kind: k, problem: p } => (
            "failed",
            Mood::Bad,
            format!(
                "{server} ({}) gave no usable answer: {}.",
                kind(*k),
                for_tty(&problem(p).text)
            ),
        ),
    };
    Said::new(kind, text, mood)
}

fn worst_source(s: &WorstSource) -> String {
    match s {
        WorstSource::StillServed { server, ttl } => {
            format!("{server} still serves the old record with TTL {ttl}")
        }
        WorstSource::ResolverLeft { server, ttl } => {
            format!("{server} still has {ttl} s left on it")
        }
        WorstSource::NegativeTtl => "the zone's negative-caching TTL".to_string(),
    }
}

/// Every sentence of the explanation, in reading order: the discovery's, then each finding's.
pub fn explanation(c: &Comparison, d: Option<&Result<Discovery, DiscoveryError>>) -> Vec<Said> {
    let mut out = discovery(d);
    out.extend(c.findings.iter().map(|f| finding(f, c)));
    out
}

/// The closing verdict line.
pub fn verdict(c: &Comparison) -> Said {
    let agreeing = c
        .servers
        .iter()
        .filter(|s| s.status == Status::Agrees)
        .count();
    if c.consistent {
        Said::new(
            "consistent",
            format!(
                "Consistent: all {} servers agree with the authoritative answer.",
                c.servers.len()
            ),
            Mood::Good,
        )
    } else {
        Said::new(
            "not_consistent",
            format!(
                "Not consistent: {agreeing} of {} servers agree with the authoritative answer.",
                c.servers.len()
            ),
            Mood::Warn,
        )
    }
}

/// When the next `--watch` round comes, and when the longest stale cache expires.
pub fn next_round(c: &Comparison, every: std::time::Duration) -> String {
    let longest = c
        .servers
        .iter()
        .filter(|s| s.status == Status::Stale)
        .filter_map(|s| s.expires_in)
        .max();
    format!(
        "Asking again in {} s{}",
        every.as_secs_f64(),
        longest
            .map(|t| format!(
                "; the longest stale cache expires in {t} s, at {}",
                clock(c.at + u64::from(t))
            ))
            .unwrap_or_default()
    )
}
