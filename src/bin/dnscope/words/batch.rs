//! Many names at once in words: each row's status and each server's verdict, the causes a
//! batch found (each said once for all the rows it explains), what the run cost, and its
//! progress.

use std::time::Duration;

use dnscope::batch::{Cause, Check, Row, RowStatus, Skipped, Summary, TraceSummary};
use dnscope::compare::{AnswerKey, Kind};
use dnscope::present;
use dnscope::wire::rtype_name;
use hickory_proto::rr::{Name, RecordType};

use super::{Mood, Said, human_ttl, ms, plural};

pub use super::cause::{cause, causes};

/// A row's status, as a word (JSON `status` too).
pub fn status(s: RowStatus) -> Said {
    match s {
        RowStatus::Matches => Said::new("matches", "matches", Mood::Good),
        RowStatus::Differs => Said::new("differs", "differs", Mood::Bad),
        RowStatus::Missing => Said::new("missing", "missing", Mood::Bad),
        RowStatus::Extra => Said::new("extra", "extra", Mood::Warn),
        RowStatus::Error => Said::new("error", "error", Mood::Bad),
    }
}

/// One server's verdict, as a word (JSON `check`).
pub fn check(c: Option<Check>) -> &'static str {
    match c {
        Some(Check::Matches) => "matches",
        Some(Check::Extra) => "extra",
        Some(Check::Missing) => "missing",
        Some(Check::Differs) => "differs",
        Some(Check::Error) => "error",
        None => "unchecked",
    }
}

/// A question as a reader writes it: `www.news.example. A`.
pub fn question(name: &Name, rtype: RecordType) -> String {
    format!("{} {}", present::name(name), rtype_name(rtype))
}

/// A few examples, "a, b and 3 more" of `total`.
pub fn examples(list: &[(usize, Name, RecordType)], total: usize) -> String {
    let shown: Vec<String> = list.iter().map(|(_, n, t)| question(n, *t)).collect();
    let more = total.saturating_sub(shown.len());
    match (shown.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (all, 0) => {
            let (last, rest) = all
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!("{} and {last}", rest.join(", "))
        }
        (all, n) => format!("{} and {n} more", all.join(", ")),
    }
}

/// "1 RRset", "14 RRsets".
pub fn rrsets(n: usize) -> String {
    format!("{n} RRset{}", plural(n))
}

