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
    /// `--validate`: check each answer's signatures against its zone's DNSKEY RRset, asked
    /// of the same server.
    pub validate: bool,
}

/// One server's outcome.
#[derive(Debug)]
pub struct ServerOutcome {
    /// The server asked.
    pub target: Target,
    /// What came back.
    pub result: Result<Exchange, WireError>,
    /// With `--validate`: the answer's signatures checked against its zone's keys.
    pub validation: Option<crate::dnssec::Report>,
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
        let bogus = self.outcomes.iter().any(|o| {
            matches!(
                o.validation.as_ref().map(|r| &r.status),
                Some(crate::dnssec::Status::Bogus(_))
            )
        });
        if replied == self.outcomes.len() && bogus {
            crate::exit::BOGUS
        } else if replied == self.outcomes.len() {
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
            via: t.via.clone(),
            query: build_query_in(&plan.name, plan.rtype, plan.class, &plan.options),
            options: plan.options.clone(),
        })
        .collect();
    let results = ask_all(&transport, jobs).await;
    let mut outcomes: Vec<ServerOutcome> = plan
        .targets
        .iter()
        .zip(results)
        .map(|(target, result)| ServerOutcome {
            target: target.clone(),
            result,
            validation: None,
        })
        .collect();
    if plan.validate {
        validate(&transport, plan, &mut outcomes).await;
    }
    QueryReport {
        name: plan.name.clone(),
        rtype: plan.rtype,
        class: plan.class,
        outcomes,
        elapsed: start.elapsed(),
    }
}

/// `--validate`: for each response, ask the same server for the DNSKEY RRset of the zone that
/// signed it (the RRSIGs' signer, else the SOA's owner), all at once, and check the answer.
async fn validate(
    transport: &Arc<dyn Transport>,
    plan: &QueryPlan,
    outcomes: &mut [ServerOutcome],
) {
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::rr::RData;
    let zone_of = |m: &hickory_proto::op::Message| -> Option<Name> {
        m.answers
            .iter()
            .chain(&m.authorities)
            .find_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::RRSIG(sig)) => Some(sig.input().signer_name.clone()),
                _ => None,
            })
            .or_else(|| {
                m.authorities
                    .iter()
                    .find(|r| r.record_type() == RecordType::SOA)
                    .map(|r| r.name.clone())
            })
    };
    let mut options = plan.options.clone();
    options.dnssec_ok = true;
    let mut jobs = Vec::new();
    let mut zones = Vec::new();
    for (i, o) in outcomes.iter().enumerate() {
        let Ok(x) = &o.result else { continue };
        let Some(zone) = zone_of(&x.response) else {
            continue;
        };
        jobs.push(Job {
            server: o.target.addr,
            via: o.target.via.clone(),
            query: build_query_in(&zone, RecordType::DNSKEY, plan.class, &options),
            options: options.clone(),
        });
        zones.push((i, zone));
    }
    let keys = ask_all(transport, jobs).await;
    let now = crate::dnssec::unix_now();
    for ((i, zone), keys) in zones.into_iter().zip(keys) {
        let Some(o) = outcomes.get_mut(i) else {
            continue;
        };
        let Ok(x) = &o.result else { continue };
        let keys = keys.ok().map(|k| k.response);
        o.validation = Some(crate::dnssec::validate_response(
            &x.response,
            &plan.name,
            plan.rtype,
            &zone,
            keys.as_ref(),
            now,
            crate::dnssec::Limits::default(),
        ));
    }
    // A response with nothing signed and no SOA names no zone: it is unsigned.
    let no_keys = hickory_proto::op::Message::new(
        0,
        hickory_proto::op::MessageType::Response,
        hickory_proto::op::OpCode::Query,
    );
    for o in outcomes.iter_mut() {
        let report = match (&o.validation, &o.result) {
            (None, Ok(x)) => crate::dnssec::validate_response(
                &x.response,
                &plan.name,
                plan.rtype,
                &plan.name,
                Some(&no_keys),
                now,
                crate::dnssec::Limits::default(),
            ),
            _ => continue,
        };
        o.validation = Some(report);
    }
}
