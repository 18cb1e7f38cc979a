//! The `query` engine: one question, asked of one or more servers at the same moment.
//!
//! Each server gets its own message (its own random ID) through the [`Transport`]; the report
//! keeps every outcome, answer or error, in the order the servers were given.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::{DNSClass, Name, RecordType};

use crate::target::Target;
use crate::wire::{Exchange, Job, QueryOptions, Transport, WireError, ask_all, build_query_in};

/// A validated `query` run.
#[derive(Debug, Clone)]
pub struct QueryPlan {
    /// The name asked about (absolute).
    pub name: Name,
    /// The type asked for.
    pub rtype: RecordType,
    /// The class (IN; CH to ask a server about itself).
    pub class: DNSClass,
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
    /// The class asked for.
    pub class: DNSClass,
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

    /// The exit code for this run (see [`crate::exit`]): every server replied, some did, or
    /// none did.
    pub fn exit_code(&self) -> u8 {
        let replied = self.replied();
        if replied == self.outcomes.len() {
            crate::exit::OK
        } else if replied == 0 {
            crate::exit::NO_REPLY
        } else {
            crate::exit::FAILED
        }
    }
}

/// Ask every target in parallel and wait for all of them (each bounded by its timeouts).
pub async fn run(transport: Arc<dyn Transport>, plan: &QueryPlan) -> QueryReport {
    let start = Instant::now();
    let jobs = plan
        .targets
        .iter()
        .map(|t| Job {
            server: t.addr,
            query: build_query_in(&plan.name, plan.rtype, plan.class, &plan.options),
            options: plan.options.clone(),
        })
        .collect();
    let results = ask_all(&transport, jobs).await;
    let outcomes = plan
        .targets
        .iter()
        .zip(results)
        .map(|(target, result)| ServerOutcome {
            target: target.clone(),
            result,
        })
        .collect();
    QueryReport {
        name: plan.name.clone(),
        rtype: plan.rtype,
        class: plan.class,
        outcomes,
        elapsed: start.elapsed(),
    }
}
