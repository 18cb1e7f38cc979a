//! Human output of `trace`: where it started, each step with every server's outcome, the
//! delegation handed down (NS and glue with TTLs), nested NS lookups indented under the step
//! that needed them, and a summary.

use std::io::{self, Write};

use dnscope::present::{self, for_tty};
use dnscope::trace::{AttemptStatus, Step, Trace, Verdict};
use dnscope::wire::rtype_name;
use hickory_proto::rr::Name;

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{human_ttl, ms, record, trace as said};

pub fn render(out: &mut dyn Write, t: &Trace, o: &Output) -> io::Result<()> {
    let pal = Palette::new(o.styled);
    writeln!(
        out,
        "{} {} {}",
        pal.paint("Tracing", Tone::Strong),
        pal.paint(&for_tty(&t.name.to_string()), Tone::Name),
        rtype_name(t.rtype)
    )?;
    writeln!(out, "{}", said::start(t))?;
    let mut number = 0;
    for (i, _) in t.main_steps() {
        writeln!(out)?;
        step(out, t, i, (&pal, o), &mut number, "")?;
    }
    writeln!(out)?;
    summary(out, t, &pal)
}

fn step(
    out: &mut dyn Write,
    t: &Trace,
    index: usize,
    view: (&Palette, &Output),
    number: &mut usize,
    indent: &str,
) -> io::Result<()> {
    let (pal, o) = view;
    let s = &t.steps[index];
    *number += 1;
    let result = said::step_result(s);
    writeln!(
        out,
        "{indent}{} {}  {} {}  → {}  {}{}",
        pal.paint(&format!("[{}]", number), Tone::Dim),
        pal.paint(&format!("zone {}", s.zone), Tone::Strong),
        for_tty(&s.qname.to_string()),
        rtype_name(s.qtype),
        pal.paint(&result.text, result.mood),
        pal.paint(&ms(s.elapsed), Tone::Dim),
        pal.paint(&said::purpose(s), Tone::Dim)
    )?;
    if o.explain
        && let Some(sentence) = said::reading(t, index)
    {
        writeln!(
            out,
            "{indent}  {} {}",
            pal.paint("↳", Tone::Dim),
            for_tty(&sentence)
        )?;
    }
    if let Some(intro) = said::glueless_intro(s) {
        writeln!(out, "{indent}    {intro}")?;
    }
    let child_indent = format!("{indent}    │ ");
    for (child, _) in t.children(index) {
        step(out, t, child, view, number, &child_indent)?;
    }
    lookups(out, t, s, pal, indent)?;
    servers(out, t, s, pal, indent)?;
    if let Some(v) = s.verdict() {
        verdict_detail(out, v, &s.zone, pal, indent)?;
        if o.explain
            && let Verdict::Answer { cnames, records } = v
        {
            for r in cnames.iter().chain(records) {
                writeln!(
                    out,
                    "{indent}  {} {}",
                    pal.paint("↳", Tone::Dim),
                    for_tty(&record::reading(r))
                )?;
            }
        }
    }
    if o.verbose > 0 {
        for a in &s.attempts {
            if let AttemptStatus::Done(Ok(x)) = &a.status {
                writeln!(
                    out,
                    "{indent}  -- response from {} ({}, id {}):",
                    a.ns.addr, x.protocol, x.response.metadata.id
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

/// The NS lookups' results, and the glueless names not looked up.
fn lookups(
    out: &mut dyn Write,
    t: &Trace,
    s: &Step,
    pal: &Palette,
    indent: &str,
) -> io::Result<()> {
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
            Err(e) => pal.paint(
                &format!("{}: {}", l.ns, for_tty(&said::ns_lookup_error(t, e))),
                Tone::Bad,
            ),
        };
        writeln!(out, "{indent}    → {text}")?;
    }
    if !s.unresolved.is_empty() {
        writeln!(
            out,
            "{indent}    {}",
            pal.paint(&said::not_looked_up(&s.unresolved), Tone::Dim)
        )?;
    }
    Ok(())
}

/// The table of servers asked at a step.
fn servers(
    out: &mut dyn Write,
    t: &Trace,
    s: &Step,
    pal: &Palette,
    indent: &str,
) -> io::Result<()> {
    if s.attempts.is_empty() {
        return Ok(());
    }
    let mut table = pal.table(&["", "SERVER", "ADDRESS", "RTT", "RCODE", "FLAGS", "OUTCOME"]);
    for (i, a) in s.attempts.iter().enumerate() {
        let outcome = said::attempt(a, s);
        let x = a.exchange();
        table.add_row(vec![
            pal.cell(if s.chosen == Some(i) { "✓" } else { "" }, Some(Tone::Good)),
            pal.cell(
                &a.ns
                    .name
                    .as_ref()
                    .map_or_else(|| "-".into(), ToString::to_string),
                Some(Tone::Name),
            ),
            pal.cell(&address(a.ns.addr, t), None),
            pal.cell(&a.rtt().map_or_else(|| "-".into(), ms), None),
            pal.cell(
                &x.map_or_else(
                    || "-".into(),
                    |x| present::rcode(x.response.metadata.response_code),
                ),
                None,
            ),
            pal.cell(&x.map_or_else(|| "-".into(), flags), None),
            pal.cell(&for_tty(&outcome.text), Some(outcome.mood.into())),
        ]);
    }
    for line in table.to_string().lines() {
        writeln!(out, "{indent}  {line}")?;
    }
    Ok(())
}

/// The address; the port only when it is not the trace's usual one.
fn address(addr: std::net::SocketAddr, t: &Trace) -> String {
    if t.roots.iter().any(|r| r.addr.port() == addr.port()) || addr.port() == 53 {
        addr.ip().to_string()
    } else {
        addr.to_string()
    }
}

fn flags(x: &dnscope::wire::Exchange) -> String {
    let mut f = Vec::new();
    if x.response.metadata.authoritative {
        f.push("aa");
    }
    if x.truncated.is_some() {
        f.push("tc→TCP");
    } else if x.response.metadata.truncation {
        f.push("tc");
    }
    if f.is_empty() {
        "-".into()
    } else {
        f.join(" ")
    }
}

fn verdict_detail(
    out: &mut dyn Write,
    v: &Verdict,
    asked: &Name,
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
                    pal.paint(&said::ignored_glue(g, asked), Tone::Warn)
                )?;
            }
        }
        Verdict::Answer { cnames, records } => {
            for c in cnames {
                writeln!(out, "{indent}  {}", said::record_line(c))?;
            }
            for r in records {
                writeln!(
                    out,
                    "{indent}  {}",
                    pal.paint(&said::record_line(r), Tone::Good)
                )?;
            }
        }
        Verdict::Cname { cnames, target } => {
            for c in cnames {
                writeln!(out, "{indent}  {}", said::record_line(c))?;
            }
            writeln!(
                out,
                "{indent}  {}",
                pal.paint(&said::cname_leaves(target), Tone::Dim)
            )?;
        }
        Verdict::NxDomain(n) | Verdict::NoData(n) => {
            writeln!(out, "{indent}  {}", said::negative(n))?;
        }
        _ => {}
    }
    Ok(())
}

fn summary(out: &mut dyn Write, t: &Trace, pal: &Palette) -> io::Result<()> {
    let end = said::end(t);
    writeln!(
        out,
        "{} {}: {}",
        pal.paint("Result:", Tone::Strong),
        pal.paint(&present::rcode(t.end.rcode()), end.mood),
        pal.paint(&for_tty(&end.text), end.mood)
    )?;
    for c in &t.cnames {
        writeln!(out, "  {}", said::record_line(c))?;
    }
    for r in &t.answer {
        writeln!(out, "  {}", pal.paint(&said::record_line(r), Tone::Good))?;
    }
    if let dnscope::trace::End::NxDomain(n) | dnscope::trace::End::NoData(n) = &t.end {
        writeln!(out, "  {}", said::negative(n))?;
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
        "{} {}",
        pal.paint("Cost:", Tone::Strong),
        said::cost(t)
    )
}
