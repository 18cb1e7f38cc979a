//! Human output of `query`: one block per server, dig's sections as tables.

use std::io::{self, Write};

use dnscope::present::{self, for_tty};
use dnscope::query::{QueryReport, ServerOutcome};
use dnscope::wire::{Exchange, rtype_name};
use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::Record;

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{human_ttl, ms, query as said, record};

pub fn render(out: &mut dyn Write, report: &QueryReport, o: &Output) -> io::Result<()> {
    let pal = Palette::new(o.styled);
    let question = format!(
        "{} IN {}",
        for_tty(&report.name.to_string()),
        rtype_name(report.rtype)
    );
    for (i, outcome) in report.outcomes.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        block(out, outcome, &question, &pal, o)?;
    }
    if report.outcomes.len() > 1 {
        writeln!(out)?;
        writeln!(out, "{}", pal.paint(&said::summary(report), Tone::Dim))?;
    }
    Ok(())
}

fn block(
    out: &mut dyn Write,
    o: &ServerOutcome,
    question: &str,
    pal: &Palette,
    opts: &Output,
) -> io::Result<()> {
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
    writeln!(
        out,
        "{} {}{}",
        pal.paint("──", Tone::Dim),
        pal.paint(&who, Tone::Name),
        pal.paint(
            &if why.is_empty() {
                String::new()
            } else {
                format!("  {why}")
            },
            Tone::Dim
        )
    )?;
    match &o.result {
        Err(e) => {
            writeln!(
                out,
                "{} {}",
                pal.paint("✗ no response:", Tone::Bad),
                for_tty(&said::no_response(e).text)
            )?;
            writeln!(out, "question: {question}")?;
        }
        Ok(x) => exchange(out, x, question, pal, opts)?,
    }
    Ok(())
}

fn exchange(
    out: &mut dyn Write,
    x: &Exchange,
    question: &str,
    pal: &Palette,
    o: &Output,
) -> io::Result<()> {
    let m = &x.response;
    let h = &m.metadata;
    let tone = match h.response_code {
        ResponseCode::NoError if !m.answers.is_empty() => Tone::Good,
        ResponseCode::NoError | ResponseCode::NXDomain => Tone::Warn,
        _ => Tone::Bad,
    };
    writeln!(
        out,
        "{}  flags: {}  id {}  opcode {}",
        pal.paint(&present::rcode(h.response_code), tone),
        flags(m),
        h.id,
        present::opcode(h.op_code)
    )?;
    let edns = match &m.edns {
        Some(e) => format!(
            "EDNS version {}, udp {}, do={}",
            e.version(),
            e.max_payload(),
            u8::from(e.flags().dnssec_ok)
        ),
        None => "no EDNS".to_string(),
    };
    writeln!(
        out,
        "{}  {}  {} → {} bytes  {}",
        x.protocol,
        ms(x.rtt),
        x.request_bytes,
        x.response_bytes,
        edns
    )?;
    if let Some(t) = &x.truncated {
        writeln!(
            out,
            "{} {}",
            pal.paint("truncated:", Tone::Warn),
            said::truncated(t)
        )?;
    } else if h.truncation {
        writeln!(
            out,
            "{} {}",
            pal.paint("truncated:", Tone::Warn),
            said::truncated_kept()
        )?;
    }
    if x.udp_attempts > 1 || o.verbose > 0 {
        writeln!(out, "UDP attempts: {}", x.udp_attempts)?;
    }
    if !x.ignored.is_empty() {
        writeln!(
            out,
            "{} {} packet(s) that were not the answer:",
            pal.paint("ignored:", Tone::Warn),
            x.ignored.len()
        )?;
        for i in &x.ignored {
            writeln!(out, "  - {}", for_tty(&said::ignored(i)))?;
        }
    }
    writeln!(out, "QUESTION: {question}")?;
    for (title, records) in [
        ("ANSWER", &m.answers),
        ("AUTHORITY", &m.authorities),
        ("ADDITIONAL", &m.additionals),
    ] {
        section(out, title, records, pal)?;
        if o.explain {
            readings(out, records, pal)?;
        }
    }
    if o.explain {
        writeln!(
            out,
            "{}",
            pal.paint(&format!("  ↳ {}", record::response(m)), Tone::Dim)
        )?;
    }
    Ok(())
}

/// A one-line reading of each record (`--explain`).
pub fn readings(out: &mut dyn Write, records: &[Record], pal: &Palette) -> io::Result<()> {
    for r in records {
        writeln!(
            out,
            "  {} {}",
            pal.paint("↳", Tone::Dim),
            for_tty(&record::reading(r))
        )?;
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

/// A section as a table (or "NAME: none").
pub fn section(
    out: &mut dyn Write,
    title: &str,
    records: &[Record],
    pal: &Palette,
) -> io::Result<()> {
    if records.is_empty() {
        writeln!(out, "{}", pal.paint(&format!("{title}: none"), Tone::Dim))?;
        return Ok(());
    }
    writeln!(
        out,
        "{} ({})",
        pal.paint(title, Tone::Strong),
        records.len()
    )?;
    let mut table = pal.table(&["NAME", "TTL", "CLASS", "TYPE", "DATA"]);
    for r in records {
        table.add_row(vec![
            pal.cell(&for_tty(&r.name.to_string()), Some(Tone::Name)),
            pal.cell(&format!("{} ({})", r.ttl, human_ttl(r.ttl)), None),
            pal.cell(&present::class(r.dns_class), None),
            pal.cell(&present::rtype(r), Some(Tone::Strong)),
            pal.cell(&for_tty(&present::rdata(&r.data)), None),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}
