//! Human output of `trace`: where it started, each step with every server's outcome, the
//! delegation handed down (NS and glue with TTLs), nested NS lookups indented under the step
//! that needed them, and a summary. Every line fits the output's width.

use std::io::{self, Write};

use dnscope::present::{self, Shown, for_tty};
use dnscope::trace::{AttemptStatus, Step, Trace, Verdict};
use dnscope::wire::rtype_name;
use hickory_proto::rr::Name;

use super::layout::{Col, Grid, Page, plain, toned};
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{human_ttl, idn, ms, record, trace as said};

/// The title and where the trace starts (printed before the trace runs, when it is live).
pub fn header(
    out: &mut dyn Write,
    name: &Name,
    rtype: hickory_proto::rr::RecordType,
    start: &str,
    o: &Output,
) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    let title = format!(
        "{} {} {}",
        page.paint("Tracing", Tone::Strong),
        page.paint(&for_tty(&idn::shown(name)), Tone::Name),
        rtype_name(rtype)
    );
    page.line(&title)?;
    if let Some(w) = idn::homograph(name) {
        let w = format!("{} {}", page.paint("warning:", Tone::Warn), for_tty(&w));
        page.line(&w)?;
    }
    page.line(start)
}

/// `--short`: the final answer's data, CNAME targets first (as dig +short), one a line.
pub fn short(out: &mut dyn Write, t: &Trace) -> io::Result<()> {
    for r in t.cnames.iter().chain(&t.answer) {
        writeln!(out, "{}", for_tty(&present::rdata(&r.data)))?;
    }
    Ok(())
}

/// One step of the main resolution, its nested lookups inside it, after an empty line.
pub fn main_step(
    out: &mut dyn Write,
    t: &Trace,
    index: usize,
    o: &Output,
    number: &mut usize,
) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    page.blank()?;
    step(&mut page, t, index, o, number, "")
}

/// The summary after the last step.
pub fn footer(out: &mut dyn Write, t: &Trace, o: &Output) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    page.blank()?;
    if t.dnssec.as_ref().is_some_and(|r| !r.zones.is_empty()) {
        super::dnssec::chain(&mut page, t, o.explain)?;
        page.blank()?;
    }
    summary(&mut page, t, o.explain)
}

