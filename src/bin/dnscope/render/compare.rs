//! Human output of `compare`: the side-by-side table, the answers grouped (A, B, ...), and the
//! explanation, one sentence per finding, from `words::compare`.

use std::io::{self, Write};
use std::time::Duration;

use dnscope::compare::{Round, Session};
use dnscope::present::{self, Shown, for_tty};
use dnscope::wire::rtype_name;

use super::layout::{Col, Grid, Page, plain, toned};
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{clock, compare as said, idn, ms, scenario};

/// A round as shown: the session it belongs to, its number under `--watch`, and when the
/// next one comes.
pub struct View<'a> {
    pub session: &'a Session,
    pub round: &'a Round,
    /// The round number in `--watch`.
    pub number: Option<u32>,
    /// When the next round comes, if one does.
    pub next: Option<Duration>,
    /// Under `--watch`, on the last round: why the watch ends.
    pub end: Option<WatchEnd>,
}

/// Why a `--watch` ends.
#[derive(Debug, Clone, Copy)]
pub enum WatchEnd {
    /// Every server agrees, this long after the first round; `since_change`: seconds since
    /// the data changed, when that is known (a lab scenario knows).
    Consistent {
        after: Duration,
        rounds: u32,
        since_change: Option<u64>,
    },
    /// The limit came first.
    Limit { limit: Duration, rounds: u32 },
    /// Nothing left will change by itself (a dead server, a conflict).
    NothingToWaitFor { rounds: u32 },
}

pub fn render(out: &mut dyn Write, v: &View<'_>, o: &Output) -> io::Result<()> {
    let c = &v.round.comparison;
    if let Some(round) = v.number
        && round > 1
    {
        // Redraw in place on a terminal; one round after the other elsewhere.
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            write!(out, "\x1b[2J\x1b[H")?;
        } else {
            writeln!(out)?;
        }
    }
    let mut page = Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    };
    if let Some(round) = v.number {
        let text = page.paint(&format!("── round {round} at {}", clock(c.at)), Tone::Dim);
        page.line(&text)?;
    }
    // The timeline stays on every round: a redrawn screen still says what happened.
    if let Some(p) = &v.session.played {
        let text = format!(
            "{} {}",
            page.paint("Scenario:", Tone::Strong),
            p.scenario.name()
        );
        page.line(&text)?;
        for e in &p.events {
            page.hang(
                &format!("  t+{:.1} s  {}", e.at, scenario::event(&e.event)),
                "           ",
            )?;
        }
        for p in &p.pending {
            page.hang(
                &format!("  later   {}", scenario::pending(p)),
                "           ",
            )?;
        }
        page.blank()?;
    }
    let head = format!(
        "{} {} {} — {} servers asked at {}, in {}{}",
        page.paint("Comparing", Tone::Strong),
        page.paint(&for_tty(&idn::shown(&c.name)), Tone::Name),
        rtype_name(c.rtype),
        c.servers.len(),
        clock(c.at),
        ms(v.round.elapsed),
        v.session
            .zone
            .as_ref()
            .map(|z| format!(" (zone {})", z.wire()))
            .unwrap_or_default()
    );
    page.line(&head)?;
    if let Some(w) = idn::homograph(&c.name) {
        let text = format!("{} {}", page.paint("warning:", Tone::Warn), for_tty(&w));
        page.line(&text)?;
    }
    let mut grid = Grid::new(&[
        Col::keep("SERVER"),
        Col::drop("ADDRESS", 5),
        Col::drop("KIND", 3),
        Col::drop("RCODE", 4),
        Col::keep("ANSWER"),
        Col::drop("TTL", 1),
        Col::drop("SERIAL", 2),
        Col::drop("RTT", 6),
        Col::prose("STATUS"),
    ]);
    for s in &c.servers {
        let status = said::status(s);
        grid.row(vec![
            toned(for_tty(&s.label), Tone::Name),
            plain(s.addr.ip().to_string()),
            plain(said::kind(s.kind)),
            plain(s.rcode.map_or_else(|| "-".into(), present::rcode)),
            toned(said::group_of(s), Tone::Strong),
            plain(s.ttl.map_or_else(|| "-".into(), |t| t.to_string())),
            plain(s.serial().map_or_else(|| "-".into(), |x| x.to_string())),
            plain(
                s.rtt_ms
                    .map_or_else(|| "-".into(), |r| ms(Duration::from_secs_f64(r / 1000.0))),
            ),
            toned(status.text, status.mood),
        ]);
    }
    page.grid("", &grid)?;
    if let Some(note) = crate::words::secure::connections(c) {
        let text = page.paint(&for_tty(&note), Tone::Dim);
        page.hang(&text, "    ")?;
    }
    if !c.groups.is_empty() {
        let text = page.paint("Answers:", Tone::Strong);
        page.line(&text)?;
        for (i, g) in c.groups.iter().enumerate() {
            let who: Vec<&str> = g
                .members
                .iter()
                .filter_map(|&i| c.servers.get(i))
                .map(|s| s.label.as_str())
                .collect();
            let text = format!(
                "  {}  {}   ({})",
                page.paint(&said::group_label(i), Tone::Strong),
                for_tty(&said::answer(&g.key)),
                for_tty(&who.join(", "))
            );
            page.hang(&text, "      ")?;
            if o.explain
                && let Some(first) = g.members.first().and_then(|&i| c.servers.get(i))
            {
                super::query::readings(&mut page, &first.answer)?;
            }
        }
    }
    let title = page.paint(
        if c.consistent {
            "All servers agree:"
        } else {
            "Why they differ:"
        },
        Tone::Strong,
    );
    page.line(&title)?;
    for line in said::explanation(c, v.session.discovery.as_ref()) {
        page.hang(&format!("  - {}", for_tty(&line.text)), "    ")?;
    }
    let verdict = said::verdict(c);
    let text = page.paint(&verdict.text, verdict.mood);
    page.line(&text)?;
    if let Some(every) = v.next {
        let text = page.paint(&said::next_round(c, every), Tone::Dim);
        page.line(&text)?;
    }
    if let Some(end) = v.end {
        let said = said::watch_end(end);
        let text = page.paint(&said.text, said.mood);
        page.line(&text)?;
    }
    Ok(())
}

/// `--short`: each server's answer data, one record per line, after its label; a server
/// without data says what it got instead (NXDOMAIN, NODATA, or why nothing came).
pub fn short(out: &mut dyn Write, v: &View<'_>) -> io::Result<()> {
    for s in &v.round.comparison.servers {
        let label = for_tty(&s.label);
        let data: Vec<String> = s
            .answer
            .iter()
            .map(|r| for_tty(&present::rdata(&r.data)))
            .collect();
        if !data.is_empty() {
            for d in data {
                writeln!(out, "{label} {d}")?;
            }
            continue;
        }
        let what = match (&s.key, &s.problem) {
            (Some(k), _) => said::short_key(k),
            (None, Some(p)) => said::problem(p).kind.to_string(),
            (None, None) => "-".to_string(),
        };
        writeln!(out, "{label} {what}")?;
    }
    Ok(())
}
