//! How a trace ended, in words: the verdict line, failures with their evidence (what each
//! server did, what each NS lookup found), limits, and glueless cycles spelled out.

use dnscope::trace::{Attempt, Cycle, End, Failure, Limit, NsLookup, NsLookupError, Trace};
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
            format!("{} answer record{}", t.answer.len(), plural(t.answer.len())),
            Mood::Good,
        ),
        End::NxDomain(_) => Said::new(
            "nxdomain",
            format!(
                "{} does not exist",
                t.cnames
                    .last()
                    .map(cname_target)
                    .unwrap_or_else(|| t.name.to_string())
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
        Failure::Unusable { .. } => "unusable",
        Failure::NoAddress { .. } | Failure::NoServers => "no_address",
        Failure::CnameLoop { .. } => "cname_loop",
        Failure::GluelessCycle(_) => "glueless_cycle",
    }
}

fn failure_headline(zone: &Name, f: &Failure) -> String {
    match f {
        Failure::NoReply { .. } => format!("no server of {zone} replied"),
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
    match f {
        Failure::NoReply { step } | Failure::Unusable { step } => match t.steps.get(*step) {
            Some(s) if !s.attempts.is_empty() => s
                .attempts
                .iter()
                .map(|a| format!("{}: {}", who(a), attempt(a, s).text))
                .collect::<Vec<_>>()
                .join("; "),
            _ => "no servers".into(),
        },
        Failure::NoAddress { step } => {
            let lookups: Vec<String> = t
                .steps
                .get(*step)
                .map(|s| s.ns_lookups.iter().map(|l| ns_lookup_line(t, l)).collect())
                .unwrap_or_default();
            format!(
                "no address for any name server of {zone} ({})",
                lookups.join("; ")
            )
        }
        Failure::NoServers => format!("{zone} has no name server with an address"),
        Failure::CnameLoop { chain } => chain
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" -> "),
        Failure::GluelessCycle(c) => cycle(c),
    }
}

/// A server as `name (address)`, or its address alone.
pub fn who(a: &Attempt) -> String {
    match &a.ns.name {
        Some(n) => format!("{n} ({})", a.ns.addr.ip()),
        None => a.ns.addr.to_string(),
    }
}

/// A glueless cycle, spelled out.
pub fn cycle(c: &Cycle) -> String {
    match c {
        Cycle::InOwnZone { ns, zone } => {
            format!("cycle: {ns} is inside the zone it serves ({zone}) and has no glue")
        }
        Cycle::Names { path } => {
            let first = path.first().map(ToString::to_string).unwrap_or_default();
            let rest: Vec<String> = path.iter().skip(1).map(ToString::to_string).collect();
            format!(
                "cycle: the address of {first} needs {}, which needs {first} again",
                rest.join(", then ")
            )
        }
        Cycle::Zones { links } => {
            let zone = links
                .first()
                .map(|(z, _)| z.to_string())
                .unwrap_or_default();
            let spelled: Vec<String> = links
                .iter()
                .map(|(z, ns)| format!("{z} is served by {ns}"))
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
                "the budget of {budget} queries was spent before asking {zone} for {qname} {}",
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
                "the budget of {budget} queries was spent before every server of {zone} could be asked for {qname} {}",
                rtype_name(*qtype)
            ),
        ),
        Limit::Referrals { max, qname } => (
            "referrals",
            format!("more than {max} referrals while resolving {qname}"),
        ),
        Limit::Depth { max, zone } => (
            "depth",
            format!(
                "looking up the servers of {zone} would nest glueless lookups more than {max} deep"
            ),
        ),
        Limit::Cnames { max, qname } => (
            "cnames",
            format!("more than {max} CNAME links from {qname}"),
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
pub fn ns_lookup_error(t: &Trace, e: &NsLookupError) -> String {
    match e {
        NsLookupError::Cycle(c) => cycle(c),
        NsLookupError::NoAddressInAnswer => "the answer holds no address".into(),
        NsLookupError::NxDomain => "NXDOMAIN: the name server's name does not exist".into(),
        NsLookupError::NoData => "NODATA: the name has no address record".into(),
        NsLookupError::Failed { zone, failure } => {
            format!("failed at {zone}: {}", failure_detail(t, zone, failure))
        }
        NsLookupError::Limit(l) => format!("limit: {}", limit(l).text),
        NsLookupError::Unfinished => "unfinished: the trace ended first".into(),
    }
}

/// One NS lookup as `name: what it found`.
pub fn ns_lookup_line(t: &Trace, l: &NsLookup) -> String {
    match &l.result {
        Ok(_) => format!("{}: no usable address", l.ns),
        Err(e) => format!("{}: {}", l.ns, ns_lookup_error(t, e)),
    }
}

fn cname_target(r: &Record) -> String {
    match &r.data {
        RData::CNAME(c) => c.0.to_string(),
        other => other.to_string(),
    }
}