fn step(
    page: &mut Page<'_>,
    t: &Trace,
    index: usize,
    o: &Output,
    number: &mut usize,
    indent: &str,
) -> io::Result<()> {
    let s = &t.steps[index];
    // Causal order: the NS lookups of a glueless delegation come before the step they made
    // possible, and are numbered before it.
    if let Some(intro) = said::glueless_intro(s) {
        let text = format!("{indent}{}", page.paint(&intro, Tone::Dim));
        page.hang(&text, &format!("{indent}    "))?;
    }
    // The lookups that failed the same way as the one before them are summed up in one
    // line below (see `lookups`), and their own steps are not repeated.
    let hidden = said::repeated_lookups(s);
    let child_indent = format!("{indent}    │ ");
    for (child, c) in t.children(index) {
        if hidden.contains(&c.qname) {
            continue;
        }
        step(page, t, child, o, number, &child_indent)?;
    }
    lookups(page, s, indent)?;
    *number += 1;
    let result = said::step_result(s);
    let head = format!(
        "{indent}{} {}  {} {}  → {}  {}{}",
        page.paint(&format!("[{}]", number), Tone::Dim),
        page.paint(&format!("zone {}", s.zone.wire()), Tone::Strong),
        for_tty(&present::name(&s.qname)),
        rtype_name(s.qtype),
        page.paint(&result.text, result.mood),
        page.paint(&ms(s.elapsed), Tone::Dim),
        page.paint(&said::purpose(s), Tone::Dim)
    );
    page.hang(&head, &format!("{indent}    "))?;
    if o.explain
        && let Some(sentence) = said::reading(t, index)
    {
        let text = format!(
            "{indent}  {} {}",
            page.paint("↳", Tone::Dim),
            for_tty(&sentence)
        );
        page.hang(&text, &format!("{indent}    "))?;
    }
    let kept = servers(page, t, s, indent)?;
    if o.explain
        && let Some(text) = said::truncation_reading(s)
    {
        let text = format!(
            "{indent}  {} {}",
            page.paint("↳", Tone::Dim),
            for_tty(&text)
        );
        page.hang(&text, &format!("{indent}    "))?;
    }
    if let Some(m) = said::ns_mismatch(t, index) {
        let text = page.paint(&m.text, m.mood);
        page.line(&format!("{indent}  {text}"))?;
    }
    if let Some(v) = s.verdict() {
        verdict_detail(page, v, &s.zone, indent, o.explain)?;
        if o.explain
            && let Verdict::Answer { cnames, records } = v
        {
            let all: Vec<_> = cnames.iter().chain(records).cloned().collect();
            for line in record::readings(&all) {
                let text = format!(
                    "{indent}  {} {}",
                    page.paint("↳", Tone::Dim),
                    for_tty(&line)
                );
                page.hang(&text, &format!("{indent}    "))?;
            }
        }
    }
    // The first step (the first table printed, nested lookups come after it) ends with
    // how to read it.
    if o.explain && *number == 1 {
        legend(page, &kept, indent)?;
    }
    if o.verbose > 0 {
        for a in &s.attempts {
            if let AttemptStatus::Done(Ok(x)) = &a.status {
                page.line(&format!(
                    "{indent}  -- response from {} ({}, id {}):",
                    a.ns.addr, x.protocol, x.response.metadata.id
                ))?;
                let inner = format!("{indent}  ");
                for (title, records) in [
                    ("ANSWER", &x.response.answers),
                    ("AUTHORITY", &x.response.authorities),
                    ("ADDITIONAL", &x.response.additionals),
                ] {
                    super::query::section(page, &inner, title, records)?;
                }
            }
        }
    }
    Ok(())
}

/// The NS lookups' results, and the glueless names not looked up.
fn lookups(page: &mut Page<'_>, s: &Step, indent: &str) -> io::Result<()> {
    for (l, repeats) in said::lookup_groups(s) {
        let text = match &l.result {
            Ok(ips) => page.paint(
                &format!(
                    "{} = {}  ({}; {})",
                    l.ns.wire(),
                    ips.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" "),
                    ms(l.elapsed),
                    said::lookup_role(l)
                ),
                Tone::Good,
            ),
            Err(e) => page.paint(
                &format!(
                    "{}: {}{}",
                    l.ns.wire(),
                    for_tty(&said::ns_lookup_error(e)),
                    said::and_more(repeats)
                ),
                Tone::Bad,
            ),
        };
        page.hang(&format!("{indent}    → {text}"), &format!("{indent}      "))?;
    }
    if !s.unresolved.is_empty() {
        let text = page.paint(&said::not_looked_up(&s.unresolved), Tone::Dim);
        page.line(&format!("{indent}    {text}"))?;
    }
    Ok(())
}

/// With `--explain`, after the first table: what its columns and the step line say.
fn legend(page: &mut Page<'_>, kept: &[&str], indent: &str) -> io::Result<()> {
    let title = page.paint("How to read the table:", Tone::Dim);
    page.line(&format!("{indent}  {title}"))?;
    let entries = said::legend(kept);
    let pad = entries
        .iter()
        .map(|(c, _)| c.chars().count())
        .max()
        .unwrap_or(0);
    for (column, text) in entries {
        let padded = format!("{column:<pad$}");
        let line = format!(
            "{indent}    {}  {}",
            page.paint(&padded, Tone::Strong),
            for_tty(&text)
        );
        page.hang(&line, &format!("{indent}    {}  ", " ".repeat(pad)))?;
    }
    Ok(())
}

