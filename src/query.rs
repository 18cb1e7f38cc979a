//! The `query` engine: one question, asked of one or more servers at the same moment.
//!
//! Each server gets its own message (its own random ID) through the [`Transport`]; the report
//! keeps every outcome, answer or error, in the order the servers were given.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};

use crate::wire::{Exchange, QueryOptions, Transport, WireError, build_query};

/// Where a server to ask came from, for the header of its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// Named on the command line.
    User,
    /// A `nameserver` line of resolv.conf.
    System,
    /// Picked from the lab: the authoritative server for the name.
    Lab,
}

/// A server to ask.
#[derive(Debug, Clone)]
pub struct Target {
    /// How to call it: what the user typed, or the lab server's host name.
    pub label: String,
    /// Where to send the question.
    pub addr: SocketAddr,
    /// Where it came from.
    pub source: TargetSource,
}

/// A validated `query` run.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// The name asked about (absolute).
    pub name: Name,
    /// The type asked for.
    pub rtype: RecordType,
    /// The servers, in the order given.
    pub targets: Vec<Target>,
    /// Flags, timeouts, transport.
    pub options: QueryOptions,
}

/// One server's outcome.
#[derive(Debug)]
pub struct ServerOutcome {
    /// The server asked.
    pub target: Target,
    /// What came back.
    pub result: Result<Exchange, WireError>,
}

/// Everything a `query` run learnt.
#[derive(Debug)]
pub struct QueryReport {
    /// The name asked about.
    pub name: Name,
    /// The type asked for.
    pub rtype: RecordType,
    /// One outcome per target, in plan order.
    pub outcomes: Vec<ServerOutcome>,
    /// Wall time of the whole run.
    pub elapsed: Duration,
}

impl QueryReport {
    /// How many servers sent a response.
    pub fn replied(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_ok()).count()
    }
}

/// Ask every target in parallel and wait for all of them (each bounded by its timeouts).
pub async fn run(transport: Arc<dyn Transport>, plan: &QueryPlan) -> QueryReport {
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, target) in plan.targets.iter().enumerate() {
        let transport = transport.clone();
        let message = build_query(&plan.name, plan.rtype, &plan.options);
        let options = plan.options.clone();
        let addr = target.addr;
        tasks.spawn(async move { (i, transport.exchange(addr, &message, &options).await) });
    }
    let mut results: Vec<Option<Result<Exchange, WireError>>> =
        plan.targets.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, result)) = joined
            && let Some(slot) = results.get_mut(i)
        {
            *slot = Some(result);
        }
    }
    let outcomes = plan
        .targets
        .iter()
        .zip(results)
        .map(|(target, result)| ServerOutcome {
            target: target.clone(),
            result: result.unwrap_or_else(|| {
                Err(WireError::Io {
                    server: target.addr,
                    protocol: crate::wire::Protocol::Udp,
                    message: "the query task failed".to_string(),
                })
            }),
        })
        .collect();
    QueryReport {
        name: plan.name.clone(),
        rtype: plan.rtype,
        outcomes,
        elapsed: start.elapsed(),
    }
}
