//! A comparison in words: each finding with its kind, each server's status and problem, the
//! answer groups, and the parent/child NS mismatch found by the discovery.
//!
//! Two words are kept apart on purpose: a resolver serves an old answer from its **cache**
//! (status `cached`), an authoritative server **lags** behind its primary (status
//! `lagging`). Times are "after the change" when the TTL at the source is known, and "from
//! now" when only what a resolver has left is.

use dnscope::compare::{
    AnswerKey, Comparison, Discovery, DiscoveryError, Finding, Kind, PrimaryBy, Problem,
    ServerView, Status, TtlSource, WorstSource,
};
use dnscope::present::{Shown, for_tty};
use hickory_proto::op::ResponseCode;

use super::{Mood, Said, clock, plural, secs};

/// The label of answer group `i`: #1, #2, ... (a letter would read as a record type).
pub fn group_label(i: usize) -> String {
    format!("#{}", i + 1)
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
    match s.status {
        Status::Agrees => Said::new(
            "agrees",
            match s.cache_age {
                Some(age) if age > 0 => format!("agrees (cached {age} s)"),
                _ => "agrees".to_string(),
            },
            Mood::Good,
        ),
        Status::Cached => Said::new(
            "cached",
            match s.expires_in {
                Some(t) => format!("old answer cached, {t} s left"),
                None => "old answer cached".to_string(),
            },
            Mood::Warn,
        ),
        Status::FromLagging => Said::new(
            "from_lagging",
            "old answer, fresh from a lagging secondary",
            Mood::Warn,
        ),
        Status::Lagging => Said::new("lagging", "lagging secondary", Mood::Warn),
        Status::Rejected => Said::new(
            "rejected",
            match s.ede.first() {
                Some(e) => format!("SERVFAIL: DNSSEC bogus (EDE {})", e.code),
                None => "SERVFAIL: DNSSEC bogus".to_string(),
            },
            Mood::Warn,
        ),
        Status::Differs => Said::new("differs", "differs", Mood::Bad),
        Status::Error => Said::new("error", "error", Mood::Bad),
    }
}

