//! Asking every server at once: the question (RD=1 for resolvers, RD=0 for authoritative
//! servers) and, of authoritative servers, the zone's SOA as well, so that each answer comes
//! with the zone version it was served from.

use std::sync::Arc;
use std::time::SystemTime;

use hickory_proto::rr::{Name, RData, RecordType};

use super::{Kind, Observation, Server, Soa};
use crate::wire::{Exchange, Job, QueryOptions, Transport, ask_all, build_query};

/// Ask every server at once and wait for every answer or timeout; one observation per server,
/// in the order given.
pub async fn observe(
    transport: Arc<dyn Transport>,
    servers: &[Server],
    name: &Name,
    rtype: RecordType,
    zone: Option<&Name>,
    options: &QueryOptions,
) -> Vec<Observation> {
    let mut jobs = Vec::new();
    // For each server: its question's job, and its SOA question's job if any.
    let mut slots: Vec<(usize, Option<usize>)> = Vec::new();
    for server in servers {
        let mut opts = options.clone();
        opts.recursion_desired = server.kind == Kind::Resolver;
        let main = jobs.len();
        jobs.push(Job {
            server: server.target.addr,
            via: server.target.via.clone(),
            query: build_query(name, rtype, &opts),
            options: opts.clone(),
        });
        let soa = match zone {
            Some(z) if server.kind == Kind::Authoritative => {
                jobs.push(Job {
                    server: server.target.addr,
                    via: server.target.via.clone(),
                    query: build_query(z, RecordType::SOA, &opts),
                    options: opts,
                });
                Some(jobs.len() - 1)
            }
            _ => None,
        };
        slots.push((main, soa));
    }
    let at = SystemTime::now();
    let mut results: Vec<Option<_>> = ask_all(&transport, jobs)
        .await
        .into_iter()
        .map(Some)
        .collect();
    servers
        .iter()
        .zip(slots)
        .map(|(server, (main, soa))| {
            let result = results[main]
                .take()
                .unwrap_or_else(|| Err(crate::wire::WireError::Encode("no result".to_string())));
            let soa = soa
                .and_then(|i| results[i].take())
                .and_then(Result::ok)
                .and_then(|x| soa_of(&x));
            Observation {
                server: server.clone(),
                result,
                soa,
                at,
            }
        })
        .collect()
}

/// The zone's SOA in an answer to "zone SOA?".
pub(crate) fn soa_of(x: &Exchange) -> Option<Soa> {
    x.response.answers.iter().find_map(|r| match &r.data {
        RData::SOA(s) => Some(Soa {
            mname: s.mname.to_lowercase(),
            serial: s.serial,
            refresh: u32::try_from(s.refresh).unwrap_or(0),
            retry: u32::try_from(s.retry).unwrap_or(0),
            expire: u32::try_from(s.expire).unwrap_or(0),
            minimum: s.minimum,
            ttl: r.ttl,
        }),
        _ => None,
    })
}
