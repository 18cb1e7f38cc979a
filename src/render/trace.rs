//! Human output of `trace`: where it started, each step with every server's outcome, the
//! delegation handed down (NS and glue with TTLs), nested NS lookups indented under the step
//! that needed them, and a summary.

use std::io::{self, Write};

use dnscope::present;
use dnscope::trace::{
    Attempt, AttemptStatus, End, Failure, Limit, Negative, Purpose, StartFrom, Step, Trace, Verdict,
};
use dnscope::wire::{WireError, rtype_name};
use hickory_proto::rr::{RData, Record};

use super::sanitize::for_tty;
use super::{Palette, Tone, human_ttl, ms};

pub fn render(
    out: &mut dyn Write,
    t: &Trace,
    pal: &Palette,
    verbose: u8,
    explain: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "{} {} {}",
        pal.paint("Tracing", Tone::Strong),
        pal.paint(&for_tty(&t.name.to_string()), Tone::Name),
        rtype_name(t.rtype)
    )?;
    writeln!(out, "{}", start_line(t))?;
    let roots: Vec<usize> = (0..t.steps.len())
        .filter(|&i| t.steps[i].parent.is_none())
        .collect();
    let mut number = 0;
    for i in roots {
        writeln!(out)?;
        let view = View {
            pal,
            verbose,
            explain,
        };
        step(out, t, i, view, &mut number, "")?;
    }
    writeln!(out)?;
    summary(out, t, pal)
}

fn start_line(t: &Trace) -> String {
    let roots: Vec<String> = t
        .roots
        .iter()
        .take(4)
        .map(|r| match &r.name {
            Some(n) => format!("{n} {}", r.addr.ip()),
            None => r.addr.ip().to_string(),
        })
        .collect();
    let more = if t.roots.len() > 4 {
        format!(" and {} more", t.roots.len() - 4)
    } else {
        String::new()
    };
    let from = match &t.start {
        StartFrom::BuiltIn { date } => {
            format!("the built-in IANA root hints (named.root of {date})")
        }
        StartFrom::HintsFile(p) => format!("the root hints in {}", p.display()),
        StartFrom::Given => "the root servers given with --root".to_string(),
        StartFrom::Lab => "the lab's root servers".to_string(),
    };
    let port = t.roots.first().map(|r| r.addr.port()).unwrap_or(53);
    format!(
        "Starting from {from}: {}{more} (port {port})",
        roots.join(", ")
    )
}

/// How much to show.
#[derive(Clone, Copy)]
struct View<'a> {
    pal: &'a Palette,
    verbose: u8,
    explain: bool,
}

