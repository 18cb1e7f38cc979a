//! Many names at once, as text: the summary table (identical rows collapsed into one), the
//! causes (each said once for all its rows), the counts and what the run cost; for
//! `trace --names` one line per name.

use std::io::{self, Write};

use dnscope::batch::{Group, Row, Skipped, Summary, TraceRow, TraceSummary};
use dnscope::present::{self, for_tty};
use dnscope::trace::End;
use dnscope::wire::rtype_name;

use super::layout::{Col, Grid, Page, plain, toned};
use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::{Mood, batch as said, ms};

/// What the batch checks, said before it starts.
pub fn header(out: &mut dyn Write, o: &Output, what: &str) -> io::Result<()> {
    let mut page = page(out, o);
    let text = format!("{} {}", page.paint("Checking", Tone::Strong), for_tty(what));
    page.line(&text)
}

fn page<'a>(out: &'a mut dyn Write, o: &Output) -> Page<'a> {
    Page {
        out,
        pal: Palette::of(o),
        width: o.width,
    }
}

/// The end of `compare --zone/--names`: the table, the causes, the counts, the cost.
pub fn summary(
    out: &mut dyn Write,
    o: &Output,
    s: &Summary,
    skipped: Option<&Skipped>,
) -> io::Result<()> {
    let mut page = page(out, o);
    let reference = s
        .groups
        .iter()
        .all(|g| matches!(g.first.item.intended, dnscope::batch::Intended::Reference));
    let mut grid = Grid::new(&[
        Col::keep("RRSET"),
        Col::keep("STATUS"),
        Col::prose(if reference {
            "AUTHORITATIVE ANSWER"
        } else {
            "INTENDED"
        }),
        Col::prose("NOT AS INTENDED"),
    ]);
    for g in s.groups_in_order() {
        let status = said::status(g.status);
        grid.row(vec![
            // Escaped line by line: the cell's own line breaks stay.
            plain(rrset_cell(g)),
            toned(status.text, status.mood),
            plain(for_tty(&intended_cell(g))),
            plain(for_tty(&differences_cell(g))),
        ]);
    }
    if !s.groups.is_empty() {
        page.blank()?;
        page.grid("", &grid)?;
        let text = page.paint(
            "Servers a row does not name serve the intended data.",
            Tone::Dim,
        );
        page.line(&text)?;
    }
    let mut notes: Vec<(String, Mood)> = said::causes(s)
        .into_iter()
        .map(|w| (w.text, w.mood))
        .collect();
    if let Some(text) = skipped.and_then(said::skipped) {
        notes.push((text, Mood::Quiet));
    }
    if let Some(text) = said::duplicates(s) {
        notes.push((text, Mood::Quiet));
    }
    if s.bad_count > 0 {
        notes.push((
            format!(
                "{} input line{} could not be read (each was named above) and {} skipped.",
                s.bad_count,
                crate::words::plural(s.bad_count),
                if s.bad_count == 1 { "was" } else { "were" }
            ),
            Mood::Bad,
        ));
    }
    if !notes.is_empty() {
        page.blank()?;
        let title = page.paint(
            if s.counts.matches == s.rows() {
                "Notes:"
            } else {
                "Why they differ:"
            },
            Tone::Strong,
        );
        page.line(&title)?;
        for (text, mood) in notes {
            let dash = page.paint("-", mood);
            page.hang(&format!("  {dash} {}", for_tty(&text)), "    ")?;
        }
    }
    page.blank()?;
    for z in &s.zones {
        let servers: Vec<String> = z
            .servers
            .iter()
            .map(|sv| {
                let serial = z
                    .soa
                    .get(&sv.target.addr)
                    .map(|soa| format!(", serial {}", soa.serial))
                    .unwrap_or_default();
                format!("{} ({}{serial})", sv.target.label, sv.target.addr.ip())
            })
            .collect();
        let text = format!(
            "{} {}: {}",
            page.paint("Zone", Tone::Strong),
            present::name(&z.name),
            servers.join(", ")
        );
        page.line(&for_tty(&text))?;
    }
    let counts = page.paint(&said::counts(s), Tone::Strong);
    page.line(&counts)?;
    let verdict = said::verdict(s);
    let text = page.paint(&verdict.text, verdict.mood);
    page.line(&text)?;
    let cost = page.paint(&said::cost(s), Tone::Dim);
    page.line(&cost)
}

/// The RRsets of a group, one per line (a name is never broken).
fn rrset_cell(g: &Group) -> String {
    if g.rows == 1 {
        return for_tty(&said::question(&g.first.item.name, g.first.item.rtype));
    }
    let mut lines = vec![format!("{}:", said::rrsets(g.rows))];
    lines.extend(
        g.examples
            .iter()
            .map(|(_, n, t)| format!(" {}", for_tty(&said::question(n, *t)))),
    );
    if g.rows > g.examples.len() {
        lines.push(format!(" and {} more", g.rows - g.examples.len()));
    }
    lines.join("\n")
}

fn intended_cell(g: &Group) -> String {
    if g.rows > 1 {
        return "-".to_string();
    }
    g.first
        .intended
        .as_ref()
        .map_or_else(|| "-".to_string(), said::data)
}

