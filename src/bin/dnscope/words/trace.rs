//! A trace in words: each server's outcome, each step's result and reading, and where it
//! started; how it ended is in `ending.rs` (re-exported here, so `words::trace` is the whole
//! trace vocabulary).

use dnscope::present::{self, Shown, for_tty, name};
use dnscope::trace::{
    Attempt, AttemptStatus, BadReason, CutPath, Governing, LameReason, Negative, NsLookup, Purpose,
    StartFrom, Step, TldCuts, Trace, Verdict,
};
use dnscope::wire::{WireError, rtype_name};
use hickory_proto::rr::{Name, RData, Record};

pub use super::ending::{
    and_more, end, end_rcode, failure_detail, failure_headline, failure_kind, limit, lookup_groups,
    ns_lookup_error, repeated_lookups,
};
pub use super::reading::{
    cost_reading, glue_cell, legend, ns_mismatch, reading, truncation_reading,
};
use super::{Mood, Said, human_ttl, ms, plural};

/// What one server did at a step.
pub fn attempt(a: &Attempt, step: &Step) -> Said {
    match (&a.status, &a.verdict) {
        (AttemptStatus::Pending, _) => Said::new("no_reply", "no reply yet", Mood::Quiet),
        (AttemptStatus::NotSent, _) => {
            Said::new("not_sent", "not sent (query budget spent)", Mood::Quiet)
        }
        (AttemptStatus::Abandoned(w), _) => Said::new(
            "no_reply",
            if step.chosen_attempt().is_some_and(Attempt::is_usable) {
                format!(
                    "no reply within {}, by when another server had answered; not waited for further",
                    ms(*w)
                )
            } else {
                format!(
                    "no reply within {}, when the trace ended; not waited for further",
                    ms(*w)
                )
            },
            Mood::Bad,
        ),
        (AttemptStatus::Done(Err(e)), _) => wire_error(e),
        (AttemptStatus::Done(Ok(x)), Some(v)) if x.truncated.is_some() => {
            let said = verdict(v, step);
            Said::new(
                said.kind,
                format!("{} (over TCP: the UDP reply was truncated)", said.text),
                said.mood,
            )
        }
        (AttemptStatus::Done(Ok(_)), Some(v)) => verdict(v, step),
        (AttemptStatus::Done(Ok(_)), None) => Said::new("response", "response", Mood::Quiet),
    }
}

/// A wire-level failure in a table cell: short, with its kind.
pub fn wire_error(e: &WireError) -> Said {
    let (kind, text) = match e {
        WireError::Timeout {
            attempts,
            timeout_ms,
            ..
        } => ("timeout", format!("timeout ({attempts}×{timeout_ms} ms)")),
        WireError::Unreachable { .. } => ("unreachable", "unreachable: nothing listens".into()),
        WireError::BadResponse { reason, .. } => {
            ("bad_response", format!("bad response: {reason}"))
        }
        WireError::Forbidden { .. } => ("forbidden", "not asked: outside loopback".into()),
        WireError::GaveUp { timeouts, .. } => (
            "gave_up",
            format!("not asked: no reply to its last {timeouts} questions in this run"),
        ),
        WireError::Io { message, .. } => ("io", format!("socket error: {message}")),
        WireError::Encode(why) => ("encode", format!("cannot encode the question: {why}")),
        WireError::Secure {
            failure, protocol, ..
        } => return super::secure::failure(failure, *protocol),
    };
    Said::new(kind, text, Mood::Bad)
}

/// What a response meant.
pub fn verdict(v: &Verdict, step: &Step) -> Said {
    match v {
        Verdict::Referral(r) => Said::new(
            "referral",
            format!("referral to {}", r.zone.wire()),
            Mood::Good,
        ),
        Verdict::Answer { .. } => Said::new("answer", "answer", Mood::Good),
        Verdict::Cname { target, .. } => {
            Said::new("cname", format!("CNAME to {}", target.wire()), Mood::Good)
        }
        Verdict::NxDomain(_) => Said::new("nxdomain", "NXDOMAIN", Mood::Good),
        Verdict::NoData(_) => Said::new("nodata", "NODATA", Mood::Good),
        Verdict::Refused => Said::new(
            "refused",
            "refused (lame: does not serve the zone)",
            Mood::Warn,
        ),
        Verdict::ServFail => Said::new("servfail", "SERVFAIL", Mood::Bad),
        Verdict::Lame(why) => Said::new("lame", format!("lame: {}", lame(why, step)), Mood::Warn),
        Verdict::Bad(why) => Said::new(
            "bad_response",
            format!("bad response: {}", bad(why, step)),
            Mood::Bad,
        ),
    }
}