fn step(
    out: &mut dyn Write,
    t: &Trace,
    index: usize,
    view: View<'_>,
    number: &mut usize,
    indent: &str,
) -> io::Result<()> {
    let View {
        pal,
        verbose,
        explain,
    } = view;
    let s = &t.steps[index];
    *number += 1;
    let purpose = match &s.purpose {
        Purpose::Resolve => String::new(),
        Purpose::NsAddress { for_zone } => format!("  (address of a name server of {for_zone})"),
    };
    let (result, tone) = step_result(s);
    writeln!(
        out,
        "{indent}{} {}  {} {}  → {}  {}{}",
        pal.paint(&format!("[{}]", number), Tone::Dim),
        pal.paint(&format!("zone {}", s.zone), Tone::Strong),
        for_tty(&s.qname.to_string()),
        rtype_name(s.qtype),
        pal.paint(&result, tone),
        pal.paint(&ms(s.elapsed), Tone::Dim),
        pal.paint(&purpose, Tone::Dim)
    )?;
    if explain && let Some(sentence) = dnscope::explain::read_step(t, index) {
        writeln!(
            out,
            "{indent}  {} {}",
            pal.paint("↳", Tone::Dim),
            for_tty(&sentence)
        )?;
    }
    if !s.ns_lookups.is_empty() || !s.unresolved.is_empty() {
        let names: Vec<String> = s.ns_lookups.iter().map(|l| l.ns.to_string()).collect();
        if !names.is_empty() {
            writeln!(
                out,
                "{indent}    no glue for {}: looking up {} (the first that works is used; the rest only to show them)",
                s.zone,
                names.join(", ")
            )?;
        }
    }
    let child_indent = format!("{indent}    │ ");
    for child in (0..t.steps.len()).filter(|&c| t.steps[c].parent == Some(index)) {
        step(out, t, child, view, number, &child_indent)?;
    }
    if !s.ns_lookups.is_empty() || !s.unresolved.is_empty() {
        for l in &s.ns_lookups {
            let text = match &l.result {
                Ok(ips) => pal.paint(
                    &format!(
                        "{} = {}  ({})",
                        l.ns,
                        ips.iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" "),
                        ms(l.elapsed)
                    ),
                    Tone::Good,
                ),
                Err(e) => pal.paint(&format!("{}: {}", l.ns, for_tty(e)), Tone::Bad),
            };
            writeln!(out, "{indent}    → {text}")?;
        }
        if !s.unresolved.is_empty() {
            let names: Vec<String> = s.unresolved.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "{indent}    {}",
                pal.paint(
                    &format!(
                        "not looked up (no glue, other servers had addresses): {}",
                        names.join(", ")
                    ),
                    Tone::Dim
                )
            )?;
        }
    }
    if !s.attempts.is_empty() {
        let mut table = pal.table(&["", "SERVER", "ADDRESS", "RTT", "RCODE", "FLAGS", "OUTCOME"]);
        for (i, a) in s.attempts.iter().enumerate() {
            let chosen = s.chosen == Some(i);
            let (outcome, tone) = outcome(a);
            table.add_row(vec![
                pal.cell(if chosen { "✓" } else { "" }, Some(Tone::Good)),
                pal.cell(
                    &a.server
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| "-".into()),
                    Some(Tone::Name),
                ),
                pal.cell(&address(a, t), None),
                pal.cell(&a.rtt().map(ms).unwrap_or_else(|| "-".into()), None),
                pal.cell(&rcode(a), None),
                pal.cell(&flags(a), None),
                pal.cell(&for_tty(&outcome), Some(tone)),
            ]);
        }
        for line in table.to_string().lines() {
            writeln!(out, "{indent}  {line}")?;
        }
    }
    if let Some(v) = s.verdict() {
        verdict_detail(out, v, &s.zone, pal, indent)?;
        if explain && let Verdict::Answer { cnames, records } = v {
            for r in cnames.iter().chain(records) {
                writeln!(
                    out,
                    "{indent}  {} {}",
                    pal.paint("↳", Tone::Dim),
                    for_tty(&dnscope::explain::read_record(r))
                )?;
            }
        }
    }
    if verbose > 0 {
        for a in &s.attempts {
            if let AttemptStatus::Done(Ok(x)) = &a.status {
                writeln!(
                    out,
                    "{indent}  -- response from {} ({}, id {}):",
                    a.addr, x.protocol, x.response.metadata.id
                )?;
                let mut buf = Vec::new();
                super::query::section(&mut buf, "ANSWER", &x.response.answers, pal)?;
                super::query::section(&mut buf, "AUTHORITY", &x.response.authorities, pal)?;
                super::query::section(&mut buf, "ADDITIONAL", &x.response.additionals, pal)?;
                for line in String::from_utf8_lossy(&buf).lines() {
                    writeln!(out, "{indent}  {line}")?;
                }
            }
        }
    }
    Ok(())
}

/// The address; the port only when it is not the trace's usual one.
fn address(a: &Attempt, t: &Trace) -> String {
    if t.roots.iter().any(|r| r.addr.port() == a.addr.port()) || a.addr.port() == 53 {
        a.addr.ip().to_string()
    } else {
        a.addr.to_string()
    }
}

