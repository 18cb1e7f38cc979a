//! The batch transport against a fake network: referrals reused, repeated questions asked
//! once, silent servers given up, in-flight limits kept.

use std::net::{IpAddr, Ipv4Addr};

use hickory_proto::op::{MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, NS, SOA};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::cache::keep_for;
use super::*;
use crate::wire::{Protocol, build_query, parse_name};

/// How the fake network answers a question (None: silence).
type Answer = Box<dyn Fn(SocketAddr, &Message) -> Option<Message> + Send + Sync>;

/// A fake network: answers from a closure, counting the questions that reach it.
struct Fake {
    asked: AtomicUsize,
    answer: Answer,
}

#[async_trait::async_trait]
impl Transport for Fake {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        _opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        self.asked.fetch_add(1, Ordering::Relaxed);
        match (self.answer)(server, query) {
            Some(response) => Ok(Exchange {
                server,
                protocol: Protocol::Udp,
                query: query.clone(),
                response,
                rtt: Duration::from_millis(5),
                request_bytes: 40,
                response_bytes: 100,
                udp_attempts: 1,
                truncated: None,
                ignored: Vec::new(),
                from_cache: false,
                session: None,
            }),
            None => Err(WireError::Timeout {
                server,
                protocol: Protocol::Udp,
                attempts: 1,
                timeout_ms: 10,
                ignored: Vec::new(),
            }),
        }
    }
}

fn name(s: &str) -> Name {
    parse_name(s).expect("valid name")
}

fn addr(last: u8) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)), 53)
}

/// The root (127.0.0.1) refers every name to test.; the test. server (127.0.0.2) answers
/// with an A record; 127.0.0.3 never answers.
fn network() -> Arc<Fake> {
    Arc::new(Fake {
        asked: AtomicUsize::new(0),
        answer: Box::new(|server, q| {
            if server == addr(3) {
                return None;
            }
            let mut m = q.clone();
            m.metadata.message_type = MessageType::Response;
            let qname = q.queries[0].name().clone();
            if server == addr(1) {
                m.authorities.push(Record::from_rdata(
                    name("test."),
                    172_800,
                    RData::NS(NS(name("ns.test."))),
                ));
                m.additionals.push(Record::from_rdata(
                    name("ns.test."),
                    172_800,
                    RData::A(A::new(127, 0, 0, 2)),
                ));
            } else {
                m.metadata.authoritative = true;
                m.answers.push(Record::from_rdata(
                    qname,
                    300,
                    RData::A(A::new(192, 0, 2, 1)),
                ));
            }
            Some(m)
        }),
    })
}

fn authoritative() -> QueryOptions {
    QueryOptions {
        recursion_desired: false,
        ..QueryOptions::default()
    }
}

#[tokio::test]
async fn a_referral_is_reused_for_every_name_under_the_zone() {
    let net = network();
    let shared = Shared::new(net.clone(), SharedLimits::default());
    let opts = authoritative();
    for n in ["a.test.", "b.test.", "c.d.test."] {
        let q = build_query(&name(n), RecordType::A, &opts);
        let x = shared.exchange(addr(1), &q, &opts).await.expect("answer");
        assert_eq!(x.response.metadata.id, q.metadata.id);
        assert_eq!(x.response.queries[0].name(), &name(n));
        assert_eq!(x.from_cache, n != "a.test.");
    }
    assert_eq!(net.asked.load(Ordering::Relaxed), 1);
    let s = shared.stats();
    assert_eq!((s.sent, s.referral_hits, s.repeat_hits), (1, 2, 0));
    // The zone's own DS is the parent's to answer: not covered by its referral.
    let ds = build_query(&name("test."), RecordType::DS, &opts);
    let x = shared.exchange(addr(1), &ds, &opts).await.expect("answer");
    assert!(!x.from_cache);
    // A question with recursion desired is never answered from a referral.
    let rd = QueryOptions::default();
    let q = build_query(&name("e.test."), RecordType::A, &rd);
    let x = shared.exchange(addr(1), &q, &rd).await.expect("answer");
    assert!(!x.from_cache);
    assert_eq!(net.asked.load(Ordering::Relaxed), 3);
}

#[tokio::test]
async fn answers_are_reused_only_for_the_same_question() {
    let net = network();
    let shared = Shared::new(net.clone(), SharedLimits::default());
    let opts = authoritative();
    let www = build_query(&name("www.test."), RecordType::A, &opts);
    let again = build_query(&name("WWW.test."), RecordType::A, &opts);
    let other = build_query(&name("mail.test."), RecordType::A, &opts);
    let aaaa = build_query(&name("www.test."), RecordType::AAAA, &opts);
    for q in [&www, &again, &other, &aaaa] {
        shared.exchange(addr(2), q, &opts).await.expect("answer");
    }
    assert_eq!(net.asked.load(Ordering::Relaxed), 3);
    assert_eq!(shared.stats().repeat_hits, 1);
    // With DO set it is another question.
    let dnssec = QueryOptions {
        dnssec_ok: true,
        ..authoritative()
    };
    let q = build_query(&name("www.test."), RecordType::A, &dnssec);
    shared.exchange(addr(2), &q, &dnssec).await.expect("answer");
    assert_eq!(net.asked.load(Ordering::Relaxed), 4);
}

