//! How a trace ended, in words: the verdict line, failures with their evidence (what each
//! server did, what each NS lookup found), limits, and glueless cycles spelled out.

use dnscope::present::{Shown, name};
use dnscope::trace::{
    Attempt, Cycle, End, Failure, Limit, NameServer, NsLookup, NsLookupError, Trace,
};
use dnscope::wire::rtype_name;
use hickory_proto::rr::{Name, RData, Record};

use super::trace::attempt;
use super::{Mood, Said, plural};

/// How the trace ended: `answer`, `nxdomain`, `nodata`, `failed` or `limit`, and the verdict
/// line of the summary.
pub fn end(t: &Trace) -> Said {
    match &t.end {
        End::Answer => Said::new(
            "answer",
            // The records listed under it are the CNAME links, then the answer: say both.
            // See: issue 11, text details ("2 answer records" listed 4).
            match t.cnames.len() {
                0 => format!("{} answer record{}", t.answer.len(), plural(t.answer.len())),
                n => format!(
                    "{} answer record{} after {n} CNAME link{}",
                    t.answer.len(),
                    plural(t.answer.len()),
                    plural(n)
                ),
            },
            Mood::Good,
        ),
        End::NxDomain(_) => Said::new(
            "nxdomain",
            format!(
                "{} does not exist",
                t.cnames
                    .last()
                    .map(cname_target)
                    .unwrap_or_else(|| name(&t.name))
            ),
            Mood::Warn,
        ),
        End::NoData(_) => Said::new(
            "nodata",
            "the name exists, but has no data of this type",
            Mood::Warn,
        ),
        End::Failed { zone, failure } => Said::new(
            "failed",
            format!(
                "{} — {}",
                failure_headline(zone, failure),
                failure_detail(t, zone, failure)
            ),
            Mood::Bad,
        ),
        End::Limit(limit) => {
            let l = self::limit(limit);
            Said::new(
                "limit",
                format!("stopped: {} — {}", limit_headline(limit), l.text),
                Mood::Bad,
            )
        }
    }
}

/// The machine kind of a failure.
pub fn failure_kind(f: &Failure) -> &'static str {
    match f {
        Failure::NoReply { .. } => "no_reply",
        Failure::Local { .. } => "local",
        Failure::Unusable { .. } => "unusable",
        Failure::NoAddress { .. } | Failure::NoServers => "no_address",
        Failure::CnameLoop { .. } => "cname_loop",
        Failure::GluelessCycle(_) => "glueless_cycle",
    }
}

/// What went wrong at `zone`, in a clause.
pub fn failure_headline(zone: &Name, f: &Failure) -> String {
    let zone = zone.wire();
    match f {
        Failure::NoReply { .. } => format!("no server of {zone} replied"),
        Failure::Local { .. } => format!(
            "nothing could be sent to the servers of {zone}: this machine's network refused (not an answer from the DNS)"
        ),
        Failure::Unusable { .. } => format!("no server of {zone} gave a usable answer"),
        Failure::NoAddress { .. } | Failure::NoServers => {
            format!("no address could be found for any server of {zone}")
        }
        Failure::CnameLoop { .. } => "the CNAME chain loops".into(),
        Failure::GluelessCycle(_) => {
            format!("glueless cycle: the servers of {zone} can only be found through themselves")
        }
    }
}

/// The evidence of a failure in one line: what each server did, what each lookup found, the
/// loop.
pub fn failure_detail(t: &Trace, zone: &Name, f: &Failure) -> String {
    let zone_shown = zone.wire();
    match f {
        Failure::NoReply { step } | Failure::Unusable { step } | Failure::Local { step } => {
            match t.steps.get(*step) {
                Some(s) if !s.attempts.is_empty() => s
                    .attempts
                    .iter()
                    .map(|a| format!("{}: {}", who(a), attempt(a, s).text))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => "no servers".into(),
            }
        }
        Failure::NoAddress { step } => {
            let lookups: Vec<String> = t
                .steps
                .get(*step)
                .map(|s| {
                    lookup_groups(s)
                        .into_iter()
                        .map(|(l, more)| format!("{}{}", ns_lookup_line(l), and_more(more)))
                        .collect()
                })
                .unwrap_or_default();
            let family = match (t.family.ipv4, t.family.ipv6) {
                (false, true) => "; with -6 only IPv6 addresses are used",
                (true, false) => "; with -4 only IPv4 addresses are used",
                _ => "",
            };
            format!(
                "no address for any name server of {zone_shown} ({}{family})",
                lookups.join("; ")
            )
        }
        Failure::NoServers => format!("{zone_shown} has no name server with an address"),
        Failure::CnameLoop { chain } => chain.iter().map(name).collect::<Vec<_>>().join(" -> "),
        Failure::GluelessCycle(c) => cycle(c),
    }
}

/// A server as `name (address)`, or its address alone.
pub fn who(a: &Attempt) -> String {
    server(&a.ns)
}

/// A name server as `name (address)`, or its address alone.
pub fn server(ns: &NameServer) -> String {
    match &ns.name {
        Some(n) => format!("{} ({})", n.wire(), ns.addr.ip()),
        None => ns.addr.to_string(),
    }
}