fn step_result(s: &Step) -> (String, Tone) {
    match s.verdict() {
        Some(Verdict::Referral(r)) => (format!("referral to {}", r.zone), Tone::Good),
        Some(Verdict::Answer { records, .. }) => (
            format!("answer ({} record{})", records.len(), plural(records.len())),
            Tone::Good,
        ),
        Some(Verdict::Cname { target, .. }) => (format!("CNAME to {target}"), Tone::Good),
        Some(Verdict::NxDomain(_)) => ("NXDOMAIN".to_string(), Tone::Warn),
        Some(Verdict::NoData(_)) => ("NODATA".to_string(), Tone::Warn),
        Some(_) | None => {
            if s.attempts.is_empty() {
                ("no server could be asked".to_string(), Tone::Bad)
            } else {
                ("no usable answer".to_string(), Tone::Bad)
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn verdict_detail(
    out: &mut dyn Write,
    v: &Verdict,
    asked: &hickory_proto::rr::Name,
    pal: &Palette,
    indent: &str,
) -> io::Result<()> {
    match v {
        Verdict::Referral(r) => {
            let ttl = r.ns.first().map(|(_, ttl)| *ttl).unwrap_or(0);
            writeln!(
                out,
                "{indent}  {} NS (TTL {} = {}):",
                r.zone,
                ttl,
                human_ttl(ttl)
            )?;
            for (ns, _) in &r.ns {
                let glue: Vec<String> = r
                    .glue
                    .iter()
                    .filter(|g| g.name.to_lowercase() == *ns)
                    .map(|g| format!("{} (TTL {})", present::rdata(&g.data), human_ttl(g.ttl)))
                    .collect();
                let glue = if glue.is_empty() {
                    pal.paint("no glue", Tone::Warn)
                } else {
                    format!("glue {}", glue.join(", "))
                };
                writeln!(out, "{indent}    {ns}  {glue}")?;
            }
            for g in &r.ignored_glue {
                writeln!(
                    out,
                    "{indent}    {}",
                    pal.paint(
                        &format!(
                            "ignored {} {} {}: not the address of an NS inside {asked} (RFC 2181 §5.4.1), looked up instead",
                            g.name,
                            present::rtype(g),
                            present::rdata(&g.data),
                        ),
                        Tone::Warn
                    )
                )?;
            }
        }
        Verdict::Answer { cnames, records } => {
            for c in cnames {
                writeln!(out, "{indent}  {}", record_line(c))?;
            }
            for r in records {
                writeln!(out, "{indent}  {}", pal.paint(&record_line(r), Tone::Good))?;
            }
        }
        Verdict::Cname { cnames, target } => {
            for c in cnames {
                writeln!(out, "{indent}  {}", record_line(c))?;
            }
            writeln!(
                out,
                "{indent}  {}",
                pal.paint(&format!("{target} is outside this zone: following it from the closest zone cut known"), Tone::Dim)
            )?;
        }
        Verdict::NxDomain(n) | Verdict::NoData(n) => {
            writeln!(out, "{indent}  {}", negative_line(n))?;
        }
        _ => {}
    }
    Ok(())
}

fn record_line(r: &Record) -> String {
    format!(
        "{} {} ({}) {} {}",
        for_tty(&r.name.to_string()),
        r.ttl,
        human_ttl(r.ttl),
        present::rtype(r),
        for_tty(&present::rdata(&r.data))
    )
}

fn negative_line(n: &Negative) -> String {
    match (&n.soa, n.ttl) {
        (Some(soa), Some(ttl)) => {
            let minimum = match &soa.data {
                RData::SOA(s) => s.minimum,
                _ => 0,
            };
            format!(
                "SOA {} {}; resolvers cache this negative answer for {ttl} s ({}) = min(SOA TTL {}, SOA MINIMUM {minimum}) (RFC 2308 §5)",
                soa.name,
                for_tty(&present::rdata(&soa.data)),
                human_ttl(ttl),
                soa.ttl
            )
        }
        _ => "no SOA in the authority section: resolvers cannot tell how long to cache this (RFC 2308 §5)".to_string(),
    }
}

/// A short outcome word for an attempt, and its tone.
pub(crate) fn outcome(a: &Attempt) -> (String, Tone) {
    match (&a.status, &a.verdict) {
        (AttemptStatus::Pending, _) => ("no reply yet".into(), Tone::Dim),
        (AttemptStatus::NotSent, _) => ("not sent (budget spent)".into(), Tone::Dim),
        (AttemptStatus::Abandoned(w), _) => (
            format!("no reply in {} (trace moved on)", ms(*w)),
            Tone::Bad,
        ),
        (AttemptStatus::Done(Err(e)), _) => match e {
            WireError::Timeout {
                attempts,
                timeout_ms,
                ..
            } => (format!("timeout ({attempts}×{timeout_ms} ms)"), Tone::Bad),
            WireError::Refused { .. } => ("unreachable: nothing listens".into(), Tone::Bad),
            WireError::BadResponse { reason, .. } => (format!("bad response: {reason}"), Tone::Bad),
            WireError::Forbidden { .. } => ("not asked: outside loopback".into(), Tone::Bad),
            other => (other.to_string(), Tone::Bad),
        },
        (AttemptStatus::Done(Ok(_)), Some(v)) => match v {
            Verdict::Referral(r) => (format!("referral to {}", r.zone), Tone::Good),
            Verdict::Answer { .. } => ("answer".into(), Tone::Good),
            Verdict::Cname { target, .. } => (format!("CNAME to {target}"), Tone::Good),
            Verdict::NxDomain(_) => ("NXDOMAIN".into(), Tone::Good),
            Verdict::NoData(_) => ("NODATA".into(), Tone::Good),
            Verdict::Refused => ("refused (lame: does not serve the zone)".into(), Tone::Warn),
            Verdict::ServFail => ("SERVFAIL".into(), Tone::Bad),
            Verdict::Lame(why) => (format!("lame: {why}"), Tone::Warn),
            Verdict::Bad(why) => (format!("bad response: {why}"), Tone::Bad),
        },
        (AttemptStatus::Done(Ok(_)), None) => ("response".into(), Tone::Dim),
    }
}

fn rcode(a: &Attempt) -> String {
    match &a.status {
        AttemptStatus::Done(Ok(x)) => present::rcode(x.response.metadata.response_code),
        _ => "-".into(),
    }
}

fn flags(a: &Attempt) -> String {
    match &a.status {
        AttemptStatus::Done(Ok(x)) => {
            let mut f = Vec::new();
            if x.response.metadata.authoritative {
                f.push("aa".to_string());
            }
            if x.truncated.is_some() {
                f.push("tc→TCP".to_string());
            } else if x.response.metadata.truncation {
                f.push("tc".to_string());
            }
            if f.is_empty() {
                "-".into()
            } else {
                f.join(" ")
            }
        }
        _ => "-".into(),
    }
}

fn summary(out: &mut dyn Write, t: &Trace, pal: &Palette) -> io::Result<()> {
    let rcode = present::rcode(t.end.rcode());
    let (verdict, tone) = match &t.end {
        End::Answer => (
            format!("{} answer record{}", t.answer.len(), plural(t.answer.len())),
            Tone::Good,
        ),
        End::NxDomain(_) => (
            format!(
                "{} does not exist",
                t.cnames
                    .last()
                    .map(cname_target)
                    .unwrap_or_else(|| t.name.to_string())
            ),
            Tone::Warn,
        ),
        End::NoData(_) => (
            "the name exists, but has no data of this type".to_string(),
            Tone::Warn,
        ),
        End::Failed {
            zone,
            failure,
            detail,
        } => {
            let why = match failure {
                Failure::NoReply => format!("no server of {zone} replied"),
                Failure::Unusable => format!("no server of {zone} gave a usable answer"),
                Failure::NoAddress => format!("no address could be found for any server of {zone}"),
                Failure::CnameLoop => "the CNAME chain loops".to_string(),
                Failure::GluelessCycle => format!(
                    "glueless cycle: the servers of {zone} can only be found through themselves"
                ),
            };
            (format!("{why} — {}", for_tty(detail)), Tone::Bad)
        }
        End::Limit { limit, detail } => {
            let which = match limit {
                Limit::Budget(n) => format!("query budget ({n}) spent"),
                Limit::Referrals(n) => format!("more than {n} referrals"),
                Limit::Depth(n) => format!("glueless lookups nested deeper than {n}"),
                Limit::Cnames(n) => format!("CNAME chain longer than {n}"),
                Limit::Deadline(d) => format!("deadline of {} s reached", d.as_secs_f64()),
            };
            (format!("stopped: {which} — {}", for_tty(detail)), Tone::Bad)
        }
    };
    writeln!(
        out,
        "{} {}: {}",
        pal.paint("Result:", Tone::Strong),
        pal.paint(&rcode, tone),
        pal.paint(&verdict, tone)
    )?;
    for c in &t.cnames {
        writeln!(out, "  {}", record_line(c))?;
    }
    for r in &t.answer {
        writeln!(out, "  {}", pal.paint(&record_line(r), Tone::Good))?;
    }
    if let End::NxDomain(n) | End::NoData(n) = &t.end {
        writeln!(out, "  {}", negative_line(n))?;
    }
    let cuts: Vec<String> = t.zone_cuts.iter().map(ToString::to_string).collect();
    writeln!(
        out,
        "{} {}",
        pal.paint("Zone cuts:", Tone::Strong),
        cuts.join(" → ")
    )?;
    writeln!(
        out,
        "{} {} queries, {} in all, cold best path {}",
        pal.paint("Cost:", Tone::Strong),
        t.queries,
        ms(t.elapsed),
        ms(t.cold_best_path)
    )?;
    Ok(())
}

fn cname_target(r: &Record) -> String {
    match &r.data {
        RData::CNAME(c) => c.0.to_string(),
        other => other.to_string(),
    }
}
