//! `compare`: the same question to many resolvers and to every authoritative server of the
//! zone, at the same moment, and the analysis of why they differ.
//!
//! Three stages, each testable alone:
//! 1. [`discover`]: find the zone's authoritative servers with a trace (the delegation's NS
//!    set) plus the zone's own NS set (a secondary the parent does not list is found too);
//! 2. [`observe`]: ask every server in parallel (RD=1 for resolvers, RD=0 plus an SOA
//!    question for authoritative servers) and keep the evidence;
//! 3. [`analyze`]: group identical answer sets, pick the authoritative reference (the data
//!    of the highest SOA serial), and derive [`Finding`]s: cache ages, stale caches, stale
//!    secondaries, negative caching, failures. Findings are data; the renderer words them.

mod analyze;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hickory_proto::rr::{Name, RData, RecordType};

pub use analyze::{AnswerKey, Comparison, Finding, Group, ServerView, Status, analyze};

use crate::trace::{self, AttemptStatus, TraceOptions, Verdict};
use crate::wire::{Exchange, QueryOptions, Transport, WireError, build_query};

/// Servers named only in the zone's own NS set that are looked up and asked, at most.
const MAX_CHILD_ONLY: usize = 4;

/// Resolver or authoritative server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A recursive resolver (asked with RD=1).
    Resolver,
    /// An authoritative server of the zone (asked with RD=0).
    Authoritative,
}

/// A server to ask.
#[derive(Debug, Clone)]
pub struct Server {
    /// How to call it (a label, a host name, or the address).
    pub label: String,
    /// Where to ask.
    pub addr: SocketAddr,
    /// Resolver or authoritative.
    pub kind: Kind,
}

/// The SOA timers of a zone as one authoritative server serves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Soa {
    /// The zone's version.
    pub serial: u32,
    /// How often secondaries check the primary.
    pub refresh: u32,
    /// How soon they retry after a failed check.
    pub retry: u32,
    /// How long they keep answering without reaching the primary.
    pub expire: u32,
    /// The negative-caching bound (RFC 2308).
    pub minimum: u32,
    /// The SOA record's own TTL.
    pub ttl: u32,
}

/// One server's answer (or failure), with the time it was asked.
#[derive(Debug)]
pub struct Observation {
    /// The server.
    pub server: Server,
    /// The answer to the question, or why none came.
    pub result: Result<Exchange, WireError>,
    /// For authoritative servers: the zone's SOA as this server serves it.
    pub soa: Option<Soa>,
    /// When the question was sent.
    pub at: SystemTime,
}

/// The authoritative side of a comparison, found by a trace.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The zone that holds the name.
    pub zone: Name,
    /// Its servers: every address of the delegation, and of the zone's own NS set.
    pub servers: Vec<Server>,
    /// NS names in the zone's own NS set but not in the delegation (hidden from resolvers
    /// starting cold).
    pub child_only: Vec<Name>,
    /// NS names in the delegation but not in the zone's own NS set.
    pub parent_only: Vec<Name>,
    /// Queries the discovery trace sent.
    pub queries: usize,
}

/// Why the authoritative servers could not be found.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot find the authoritative servers of {name}: {reason}")]
pub struct DiscoveryError {
    /// The name compared.
    pub name: Name,
    /// What went wrong in the trace.
    pub reason: String,
}