/// Why a server is lame for the zone it was asked about.
pub fn lame(why: &LameReason, step: &Step) -> String {
    match why {
        LameReason::NxDomainWithoutAa => "NXDOMAIN without AA (not authoritative)".into(),
        LameReason::AnswerWithoutAa => {
            "answer without AA (not authoritative: cached or lame)".into()
        }
        LameReason::Empty => "no answer, no referral and no AA".into(),
        LameReason::ReferralAway { child } => {
            format!(
                "referral to {}, which does not contain {}",
                child.wire(),
                step.qname.wire()
            )
        }
        LameReason::Sideways { child } => format!(
            "sideways referral to {}: a referral from {} must lead below it",
            child.wire(),
            step.zone.wire()
        ),
        LameReason::Upward { child } => format!(
            "upward referral to {}: a referral from {} must lead below it",
            child.wire(),
            step.zone.wire()
        ),
    }
}

/// Why a response makes no sense.
pub fn bad(why: &BadReason, step: &Step) -> String {
    match why {
        BadReason::Rcode(rcode) => format!("rcode {}", present::rcode(*rcode)),
        BadReason::NoRecordOfType(t) => format!(
            "the answer section holds no {} record for {}",
            rtype_name(*t),
            step.qname.wire()
        ),
    }
}

/// A step's result, for its header line.
pub fn step_result(s: &Step) -> Said {
    match s.verdict() {
        Some(Verdict::Referral(r)) => Said::new(
            "referral",
            format!("referral to {}", r.zone.wire()),
            Mood::Good,
        ),
        Some(Verdict::Answer { records, .. }) => Said::new(
            "answer",
            format!("answer ({} record{})", records.len(), plural(records.len())),
            Mood::Good,
        ),
        Some(Verdict::Cname { target, .. }) => {
            Said::new("cname", format!("CNAME to {}", target.wire()), Mood::Good)
        }
        Some(Verdict::NxDomain(_)) => Said::new("nxdomain", "NXDOMAIN", Mood::Warn),
        Some(Verdict::NoData(_)) => Said::new("nodata", "NODATA", Mood::Warn),
        Some(_) | None if s.attempts.is_empty() => {
            Said::new("failed", "no server could be asked", Mood::Bad)
        }
        Some(_) | None => Said::new("failed", "no usable answer", Mood::Bad),
    }
}

/// Where a trace starts, from its options: the line after its title.
pub fn start_of(start: &StartFrom, roots: &[dnscope::trace::NameServer]) -> String {
    let all = roots;
    let roots: Vec<String> = all
        .iter()
        .take(4)
        .map(|r| match &r.name {
            Some(n) => format!("{} {}", n.wire(), r.addr.ip()),
            None => r.addr.ip().to_string(),
        })
        .collect();
    let more = if all.len() > 4 {
        format!(" and {} more", all.len() - 4)
    } else {
        String::new()
    };
    let from = match start {
        StartFrom::BuiltIn { date } => {
            format!("the built-in IANA root hints (named.root of {date})")
        }
        StartFrom::HintsFile(p) => format!("the root hints in {}", p.display()),
        StartFrom::Given => "the root servers given with --root".to_string(),
        StartFrom::Lab => "the lab's root servers".to_string(),
    };
    let port = all.first().map(|r| r.addr.port()).unwrap_or(53);
    format!(
        "Starting from {from}: {}{more} (port {port})",
        roots.join(", ")
    )
}

/// What a step under way waits for (the progress note on a terminal).
pub fn waiting(s: &Step, pending: usize, now: std::time::Duration) -> String {
    let waited = now.saturating_sub(s.started);
    if pending == 0 {
        format!(
            "… {} {}: looking up name server addresses, {:.1} s",
            s.zone.wire(),
            rtype_name(s.qtype),
            waited.as_secs_f64()
        )
    } else {
        format!(
            "… asking {} for {} {}: waiting for {pending} server{}, {:.1} s",
            s.zone.wire(),
            s.qname.wire(),
            rtype_name(s.qtype),
            plural(pending),
            waited.as_secs_f64()
        )
    }
}

/// The machine name of where a trace started.
pub fn start_kind(s: &StartFrom) -> &'static str {
    match s {
        StartFrom::BuiltIn { .. } => "built_in",
        StartFrom::HintsFile(_) => "hints_file",
        StartFrom::Given => "given",
        StartFrom::Lab => "lab",
    }
}