/// Why a server gave no usable answer.
pub fn problem(p: &Problem) -> Said {
    match p {
        Problem::NoResponse(e) => super::query::no_response(e),
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
                        "{} is in {}'s own NS set but not in the delegation from the parent: resolvers starting from the root are never sent there, so what only it serves reaches nobody (a parent/child NS mismatch, RFC 1034 §4.2.2).",
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
                        "{} is in the delegation from the parent but not in {}'s own NS set (a parent/child NS mismatch, RFC 1034 §4.2.2).",
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
    let reachable_lag = c.findings.iter().any(|f| {
        matches!(
            f,
            Finding::LaggingSecondary {
                in_delegation: true,
                ..
            }
        )
    });
    let label = |g: &Option<usize>| g.map_or_else(|| "?".to_string(), group_label);
    let (kind, mood, text) = match f {
        Finding::Dnssec {
            status,
            rejected,
            validated,
            passed,
        } => (
            "dnssec",
            super::dnssec::compare_mood(status),
            super::dnssec::compare_finding(status, rejected, validated, passed, c),
        ),
        Finding::Reference {
            server,
            by,
            serial,
            ttl,
        } => (
            "reference",
            Mood::Quiet,
            format!(
                "The authoritative answer is {}, from {server}{}{}.",
                group_label(0),
                match (by, serial) {
                    (PrimaryBy::Mname, Some(s)) => format!(
                        ", the primary (the zone's SOA names it, and it has the highest serial, {s})"
                    ),
                    (PrimaryBy::HighestSerial, Some(s)) => {
                        format!(", taken as the primary: it has the highest serial, {s}")
                    }
                    (PrimaryBy::Only, Some(s)) => format!(" (serial {s})"),
                    (_, None) => String::new(),
                },
                ttl.map(|t| format!("; at the source it carries a TTL of {}", secs(t)))
                    .unwrap_or_default()
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
        Finding::CacheAge {
            server,
            ttl,
            authoritative_ttl,
            age,
            expires_at,
        } => (
            "cache_age",
            Mood::Good,
            if *age == 0 {
                format!(
                    "{server} agrees and has just fetched the answer (TTL {ttl}, as at the source); it will keep it until {}.",
                    clock(*expires_at)
                )
            } else {
                format!(
                    "{server} agrees, from its cache: it has held the answer for about {} (TTL {authoritative_ttl} at the source, {ttl} left) and will drop it in {}, at {}, then ask again.",
                    secs(*age),
                    secs(*ttl),
                    clock(*expires_at)
                )
            },
        ),
        Finding::TtlAboveAuthoritative {
            server,
            ttl,
            authoritative_ttl,
        } => (
            "ttl_above_authoritative",
            Mood::Warn,
            format!(
                "{server} gives TTL {ttl}, more than the {authoritative_ttl} at the source: it raises TTLs (a minimum-TTL policy) or fetched the record while its TTL was higher, so its cache age cannot be told."
            ),
        ),
        Finding::CachedOld {
            server,
            group,
            served,
            ttl,
            expires_at,
            original,
        } => (
            "cached_old",
            Mood::Warn,
            format!(
                "{server} still serves the old answer {} ({}) from its cache{}; it must drop it within {} from now, by {}, and will then ask again{}.",
                label(group),
                for_tty(&answer(served)),
                match original {
                    Some((o, TtlSource::StillServed { server: from })) if o >= ttl => format!(
                        ", fetched about {} ago (it was cached with TTL {o}, the TTL {from} still serves the old record with)",
                        secs(o - ttl)
                    ),
                    Some((o, TtlSource::Assumed)) if o >= ttl => format!(
                        ", fetched about {} ago (if it was cached with TTL {o}, the TTL the record has now: nobody serves the old one any more)",
                        secs(o - ttl)
                    ),
                    _ => String::new(),
                },
                secs(*ttl),
                clock(*expires_at),
                if reachable_lag {
                    " (and may get the old answer again from the secondary that lags)".to_string()
                } else {
                    format!(" and get {}", group_label(0))
                }
            ),
        ),
        Finding::FreshFromLagging {
            server,
            group,
            served,
            secondary,
            ttl,
            expires_at,
        } => (
            "fresh_from_lagging",
            Mood::Warn,
            format!(
                "{server} has just fetched the old answer {} ({}) — from {secondary}, the secondary that lags (its whole TTL of {} is left): it will keep it until {}.",
                label(group),
                for_tty(&answer(served)),
                secs(*ttl),
                clock(*expires_at)
            ),
        ),
        Finding::NegativeCache {
            server,
            ttl,
            expires_at,
            negative_ttl,
        } => (
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
        Finding::WorstCase {
            old_ttl,
            source,
            secondary_refresh,
            changed_at,
            now,
        } => ("worst_case", Mood::Quiet, worst_case(*old_ttl, source, *secondary_refresh, *changed_at, *now)),
        Finding::LaggingSecondary {
            server,
            serial,
            primary,
            primary_serial,
            refresh,
            retry,
            expire,
            in_delegation,
        } => (
            "lagging_secondary",
            Mood::Warn,
            format!(
                "{server} serves serial {serial}, behind the primary {primary} ({primary_serial}): a secondary that lags. Secondaries check the primary's serial every {} (the SOA REFRESH; sooner when the primary sends NOTIFY), retry every {} when that fails, and stop answering for the zone after {} without contact (EXPIRE): so this lasts about {} if transfers work, {} at worst.{}",
                secs(*refresh),
                secs(*retry),
                secs(*expire),
                secs(*refresh),
                secs(*expire),
                if *in_delegation {
                    " Resolvers are sent to it, so they can still fetch the old data there."
                } else {
                    " The parent's delegation does not name it, so resolvers are never sent there."
                }
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
        Finding::Transports {
            address,
            servers,
            difference,
        } => super::secure::transports(*address, servers, difference),
        Finding::Failed {
            server,
            kind: k,
            problem: p,
        } => (
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

/// The longest old data may live, "after the change" when the TTL at the source is known
/// (with the clock time when the change time is), "from now" when only a remaining TTL is.
fn worst_case(
    old_ttl: u32,
    source: &WorstSource,
    secondary_refresh: Option<u32>,
    changed_at: Option<u64>,
    now: u64,
) -> String {
    let at = |after: u32| {
        changed_at
            .map(|c| format!(", until {}", clock(c + u64::from(after))))
            .unwrap_or_default()
    };
    let changed = changed_at
        .map(|c| format!(" (it changed at {})", clock(c)))
        .unwrap_or_default();
    let why = match source {
        WorstSource::StillServed { server, ttl } => {
            format!("{server} still serves the old record with TTL {ttl}")
        }
        WorstSource::Assumed { ttl } => {
            format!("if the old record had the TTL the record has now, {ttl} s")
        }
        WorstSource::ResolverLeft { server, ttl } => {
            format!("{server} still has {ttl} s left on it")
        }
        WorstSource::NegativeTtl => "the zone's negative-caching TTL".to_string(),
    };
    if let WorstSource::ResolverLeft { server, ttl } = source {
        return format!(
            "Worst case: {server} drops the old answer within {} from now, by {} (the TTL it was cached with is not known, so its age cannot be told).",
            secs(*ttl),
            clock(now + u64::from(*ttl))
        );
    }
    match secondary_refresh {
        None => format!(
            "Worst case for any cache in the world: a resolver that fetched the old data just before the change{changed} keeps it up to {} after the change{} ({why}).",
            secs(old_ttl),
            at(old_ttl)
        ),
        Some(refresh) => format!(
            "Worst case for any cache in the world: while a secondary that resolvers are sent to still hands out the old data (up to about {} after the change, until it catches up), a resolver can fetch it there and keep it for {} more ({why}): about {} after the change{changed}{}.",
            secs(refresh),
            secs(old_ttl),
            secs(refresh.saturating_add(old_ttl)),
            at(refresh.saturating_add(old_ttl))
        ),
    }
}

/// Every sentence of the explanation, in reading order: the discovery's, then each finding's.
pub fn explanation(c: &Comparison, d: Option<&Result<Discovery, DiscoveryError>>) -> Vec<Said> {
    let mut out = discovery(d);
    out.extend(c.findings.iter().map(|f| finding(f, c)));
    out
}

/// The closing verdict line: resolvers and authoritative servers counted apart (an
/// authoritative server agreeing with itself says nothing about caches).
pub fn verdict(c: &Comparison) -> Said {
    let count = |kind: Kind| {
        let a = c.agreement(kind);
        (a.agree, a.of)
    };
    let (r_agree, r_all) = count(Kind::Resolver);
    let (a_agree, a_all) = count(Kind::Authoritative);
    let mut parts = Vec::new();
    if r_all > 0 {
        parts.push(format!("{r_agree} of {r_all} resolver{}", plural(r_all)));
    }
    if a_all > 0 {
        parts.push(format!(
            "{a_agree} of {a_all} authoritative server{}",
            plural(a_all)
        ));
    }
    if c.consistent {
        Said::new(
            "consistent",
            format!(
                "Consistent: {} agree with the authoritative answer.",
                parts.join(" and ")
            ),
            Mood::Good,
        )
    } else {
        Said::new(
            "not_consistent",
            format!(
                "Not consistent: {} agree with the authoritative answer.",
                parts.join(" and ")
            ),
            Mood::Warn,
        )
    }
}

/// When the next `--watch` round comes, and when the longest old cache expires.
pub fn next_round(c: &Comparison, every: std::time::Duration) -> String {
    let longest = c
        .servers
        .iter()
        .filter(|s| matches!(s.status, Status::Cached | Status::FromLagging))
        .filter_map(|s| s.expires_in)
        .max();
    format!(
        "Asking again in {} s{}",
        every.as_secs_f64(),
        longest
            .map(|t| format!(
                "; the longest old cache expires in {t} s, at {}",
                clock(c.at + u64::from(t))
            ))
            .unwrap_or_default()
    )
}

/// Why a `--watch` ended.
pub fn watch_end(end: crate::render::compare::WatchEnd) -> Said {
    use crate::render::compare::WatchEnd;
    match end {
        WatchEnd::Consistent {
            after,
            rounds,
            since_change,
        } => Said::new(
            "consistent",
            format!(
                "Consistent after {:.0} s of watching ({rounds} round{}{}): every cache and secondary has caught up.",
                after.as_secs_f64(),
                plural(rounds as usize),
                since_change
                    .map(|t| format!(", {t} s after the change"))
                    .unwrap_or_default()
            ),
            Mood::Good,
        ),
        WatchEnd::Limit { limit, rounds } => Said::new(
            "limit",
            format!(
                "Stopped at the watch limit of {} s after {rounds} round{}: not consistent yet.",
                limit.as_secs_f64(),
                plural(rounds as usize)
            ),
            Mood::Warn,
        ),
        WatchEnd::NothingToWaitFor { rounds } => Said::new(
            "nothing_to_wait_for",
            format!(
                "Stopped after {rounds} round{}: nothing left will change by itself (a server that fails, or data that differs for good).",
                plural(rounds as usize)
            ),
            Mood::Warn,
        ),
    }
}