/// The servers that do not serve the intended data, those serving the same named together:
/// with what they serve (one row) or their verdict (many rows).
fn differences_cell(g: &Group) -> String {
    let row: &Row = &g.first;
    let Some(c) = &row.comparison else {
        return match &row.no_zone {
            Some(z) => z.error.to_string(),
            None => "-".to_string(),
        };
    };
    let mut parts: Vec<(String, Vec<usize>)> = Vec::new();
    for i in 0..c.servers.len() {
        let check = row.checks.get(i).and_then(|k| k.check);
        if check == Some(dnscope::batch::Check::Matches) {
            continue;
        }
        let what = if g.rows == 1 {
            said::served(row, i)
        } else {
            said::check(check).to_string()
        };
        match parts.iter_mut().find(|(w, _)| *w == what) {
            Some((_, who)) => who.push(i),
            None => parts.push((what, vec![i])),
        }
    }
    if parts.is_empty() {
        return "-".to_string();
    }
    let label = |i: usize| c.servers.get(i).map_or("?", |s| s.label.as_str());
    parts
        .iter()
        .map(|(what, who)| match who.as_slice() {
            [one] if g.rows == 1 => match said::served_note(row, *one) {
                Some(note) => format!("{}: {what} ({note})", label(*one)),
                None => format!("{}: {what}", label(*one)),
            },
            all if all.len() == c.servers.len() && all.len() > 1 => {
                format!("all {} servers: {what}", all.len())
            }
            some => format!(
                "{}: {what}",
                some.iter()
                    .map(|&i| label(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `trace --names`: the lines kept for the table.
#[derive(Debug)]
pub struct TraceLine {
    index: usize,
    cells: Vec<(String, Option<Tone>)>,
}

/// The table's line for one trace.
pub fn trace_line(r: &TraceRow) -> TraceLine {
    let t = &r.trace;
    let (end, mood) = match &t.end {
        End::Answer => ("answer".to_string(), Mood::Good),
        End::NxDomain(_) => ("NXDOMAIN".to_string(), Mood::Good),
        End::NoData(_) => ("NODATA".to_string(), Mood::Good),
        End::Failed { .. } => ("failed".to_string(), Mood::Bad),
        End::Limit(_) => ("limit".to_string(), Mood::Bad),
    };
    let answer = match &t.end {
        End::Answer => t
            .answer
            .iter()
            .map(|rec| present::rdata(&rec.data))
            .collect::<Vec<_>>()
            .join(", "),
        End::Failed { zone, failure } => crate::words::trace::failure_headline(zone, failure),
        End::Limit(l) => crate::words::trace::limit(l).text,
        _ => String::new(),
    };
    let zone = t
        .answering_step()
        .map(|(_, s)| present::name(&s.zone))
        .unwrap_or_else(|| "-".to_string());
    let dnssec = t
        .dnssec
        .as_ref()
        .map(|d| crate::words::dnssec::verdict_kind(&d.status).to_string())
        .unwrap_or_else(|| "-".to_string());
    TraceLine {
        index: r.item.index,
        cells: vec![
            toned(for_tty(&present::name(&t.name)), Tone::Name),
            plain(rtype_name(t.rtype)),
            toned(end, mood),
            plain(for_tty(&answer)),
            plain(for_tty(&zone)),
            plain(dnssec),
            plain(r.sent.to_string()),
            plain(ms(t.wall)),
        ],
    }
}

/// The end of `trace --names`: one line per name (the first `shown`), failures said once per
/// kind, the counts and what the run cost.
pub fn trace_summary(
    out: &mut dyn Write,
    o: &Output,
    lines: &mut [TraceLine],
    left_out: usize,
    s: &TraceSummary,
) -> io::Result<()> {
    let mut page = page(out, o);
    lines.sort_by_key(|l| l.index);
    let mut grid = Grid::new(&[
        Col::keep("NAME"),
        Col::drop("TYPE", 5),
        Col::keep("END"),
        Col::prose("ANSWER"),
        Col::drop("ZONE", 4),
        Col::drop("DNSSEC", 2),
        Col::drop("SENT", 6),
        Col::drop("TIME", 3),
    ]);
    for l in lines.iter() {
        grid.row(l.cells.clone());
    }
    if !lines.is_empty() {
        page.blank()?;
        page.grid("", &grid)?;
    }
    if left_out > 0 {
        let text = page.paint(
            &format!("… and {left_out} more names (--json gives every trace)"),
            Tone::Dim,
        );
        page.line(&text)?;
    }
    let mut notes: Vec<(String, Mood)> = s
        .failures
        .iter()
        .map(|f| {
            let w = said::trace_failure(f);
            (w.text, w.mood)
        })
        .collect();
    if s.duplicates > 0 {
        notes.push((
            format!(
                "{} input line{} repeated a name and type already traced: traced once.",
                s.duplicates,
                crate::words::plural(s.duplicates)
            ),
            Mood::Quiet,
        ));
    }
    if s.bad_count > 0 {
        notes.push((
            format!(
                "{} input line{} could not be read (each was named above) and skipped.",
                s.bad_count,
                crate::words::plural(s.bad_count)
            ),
            Mood::Bad,
        ));
    }
    if !notes.is_empty() {
        page.blank()?;
        for (text, mood) in notes {
            let dash = page.paint("-", mood);
            page.hang(&format!("  {dash} {}", for_tty(&text)), "    ")?;
        }
    }
    page.blank()?;
    let counts = page.paint(&said::trace_counts(s), Tone::Strong);
    page.line(&counts)?;
    let cost = page.paint(&said::trace_cost(s), Tone::Dim);
    page.line(&cost)
}
