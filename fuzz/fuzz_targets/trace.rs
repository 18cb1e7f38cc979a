//! A sequence of responses → one whole trace, through a transport that hands them out in the
//! order the trace asks (each input frame is one response; a frame that does not decode, or
//! none left, is a timeout). The trace must end within its query budget, its depth and
//! referral limits, and never loop; with DNSSEC on, the chain check runs on whatever came.
//! With the selector's 0x40 bit, two traces share one delegation cache (`wire::Shared`).

#![no_main]

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dnscope::dnssec::Anchors;
use dnscope::trace::{self, NameServer, TraceOptions};
use dnscope::wire::{Exchange, Protocol, QueryOptions, Shared, SharedLimits, Transport, WireError};
use hickory_proto::op::{Message, MessageType};
use libfuzzer_sys::fuzz_target;

/// Budget and limits small enough that a fuzzed hierarchy hits them.
const BUDGET: usize = 40;

struct Replay {
    responses: Mutex<VecDeque<Vec<u8>>>,
}

#[async_trait::async_trait]
impl Transport for Replay {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        _opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let next = self
            .responses
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front();
        let timeout = WireError::Timeout {
            server,
            protocol: Protocol::Udp,
            attempts: 1,
            timeout_ms: 1,
            ignored: Vec::new(),
        };
        let Some(bytes) = next else {
            return Err(timeout);
        };
        let Ok(mut response) = Message::from_vec(&bytes) else {
            return Err(timeout);
        };
        // What the wire layer checks (ID, question, QR) is taken as checked: the fuzzer
        // spends its time on what the trace engine makes of the rest.
        response.metadata.id = query.metadata.id;
        response.metadata.message_type = MessageType::Response;
        response.queries = query.queries.clone();
        Ok(Exchange {
            server,
            protocol: Protocol::Udp,
            query: query.clone(),
            response,
            rtt: Duration::from_micros(100),
            request_bytes: 40,
            response_bytes: bytes.len(),
            udp_attempts: 1,
            truncated: None,
            ignored: Vec::new(),
            from_cache: false,
            session: None,
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (_, qname, qtype) = common::question(selector);
    let responses = common::frames(rest)
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    let transport = Arc::new(Replay {
        responses: Mutex::new(responses),
    });
    let options = TraceOptions {
        roots: vec![
            NameServer {
                name: hickory_proto::rr::Name::from_ascii("a.root-servers.test.").ok(),
                addr: SocketAddr::from(([127, 0, 0, 2], 53)),
            },
            NameServer {
                name: None,
                addr: SocketAddr::from(([127, 0, 0, 3], 53)),
            },
        ],
        budget: BUDGET,
        max_depth: 3,
        max_referrals: 8,
        max_cnames: 4,
        deadline: Duration::from_secs(5),
        dnssec: (selector & 0x80 != 0).then(|| Arc::new(Anchors::iana_root())),
        ..TraceOptions::default()
    };
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    if selector & 0x40 == 0 {
        let t = runtime.block_on(trace::run(transport, options, qname, qtype));
        check(&t);
        return;
    }
    // Two traces through one delegation cache, as `trace --names` runs them: what the first
    // learnt (from fuzzed referrals) is reused by the second, and neither goes past its budget.
    let shared = Arc::new(Shared::new(transport, SharedLimits::default()));
    let (_, second, second_type) = common::question(selector.wrapping_add(1));
    let first = runtime.block_on(trace::run(shared.clone(), options.clone(), qname, qtype));
    let then = runtime.block_on(trace::run(shared.clone(), options, second, second_type));
    check(&first);
    check(&then);
    let sent = shared.stats().sent;
    let asked = |t: &trace::Trace| t.queries + t.checks + t.dnssec_queries;
    assert!(
        sent <= asked(&first) + asked(&then),
        "{sent} questions sent for {} asked",
        asked(&first) + asked(&then)
    );
});

fn check(t: &trace::Trace) {
    assert!(
        t.queries <= BUDGET,
        "{} queries over a budget of {BUDGET}",
        t.queries
    );
    assert!(t.steps.len() <= BUDGET + 1, "{} steps", t.steps.len());
    // The side questions (zone NS-set checks, DNSKEY and DS fetches) are bounded too.
    assert!(t.checks <= BUDGET, "{} NS-set checks", t.checks);
    assert!(
        t.dnssec_queries <= BUDGET,
        "{} DNSSEC fetches",
        t.dnssec_queries
    );
    if let Some(report) = &t.dnssec {
        assert!(report.work.checks <= dnscope::dnssec::Limits::default().per_resolution);
    }
}