/// The data a key stands for, short: the records' data, or NXDOMAIN / NODATA.
pub fn data(key: &AnswerKey) -> String {
    match key {
        // An SOA is its serial, as far as a reader comparing versions cares.
        AnswerKey::Data(lines)
            if !lines.is_empty()
                && lines
                    .iter()
                    .all(|l| l.split_whitespace().nth(1) == Some("SOA")) =>
        {
            lines
                .iter()
                .filter_map(|l| l.split_whitespace().nth(4))
                .map(|serial| format!("SOA serial {serial}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        AnswerKey::Data(_) => super::compare::answer(key),
        AnswerKey::NxDomain => "NXDOMAIN".to_string(),
        AnswerKey::NoData => "NODATA".to_string(),
    }
}

/// What one server serves, for a one-row group's cell: its data (with its TTL when that is
/// what differs), or why it has none.
pub fn served(row: &Row, i: usize) -> String {
    let Some(s) = row.comparison.as_ref().and_then(|c| c.servers.get(i)) else {
        return String::new();
    };
    let what = match (&s.key, &s.problem) {
        (Some(key), _) => data(key),
        (None, Some(dnscope::compare::Problem::NoResponse(e))) => super::trace::wire_error(e).text,
        (None, Some(p)) => super::compare::problem(p).text,
        (None, None) => "-".to_string(),
    };
    // A TTL other than the file's is the difference itself.
    match row.checks.get(i).and_then(|k| k.ttl) {
        Some((want, got)) => format!("{what} with TTL {got}, not {want}"),
        None => what,
    }
}

/// What explains one server's answer, when it is named alone: its serial, a cache's time
/// left, a TTL other than the file's.
pub fn served_note(row: &Row, i: usize) -> Option<String> {
    let s = row.comparison.as_ref()?.servers.get(i)?;
    let k = row.checks.get(i)?;
    if k.ttl.is_some() {
        // Said with the data itself (see `served`).
        return None;
    }
    let key = s.key.as_ref()?;
    match s.kind {
        // An SOA's data is its serial already.
        Kind::Authoritative if data(key).starts_with("SOA serial") => None,
        Kind::Authoritative if k.check != Some(Check::Matches) => {
            s.serial().map(|serial| format!("serial {serial}"))
        }
        Kind::Authoritative => None,
        Kind::Resolver => {
            let why = match s.status {
                dnscope::compare::Status::Cached => "cached",
                dnscope::compare::Status::FromLagging => "from a lagging secondary",
                _ => return None,
            };
            s.expires_in
                .map(|left| format!("{why}, {} left", human_ttl(left)))
        }
    }
}

/// The closing verdict.
pub fn verdict(s: &Summary) -> Said {
    let n = s.rows();
    let ok = s.counts.matches;
    if n == 0 {
        return Said::new("nothing_checked", "Nothing was checked.", Mood::Bad);
    }
    if ok == n {
        return Said::new(
            "all_match",
            format!("Every server serves all {} as intended.", rrsets(n)),
            Mood::Good,
        );
    }
    let passing = !s.causes.is_empty()
        && s.causes.iter().all(|t| {
            matches!(
                t.cause,
                Cause::Cached { .. }
                    | Cause::NegativeCached { .. }
                    | Cause::FromLagging { .. }
                    | Cause::Lagging { .. }
            )
        });
    let tail = if passing {
        " Every difference passes by itself: caches expire and secondaries catch up."
    } else {
        ""
    };
    Said::new(
        "not_all_match",
        format!("{} of {} are not as intended.{tail}", n - ok, rrsets(n)),
        Mood::Bad,
    )
}

/// The counts in one line: "12 RRsets: 7 match, 2 differ, 1 missing, 1 extra, 1 error".
pub fn counts(s: &Summary) -> String {
    let c = &s.counts;
    let mut parts = vec![format!(
        "{} match{}",
        c.matches,
        if c.matches == 1 { "es" } else { "" }
    )];
    for (n, word) in [
        (c.differs, "differ"),
        (c.missing, "missing"),
        (c.extra, "extra"),
        (c.error, "error"),
    ] {
        if n > 0 {
            let word = match word {
                "differ" if n == 1 => "differs".to_string(),
                "error" => format!("error{}", plural(n)),
                w => w.to_string(),
            };
            parts.push(format!("{n} {word}"));
        }
    }
    format!("{}: {}", rrsets(s.rows()), parts.join(", "))
}

/// What the run cost, against what it would have without its cache.
pub fn cost(s: &Summary) -> String {
    let t = &s.transport;
    let mut text = format!(
        "{} quer{} sent: {} for the {} (up to {} server{} each) and {} to find the zones and their servers",
        t.sent,
        if t.sent == 1 { "y" } else { "ies" },
        s.row_queries,
        rrsets(s.rows()),
        s.servers_per_row,
        plural(s.servers_per_row),
        s.descent_queries()
    );
    let reused = t.referral_hits + t.repeat_hits;
    if reused > 0 {
        text.push_str(&format!(
            "; {reused} answered from this run's cache ({})",
            reuse(t.referral_hits, t.repeat_hits)
        ));
    }
    text.push_str(&gave_up(t));
    text.push_str(&encrypted(t));
    text.push_str(&format!(
        ". {}{}.",
        ms(s.elapsed),
        rate(s.rows(), s.elapsed)
    ));
    text
}

/// "; 6 over DoT/DoH/DoQ, 4 of them on a connection already open", when some were.
fn encrypted(t: &dnscope::wire::SharedStats) -> String {
    if t.encrypted == 0 {
        return String::new();
    }
    format!(
        "; {} answered over DoT/DoH/DoQ, {} of them on a connection an earlier question opened",
        t.encrypted, t.connections_reused
    )
}

/// "; 6 not sent to 1 server that had stopped answering", when some were not.
fn gave_up(t: &dnscope::wire::SharedStats) -> String {
    if t.gave_up == 0 {
        return String::new();
    }
    format!(
        "; {} not sent to {} server{} that had stopped answering",
        t.gave_up,
        t.dead_servers,
        plural(t.dead_servers)
    )
}

/// "2 referrals, 5 repeated questions", the parts that are not zero.
fn reuse(referrals: usize, repeats: usize) -> String {
    let mut parts = Vec::new();
    if referrals > 0 {
        parts.push(format!("{referrals} referral{}", plural(referrals)));
    }
    if repeats > 0 {
        parts.push(format!("{repeats} repeated question{}", plural(repeats)));
    }
    parts.join(", ")
}

fn rate(n: usize, d: Duration) -> String {
    let secs = d.as_secs_f64();
    if n < 2 || secs <= 0.0 {
        return String::new();
    }
    #[allow(clippy::cast_precision_loss)]
    let per = n as f64 / secs;
    format!(", {per:.0} per second")
}

/// What a zone file left out.
pub fn skipped(s: &Skipped) -> Option<String> {
    let mut parts = Vec::new();
    if s.dnssec > 0 {
        parts.push(format!(
            "{} DNSSEC RRset{} (--with-dnssec checks them)",
            s.dnssec,
            plural(s.dnssec)
        ));
    }
    if s.glue > 0 {
        parts.push(format!(
            "{} delegation and glue RRset{} (--with-glue checks them)",
            s.glue,
            plural(s.glue)
        ));
    }
    if s.occluded > 0 {
        parts.push(format!(
            "{} RRset{} below a delegation that the zone cannot serve",
            s.occluded,
            plural(s.occluded)
        ));
    }
    if s.signatures > 0 {
        parts.push(format!(
            "{} RRSIG and NSEC record{} (they change with every signing; never compared)",
            s.signatures,
            plural(s.signatures)
        ));
    }
    (!parts.is_empty()).then(|| format!("Left out of the zone file: {}.", parts.join("; ")))
}

/// Repeated lines, said once.
pub fn duplicates(s: &Summary) -> Option<String> {
    if s.duplicates == 0 {
        return None;
    }
    let ex: Vec<String> = s
        .duplicate_examples
        .iter()
        .map(|(line, n, t)| match line {
            Some(l) => format!("line {l}: {}", question(n, *t)),
            None => question(n, *t),
        })
        .collect();
    Some(format!(
        "{} input line{} repeat{} a name and type already checked ({}): checked once.",
        s.duplicates,
        plural(s.duplicates),
        if s.duplicates == 1 { "s" } else { "" },
        ex.join(", ")
    ))
}

/// The progress note: done of total, rate, time left.
pub fn progress(done: usize, total: Option<usize>, elapsed: Duration, unit: &str) -> String {
    let secs = elapsed.as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let per = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    match total {
        Some(total) if total > 0 => {
            #[allow(clippy::cast_precision_loss)]
            let left = if per > 0.0 {
                (total.saturating_sub(done)) as f64 / per
            } else {
                0.0
            };
            format!(
                "{done} of {total} {unit} · {per:.0}/s · about {} left",
                human_secs(left)
            )
        }
        _ => format!("{done} {unit} · {per:.0}/s"),
    }
}

fn human_secs(s: f64) -> String {
    // Rounded up to whole seconds, at most a day in the note.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = s.ceil().clamp(0.0, 86_400.0) as u32;
    human_ttl(whole)
}

/// The trace batch's counts: "12 names: 9 answers, 2 NXDOMAIN, 1 failed".
pub fn trace_counts(s: &TraceSummary) -> String {
    let e = &s.endings;
    let mut parts = Vec::new();
    for (n, word) in [
        (e.answer, "answer"),
        (e.nxdomain, "NXDOMAIN"),
        (e.nodata, "NODATA"),
        (e.failed, "failed"),
        (e.limit, "stopped by a limit"),
    ] {
        if n > 0 {
            let word = if word == "answer" {
                format!("answer{}", plural(n))
            } else {
                word.to_string()
            };
            parts.push(format!("{n} {word}"));
        }
    }
    let mut text = format!(
        "{} name{} traced: {}",
        s.rows(),
        plural(s.rows()),
        parts.join(", ")
    );
    if let Some(v) = &s.dnssec {
        let mut d = Vec::new();
        for (n, word) in [
            (v.secure, "secure"),
            (v.insecure, "insecure"),
            (v.bogus, "bogus"),
            (v.indeterminate, "indeterminate"),
        ] {
            if n > 0 {
                d.push(format!("{n} {word}"));
            }
        }
        text.push_str(&format!(" · DNSSEC: {}", d.join(", ")));
    }
    text
}

/// What the trace batch cost, against independent traces.
pub fn trace_cost(s: &TraceSummary) -> String {
    let t = &s.transport;
    let mut text = format!(
        "{} quer{} sent; independent traces would have sent {}",
        t.sent,
        if t.sent == 1 { "y" } else { "ies" },
        s.asked
    );
    if t.referral_hits + t.repeat_hits > 0 {
        text.push_str(&format!(
            " ({} answered from this run's cache: {})",
            t.referral_hits + t.repeat_hits,
            reuse(t.referral_hits, t.repeat_hits)
        ));
    }
    text.push_str(&gave_up(t));
    text.push_str(&format!(". {}{}", ms(s.elapsed), rate(s.rows(), s.elapsed)));
    if let Some((name, d)) = &s.slowest {
        text.push_str(&format!("; slowest: {} ({})", present::name(name), ms(*d)));
    }
    text.push('.');
    text
}

/// Traces that failed the same way at the same zone, said once.
pub fn trace_failure(f: &dnscope::batch::FailureTally) -> Said {
    let ex = examples(&f.examples, f.rows);
    match &f.end {
        dnscope::trace::End::Failed { zone, failure } => Said::new(
            super::ending::failure_kind(failure),
            format!(
                "{} name{} failed: {} ({ex}).",
                f.rows,
                plural(f.rows),
                super::ending::failure_headline(zone, failure)
            ),
            Mood::Bad,
        ),
        _ => Said::new("failed", format!("{} failed ({ex}).", f.rows), Mood::Bad),
    }
}
