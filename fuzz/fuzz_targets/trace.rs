//! A sequence of responses → one whole trace, through a transport that hands them out in the
//! order the trace asks (each input frame is one response; a frame that does not decode, or
//! none left, is a timeout). The trace must end within its query budget, its depth and
//! referral limits, and never loop; with DNSSEC on, the chain check runs on whatever came.

#![no_main]

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dnscope::dnssec::Anchors;
use dnscope::trace::{self, NameServer, TraceOptions};
use dnscope::wire::{Exchange, Protocol, QueryOptions, Transport, WireError};
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
    let t = runtime.block_on(trace::run(transport, options, qname, qtype));
    assert!(
        t.queries <= BUDGET,
        "{} queries over a budget of {BUDGET}",
        t.queries
    );
    assert!(t.steps.len() <= BUDGET + 1, "{} steps", t.steps.len());
    if let Some(report) = &t.dnssec {
        assert!(report.work.checks <= dnscope::dnssec::Limits::default().per_resolution);
    }
});
