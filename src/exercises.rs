//! Class exercises built on the lab (`dnscope lab exercises`). Each has a question and the
//! commands to run; its solution is worked out from what the running lab answers, so it
//! follows the fixtures when they change.

use std::sync::Arc;

use hickory_proto::rr::{Name, RData, RecordType};

use crate::compare;
use crate::explain;
use crate::lab::Lab;
use crate::lab::scenario::{self, Scenario};
use crate::present;
use crate::trace::{self, End, TraceOptions, Verdict};
use crate::wire::{QueryOptions, Transport, build_query};

/// An exercise.
#[derive(Debug)]
pub struct Exercise {
    /// Its title.
    pub title: &'static str,
    /// The question for the students.
    pub question: &'static str,
    /// The commands that answer it.
    pub commands: &'static [&'static str],
}

/// Every exercise, numbered from 1.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        title: "Follow a delegation",
        question: "Which zones does the lookup of www.shop.test pass through, which servers answer at each step, and what is the final answer and its TTL?",
        commands: &["dnscope trace www.shop.test --lab --explain"],
    },
    Exercise {
        title: "Trace a glueless delegation",
        question: "The example. servers delegate cdn.example without glue. Which names must be looked up first, where do their addresses come from, and how many queries does the whole resolution cost?",
        commands: &["dnscope trace www.cdn.example --lab --explain"],
    },
    Exercise {
        title: "Find the stale secondary",
        question: "Two servers answer for news.example. Do they agree? Which one is behind, how can you tell, and how long can that last?",
        commands: &["dnscope compare www.news.example --lab"],
    },
    Exercise {
        title: "Work out when a cache expires",
        question: "A record was changed a moment ago. Which resolver still gives the old address, how long has it held it, and at what time will it give the new one?",
        commands: &["dnscope compare --lab --scenario propagation"],
    },
    Exercise {
        title: "Read an SOA",
        question: "Read the SOA record of shop.test: who is the primary, whom do you write to, what version is the zone, and how long may a resolver remember that a name does not exist?",
        commands: &[
            "dnscope query shop.test SOA --lab --explain",
            "dnscope explain SOA",
        ],
    },
    Exercise {
        title: "Why does mail fail?",
        question: "Mail to anyone@promo.shop.test bounces. Find out why.",
        commands: &[
            "dnscope query promo.shop.test MX --lab --explain",
            "dnscope trace <the MX target> --lab",
        ],
    },
    Exercise {
        title: "Spot the lame server",
        question: "lame.test has two name servers. Does it resolve? Which server is lame, what does it answer, and what does that cost a resolver?",
        commands: &["dnscope trace www.lame.test --lab"],
    },
];

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_else(|_| Name::root())
}

fn trace_options(lab: &Lab) -> TraceOptions {
    let mut options = TraceOptions::default();
    options.start_at_lab(lab);
    options
}

async fn trace(
    lab: &Lab,
    transport: &Arc<dyn Transport>,
    qname: &str,
    rtype: RecordType,
) -> trace::Trace {
    trace::run(transport.clone(), trace_options(lab), name(qname), rtype).await
}

fn answer_lines(t: &trace::Trace) -> Vec<String> {
    t.cnames
        .iter()
        .chain(t.answer.iter())
        .map(|r| {
            format!(
                "{} {} {} {}",
                r.name,
                r.ttl,
                present::rtype(r),
                present::rdata(&r.data)
            )
        })
        .collect()
}

