//! Human output of `query`: one block per server, dig's sections as tables, fitted to the
//! output's width; and `--short`, the answer data alone.

use std::io::{self, Write};

use dnscope::present::{self, for_tty};
use dnscope::query::{QueryReport, ServerOutcome};
use dnscope::wire::{Exchange, rtype_name};
use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::Record;

use super::layout::{Col, Grid, Page, plain, toned};
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{human_ttl, idn, ms, query as said, record};

pub fn render(out: &mut dyn Write, report: &QueryReport, o: &Output) -> io::Result<()> {
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    let class = present::class(report.class);
    let question = format!(
        "{} {class} {}",
        for_tty(&idn::shown(&report.name)),
        rtype_name(report.rtype)
    );
    if let Some(w) = idn::homograph(&report.name) {
        let text = format!("{} {}", page.paint("warning:", Tone::Warn), for_tty(&w));
        page.line(&text)?;
    }
    for (i, outcome) in report.outcomes.iter().enumerate() {
        if i > 0 {
            page.blank()?;
        }
        block(&mut page, outcome, &question, o)?;
    }
    if report.outcomes.len() > 1 {
        page.blank()?;
        let text = page.paint(&said::summary(report), Tone::Dim);
        page.line(&text)?;
    }
    Ok(())
}

/// `--short`: the answer data of every server that answered, one record per line.
pub fn short(out: &mut dyn Write, report: &QueryReport) -> io::Result<()> {
    for o in &report.outcomes {
        if let Ok(x) = &o.result {
            for r in &x.response.answers {
                writeln!(out, "{}", for_tty(&present::rdata(&r.data)))?;
            }
        }
    }
    Ok(())
}

fn block(page: &mut Page<'_>, o: &ServerOutcome, question: &str, opts: &Output) -> io::Result<()> {
    let addr = o.target.addr;
    let who = if o.target.label == addr.ip().to_string() {
        format!("{}#{}", addr.ip(), addr.port())
    } else {
        format!(
            "{} ({}#{})",
            for_tty(&o.target.label),
            addr.ip(),
            addr.port()
        )
    };
    let why = said::source(o.target.source);
    let head = format!(
        "{} {}{}",
        page.paint("──", Tone::Dim),
        page.paint(&who, Tone::Name),
        page.paint(
            &if why.is_empty() {
                String::new()
            } else {
                format!("  {why}")
            },
            Tone::Dim
        )
    );
    page.line(&head)?;
    match &o.result {
        Err(e) => {
            let text = format!(
                "{} {}",
                page.paint("✗ no response:", Tone::Bad),
                for_tty(&said::no_response(e).text)
            );
            page.line(&text)?;
            page.line(&format!("question: {question}"))?;
        }
        Ok(x) => exchange(page, x, question, opts)?,
    }
    if let Some(report) = &o.validation {
        let v = crate::words::dnssec::response_verdict(report);
        let text = format!(
            "{} {}",
            page.paint("DNSSEC (--validate):", Tone::Strong),
            page.paint(&for_tty(&v.text), v.mood)
        );
        page.hang(&text, "    ")?;
    }
    Ok(())
}

