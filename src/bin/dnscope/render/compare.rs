//! Human output of `compare`: the side-by-side table, the answers grouped (A, B, ...), and the
//! explanation, one sentence per finding, from `words::compare`.

use std::io::{self, Write};
use std::time::Duration;

use dnscope::compare::{Round, Session};
use dnscope::present::{self, for_tty};
use dnscope::wire::rtype_name;

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{clock, compare as said, ms, scenario};

/// A round as shown: the session it belongs to, its number under `--watch`, and when the
/// next one comes.
pub struct View<'a> {
    pub session: &'a Session,
    pub round: &'a Round,
    /// The round number in `--watch`.
    pub number: Option<u32>,
    /// When the next round comes, if one does.
    pub next: Option<Duration>,
}

pub fn render(out: &mut dyn Write, v: &View<'_>, o: &Output) -> io::Result<()> {
    let pal = Palette::new(o.styled);
    let c = &v.round.comparison;
    if let Some(round) = v.number {
        if round > 1 {
            // Redraw in place on a terminal; one round after the other elsewhere.
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                write!(out, "\x1b[2J\x1b[H")?;
            } else {
                writeln!(out)?;
            }
        }
        writeln!(
            out,
            "{}",
            pal.paint(&format!("── round {round} at {}", clock(c.at)), Tone::Dim)
        )?;
    }
    if let Some(p) = &v.session.played
        && v.number.is_none_or(|r| r == 1)
    {
        writeln!(
            out,
            "{} {}",
            pal.paint("Scenario:", Tone::Strong),
            p.scenario.name()
        )?;
        for e in &p.events {
            writeln!(out, "  t+{:.1} s  {}", e.at, scenario::event(&e.event))?;
        }
        for p in &p.pending {
            writeln!(out, "  later   {}", scenario::pending(p))?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} {} {} — {} servers asked at {}, in {}{}",
        pal.paint("Comparing", Tone::Strong),
        pal.paint(&for_tty(&c.name.to_string()), Tone::Name),
        rtype_name(c.rtype),
        c.servers.len(),
        clock(c.at),
        ms(v.round.elapsed),
        v.session
            .zone
            .as_ref()
            .map(|z| format!(" (zone {z})"))
            .unwrap_or_default()
    )?;
    let mut table = pal.table(&[
        "SERVER", "ADDRESS", "KIND", "RCODE", "ANSWER", "TTL", "SERIAL", "RTT", "STATUS",
    ]);
    for s in &c.servers {
        let status = said::status(s);
        table.add_row(vec![
            pal.cell(&for_tty(&s.label), Some(Tone::Name)),
            pal.cell(&s.addr.ip().to_string(), None),
            pal.cell(said::kind(s.kind), None),
            pal.cell(&s.rcode.map_or_else(|| "-".into(), present::rcode), None),
            pal.cell(&said::group_of(s), Some(Tone::Strong)),
            pal.cell(&s.ttl.map_or_else(|| "-".into(), |t| t.to_string()), None),
            pal.cell(
                &s.serial().map_or_else(|| "-".into(), |x| x.to_string()),
                None,
            ),
            pal.cell(
                &s.rtt_ms
                    .map_or_else(|| "-".into(), |r| ms(Duration::from_secs_f64(r / 1000.0))),
                None,
            ),
            pal.cell(&status.text, Some(status.mood.into())),
        ]);
    }
    writeln!(out, "{table}")?;
    if !c.groups.is_empty() {
        writeln!(out, "{}", pal.paint("Answers:", Tone::Strong))?;
        for (i, g) in c.groups.iter().enumerate() {
            let who: Vec<&str> = g
                .members
                .iter()
                .filter_map(|&i| c.servers.get(i))
                .map(|s| s.label.as_str())
                .collect();
            writeln!(
                out,
                "  {}  {}   ({})",
                pal.paint(&said::group_label(i), Tone::Strong),
                for_tty(&said::answer(&g.key)),
                for_tty(&who.join(", "))
            )?;
            if o.explain
                && let Some(first) = g.members.first().and_then(|&i| c.servers.get(i))
            {
                super::query::readings(out, &first.answer, &pal)?;
            }
        }
    }
    writeln!(
        out,
        "{}",
        pal.paint(
            if c.consistent {
                "All servers agree:"
            } else {
                "Why they differ:"
            },
            Tone::Strong
        )
    )?;
    for line in said::explanation(c, v.session.discovery.as_ref()) {
        writeln!(out, "  - {}", line.text)?;
    }
    let verdict = said::verdict(c);
    writeln!(out, "{}", pal.paint(&verdict.text, verdict.mood))?;
    if let Some(every) = v.next {
        writeln!(out, "{}", pal.paint(&said::next_round(c, every), Tone::Dim))?;
    }
    Ok(())
}
