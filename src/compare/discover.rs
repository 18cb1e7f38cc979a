//! Finding the authoritative side of a comparison: a trace to the zone that holds the name
//! (its servers, as the parent delegates them), then the zone's own NS set, asked of a server
//! that answered (RFC 1034 §4.2.2: parent and child should list the same servers; a secondary
//! only the child lists is found and asked too).

use std::net::SocketAddr;
use std::sync::Arc;

use hickory_proto::rr::{Name, RData, RecordType};

use super::{Kind, Server};
use crate::target::{Target, TargetSource};
use crate::trace::{self, Trace, TraceOptions};
use crate::wire::{QueryOptions, Transport, build_query};

/// Servers named only in the zone's own NS set that are looked up and asked, at most.
const MAX_CHILD_ONLY: usize = 4;

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
    /// Queries the discovery sent (its trace, the NS question, lookups of child-only names).
    pub queries: usize,
    /// The DNSSEC validation of the discovery trace (the chain down to the zone and its
    /// answer), unless validation is off.
    pub dnssec: Option<crate::dnssec::Report>,
}

/// Why the authoritative servers could not be found: the trace never reached a zone that
/// answers for the name. The trace tells how it ended.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot find the authoritative servers of {}", .trace.name)]
pub struct DiscoveryError {
    /// The trace that was tried.
    pub trace: Box<Trace>,
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
    let Some((_, step)) = t.answering_step() else {
        return Err(DiscoveryError { trace: Box::new(t) });
    };
    let zone = step.zone.clone();
    let mut servers: Vec<Server> = Vec::new();
    // The delegation's NS set (the servers asked may be fewer: some without glue are not
    // looked up).
    let mut parent_names: Vec<Name> = t
        .delegation_of(&zone)
        .map(|r| r.ns.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    parent_names.extend(step.unresolved.iter().cloned());
    for a in &step.attempts {
        if let Some(n) = &a.ns.name
            && !parent_names.contains(n)
        {
            parent_names.push(n.clone());
        }
        let label =
            a.ns.name
                .as_ref()
                .map_or_else(|| a.ns.addr.ip().to_string(), crate::present::name);
        add(&mut servers, label, a.ns.addr);
    }
    // The zone's own NS set, from the server whose answer the trace used (it is authoritative;
    // a lame one that merely replied is not).
    let answered = step
        .chosen_attempt()
        .filter(|a| a.exchange().is_some())
        .map(|a| a.ns.addr);
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
                let glue: Vec<_> = x
                    .response
                    .additionals
                    .iter()
                    .filter(|r| r.name.to_lowercase() == *ns)
                    .cloned()
                    .collect();
                let mut ips = trace::addresses(&glue);
                if ips.is_empty() {
                    let sub = trace::run(
                        transport.clone(),
                        options.clone(),
                        ns.clone(),
                        RecordType::A,
                    )
                    .await;
                    queries += sub.queries;
                    ips = sub.answer_addresses();
                }
                for ip in ips {
                    add(
                        &mut servers,
                        ns.to_string(),
                        SocketAddr::new(ip, options.port),
                    );
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
        dnssec: t.dnssec.clone(),
    })
}

fn add(servers: &mut Vec<Server>, label: String, addr: SocketAddr) {
    if !servers.iter().any(|s| s.target.addr == addr) {
        servers.push(Server {
            target: Target {
                label,
                addr,
                via: crate::wire::Via::Plain,
                source: TargetSource::Discovered,
            },
            kind: Kind::Authoritative,
        });
    }
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
