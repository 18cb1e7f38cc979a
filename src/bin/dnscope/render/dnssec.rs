//! DNSSEC in the human output of `trace`: under each step of the main resolution, the link
//! of the chain for the zone asked (its DS from the parent, its DNSKEYs, the RRSIGs checked);
//! at the end, the verdict.

use std::io;

use dnscope::present::for_tty;
use dnscope::trace::Trace;

use super::Tone;
use super::layout::Page;
use crate::words::chain;
use crate::words::dnssec as said;

/// The chain of trust, zone by zone from the top, after the steps (a live trace prints its
/// steps before the DNSKEYs are all in): each zone's status, the DS its parent handed down,
/// its DNSKEYs and the RRSIGs checked; with `--explain`, each link in words.
pub fn chain(page: &mut Page<'_>, t: &Trace, explain: bool) -> io::Result<()> {
    let Some(report) = &t.dnssec else {
        return Ok(());
    };
    if report.zones.is_empty() {
        return Ok(());
    }
    let title = format!(
        "{} {}",
        page.paint("Chain of trust (DNSSEC), from", Tone::Strong),
        for_tty(&report.anchors)
    );
    page.hang(&title, "    ")?;
    let pad = report
        .zones
        .iter()
        .map(|z| dnscope::present::name(&z.zone).chars().count())
        .max()
        .unwrap_or(0);
    let paths = t.cut_paths();
    for z in &report.zones {
        let status = chain::zone_status(z);
        let name = format!("{:<pad$}", dnscope::present::name(&z.zone));
        let text = format!(
            "  {}  {}",
            page.paint(&for_tty(&name), Tone::Name),
            page.paint(&for_tty(&status.text), status.mood)
        );
        let under = format!("  {}  ", " ".repeat(pad));
        page.hang(&text, &format!("{under}  "))?;
        // An inherited status has no link of its own to show.
        let own = matches!(status.kind, "secure")
            || said::zone(&z.status).as_deref() == Some(dnscope::present::name(&z.zone).as_str());
        if own {
            for (line, mood) in chain::zone_lines(z, report.now) {
                let text = format!("{under}{}", page.paint(&for_tty(&line), mood));
                page.hang(&text, &format!("{under}  "))?;
            }
        }
        if explain {
            let parent = paths.iter().find_map(|p| {
                let i = p.zones.iter().position(|x| *x == z.zone)?;
                i.checked_sub(1).and_then(|j| p.zones.get(j).cloned())
            });
            if let Some(sentence) = chain::narrate(z, parent.as_ref(), report.now) {
                let text = format!(
                    "  {}  {} {}",
                    " ".repeat(pad),
                    page.paint("↳", Tone::Dim),
                    for_tty(&sentence)
                );
                page.hang(&text, &format!("  {}    ", " ".repeat(pad)))?;
            }
        }
    }
    Ok(())
}

/// The verdict line of the summary.
pub fn summary(page: &mut Page<'_>, t: &Trace) -> io::Result<()> {
    let Some(report) = &t.dnssec else {
        return Ok(());
    };
    let v = said::verdict(&report.status, report.now);
    let text = format!(
        "{} {}",
        page.paint("DNSSEC:", Tone::Strong),
        page.paint(&for_tty(&v.text), v.mood)
    );
    page.hang(&text, "    ")?;
    Ok(())
}
