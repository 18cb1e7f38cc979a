//! The causes a batch found, each said once for all the rows it explains; causes that differ
//! only in their server are said once, naming them all.

use dnscope::batch::{Cause, CauseTally, ProblemKind, Summary};
use dnscope::present;

use super::batch::{examples, rrsets};
use super::{Mood, Said, clock, human_ttl};

/// One cause, said once for all its rows; the summary adds the serials when there is one.
pub fn cause(t: &CauseTally, s: Option<&Summary>) -> Said {
    let who: Vec<&str> = t.cause.server().into_iter().collect();
    cause_of(t, &who, s)
}

/// Every cause of a summary, most telling first; causes that differ only in their server
/// (three resolvers caching the same names) are said once, naming them all.
pub fn causes(s: &Summary) -> Vec<Said> {
    let mut tallies: Vec<&CauseTally> = s.causes.iter().collect();
    // Most telling first; among equals, in input order (rows finish in any order).
    tallies.sort_by_key(|t| {
        (
            rank(&t.cause),
            t.examples.first().map_or(usize::MAX, |e| e.0),
        )
    });
    let mut merged: Vec<(&CauseTally, Vec<&str>)> = Vec::new();
    for t in tallies {
        let same = merged.iter_mut().find(|(m, _)| {
            m.cause.without_server() == t.cause.without_server()
                && m.rows == t.rows
                && m.examples == t.examples
                && m.expires_by == t.expires_by
        });
        match (same, t.cause.server()) {
            (Some((_, who)), Some(server)) => who.push(server),
            _ => merged.push((t, t.cause.server().into_iter().collect())),
        }
    }
    merged
        .into_iter()
        .map(|(t, who)| cause_of(t, &who, Some(s)))
        .collect()
}

