//! A picture of a trace (`trace --format dot|svg`): each zone a box (a Graphviz cluster), each
//! server asked a node inside it with its outcome and RTT, the path followed in bold green,
//! dead and lame servers in red and orange, nested glueless lookups dashed.

use dnscope::present::Shown;
use std::fmt::Write as _;

use dnscope::dnssec::Status;
use dnscope::trace::{AttemptStatus, Trace};
use dnscope::wire::rtype_name;

use crate::words::{Mood, trace::attempt};

/// DOT-escape a label.
fn esc(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '"' => vec!['\\', '"'],
            '\\' => vec!['\\', '\\'],
            '\n' => vec!['\\', 'n'],
            c if c.is_control() => vec!['?'],
            c => vec![c],
        })
        .collect()
}

pub fn render(t: &Trace) -> String {
    let mut g = String::new();
    let _ = writeln!(g, "digraph dnscope_trace {{");
    let _ = writeln!(
        g,
        "  graph [rankdir=TB, fontname=\"Helvetica\", label=\"{}\", labelloc=t, fontsize=16];",
        esc(&format!(
            "dnscope trace {} {} — {} queries, {:.1} ms (cold best path {:.1} ms)",
            t.name.wire(),
            rtype_name(t.rtype),
            t.queries,
            t.elapsed.as_secs_f64() * 1000.0,
            t.cold_best_path.as_secs_f64() * 1000.0
        ))
    );
    let _ = writeln!(
        g,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#f5f5f5\"];"
    );
    let _ = writeln!(g, "  edge [fontname=\"Helvetica\", fontsize=9];");
    let _ = writeln!(
        g,
        "  start [label=\"{}\", shape=oval, fillcolor=\"#dde8ff\"];",
        esc(&format!("resolver\n{} {}", t.name, rtype_name(t.rtype)))
    );
    let mut previous_chosen: Option<String> = Some("start".to_string());
    let mut anchors = std::collections::HashSet::new();
    // For each main step, the node its question came from; for nested lookups, the last node
    // of the lookup chain under each parent.
    let mut came_from: std::collections::HashMap<usize, Option<String>> =
        std::collections::HashMap::new();
    let mut nested_prev: std::collections::HashMap<usize, String> =
        std::collections::HashMap::new();
    for (si, s) in t.steps.iter().enumerate() {
        let nested = s.parent.is_some();
        let _ = writeln!(g, "  subgraph cluster_{si} {{");
        // The zone's DNSSEC status colours its box, as DNSViz colours its links: secure
        // blue, insecure black, bogus red, indeterminate orange.
        let dnssec = (!nested)
            .then_some(t.dnssec.as_ref())
            .flatten()
            .and_then(|r| r.zones.iter().find(|z| z.zone == s.zone));
        let (status, color, width) = match dnssec.map(|z| &z.status) {
            Some(Status::Secure) => ("\nDNSSEC: secure", "#1f5fbf", "2.5"),
            Some(Status::Insecure(_)) => ("\nDNSSEC: insecure", "#222222", "1.5"),
            Some(Status::Bogus(_)) => ("\nDNSSEC: BOGUS", "#cc2222", "3"),
            Some(Status::Indeterminate(_)) => ("\nDNSSEC: indeterminate", "#dd8800", "1.5"),
            None if nested => ("", "#888888", "1"),
            None => ("", "#3366aa", "1"),
        };
        let title = format!(
            "{}zone {}\nasked: {} {}{status}",
            if nested { "(NS lookup) " } else { "" },
            s.zone.wire(),
            s.qname.wire(),
            rtype_name(s.qtype)
        );
        let _ = writeln!(
            g,
            "    label=\"{}\"; style=\"rounded{}\"; color=\"{color}\"; penwidth={width};",
            esc(&title),
            if nested { ",dashed" } else { "" },
        );
        for (ai, a) in s.attempts.iter().enumerate() {
            let said = attempt(a, s);
            let text = said.text;
            let chosen = s.chosen == Some(ai);
            let fill = match (chosen, said.mood) {
                (true, _) => "#c8f0c8",
                (_, Mood::Bad) => "#f8c8c8",
                (_, Mood::Warn) => "#fde2b8",
                (_, Mood::Good) => "#e6f6e6",
                _ => "#eeeeee",
            };
            let rtt = a
                .rtt()
                .map(|d| format!("{:.1} ms · ", d.as_secs_f64() * 1000.0))
                .unwrap_or_default();
            let server =
                a.ns.name
                    .as_ref()
                    .map(dnscope::present::name)
                    .unwrap_or_default();
            let label = format!("{server}\n{}\n{rtt}{text}", a.ns.addr.ip());
            let _ = writeln!(
                g,
                "    s{si}_{ai} [label=\"{}\", fillcolor=\"{fill}\"{}];",
                esc(&label),
                if chosen { ", penwidth=2" } else { "" }
            );
        }
        if s.attempts.is_empty() {
            let _ = writeln!(
                g,
                "    s{si}_none [label=\"no server could be asked\", fillcolor=\"#f8c8c8\"];"
            );
        }
        let _ = writeln!(g, "  }}");
        // Edges: from the previous step's chosen server (or the parent for nested lookups) to
        // every server asked here; the followed one in bold green.
        if s.parent.is_none() {
            came_from.insert(si, previous_chosen.clone());
        }
        let from = match s.parent {
            Some(p) => Some(
                nested_prev
                    .get(&p)
                    .cloned()
                    .unwrap_or_else(|| format!("cluster_anchor_{p}")),
            ),
            None => previous_chosen.clone(),
        };
        if let Some(p) = s.parent
            && anchors.insert(p)
        {
            let zone = t
                .steps
                .get(p)
                .map(|x| dnscope::present::name(&x.zone))
                .unwrap_or_default();
            let _ = writeln!(
                g,
                "  cluster_anchor_{p} [label=\"{}\", shape=box, style=dashed];",
                esc(&format!("no glue for {zone}:\nlook up its servers first"))
            );
            if let Some(Some(prev)) = came_from.get(&p) {
                let _ = writeln!(g, "  {prev} -> cluster_anchor_{p} [style=dashed];");
            }
        }
        if let Some(from) = &from {
            for (ai, a) in s.attempts.iter().enumerate() {
                let chosen = s.chosen == Some(ai);
                let style = if chosen {
                    "color=\"#228822\", penwidth=2.5".to_string()
                } else if matches!(
                    a.status,
                    AttemptStatus::Done(Err(_)) | AttemptStatus::Abandoned(_)
                ) {
                    "color=\"#cc3333\", style=dotted".to_string()
                } else {
                    "color=\"#999999\"".to_string()
                };
                let dashed = if nested { ", style=dashed" } else { "" };
                let _ = writeln!(g, "  {from} -> s{si}_{ai} [{style}{dashed}];");
            }
        }
        match s.parent {
            None => previous_chosen = s.chosen.map(|c| format!("s{si}_{c}")),
            Some(p) => {
                // A lookup ends with an answer: the next lookup starts again at the anchor.
                let done = matches!(s.verdict(), Some(dnscope::trace::Verdict::Referral(_)));
                match (done, s.chosen) {
                    (true, Some(c)) => {
                        nested_prev.insert(p, format!("s{si}_{c}"));
                    }
                    _ => {
                        nested_prev.remove(&p);
                    }
                }
            }
        }
    }
    // The answer.
    let end = match &t.end {
        dnscope::trace::End::Answer => t
            .answer
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}",
                    r.name.wire(),
                    rtype_name(r.record_type()),
                    dnscope::present::rdata(&r.data)
                )
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => crate::words::trace::end_rcode(t),
    };
    let end = match &t.dnssec {
        Some(r) => format!(
            "{end}\nDNSSEC: {}{}",
            crate::words::dnssec::verdict_kind(&r.status),
            crate::words::dnssec::code(&r.status)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        ),
        None => end,
    };
    let _ = writeln!(
        g,
        "  answer [label=\"{}\", shape=note, fillcolor=\"#fff7c8\"];",
        esc(&end)
    );
    if let Some(last) = previous_chosen {
        let _ = writeln!(g, "  {last} -> answer [color=\"#228822\", penwidth=2.5];");
    }
    let _ = writeln!(g, "}}");
    g
}
