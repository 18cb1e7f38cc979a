//! A trace read aloud (`--explain` and the lines that explain a step): each step's sentence,
//! glue in words (RFC 9471), the legend of the first table, truncation, which time is which,
//! and where a zone's own NS set and its parent's delegation disagree.

use dnscope::present::{self, Shown, name};
use dnscope::trace::{Attempt, Glue, NsMismatch, Purpose, Referral, Step, Trace, Verdict};
use dnscope::wire::rtype_name;
use hickory_proto::rr::Name;

use super::{Mood, Said, human_ttl, ms, plural};

/// With `--explain`, after the first table: what each column kept says, and the step line.
pub fn legend(kept: &[&str]) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for column in kept {
        let (title, text) = match *column {
            "USED" => ("USED", "✓ marks the server whose reply the trace followed: the first usable one. All servers of a zone are asked at once, so which one wins can change from run to run.".to_string()),
            "SERVER" => ("SERVER", "the name server asked, by the name the zone above gave for it.".to_string()),
            "ADDRESS" => ("ADDRESS", "the address it was asked at (from glue, or looked up).".to_string()),
            "RTT" => ("RTT", "round-trip time: from sending the query to its reply.".to_string()),
            "RCODE" => ("RCODE", "the response code: NOERROR (no error), NXDOMAIN (the name does not exist), SERVFAIL (the server failed), REFUSED (it will not answer this).".to_string()),
            "FLAGS" => ("FLAGS", "header bits of the reply: aa = authoritative answer (the server holds the zone); tc = truncated (the reply did not fit in UDP); tc→TCP = truncated, so asked again over TCP. Every reply also has qr (it is a response).".to_string()),
            "NSID" => ("NSID", "the identifier the server gave for itself (NSID, RFC 5001): which machine behind a shared address answered.".to_string()),
            "OUTCOME" => ("OUTCOME", "what the reply means: a referral to the zone below, an answer, or why it could not be used.".to_string()),
            _ => continue,
        };
        out.push((title, text));
    }
    out.push((
        "[N] zone",
        "each step names the zone whose servers were asked, the question, what came of it, and the step's time: from its first query to the reply it followed (its part of the critical path).".to_string(),
    ));
    out.push((
        "X. NS",
        "a referral hands down the next zone's name servers, with the NS set's TTL (how long resolvers keep it) and their addresses when it carries them (glue).".to_string(),
    ));
    out
}

/// With `--explain`, under a step's table: the servers whose UDP answer was truncated, in
/// words.
pub fn truncation_reading(s: &Step) -> Option<String> {
    let truncated: Vec<(&Attempt, &dnscope::wire::Truncated)> = s
        .attempts
        .iter()
        .filter_map(|a| {
            a.exchange()
                .and_then(|x| x.truncated.as_ref())
                .map(|t| (a, t))
        })
        .collect();
    let (_, t) = truncated.first()?;
    let names: Vec<String> = truncated
        .iter()
        .map(|(a, _)| {
            a.ns.name
                .as_ref()
                .map_or_else(|| a.ns.addr.to_string(), name)
        })
        .collect();
    let (answer, was) = if names.len() == 1 {
        ("answer", "was")
    } else {
        ("answers", "were")
    };
    Some(format!(
        "The UDP {answer} of {} {was} truncated (TC): it did not fit in the {} bytes dnscope offered, so dnscope asked again over TCP, where size has no such limit (RFC 7766).",
        names.join(", "),
        t.offered
    ))
}

/// With `--explain`, after the cost: which time is which, so that they add up.
pub fn cost_reading(t: &Trace) -> String {
    let mut text = format!(
        "The outcome came {} after the first query: the steps' times (each from its first query to the reply it followed) add up to about that, the critical path.",
        ms(t.elapsed)
    );
    if t.wall > t.elapsed + std::time::Duration::from_micros(500) {
        text.push_str(&format!(
            " dnscope then waited until {} for the servers that had not answered yet, only to show what they do; that wait is not part of the resolution.",
            ms(t.wall)
        ));
    }
    text.push_str(&format!(
        " The cold best path ({}) adds up the fastest reply at each step: what a resolver with an empty cache needs at best.",
        ms(t.cold_best_path)
    ));
    text
}