fn exchange(page: &mut Page<'_>, x: &Exchange, question: &str, o: &Output) -> io::Result<()> {
    let m = &x.response;
    let h = &m.metadata;
    let tone = match h.response_code {
        ResponseCode::NoError if !m.answers.is_empty() => Tone::Good,
        ResponseCode::NoError | ResponseCode::NXDomain => Tone::Warn,
        _ => Tone::Bad,
    };
    let text = format!(
        "{}  flags: {}  id {}  opcode {}",
        page.paint(&present::rcode(h.response_code), tone),
        flags(m),
        h.id,
        present::opcode(h.op_code)
    );
    page.line(&text)?;
    if o.explain {
        let text = page.paint(&format!("  ↳ {}", said::flags_reading(m)), Tone::Dim);
        page.hang(&text, "    ")?;
    }
    let edns = match &m.edns {
        Some(e) => format!(
            "EDNS version {}, udp {}, do={}",
            e.version(),
            e.max_payload(),
            u8::from(e.flags().dnssec_ok)
        ),
        None => "no EDNS".to_string(),
    };
    page.line(&format!(
        "{}  {}  {} → {} bytes  {}",
        x.protocol,
        ms(x.rtt),
        x.request_bytes,
        x.response_bytes,
        edns
    ))?;
    if let Some(s) = &x.session {
        let text = format!(
            "{} {}",
            page.paint("connection:", Tone::Strong),
            if s.verified {
                for_tty(&crate::words::secure::connection(s))
            } else {
                page.paint(&for_tty(&crate::words::secure::connection(s)), Tone::Warn)
            }
        );
        page.hang(&text, "    ")?;
        if o.explain {
            let text = page.paint(
                &format!("  ↳ {}", crate::words::secure::reading(s, x.protocol)),
                Tone::Dim,
            );
            page.hang(&text, "    ")?;
        }
        if let Some(cert) = crate::words::secure::certificate(s) {
            let text = format!(
                "{} {}",
                page.paint("certificate:", Tone::Strong),
                for_tty(&cert)
            );
            page.hang(&text, "    ")?;
        }
    }
    if let Some(id) = dnscope::wire::nsid(m) {
        let text = format!(
            "{} {}",
            page.paint("NSID:", Tone::Strong),
            for_tty(&said::nsid(&id))
        );
        page.line(&text)?;
    }
    for e in dnscope::wire::ede(m) {
        let text = format!(
            "{} {}",
            page.paint("EDE:", Tone::Warn),
            for_tty(&crate::words::chain::ede(&e))
        );
        page.hang(&text, "    ")?;
    }
    if let Some(t) = &x.truncated {
        let text = format!(
            "{} {}",
            page.paint("truncated:", Tone::Warn),
            said::truncated(t)
        );
        page.line(&text)?;
    } else if h.truncation {
        let text = format!(
            "{} {}",
            page.paint("truncated:", Tone::Warn),
            said::truncated_kept()
        );
        page.line(&text)?;
    }
    if x.udp_attempts > 1 || o.verbose > 0 {
        page.line(&format!("UDP attempts: {}", x.udp_attempts))?;
    }
    if !x.ignored.is_empty() {
        let text = format!(
            "{} {} packet(s) that were not the answer:",
            page.paint("ignored:", Tone::Warn),
            x.ignored.len()
        );
        page.line(&text)?;
        for i in &x.ignored {
            page.line(&format!("  - {}", for_tty(&said::ignored(i))))?;
        }
    }
    page.line(&format!("QUESTION: {question}"))?;
    for (title, records) in [
        ("ANSWER", &m.answers),
        ("AUTHORITY", &m.authorities),
        ("ADDITIONAL", &m.additionals),
    ] {
        section(page, "", title, records)?;
        if o.explain {
            readings(page, records)?;
        }
    }
    // The RRSIGs read out: which key, and when they expire (the table shows raw numbers).
    let now = dnscope::dnssec::unix_now();
    let sigs: Vec<String> = m
        .answers
        .iter()
        .chain(&m.authorities)
        .filter_map(|r| crate::words::chain::rrsig(r, now))
        .collect();
    for line in sigs {
        let text = page.paint(&format!("  {}", for_tty(&line)), Tone::Dim);
        page.hang(&text, "    ")?;
    }
    if o.explain {
        let text = page.paint(&format!("  ↳ {}", record::response(m)), Tone::Dim);
        page.hang(&text, "    ")?;
    }
    Ok(())
}

/// A one-line reading of each record (`--explain`).
pub fn readings(page: &mut Page<'_>, records: &[Record]) -> io::Result<()> {
    for line in record::readings(records) {
        let text = format!("  {} {}", page.paint("↳", Tone::Dim), for_tty(&line));
        page.hang(&text, "    ")?;
    }
    Ok(())
}

/// The header flags that are set, dig style.
pub fn flags(m: &Message) -> String {
    let h = &m.metadata;
    let mut f = Vec::new();
    if h.message_type == MessageType::Response {
        f.push("qr");
    }
    for (on, name) in [
        (h.authoritative, "aa"),
        (h.truncation, "tc"),
        (h.recursion_desired, "rd"),
        (h.recursion_available, "ra"),
        (h.authentic_data, "ad"),
        (h.checking_disabled, "cd"),
    ] {
        if on {
            f.push(name);
        }
    }
    f.join(" ")
}

/// A section as a table (or "NAME: none"), each line after `indent`.
pub fn section(
    page: &mut Page<'_>,
    indent: &str,
    title: &str,
    records: &[Record],
) -> io::Result<()> {
    if records.is_empty() {
        let text = page.paint(&format!("{title}: none"), Tone::Dim);
        return page.line(&format!("{indent}{text}"));
    }
    let text = format!(
        "{indent}{} ({})",
        page.paint(title, Tone::Strong),
        records.len()
    );
    page.line(&text)?;
    let mut grid = Grid::new(&[
        Col::keep("NAME"),
        Col::drop("TTL", 1),
        Col::drop("CLASS", 2),
        Col::keep("TYPE"),
        Col::prose("DATA"),
    ]);
    for r in records {
        grid.row(vec![
            toned(for_tty(&present::name(&r.name)), Tone::Name),
            plain(format!("{} ({})", r.ttl, human_ttl(r.ttl))),
            plain(present::class(r.dns_class)),
            toned(present::rtype(r), Tone::Strong),
            plain(for_tty(&present::rdata(&r.data))),
        ]);
    }
    page.grid(indent, &grid)
}