/// Find the authoritative servers of the zone holding `name`: trace `name`/`rtype`, take
/// every server of the zone that answered for it, then ask one of them for the zone's own NS
/// set and add the servers only the zone lists (their addresses from the additional section
/// or their own trace).
///
/// # Errors
/// [`DiscoveryError`] when the trace never reached the zone's servers.
pub async fn discover(
    transport: Arc<dyn Transport>,
    options: &TraceOptions,
    name: &Name,
    rtype: RecordType,
) -> Result<Discovery, DiscoveryError> {
    let t = trace::run(transport.clone(), options.clone(), name.clone(), rtype).await;
    let mut queries = t.queries;
    let step = t
        .steps
        .iter()
        .filter(|s| s.parent.is_none())
        .find(|s| {
            matches!(
                s.verdict(),
                Some(
                    Verdict::Answer { .. }
                        | Verdict::Cname { .. }
                        | Verdict::NxDomain(_)
                        | Verdict::NoData(_)
                )
            )
        })
        .ok_or_else(|| DiscoveryError {
            name: name.clone(),
            reason: match &t.end {
                trace::End::Failed { zone, detail, .. } => {
                    format!("the trace failed at {zone}: {detail}")
                }
                trace::End::Limit { detail, .. } => format!("the trace stopped: {detail}"),
                _ => "the trace found no zone that answers for it".to_string(),
            },
        })?;
    let zone = step.zone.clone();
    let mut servers: Vec<Server> = Vec::new();
    // The delegation's NS set, from the referral that led to the zone (the servers asked may
    // be fewer: some without glue are not looked up).
    let mut parent_names: Vec<Name> = t
        .steps
        .iter()
        .filter(|s| s.parent.is_none())
        .find_map(|s| match s.verdict() {
            Some(Verdict::Referral(r)) if r.zone == zone => {
                Some(r.ns.iter().map(|(n, _)| n.clone()).collect())
            }
            _ => None,
        })
        .unwrap_or_default();
    parent_names.extend(step.unresolved.iter().cloned());
    for a in &step.attempts {
        if let Some(n) = &a.server
            && !parent_names.contains(n)
        {
            parent_names.push(n.clone());
        }
        if !servers.iter().any(|s| s.addr == a.addr) {
            servers.push(Server {
                label: a
                    .server
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| a.addr.ip().to_string()),
                addr: a.addr,
                kind: Kind::Authoritative,
            });
        }
    }
    // The zone's own NS set, from the server whose answer the trace used (it is authoritative;
    // a lame one that merely replied is not).
    let answered = step
        .chosen
        .and_then(|i| step.attempts.get(i))
        .filter(|a| matches!(a.status, AttemptStatus::Done(Ok(_))))
        .map(|a| a.addr);
    let mut child_names: Vec<Name> = Vec::new();
    let mut child_only = Vec::new();
    if let Some(addr) = answered {
        let opts = QueryOptions {
            recursion_desired: false,
            ..options.query.clone()
        };
        let q = build_query(&zone, RecordType::NS, &opts);
        queries += 1;
        if let Ok(x) = transport.exchange(addr, &q, &opts).await {
            for r in x
                .response
                .answers
                .iter()
                .filter(|r| r.name.to_lowercase() == zone)
            {
                if let RData::NS(ns) = &r.data {
                    child_names.push(ns.0.to_lowercase());
                }
            }
            for ns in &child_names {
                if parent_names.contains(ns) {
                    continue;
                }
                // Each needs its own lookup at worst: keep that bounded.
                if child_only.len() >= MAX_CHILD_ONLY {
                    break;
                }
                child_only.push(ns.clone());
                let mut addrs: Vec<SocketAddr> = x
                    .response
                    .additionals
                    .iter()
                    .filter(|r| r.name.to_lowercase() == *ns)
                    .filter_map(|r| match &r.data {
                        RData::A(a) => Some(SocketAddr::new(a.0.into(), options.port)),
                        RData::AAAA(a) => Some(SocketAddr::new(a.0.into(), options.port)),
                        _ => None,
                    })
                    .collect();
                if addrs.is_empty() {
                    let sub = trace::run(
                        transport.clone(),
                        options.clone(),
                        ns.clone(),
                        RecordType::A,
                    )
                    .await;
                    queries += sub.queries;
                    addrs = sub
                        .answer
                        .iter()
                        .filter_map(|r| match &r.data {
                            RData::A(a) => Some(SocketAddr::new(a.0.into(), options.port)),
                            _ => None,
                        })
                        .collect();
                }
                for addr in addrs {
                    if !servers.iter().any(|s| s.addr == addr) {
                        servers.push(Server {
                            label: ns.to_string(),
                            addr,
                            kind: Kind::Authoritative,
                        });
                    }
                }
            }
        }
    }
    let parent_only = if child_names.is_empty() {
        Vec::new()
    } else {
        parent_names
            .iter()
            .filter(|n| !child_names.contains(n))
            .cloned()
            .collect()
    };
    Ok(Discovery {
        zone,
        servers,
        child_only,
        parent_only,
        queries,
    })
}