/// Where the parent's delegation and the zone's own NS set disagree, at a zone cut of the
/// main resolution (RFC 1034 §4.2.2).
pub fn ns_mismatch(t: &Trace, index: usize) -> Option<Said> {
    let zone = &t.steps.get(index)?.zone;
    let list = |names: &[Name]| super::names(names);
    let text = match t.ns_mismatch(index)? {
        NsMismatch::ParentChild {
            parent,
            child,
            parent_only,
            child_only,
        } => {
            let mut diff = Vec::new();
            if !parent_only.is_empty() {
                diff.push(format!(
                    "{} only in the parent's delegation (resolvers are sent there, but the zone does not list {})",
                    list(&parent_only),
                    if parent_only.len() == 1 { "it" } else { "them" }
                ));
            }
            if !child_only.is_empty() {
                diff.push(format!(
                    "{} only in the zone's own NS set (resolvers starting from the root never hear of {})",
                    list(&child_only),
                    if child_only.len() == 1 { "it" } else { "them" }
                ));
            }
            format!(
                "Parent and child disagree: the parent's delegation lists {}, the zone {} itself lists {}: {}. They should match (RFC 1034 §4.2.2).",
                list(&parent),
                zone.wire(),
                list(&child),
                diff.join("; ")
            )
        }
        NsMismatch::ServersDisagree { parent, each } => {
            let each: Vec<String> = each
                .iter()
                .map(|(server, n)| format!("{} lists {}", super::ending::server(server), list(n)))
                .collect();
            format!(
                "The servers of {} disagree on the zone's own NS set: {}; the parent's delegation lists {} (RFC 1034 §4.2.2).",
                zone.wire(),
                each.join(", "),
                list(&parent)
            )
        }
    };
    Some(Said::new("ns_mismatch", text, Mood::Warn))
}

/// What a referral's glue means, as the end of the step's sentence: which addresses came
/// with it and why the others did not (RFC 9471).
fn glue_reading(r: &Referral, parent: &Name) -> String {
    let of = |want: &[Glue]| -> Vec<Name> {
        r.ns.iter()
            .filter(|(ns, _)| want.contains(&r.glue_of(parent, ns)))
            .map(|(ns, _)| ns.clone())
            .collect()
    };
    let (given, sibling) = (of(&[Glue::InDomain, Glue::Sibling]), of(&[Glue::Sibling]));
    let (outside, could, required) = (
        of(&[Glue::Outside]),
        of(&[Glue::MissingSibling]),
        of(&[Glue::MissingInDomain]),
    );
    let child = r.zone.wire();
    let mut parts = Vec::new();
    if given.len() == r.ns.len() {
        parts.push(format!(
            "and {} {} (glue), so no extra lookup is needed",
            if parent.is_root() { "gives" } else { "give" },
            if given.len() == 1 {
                "its address"
            } else {
                "their addresses"
            }
        ));
    } else if !given.is_empty() {
        parts.push(format!(
            "with the addresses of {} (glue)",
            super::names(&given)
        ));
    }
    // The grammar of "ns1 lies … its address … it" and "ns1, ns2 lie … their addresses … they".
    let lie = |v: &[Name]| if v.len() == 1 { "lies" } else { "lie" };
    let address = |v: &[Name]| {
        if v.len() == 1 {
            "its address"
        } else {
            "their addresses"
        }
    };
    let it = |v: &[Name]| if v.len() == 1 { "it" } else { "they" };
    let parent = parent.wire();
    if !sibling.is_empty() {
        parts.push(format!(
            "{} {} outside {child}, the zone being delegated, but inside {parent}, so its servers could send {} too (sibling glue, RFC 9471)",
            super::names(&sibling),
            lie(&sibling),
            if sibling.len() == 1 {
                "that address"
            } else {
                "those addresses"
            }
        ));
    }
    if !outside.is_empty() {
        parts.push(format!(
            "{} {} outside {child}, the zone being delegated, and outside {parent}, whose servers answered: they cannot vouch for {} (no glue is possible), so {} must be looked up first",
            super::names(&outside),
            lie(&outside),
            address(&outside),
            it(&outside)
        ));
    }
    if !could.is_empty() {
        parts.push(format!(
            "{} {} outside {child}, the zone being delegated, but inside {parent}: its servers could have sent {} as sibling glue (RFC 9471 leaves that optional) and did not, so {} must be looked up first",
            super::names(&could),
            lie(&could),
            if could.len() == 1 {
                "the address"
            } else {
                "the addresses"
            },
            it(&could)
        ));
    }
    if !required.is_empty() {
        parts.push(format!(
            "{} {} inside {child}, the zone being delegated, so the referral must carry {} (glue, RFC 9471 §2.1) and it does not: nobody can find {} without already reaching {child}",
            super::names(&required),
            lie(&required),
            address(&required),
            if required.len() == 1 { "it" } else { "them" }
        ));
    }
    // "… the 2 servers of x. and give their addresses …" or "… of x.: ns1 lies outside …".
    let joined = parts.join("; ");
    if given.is_empty() {
        format!(": {joined}")
    } else {
        format!(" {joined}")
    }
}

/// The glue cell of one NS name under a referral.
pub fn glue_cell(g: Glue, r: &Referral, ns: &Name) -> String {
    let addresses: Vec<String> = r
        .glue
        .iter()
        .filter(|x| x.name.to_lowercase() == *ns)
        .map(|x| format!("{} (TTL {})", present::rdata(&x.data), human_ttl(x.ttl)))
        .collect();
    match g {
        Glue::InDomain => format!("glue {}", addresses.join(", ")),
        Glue::Sibling => format!("sibling glue {}", addresses.join(", ")),
        Glue::Outside => "no glue (outside the zone that referred: looked up)".into(),
        Glue::MissingSibling => "no glue (sibling glue could have been sent: looked up)".into(),
        Glue::MissingInDomain => format!("no glue, though inside {} (required)", r.zone.wire()),
    }
}