/// Why a nested step was asked, for its header.
pub fn purpose(s: &Step) -> String {
    match &s.purpose {
        Purpose::Resolve => String::new(),
        Purpose::NsAddress { for_zone } => {
            format!("  (address of a name server of {})", for_zone.wire())
        }
    }
}

/// The machine name of a step's purpose.
pub fn purpose_kind(p: &Purpose) -> &'static str {
    match p {
        Purpose::Resolve => "resolve",
        Purpose::NsAddress { .. } => "ns_address",
    }
}

/// Before the NS lookups of a glueless step (printed before the step they make possible).
pub fn glueless_intro(s: &Step) -> Option<String> {
    if s.ns_lookups.is_empty() {
        return None;
    }
    let names: Vec<Name> = s.ns_lookups.iter().map(|l| l.ns.clone()).collect();
    Some(format!(
        "Before the servers of {} can be asked: their names came without addresses (no glue), so {} looked up first:",
        s.zone.wire(),
        if names.len() == 1 {
            format!("{} is", super::names(&names))
        } else {
            format!("{} are", super::names(&names))
        }
    ))
}

/// Why an NS lookup ran: the step needed it, or only to show that server too.
pub fn lookup_role(l: &NsLookup) -> &'static str {
    if l.needed {
        "needed to go on"
    } else {
        "only to show this server too: looked up after the step had its answer"
    }
}

/// The glueless NS names that were not looked up.
pub fn not_looked_up(names: &[Name]) -> String {
    format!(
        "not looked up (no glue, other servers had addresses): {}",
        super::names(names)
    )
}

/// An address record a referral carried that was not accepted as glue.
pub fn ignored_glue(g: &Record, asked: &Name) -> String {
    format!(
        "ignored {} {} {}: not the address of an NS inside {} (RFC 2181 §5.4.1), looked up instead",
        g.name.wire(),
        present::rtype(g),
        present::rdata(&g.data),
        asked.wire(),
    )
}

/// A CNAME whose target lies outside the zone that gave it.
pub fn cname_leaves(target: &Name) -> String {
    format!(
        "{} is outside this zone: following it from the closest zone cut known",
        target.wire()
    )
}

/// What the trace cost.
pub fn cost(t: &Trace) -> String {
    let checks = if t.checks > 0 {
        format!(" (+{} to check the zones' own NS sets)", t.checks)
    } else {
        String::new()
    };
    let waited = if t.wall > t.elapsed + std::time::Duration::from_micros(500) {
        format!("; {} in all with the wait for slower servers", ms(t.wall))
    } else {
        String::new()
    };
    let dnssec = t.dnssec.as_ref().map_or_else(String::new, |r| {
        format!("; DNSSEC: {}", super::dnssec::work(r, t.dnssec_queries))
    });
    format!(
        "{} queries{checks}; outcome after {}{waited}; cold best path {}{dnssec}",
        t.queries,
        ms(t.elapsed),
        ms(t.cold_best_path)
    )
}

/// The zone-cut path of one name of the chain: the zones joined by arrows, and which of them
/// were known from before (not asked again for this name).
pub fn cut_path(p: &CutPath) -> String {
    let zones: Vec<String> = p.zones.iter().map(present::name).collect();
    let path = zones.join(" → ");
    if p.known >= p.zones.len() && !p.zones.is_empty() {
        format!("{path}  (answered with the name before it)")
    } else if p.known > 0 {
        format!(
            "{path}  ({} known from before)",
            zones[..p.known].join(", ")
        )
    } else {
        path
    }
}

/// The delegations crossed, counted: every zone cut below the root, grouped by TLD.
pub fn delegations(cuts: &[TldCuts]) -> String {
    let total: usize = cuts.iter().map(TldCuts::count).sum();
    let each: Vec<String> = cuts
        .iter()
        .map(|t| {
            if t.below.is_empty() {
                format!("{} (none below it)", t.tld.wire())
            } else {
                format!(
                    "{} and {} below it ({})",
                    t.tld.wire(),
                    t.below.len(),
                    super::names(&t.below)
                )
            }
        })
        .collect();
    format!(
        "{total} zone cut{} below the root: {}",
        plural(total),
        each.join("; ")
    )
}