#[tokio::test]
async fn a_silent_server_is_given_up_after_the_limit() {
    let net = network();
    let limits = SharedLimits {
        give_up_after: 2,
        ..SharedLimits::default()
    };
    let shared = Shared::new(net.clone(), limits);
    let opts = authoritative();
    let mut errors = Vec::new();
    for i in 0..5 {
        let q = build_query(&name(&format!("n{i}.test.")), RecordType::A, &opts);
        errors.push(
            shared
                .exchange(addr(3), &q, &opts)
                .await
                .expect_err("silent"),
        );
    }
    assert_eq!(net.asked.load(Ordering::Relaxed), 2);
    assert!(matches!(errors[1], WireError::Timeout { .. }));
    assert!(matches!(errors[4], WireError::GaveUp { timeouts: 2, .. }));
    let s = shared.stats();
    assert_eq!((s.gave_up, s.dead_servers), (3, 1));
}

#[tokio::test]
async fn in_flight_questions_stay_within_the_limits() {
    use std::sync::atomic::AtomicUsize as Counter;
    struct Slow {
        now: Counter,
        max: Counter,
    }
    #[async_trait::async_trait]
    impl Transport for Slow {
        async fn exchange(
            &self,
            server: SocketAddr,
            _query: &Message,
            _opts: &QueryOptions,
        ) -> Result<Exchange, WireError> {
            let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.max.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Err(WireError::Unreachable {
                server,
                protocol: Protocol::Udp,
            })
        }
    }
    let slow = Arc::new(Slow {
        now: Counter::new(0),
        max: Counter::new(0),
    });
    let limits = SharedLimits {
        concurrency: 6,
        per_server: 2,
        give_up_after: 3,
    };
    let shared = Arc::new(Shared::new(slow.clone(), limits));
    let opts = authoritative();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40u8 {
        let shared = shared.clone();
        let opts = opts.clone();
        tasks.spawn(async move {
            let q = build_query(&name(&format!("n{i}.test.")), RecordType::A, &opts);
            // 2 servers: at most 2 × 2 in flight, below the overall 6.
            let _ = shared.exchange(addr(10 + i % 2), &q, &opts).await;
        });
    }
    while tasks.join_next().await.is_some() {}
    assert!(slow.max.load(Ordering::SeqCst) <= 4);
    assert_eq!(shared.stats().sent, 40);
}

#[test]
fn nothing_without_a_ttl_is_kept() {
    let mut m = Message::new(1, MessageType::Response, hickory_proto::op::OpCode::Query);
    assert_eq!(keep_for(&m), None);
    m.authorities.push(Record::from_rdata(
        name("test."),
        60,
        RData::SOA(SOA::new(name("ns.test."), name("h.test."), 1, 2, 3, 4, 5)),
    ));
    assert_eq!(keep_for(&m), Some(Duration::from_secs(60)));
    m.metadata.response_code = ResponseCode::ServFail;
    assert_eq!(keep_for(&m), None);
}

#[tokio::test]
async fn answers_asked_again_outlive_a_stream_of_one_off_answers() {
    let net = network();
    let shared = Shared::new(net.clone(), SharedLimits::default());
    let opts = authoritative();
    let keys = build_query(&name("test."), RecordType::DNSKEY, &opts);
    shared
        .exchange(addr(2), &keys, &opts)
        .await
        .expect("answer");
    // Asked again: kept apart from now on.
    let again = shared
        .exchange(addr(2), &keys, &opts)
        .await
        .expect("answer");
    assert!(again.from_cache);
    for i in 0..2000 {
        let q = build_query(&name(&format!("n{i}.test.")), RecordType::A, &opts);
        shared.exchange(addr(2), &q, &opts).await.expect("answer");
    }
    let late = shared
        .exchange(addr(2), &keys, &opts)
        .await
        .expect("answer");
    assert!(late.from_cache, "pushed out by one-off answers");
    assert_eq!(net.asked.load(Ordering::Relaxed), 2001);
    // The first one-off answers were pushed out: memory stays bounded.
    let first = build_query(&name("n0.test."), RecordType::A, &opts);
    let x = shared
        .exchange(addr(2), &first, &opts)
        .await
        .expect("answer");
    assert!(!x.from_cache);
}