/// A glueless cycle, spelled out.
pub fn cycle(c: &Cycle) -> String {
    match c {
        Cycle::InOwnZone { ns, zone } => {
            format!(
                "cycle: {} is inside the zone it serves ({}) and has no glue",
                ns.wire(),
                zone.wire()
            )
        }
        Cycle::Names { path } => {
            let first = path.first().map(name).unwrap_or_default();
            let rest: Vec<String> = path.iter().skip(1).map(name).collect();
            format!(
                "cycle: the address of {first} needs {}, which needs {first} again",
                rest.join(", then ")
            )
        }
        Cycle::Zones { links } => {
            let zone = links.first().map(|(z, _)| name(z)).unwrap_or_default();
            let spelled: Vec<String> = links
                .iter()
                .map(|(z, ns)| format!("{} is served by {}", z.wire(), ns.wire()))
                .collect();
            format!(
                "cycle: {}, which is in {zone} again: no address can ever be found",
                spelled.join(", which is in a zone where ")
            )
        }
    }
}

/// The machine kind of a limit, and where it was hit in words.
pub fn limit(l: &Limit) -> Said {
    let (kind, text) = match l {
        Limit::Budget {
            budget,
            zone,
            qname,
            qtype,
            partial: false,
        } => (
            "budget",
            format!(
                "the budget of {budget} queries was spent before asking {} for {} {}",
                zone.wire(),
                qname.wire(),
                rtype_name(*qtype)
            ),
        ),
        Limit::Budget {
            budget,
            zone,
            qname,
            qtype,
            partial: true,
        } => (
            "budget",
            format!(
                "the budget of {budget} queries was spent before every server of {} could be asked for {} {}",
                zone.wire(),
                qname.wire(),
                rtype_name(*qtype)
            ),
        ),
        Limit::Referrals { max, qname } => (
            "referrals",
            format!("more than {max} referrals while resolving {}", qname.wire()),
        ),
        Limit::Depth { max, zone } => (
            "depth",
            format!(
                "looking up the servers of {} would nest glueless lookups more than {max} deep",
                zone.wire()
            ),
        ),
        Limit::Cnames { max, qname } => (
            "cnames",
            format!("more than {max} CNAME links from {}", qname.wire()),
        ),
        Limit::Deadline(d) => (
            "deadline",
            format!("the trace did not finish within {} s", d.as_secs_f64()),
        ),
    };
    Said::new(kind, text, Mood::Bad)
}

fn limit_headline(l: &Limit) -> String {
    match l {
        Limit::Budget { budget, .. } => format!("query budget ({budget}) spent"),
        Limit::Referrals { max, .. } => format!("more than {max} referrals"),
        Limit::Depth { max, .. } => format!("glueless lookups nested deeper than {max}"),
        Limit::Cnames { max, .. } => format!("CNAME chain longer than {max}"),
        Limit::Deadline(d) => format!("deadline of {} s reached", d.as_secs_f64()),
    }
}

/// Why a name server's address lookup found nothing.
pub fn ns_lookup_error(e: &NsLookupError) -> String {
    match e {
        NsLookupError::Cycle(c) => cycle(c),
        NsLookupError::NoAddressInAnswer => "the answer holds no address".into(),
        NsLookupError::NxDomain => "NXDOMAIN: the name server's name does not exist".into(),
        NsLookupError::NoData => "NODATA: the name has no address record".into(),
        // The headline only: the nested lookup's own steps are in the trace, and spelling
        // their details out at every level grows without bound (see the sprawl fixture).
        NsLookupError::Failed { zone, failure } => {
            format!(
                "failed at {}: {}",
                zone.wire(),
                failure_headline(zone, failure)
            )
        }
        NsLookupError::Limit(l) => format!("limit: {}", limit(l).text),
        NsLookupError::Unfinished => "unfinished: the trace ended first".into(),
    }
}

/// A step's NS lookups, each with how many lookups right after it failed the same way (those
/// are left out): a glueless delegation with many names repeats one story.
pub fn lookup_groups(s: &dnscope::trace::Step) -> Vec<(&NsLookup, usize)> {
    let mut groups: Vec<(&NsLookup, usize, Option<String>)> = Vec::new();
    for l in &s.ns_lookups {
        let text = l.result.as_ref().err().map(ns_lookup_error);
        if let Some(last) = groups.last_mut()
            && text.is_some()
            && last.2 == text
        {
            last.1 += 1;
            continue;
        }
        groups.push((l, 0, text));
    }
    groups.into_iter().map(|(l, n, _)| (l, n)).collect()
}

/// The NS names whose lookups repeated the failure of the lookup before them (their steps
/// need not be shown again).
pub fn repeated_lookups(s: &dnscope::trace::Step) -> Vec<hickory_proto::rr::Name> {
    let mut hidden = Vec::new();
    let mut i = 0;
    for (_, repeats) in lookup_groups(s) {
        hidden.extend(
            s.ns_lookups
                .iter()
                .skip(i + 1)
                .take(repeats)
                .map(|l| l.ns.clone()),
        );
        i += 1 + repeats;
    }
    hidden
}

/// "… and N more lookups failed the same way", or nothing.
pub fn and_more(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => " (and 1 more lookup failed the same way)".into(),
        n => format!(" (and {n} more lookups failed the same way)"),
    }
}

/// The rcode a resolver would give, or why there is none.
pub fn end_rcode(t: &Trace) -> String {
    t.end
        .rcode()
        .map_or_else(|| "no answer".to_string(), dnscope::present::rcode)
}

/// One NS lookup as `name: what it found`.
pub fn ns_lookup_line(l: &NsLookup) -> String {
    match &l.result {
        Ok(_) => format!("{}: no usable address", l.ns.wire()),
        Err(e) => format!("{}: {}", l.ns.wire(), ns_lookup_error(e)),
    }
}

fn cname_target(r: &Record) -> String {
    match &r.data {
        RData::CNAME(c) => name(&c.0),
        other => other.to_string(),
    }
}