/// Ask every server at once: the question (RD=1 for resolvers, RD=0 for authoritative
/// servers), and, of authoritative servers, the zone's SOA as well.
pub async fn observe(
    transport: Arc<dyn Transport>,
    servers: &[Server],
    name: &Name,
    rtype: RecordType,
    zone: Option<&Name>,
    options: &QueryOptions,
) -> Vec<Observation> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, server) in servers.iter().enumerate() {
        let transport = transport.clone();
        let server = server.clone();
        let (name, zone) = (name.clone(), zone.cloned());
        let mut opts = options.clone();
        opts.recursion_desired = server.kind == Kind::Resolver;
        tasks.spawn(async move {
            let at = SystemTime::now();
            let question = build_query(&name, rtype, &opts);
            let soa_question = zone
                .as_ref()
                .filter(|_| server.kind == Kind::Authoritative)
                .map(|z| build_query(z, RecordType::SOA, &opts));
            let main = transport.exchange(server.addr, &question, &opts);
            let soa = async {
                match &soa_question {
                    Some(q) => transport.exchange(server.addr, q, &opts).await.ok(),
                    None => None,
                }
            };
            let (result, soa) = tokio::join!(main, soa);
            let soa = soa.and_then(|x| {
                x.response.answers.iter().find_map(|r| match &r.data {
                    RData::SOA(s) => Some(Soa {
                        serial: s.serial,
                        refresh: u32::try_from(s.refresh).unwrap_or(0),
                        retry: u32::try_from(s.retry).unwrap_or(0),
                        expire: u32::try_from(s.expire).unwrap_or(0),
                        minimum: s.minimum,
                        ttl: r.ttl,
                    }),
                    _ => None,
                })
            });
            (
                i,
                Observation {
                    server,
                    result,
                    soa,
                    at,
                },
            )
        });
    }
    let mut slots: Vec<Option<Observation>> = servers.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, obs)) = joined
            && let Some(slot) = slots.get_mut(i)
        {
            *slot = Some(obs);
        }
    }
    slots
        .into_iter()
        .zip(servers)
        .map(|(obs, server)| {
            obs.unwrap_or_else(|| Observation {
                server: server.clone(),
                result: Err(WireError::Io {
                    server: server.addr,
                    protocol: crate::wire::Protocol::Udp,
                    message: "the query task failed".to_string(),
                }),
                soa: None,
                at: SystemTime::now(),
            })
        })
        .collect()
}

/// Seconds since the Unix epoch, for wall-clock times in findings.
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// The zone holding `name`, as an authoritative server tells it: the owner of the SOA in the
/// answer to `name SOA` (at the apex) or in its authority section (below it).
pub async fn zone_of(
    transport: &Arc<dyn Transport>,
    server: SocketAddr,
    name: &Name,
    options: &QueryOptions,
) -> Option<Name> {
    let opts = QueryOptions {
        recursion_desired: false,
        ..options.clone()
    };
    let q = build_query(name, RecordType::SOA, &opts);
    let x = transport.exchange(server, &q, &opts).await.ok()?;
    x.response
        .answers
        .iter()
        .chain(x.response.authorities.iter())
        .find(|r| r.record_type() == RecordType::SOA)
        .map(|r| r.name.to_lowercase())
}