/// Work out exercise `number`'s solution from the running lab.
///
/// # Errors
/// A message when the number is unknown or the lab no longer has what the exercise needs.
pub async fn solve(
    number: usize,
    lab: &Arc<Lab>,
    transport: Arc<dyn Transport>,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    match number {
        1 => {
            let t = trace(lab, &transport, "www.shop.test.", RecordType::A).await;
            let cuts: Vec<String> = t.zone_cuts.iter().map(ToString::to_string).collect();
            out.push(format!(
                "The lookup passes through {} zones: {}.",
                cuts.len(),
                cuts.join(" -> ")
            ));
            for (i, s) in t
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.parent.is_none())
            {
                let servers: Vec<String> = s
                    .attempts
                    .iter()
                    .filter(|a| a.verdict.as_ref().is_some_and(Verdict::is_good))
                    .map(|a| {
                        a.server
                            .as_ref()
                            .map_or_else(|| a.addr.to_string(), ToString::to_string)
                    })
                    .collect();
                out.push(format!(
                    "At {} ({} answered): {}",
                    s.zone,
                    servers.join(", "),
                    explain::read_step(&t, i).unwrap_or_default()
                ));
            }
            out.push(format!("The answer: {}.", answer_lines(&t).join("; ")));
            for r in &t.answer {
                out.push(format!("Reading it: {}.", explain::read_record(r)));
            }
        }
        2 => {
            let t = trace(lab, &transport, "www.cdn.example.", RecordType::A).await;
            let Some(step) = t
                .steps
                .iter()
                .find(|s| s.parent.is_none() && !s.ns_lookups.is_empty())
            else {
                return Err("the trace needed no NS lookup: is cdn.example still glueless?".into());
            };
            if let Some(Verdict::Referral(r)) = t
                .steps
                .iter()
                .find(|s| matches!(s.verdict(), Some(Verdict::Referral(r)) if r.zone == step.zone))
                .and_then(|s| s.verdict())
            {
                let names: Vec<String> = r.ns.iter().map(|(n, _)| n.to_string()).collect();
                out.push(format!(
                    "The servers of {} refer to {} with NS {} and {} glue record(s): the names lie outside the zone.",
                    t.zone_cuts.get(t.zone_cuts.len().saturating_sub(2)).map(ToString::to_string).unwrap_or_default(),
                    r.zone,
                    names.join(", "),
                    r.glue.len()
                ));
            }
            for l in &step.ns_lookups {
                match &l.result {
                    Ok(ips) => {
                        let path: Vec<String> = t
                            .steps
                            .iter()
                            .filter(|s| s.qname == l.ns && s.depth == step.depth + 1)
                            .map(|s| s.zone.to_string())
                            .collect();
                        out.push(format!(
                            "{} had to be looked up first: {} -> {}.",
                            l.ns,
                            path.join(" -> "),
                            ips.iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    Err(e) => out.push(format!("{}: {e}.", l.ns)),
                }
            }
            let nested = t
                .steps
                .iter()
                .filter(|s| s.parent.is_some())
                .map(|s| s.attempts.len())
                .sum::<usize>();
            out.push(format!(
                "The resolution sent {} queries in all, {nested} of them for the NS lookups; the answer: {}.",
                t.queries,
                answer_lines(&t).join("; ")
            ));
        }
        3 => {
            let c = compare_name(lab, &transport, "www.news.example.").await?;
            let mut auth: Vec<&compare::ServerView> = c
                .servers
                .iter()
                .filter(|s| s.kind == compare::Kind::Authoritative)
                .collect();
            auth.sort_by_key(|s| std::cmp::Reverse(s.soa.map(|x| x.serial)));
            for s in &auth {
                out.push(format!(
                    "{} serves serial {} and answers {}.",
                    s.label,
                    s.soa
                        .map(|x| x.serial.to_string())
                        .unwrap_or_else(|| "?".into()),
                    s.key
                        .as_ref()
                        .map(compare::AnswerKey::describe)
                        .unwrap_or_else(|| "nothing".into())
                ));
            }
            for f in &c.findings {
                if let compare::Finding::StaleSecondary {
                    server,
                    serial,
                    primary_serial,
                    refresh,
                    expire,
                    ..
                } = f
                {
                    out.push(format!(
                        "They disagree: {server} is behind (serial {serial} < {primary_serial}). It checks the primary every {refresh} s (SOA REFRESH), so it should catch up within that if zone transfers work; after {expire} s without the primary (EXPIRE) it would stop answering."
                    ));
                }
            }
            if !c
                .findings
                .iter()
                .any(|f| matches!(f, compare::Finding::StaleSecondary { .. }))
            {
                out.push("They agree: no server is behind.".into());
            }
        }
        4 => {
            let played = scenario::play(lab, transport.clone(), Scenario::Propagation)
                .await
                .map_err(|e| e.to_string())?;
            let c = compare_name(lab, &transport, &played.name.to_string()).await?;
            for f in &c.findings {
                match f {
                    compare::Finding::StaleCache {
                        server,
                        served,
                        ttl,
                        original_ttl,
                        ..
                    } => {
                        out.push(format!(
                            "{server} still gives the old answer ({served}) with {ttl} s left{}: it will give the new one in {ttl} s at the latest.",
                            original_ttl
                                .filter(|o| o >= ttl)
                                .map(|o| format!(" of the {o} s it got it with, so it has held it for about {} s", o - ttl))
                                .unwrap_or_default()
                        ));
                    }
                    compare::Finding::CacheAge { server, age, .. } => {
                        out.push(format!("{server} has the new answer (cached {age} s ago)."));
                    }
                    compare::Finding::StaleSecondary {
                        server,
                        serial,
                        primary_serial,
                        ..
                    } => {
                        out.push(format!("{server} also still serves the old data (serial {serial} < {primary_serial})."));
                    }
                    _ => {}
                }
            }
        }
        5 => {
            let (zone_server, _) = authoritative(lab, "shop.test.")?;
            let response = ask(&transport, zone_server, "shop.test.", RecordType::SOA).await?;
            let Some(soa) = response
                .answers
                .iter()
                .find(|r| r.record_type() == RecordType::SOA)
            else {
                return Err("no SOA in the answer".into());
            };
            if let RData::SOA(s) = &soa.data {
                out.push(format!("Primary (MNAME): {}.", s.mname));
                out.push(format!(
                    "Contact (RNAME): {} — the first label is the local part, the rest the domain.",
                    explain::mailbox(&s.rname)
                ));

                out.push(format!("Version (SERIAL): {}.", s.serial));
                out.push(format!(
                    "Secondaries check every {} s (REFRESH), retry after {} s (RETRY), give up after {} s (EXPIRE).",
                    s.refresh, s.retry, s.expire
                ));
                out.push(format!(
                    "A resolver may remember that a name does not exist for min(SOA TTL {}, MINIMUM {}) = {} s (RFC 2308).",
                    soa.ttl,
                    s.minimum,
                    soa.ttl.min(s.minimum)
                ));
            }
        }
        6 => {
            let (server, _) = authoritative(lab, "promo.shop.test.")?;
            let response = ask(&transport, server, "promo.shop.test.", RecordType::MX).await?;
            let targets: Vec<(u16, Name)> = response
                .answers
                .iter()
                .filter_map(|r| match &r.data {
                    RData::MX(mx) => Some((mx.preference, mx.exchange.clone())),
                    _ => None,
                })
                .collect();
            if targets.is_empty() {
                out.push(
                    "promo.shop.test has no MX record: mail would go to its A record, if any."
                        .into(),
                );
            }
            for (pref, target) in targets {
                out.push(format!(
                    "The MX of promo.shop.test points to {target} (preference {pref})."
                ));
                let t = trace::run(
                    transport.clone(),
                    trace_options(lab),
                    target.clone(),
                    RecordType::A,
                )
                .await;
                match &t.end {
                    End::Answer => out.push(format!("{target} has an address ({}): mail should flow.", answer_lines(&t).join("; "))),
                    End::NxDomain(_) => out.push(format!(
                        "Tracing {target} ends in NXDOMAIN: the mail server's name does not exist, so no mail can be delivered. Fix: point the MX at a host that has an A/AAAA record (and is not a CNAME)."
                    )),
                    End::NoData(_) => out.push(format!("{target} exists but has no address (NODATA): mail cannot be delivered.")),
                    other => out.push(format!("Tracing {target} fails ({other:?}).")),
                }
            }
        }
        7 => {
            let t = trace(lab, &transport, "www.lame.test.", RecordType::A).await;
            out.push(format!(
                "It resolves: {}.",
                if t.answer.is_empty() {
                    "no".to_string()
                } else {
                    answer_lines(&t).join("; ")
                }
            ));
            for s in t.steps.iter().filter(|s| s.zone == name("lame.test.")) {
                for a in &s.attempts {
                    let who = a
                        .server
                        .as_ref()
                        .map_or_else(|| a.addr.to_string(), ToString::to_string);
                    match &a.verdict {
                        Some(Verdict::Refused) => out.push(format!(
                            "{who} is lame: it answers REFUSED — it is named in the delegation but does not serve lame.test. A resolver wastes a query (and a round trip) on it before using the other server."
                        )),
                        Some(v) if v.is_good() => out.push(format!("{who} serves the zone and answers.")),
                        _ => {}
                    }
                }
            }
        }
        _ => {
            return Err(format!(
                "there is no exercise {number} (1 to {})",
                EXERCISES.len()
            ));
        }
    }
    Ok(out)
}

fn authoritative(lab: &Lab, zone: &str) -> Result<(std::net::SocketAddr, Name), String> {
    let (z, servers) = lab.authoritative_for(&name(zone)).ok_or("no lab zone")?;
    let s = servers.first().ok_or("no lab server")?;
    Ok((lab.addr(s), z))
}

async fn ask(
    transport: &Arc<dyn Transport>,
    server: std::net::SocketAddr,
    qname: &str,
    rtype: RecordType,
) -> Result<hickory_proto::op::Message, String> {
    let opts = QueryOptions {
        recursion_desired: false,
        ..QueryOptions::default()
    };
    let q = build_query(&name(qname), rtype, &opts);
    transport
        .exchange(server, &q, &opts)
        .await
        .map(|x| x.response)
        .map_err(|e| e.to_string())
}

async fn compare_name(
    lab: &Lab,
    transport: &Arc<dyn Transport>,
    qname: &str,
) -> Result<compare::Comparison, String> {
    let qname = name(qname);
    let d = compare::discover(
        transport.clone(),
        &trace_options(lab),
        &qname,
        RecordType::A,
    )
    .await
    .map_err(|e| e.to_string())?;
    let mut servers: Vec<compare::Server> = lab
        .servers()
        .iter()
        .filter(|s| s.kind == crate::lab::ServerKind::Resolver)
        .map(|s| compare::Server {
            label: s.name.to_string().trim_end_matches('.').to_string(),
            addr: lab.addr(s),
            kind: compare::Kind::Resolver,
        })
        .collect();
    servers.extend(d.servers.iter().cloned());
    let obs = compare::observe(
        transport.clone(),
        &servers,
        &qname,
        RecordType::A,
        Some(&d.zone),
        &QueryOptions::default(),
    )
    .await;
    Ok(compare::analyze(&qname, RecordType::A, &obs))
}
