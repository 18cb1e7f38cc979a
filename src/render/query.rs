//! Human output of `query`: one block per server, dig's sections as tables.

use std::io::{self, Write};

use dnscope::present;
use dnscope::query::{QueryReport, ServerOutcome, TargetSource};
use dnscope::wire::{Exchange, rtype_name};
use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::Record;

use super::sanitize::for_tty;
use super::{Palette, Tone, human_ttl, ms};

pub fn render(
    out: &mut dyn Write,
    report: &QueryReport,
    pal: &Palette,
    verbose: u8,
    explain: bool,
) -> io::Result<()> {
    let question = format!(
        "{} {} {}",
        for_tty(&report.name.to_string()),
        "IN",
        rtype_name(report.rtype)
    );
    for (i, outcome) in report.outcomes.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        block(out, outcome, &question, pal, verbose, explain)?;
    }
    if report.outcomes.len() > 1 {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            pal.paint(
                &format!(
                    "{} of {} servers replied, in {} overall",
                    report.replied(),
                    report.outcomes.len(),
                    ms(report.elapsed)
                ),
                Tone::Dim
            )
        )?;
    }
    Ok(())
}

fn block(
    out: &mut dyn Write,
    o: &ServerOutcome,
    question: &str,
    pal: &Palette,
    verbose: u8,
    explain: bool,
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
    let why = match o.target.source {
        TargetSource::User => "",
        TargetSource::System => "  [from resolv.conf]",
        TargetSource::Lab => "  [the lab's authoritative server for this name]",
    };
    writeln!(
        out,
        "{} {}{}",
        pal.paint("──", Tone::Dim),
        pal.paint(&who, Tone::Name),
        pal.paint(why, Tone::Dim)
    )?;
    match &o.result {
        Err(e) => {
            writeln!(
                out,
                "{} {}",
                pal.paint("✗ no response:", Tone::Bad),
                for_tty(&e.to_string())
            )?;
            writeln!(out, "question: {question}")?;
        }
        Ok(x) => exchange(out, x, question, pal, verbose, explain)?,
    }
    Ok(())
}

fn exchange(
    out: &mut dyn Write,
    x: &Exchange,
    question: &str,
    pal: &Palette,
    verbose: u8,
    explain: bool,
) -> io::Result<()> {
    let m = &x.response;
    let h = &m.metadata;
    let rcode = present::rcode(h.response_code);
    let tone = match h.response_code {
        ResponseCode::NoError if !m.answers.is_empty() => Tone::Good,
        ResponseCode::NoError | ResponseCode::NXDomain => Tone::Warn,
        _ => Tone::Bad,
    };
    writeln!(
        out,
        "{}  flags: {}  id {}  opcode {}",
        pal.paint(&rcode, tone),
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
            "{} the UDP answer had TC=1 ({} bytes, {} records, {}): asked again over TCP",
            pal.paint("truncated:", Tone::Warn),
            t.bytes,
            t.records,
            ms(t.rtt)
        )?;
    } else if h.truncation {
        writeln!(
            out,
            "{} TC=1: the answer did not fit; records may be missing (try without --no-tcp-fallback)",
            pal.paint("truncated:", Tone::Warn)
        )?;
    }
    if x.udp_attempts > 1 || verbose > 0 {
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
            writeln!(out, "  - {}", for_tty(&i.to_string()))?;
        }
    }
    writeln!(out, "QUESTION: {question}")?;
    section(out, "ANSWER", &m.answers, pal)?;
    if explain {
        readings(out, &m.answers, pal)?;
    }
    section(out, "AUTHORITY", &m.authorities, pal)?;
    if explain {
        readings(out, &m.authorities, pal)?;
    }
    section(out, "ADDITIONAL", &m.additionals, pal)?;
    if explain {
        readings(out, &m.additionals, pal)?;
        writeln!(
            out,
            "{}",
            pal.paint(&format!("  ↳ {}", what_happened(m)), Tone::Dim)
        )?;
    }
    Ok(())
}

/// A one-line reading of each record (`--explain`).
pub(crate) fn readings(out: &mut dyn Write, records: &[Record], pal: &Palette) -> io::Result<()> {
    for r in records {
        writeln!(
            out,
            "  {} {}",
            pal.paint("↳", Tone::Dim),
            for_tty(&dnscope::explain::read_record(r))
        )?;
    }
    Ok(())
}

/// What the response as a whole means (`--explain`).
fn what_happened(m: &Message) -> String {
    let h = &m.metadata;
    let aa = if h.authoritative {
        "The server is authoritative for the name (AA flag)"
    } else if h.recursion_available {
        "A recursive resolver answered (RA flag), from its cache or after asking for you"
    } else {
        "The server is not authoritative here (no AA flag)"
    };
    let what = match h.response_code {
        ResponseCode::NXDomain => "the name does not exist (NXDOMAIN); the SOA in the authority section says how long that may be cached".to_string(),
        ResponseCode::NoError if !m.answers.is_empty() => "it answered the question".to_string(),
        ResponseCode::NoError if m.authorities.iter().any(|r| r.record_type() == hickory_proto::rr::RecordType::NS) && !h.authoritative => {
            "this is a referral: the NS records in the authority section name the servers to ask next, and the additional section gives their addresses (glue)".to_string()
        }
        ResponseCode::NoError => "the name exists but has no record of this type (NODATA)".to_string(),
        ResponseCode::Refused => "it refused: it does not serve this zone (or does not answer us)".to_string(),
        ResponseCode::ServFail => "it failed to find an answer (SERVFAIL)".to_string(),
        other => format!("it answered {}", present::rcode(other)),
    };
    format!("{aa}; {what}.")
}

fn flags(m: &Message) -> String {
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

pub(crate) fn section(
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