/// The order causes are told in: what is wrong at the source first, then what passes.
fn rank(c: &Cause) -> u8 {
    match c {
        Cause::NoZone { .. } => 0,
        Cause::NoReference => 1,
        Cause::NotLoaded => 2,
        Cause::NotServed => 3,
        Cause::NotInFile => 4,
        Cause::Conflict => 5,
        Cause::TtlDiffers { .. } => 6,
        Cause::Failed { .. } => 7,
        Cause::Lagging { .. } => 8,
        Cause::FromLagging { .. } => 9,
        Cause::Cached { .. } => 10,
        Cause::NegativeCached { .. } => 11,
        Cause::Unexplained { .. } => 12,
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn cause_of(t: &CauseTally, who: &[&str], s: Option<&Summary>) -> Said {
    let server = and_list(who);
    let many = who.len() > 1;
    // The verb after the server(s): "serves" / "serve".
    let v = |one: &'static str, several: &'static str| if many { several } else { one };
    let n = t.rows;
    let ex = examples(&t.examples, n);
    let expiry = || match t.expires_by {
        Some(at) => format!(
            "; the last of it expires at {}{}",
            clock(at),
            in_how_long(at)
        ),
        None => String::new(),
    };
    match &t.cause {
        Cause::Lagging {
            serial,
            primary,
            primary_serial,
            refresh,
            ..
        } => Said::new(
            "lagging_secondary",
            format!(
                "{server} {} serial {serial}, behind the primary {primary} ({primary_serial}), for {} ({ex}): {} that {} not caught up yet; {} the primary every {}.",
                v("serves", "serve"),
                rrsets(n),
                v("a secondary", "secondaries"),
                v("has", "have"),
                v("it checks", "they check"),
                human_ttl(*refresh)
            ),
            Mood::Warn,
        ),
        Cause::NotLoaded => Said::new(
            "not_loaded",
            format!(
                "{} differ{} from your file at the primary ({ex}): the file holds changes the servers have not loaded, or it is behind the zone{}.",
                rrsets(n),
                if n == 1 { "s" } else { "" },
                serials(s)
            ),
            Mood::Bad,
        ),
        Cause::NotServed => Said::new(
            "not_served",
            format!(
                "{} of your file {} not served, not even by the primary ({ex}): it answers NXDOMAIN or NODATA.",
                rrsets(n),
                if n == 1 { "is" } else { "are" }
            ),
            Mood::Bad,
        ),
        Cause::NotInFile => Said::new(
            "not_in_file",
            format!(
                "The primary serves records your file does not have, in {} ({ex}).",
                rrsets(n)
            ),
            Mood::Warn,
        ),
        Cause::TtlDiffers { .. } => Said::new(
            "ttl_differs",
            format!(
                "{server} {} {} with another TTL than your file ({ex}).",
                v("serves", "serve"),
                rrsets(n)
            ),
            Mood::Warn,
        ),
        Cause::Conflict => Said::new(
            "authoritative_conflict",
            format!(
                "Authoritative servers with the same serial serve different data for {} ({ex}): a secondary edited by hand, or a transfer that went wrong.",
                rrsets(n)
            ),
            Mood::Bad,
        ),
        Cause::Cached { .. } => Said::new(
            "cached_old",
            format!(
                "{server} still {} old data from {} cache for {} ({ex}){}.",
                v("serves", "serve"),
                v("its", "their"),
                rrsets(n),
                expiry()
            ),
            Mood::Warn,
        ),
        Cause::NegativeCached { .. } => Said::new(
            "negative_cache",
            format!(
                "{server} still {} \"no such data\" for {} that exist{} now ({ex}){}.",
                v("caches", "cache"),
                rrsets(n),
                if n == 1 { "s" } else { "" },
                expiry()
            ),
            Mood::Warn,
        ),
        Cause::FromLagging { secondary, .. } => Said::new(
            "fresh_from_lagging",
            format!(
                "{server} {} just fetched old data from the lagging secondary {secondary} for {} ({ex}){}.",
                v("has", "have"),
                rrsets(n),
                expiry()
            ),
            Mood::Warn,
        ),
        Cause::Failed { kind, problem, .. } => Said::new(
            "failed",
            format!(
                "{server} ({}) gave no usable answer for {} ({ex}): {}.",
                super::compare::kind(*kind),
                rrsets(n),
                problem_words(*problem)
            ),
            Mood::Bad,
        ),
        Cause::Unexplained { .. } => Said::new(
            "differs",
            format!(
                "{server} {} other data than the authoritative servers for {} ({ex}), and nothing in the answers explains it (a cache keeping data past its TTL, or a resolver that rewrites answers).",
                v("serves", "serve"),
                rrsets(n)
            ),
            Mood::Bad,
        ),
        Cause::NoReference => Said::new(
            "no_reference",
            format!(
                "No authoritative server answered for {} ({ex}): nothing to compare the resolvers with.",
                rrsets(n)
            ),
            Mood::Bad,
        ),
        Cause::NoZone { at } => Said::new(
            "no_zone",
            format!(
                "The zone of {} could not be found ({ex}): the trace to it stopped at {}.",
                rrsets(n),
                present::name(at)
            ),
            Mood::Bad,
        ),
    }
}

/// " (in 4m)" from now.
fn in_how_long(at: u64) -> String {
    let now = dnscope::compare::unix_secs(std::time::SystemTime::now());
    match at.checked_sub(now) {
        Some(left) if left > 0 => format!(
            " (in {})",
            human_ttl(u32::try_from(left).unwrap_or(u32::MAX))
        ),
        _ => String::new(),
    }
}

/// " (your file has serial X; the servers serve Y)".
fn serials(s: Option<&Summary>) -> String {
    let Some(s) = s else {
        return String::new();
    };
    let mut served: Vec<u32> = s
        .zones
        .iter()
        .flat_map(|z| z.soa.values().map(|soa| soa.serial))
        .collect();
    served.sort_unstable();
    served.dedup();
    let served: Vec<String> = served.iter().map(u32::to_string).collect();
    match (s.file_serial, served.is_empty()) {
        (Some(f), false) => format!(
            " (your file has serial {f}; the servers serve {})",
            served.join(" and ")
        ),
        _ => String::new(),
    }
}

fn problem_words(p: ProblemKind) -> String {
    match p {
        ProblemKind::Timeout => "no reply in time".to_string(),
        ProblemKind::Unreachable => "nothing listens there".to_string(),
        ProblemKind::GaveUp => "it had stopped answering, so dnscope stopped asking it".to_string(),
        ProblemKind::Wire => "the answer could not be used".to_string(),
        ProblemKind::Rcode(code) => format!(
            "it answered {}",
            present::rcode(hickory_proto::op::ResponseCode::from(
                u8::try_from(code >> 4).unwrap_or(u8::MAX),
                u8::try_from(code & 0xF).unwrap_or(0)
            ))
        ),
        ProblemKind::NotAuthoritative => {
            "it answered without AA: it does not serve the zone (lame)".to_string()
        }
        ProblemKind::NoRecursion => "it does not offer recursion to us".to_string(),
    }
}