/// A sentence saying what happened at a step of a trace, and why (`--explain`).
pub fn reading(t: &Trace, index: usize) -> Option<String> {
    let s: &Step = t.steps.get(index)?;
    let who = if s.zone.is_root() {
        "The root".to_string()
    } else {
        format!("The servers of {}", s.zone.wire())
    };
    let purpose = match &s.purpose {
        Purpose::Resolve => String::new(),
        Purpose::NsAddress { for_zone } => format!(
            " (this lookup only finds the address of a server of {}, whose delegation came without glue)",
            for_zone.wire()
        ),
    };
    let text = match s.verdict() {
        Some(Verdict::Referral(r)) => {
            let n = r.ns.len();
            let root = s.zone.is_root();
            let (subject, refer) = if root {
                ("it", "refers")
            } else {
                ("they", "refer")
            };
            format!(
                "{who} do{} not hold {} itself; {subject} {refer} you to the {n} server{} of {}{}.",
                if root { "es" } else { "" },
                s.qname.wire(),
                plural(n),
                r.zone.wire(),
                glue_reading(r, &s.zone)
            )
        }
        Some(Verdict::Answer { cnames, records }) => {
            let chain = if cnames.is_empty() {
                String::new()
            } else {
                format!(" after following {} alias(es) inside the zone", cnames.len())
            };
            format!(
                "{who} hold{} {} (AA flag: authoritative) and answer{chain}: {} record{}.",
                if s.zone.is_root() { "s" } else { "" },
                s.qname.wire(),
                records.len(),
                plural(records.len())
            )
        }
        Some(Verdict::Cname { target, .. }) => format!(
            "{} is an alias for {target}, which is not in {}: the lookup continues from the closest zone already known for {target}.",
            s.qname.wire(),
            s.zone.wire(),
            target = target.wire()
        ),
        Some(Verdict::NxDomain(n)) => format!(
            "{who} say {} does not exist (NXDOMAIN){}.",
            s.qname.wire(),
            n.ttl
                .map(|t| format!("; resolvers may remember that for {t} s (the smaller of the SOA's TTL and MINIMUM, RFC 2308)"))
                .unwrap_or_default()
        ),
        Some(Verdict::NoData(n)) => format!(
            "{} exists but has no {} record (NODATA){}.",
            s.qname.wire(),
            rtype_name(s.qtype),
            n.ttl
                .map(|t| format!("; resolvers may remember that for {t} s (RFC 2308)"))
                .unwrap_or_default()
        ),
        _ => {
            if s.attempts.is_empty() {
                format!("No server of {} could be asked.", s.zone.wire())
            } else {
                format!(
                    "None of the {} server(s) of {} asked gave a usable answer, so the lookup cannot go on from here.",
                    s.attempts.len(),
                    s.zone.wire()
                )
            }
        }
    };
    Some(format!("{text}{purpose}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::A;
    use hickory_proto::rr::{RData, Record};

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    /// arpa. delegates in-addr.arpa. to names under arpa. (RFC 9471's example).
    fn referral(glue: &[&str]) -> Referral {
        Referral {
            zone: n("in-addr.arpa."),
            ns: vec![(n("a.in-addr-servers.arpa."), 172_800)],
            glue: glue
                .iter()
                .map(|g| Record::from_rdata(n(g), 172_800, RData::A(A::new(127, 0, 0, 1))))
                .collect(),
            ignored_glue: Vec::new(),
        }
    }

    #[test]
    fn glue_is_worded_relative_to_the_zone_being_delegated() {
        let parent = n("arpa.");
        let missing = glue_reading(&referral(&[]), &parent);
        assert_eq!(
            missing,
            ": a.in-addr-servers.arpa. lies outside in-addr.arpa., the zone being delegated, but inside arpa.: its servers could have sent the address as sibling glue (RFC 9471 leaves that optional) and did not, so it must be looked up first"
        );
        let sent = glue_reading(&referral(&["a.in-addr-servers.arpa."]), &parent);
        assert!(
            sent.starts_with(" and give its address (glue), so no extra lookup is needed; a.in-addr-servers.arpa. lies outside in-addr.arpa., the zone being delegated, but inside arpa., so its servers could send that address too (sibling glue, RFC 9471)"),
            "{sent}"
        );
        let r = referral(&[]);
        assert_eq!(
            glue_cell(Glue::MissingSibling, &r, &n("a.in-addr-servers.arpa.")),
            "no glue (sibling glue could have been sent: looked up)"
        );
    }
}
