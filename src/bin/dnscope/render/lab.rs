//! Human output of `dnscope lab`: the address plan, the root hints and dig commands that walk
//! the delegations by hand.

use std::io::{self, Write};

use dnscope::lab::{Lab, ServerKind};
use hickory_proto::rr::Name;

use super::{Palette, Tone};
use crate::plan::Output;
use crate::words::ms;

/// Names whose delegation path the printed dig commands walk.
const WALKS: &[(&str, &str, &str)] = &[
    ("www.shop.test.", "A", "a plain three-level delegation"),
    (
        "www.paris.eu.shop.test.",
        "A",
        "four zone cuts below the root",
    ),
    (
        "www.cdn.example.",
        "A",
        "a glueless delegation (ask for ns1.dns-host.test first)",
    ),
    ("nope.shop.test.", "A", "NXDOMAIN"),
];

pub fn render(out: &mut dyn Write, lab: &Lab, o: &Output) -> io::Result<()> {
    let pal = &Palette::new(o.styled);
    writeln!(
        out,
        "{}",
        pal.paint("dnscope lab: a DNS hierarchy on loopback", Tone::Strong)
    )?;
    writeln!(
        out,
        "Every server listens on UDP and TCP port {}.",
        lab.port()
    )?;
    writeln!(out)?;
    let mut table = pal.table(&["SERVER", "ADDRESS", "ZONES", "FAULT"]);
    for s in lab.servers() {
        let zones = if s.kind == ServerKind::Resolver {
            "(caching resolver: recursion from the lab's roots)".to_string()
        } else if s.zones.is_empty() {
            "(none: lame for any zone delegated to it)".to_string()
        } else {
            s.zones
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        let fault = match (&s.fault, s.latency.is_zero()) {
            (Some(f), _) => pal.cell(&f.to_string(), Some(Tone::Bad)),
            (None, false) => pal.cell(&format!("+{} latency", ms(s.latency)), Some(Tone::Warn)),
            (None, true) => pal.cell("", None),
        };
        table.add_row(vec![
            pal.cell(&s.name.to_string(), Some(Tone::Name)),
            pal.cell(&s.address.to_string(), None),
            pal.cell(&zones, None),
            fault,
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pal.paint("Root hints (named.root format):", Tone::Strong)
    )?;
    for s in lab.root_servers() {
        writeln!(out, ".                        3600000  NS  {}", s.name)?;
        writeln!(out, "{:<24} 3600000  A   {}", s.name.to_string(), s.address)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        pal.paint(
            "Walk the delegations by hand, one server at a time:",
            Tone::Strong
        )
    )?;
    for (name, rtype, what) in WALKS {
        let Ok(qname) = Name::from_ascii(name) else {
            continue;
        };
        writeln!(out, "# {name} {rtype}: {what}")?;
        for (zone, server) in lab.delegation_path(&qname) {
            writeln!(
                out,
                "dig @{} -p {} +norec {} {}    # {} ({})",
                server.address,
                lab.port(),
                name.trim_end_matches('.'),
                rtype,
                zone,
                server.name
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "(dig +trace cannot follow this private hierarchy: it ignores glue and looks every NS name up through the system resolver. Use `dnscope query --lab` or the commands above.)"
    )?;
    Ok(())
}