/// How long the whole answer can stay cached: the smallest TTL along the chain.
pub fn governing(g: &Governing, negative: bool) -> String {
    let (what, what_bare) = if negative {
        ("the negative answer", "negative answer")
    } else {
        ("the answer", "answer")
    };
    if g.of <= 1 {
        return format!("{what} for up to {} s ({})", g.ttl, human_ttl(g.ttl));
    }
    format!(
        "the whole {what_bare} for at most {} s ({}), the smallest TTL of the {} record sets along the chain ({} {}); each link is fetched again when its own TTL runs out",
        g.ttl,
        human_ttl(g.ttl),
        g.of,
        g.name.wire(),
        if g.rtype == hickory_proto::rr::RecordType::SOA {
            "SOA, the negative TTL".to_string()
        } else {
            rtype_name(g.rtype)
        }
    )
}

/// A record as one line: `name TTL (human) TYPE data`, safe for a terminal.
pub fn record_line(r: &Record) -> String {
    format!(
        "{} {} ({}) {} {}",
        for_tty(&name(&r.name)),
        r.ttl,
        human_ttl(r.ttl),
        present::rtype(r),
        for_tty(&present::rdata(&r.data))
    )
}

/// A negative answer's SOA and how long it may be cached.
pub fn negative(n: &Negative) -> Vec<String> {
    match (&n.soa, n.ttl) {
        (Some(soa), Some(ttl)) => {
            let minimum = match &soa.data {
                RData::SOA(s) => s.minimum,
                _ => 0,
            };
            vec![
                record_line(soa),
                format!(
                    "resolvers cache this negative answer for {ttl} s ({}) = min(SOA TTL {}, SOA MINIMUM {minimum}) (RFC 2308 §5)",
                    human_ttl(ttl),
                    soa.ttl
                ),
            ]
        }
        _ => vec!["no SOA in the authority section: resolvers cannot tell how long to cache this (RFC 2308 §5)".to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::ending::cycle;
    use dnscope::trace::{Cycle, End, Failure, NameServer};
    use hickory_proto::rr::RecordType;
    use std::time::Duration;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    fn step(attempts: Vec<Attempt>) -> Step {
        Step {
            parent: None,
            depth: 0,
            purpose: Purpose::Resolve,
            zone: n("shop.test."),
            qname: n("www.shop.test."),
            qtype: RecordType::A,
            unresolved: Vec::new(),
            ns_lookups: Vec::new(),
            attempts,
            chosen: None,
            started: Duration::ZERO,
            elapsed: Duration::ZERO,
            done: true,
            zone_ns: Vec::new(),
        }
    }

    fn tried(status: AttemptStatus, verdict: Option<Verdict>) -> Attempt {
        Attempt {
            ns: NameServer {
                name: Some(n("ns1.shop.test.")),
                addr: "127.0.0.40:53".parse().expect("addr"),
            },
            sent_at: Duration::ZERO,
            status,
            verdict,
        }
    }

    #[test]
    fn a_budget_drop_reads_the_same_everywhere() {
        // The table cell and the failure summary use the same words (they once drifted).
        let a = tried(AttemptStatus::NotSent, None);
        let s = step(vec![a.clone()]);
        let said = attempt(&a, &s);
        assert_eq!(said.kind, "not_sent");
        let mut t = trace_with(vec![s]);
        t.end = End::Failed {
            zone: n("shop.test."),
            failure: Failure::NoReply { step: 0 },
        };
        assert!(end(&t).text.contains(&said.text), "{}", end(&t).text);
    }

    #[test]
    fn lame_reasons_name_the_zones() {
        let s = step(Vec::new());
        let text = lame(&LameReason::Upward { child: n("test.") }, &s);
        assert_eq!(
            text,
            "upward referral to test.: a referral from shop.test. must lead below it"
        );
    }

    #[test]
    fn cycles_are_spelled_out() {
        let c = Cycle::Zones {
            links: vec![
                (n("a.test."), n("ns.b.test.")),
                (n("b.test."), n("ns.a.test.")),
            ],
        };
        assert_eq!(
            cycle(&c),
            "cycle: a.test. is served by ns.b.test., which is in a zone where b.test. is served by ns.a.test., which is in a.test. again: no address can ever be found"
        );
    }

    fn trace_with(steps: Vec<Step>) -> Trace {
        Trace {
            name: n("www.shop.test."),
            rtype: RecordType::A,
            start: StartFrom::Given,
            roots: Vec::new(),
            family: dnscope::trace::Family::BOTH,
            steps,
            end: End::Answer,
            cnames: Vec::new(),
            answer: Vec::new(),
            zone_cuts: Vec::new(),
            queries: 0,
            checks: 0,
            elapsed: Duration::ZERO,
            wall: Duration::ZERO,
            cold_best_path: Duration::ZERO,
            fetches: Vec::new(),
            dnssec_queries: 0,
            keys_wait: Duration::ZERO,
            dnssec: None,
        }
    }
}