/// The table of servers asked at a step; the titles of the columns that fit.
fn servers(
    page: &mut Page<'_>,
    t: &Trace,
    s: &Step,
    indent: &str,
) -> io::Result<Vec<&'static str>> {
    if s.attempts.is_empty() {
        return Ok(Vec::new());
    }
    let nsid = s.attempts.iter().any(|a| {
        a.exchange()
            .and_then(|x| dnscope::wire::nsid(&x.response))
            .is_some()
    });
    let mut cols = vec![
        Col::keep("USED"),
        Col::keep("SERVER"),
        Col::drop("ADDRESS", 1),
        Col::drop("RTT", 2),
        Col::drop("RCODE", 4),
        Col::drop("FLAGS", 5),
    ];
    if nsid {
        cols.push(Col::drop("NSID", 3));
    }
    cols.push(Col::prose("OUTCOME"));
    let mut grid = Grid::new(&cols);
    for (i, a) in s.attempts.iter().enumerate() {
        let outcome = said::attempt(a, s);
        let x = a.exchange();
        let mut row = vec![
            toned(if s.chosen == Some(i) { "✓" } else { "" }, Tone::Good),
            toned(
                a.ns.name.as_ref().map_or_else(|| "-".into(), present::name),
                Tone::Name,
            ),
            plain(address(a.ns.addr, t)),
            plain(a.rtt().map_or_else(|| "-".into(), ms)),
            plain(x.map_or_else(
                || "-".into(),
                |x| present::rcode(x.response.metadata.response_code),
            )),
            plain(x.map_or_else(|| "-".into(), flags)),
        ];
        if nsid {
            row.push(plain(
                x.and_then(|x| dnscope::wire::nsid(&x.response))
                    .map_or_else(|| "-".into(), |id| crate::words::query::nsid_short(&id)),
            ));
        }
        row.push(toned(for_tty(&outcome.text), outcome.mood));
        grid.row(row);
    }
    page.grid_kept(&format!("{indent}  "), &grid)
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
    page: &mut Page<'_>,
    v: &Verdict,
    asked: &Name,
    indent: &str,
    explain: bool,
) -> io::Result<()> {
    match v {
        Verdict::Referral(r) => {
            let ttl = r.ns.first().map(|(_, ttl)| *ttl).unwrap_or(0);
            page.line(&format!(
                "{indent}  {} NS (TTL {} = {}):",
                r.zone.wire(),
                ttl,
                human_ttl(ttl)
            ))?;
            for (ns, _) in &r.ns {
                let g = r.glue_of(asked, ns);
                let cell = said::glue_cell(g, r, ns);
                let glue = if g.given() {
                    cell
                } else {
                    page.paint(&cell, Tone::Warn)
                };
                page.hang(
                    &format!("{indent}    {}  {glue}", ns.wire()),
                    &format!("{indent}      "),
                )?;
            }
            for g in &r.ignored_glue {
                let text = page.paint(&said::ignored_glue(g, asked), Tone::Warn);
                page.line(&format!("{indent}    {text}"))?;
            }
        }
        Verdict::Answer { cnames, records } => {
            for c in cnames {
                page.line(&format!("{indent}  {}", said::record_line(c)))?;
            }
            for r in records {
                let text = page.paint(&said::record_line(r), Tone::Good);
                page.line(&format!("{indent}  {text}"))?;
            }
        }
        Verdict::Cname { cnames, target } => {
            for c in cnames {
                page.line(&format!("{indent}  {}", said::record_line(c)))?;
            }
            let text = page.paint(&said::cname_leaves(target), Tone::Dim);
            page.line(&format!("{indent}  {text}"))?;
        }
        Verdict::NxDomain(n) | Verdict::NoData(n) => {
            negative(page, n, indent)?;
            if explain && let Some(soa) = &n.soa {
                soa_fields(page, soa, indent)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A negative answer's SOA record (with its TTL, like any record) and how long the answer
/// may be cached.
fn negative(page: &mut Page<'_>, n: &dnscope::trace::Negative, indent: &str) -> io::Result<()> {
    for line in said::negative(n) {
        page.hang(
            &format!("{indent}  {}", for_tty(&line)),
            &format!("{indent}      "),
        )?;
    }
    Ok(())
}

/// With `--explain`: every SOA field with its name and meaning, so that the negative TTL
/// can be checked by hand.
fn soa_fields(
    page: &mut Page<'_>,
    soa: &hickory_proto::rr::Record,
    indent: &str,
) -> io::Result<()> {
    let title = page.paint("↳ the SOA's fields:", Tone::Dim);
    page.line(&format!("{indent}  {title}"))?;
    let fields = record::soa_fields(soa);
    let pad = fields
        .iter()
        .map(|(_, v, _)| v.chars().count())
        .max()
        .unwrap_or(0);
    for (field, value, meaning) in fields {
        let line = format!(
            "{indent}    {}  {}  {}",
            page.paint(&format!("{field:<7}"), Tone::Strong),
            for_tty(&format!("{value:<pad$}")),
            for_tty(&meaning)
        );
        page.hang(
            &line,
            &format!("{indent}    {}", " ".repeat(7 + 2 + pad + 2)),
        )?;
    }
    Ok(())
}

fn summary(page: &mut Page<'_>, t: &Trace, explain: bool) -> io::Result<()> {
    let end = said::end(t);
    let rcode = said::end_rcode(t);
    let head = format!(
        "{} {}: {}",
        page.paint("Result:", Tone::Strong),
        page.paint(&rcode, end.mood),
        page.paint(&for_tty(&end.text), end.mood)
    );
    page.hang(&head, "    ")?;
    for c in &t.cnames {
        page.line(&format!("  {}", said::record_line(c)))?;
    }
    for r in &t.answer {
        let text = page.paint(&said::record_line(r), Tone::Good);
        page.line(&format!("  {text}"))?;
    }
    if let dnscope::trace::End::NxDomain(n) | dnscope::trace::End::NoData(n) = &t.end {
        negative(page, n, "")?;
    }
    let paths = t.cut_paths();
    if paths.len() > 1 {
        let title = page.paint("Zone cuts, one path per name of the chain:", Tone::Strong);
        page.line(&title)?;
        let pad = paths
            .iter()
            .map(|p| present::name(&p.name).chars().count())
            .max()
            .unwrap_or(0);
        for p in &paths {
            let name = format!("{:<pad$}", present::name(&p.name));
            let text = format!("  {}  {}", for_tty(&name), said::cut_path(p));
            page.hang(&text, &format!("  {}  ", " ".repeat(pad)))?;
        }
    } else {
        let cuts: Vec<String> = t.zone_cuts.iter().map(present::name).collect();
        let text = format!(
            "{} {}",
            page.paint("Zone cuts:", Tone::Strong),
            cuts.join(" → ")
        );
        page.hang(&text, "    ")?;
    }
    let cuts = t.delegations();
    if !cuts.is_empty() {
        let text = format!(
            "{} {}",
            page.paint("Delegations:", Tone::Strong),
            said::delegations(&cuts)
        );
        page.hang(&text, "    ")?;
    }
    if let Some(g) = t.governing_ttl() {
        let negative = matches!(
            t.end,
            dnscope::trace::End::NxDomain(_) | dnscope::trace::End::NoData(_)
        );
        let text = format!(
            "{} {}",
            page.paint("Cached:", Tone::Strong),
            said::governing(&g, negative)
        );
        page.hang(&text, "    ")?;
    }
    super::dnssec::summary(page, t)?;
    let text = format!("{} {}", page.paint("Cost:", Tone::Strong), said::cost(t));
    page.hang(&text, "    ")?;
    if explain {
        let text = format!(
            "  {} {}",
            page.paint("↳", Tone::Dim),
            for_tty(&said::cost_reading(t))
        );
        page.hang(&text, "    ")?;
    }
    Ok(())
}
