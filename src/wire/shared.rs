//! The transport of a batch run (many names in one run): what a resolver keeps between
//! questions, and the manners a batch owes the servers it asks.
//!
//! - **Referrals** (RFC 1034 §5.3.3): a server that delegated a zone once is not asked again
//!   for names under that zone; the referral it gave is handed back, the question rewritten.
//!   This is the delegation cache that lets a thousand names under one zone cost one descent
//!   from the root. Answers are never reused for another name: what servers serve today is
//!   what a batch is there to see.
//! - **Repeated questions** (the same question to the same server: a zone's DNSKEY, its NS
//!   set, a name server's address) are asked once, in a bounded first-in first-out cache.
//! - Both keep entries no longer than the smallest TTL in the response.
//! - **Manners**: at most [`SharedLimits::concurrency`] questions in flight in all, at most
//!   [`SharedLimits::per_server`] to one server, and a server that left
//!   [`SharedLimits::give_up_after`] questions in a row unanswered is not asked again in the
//!   run ([`WireError::GaveUp`]): a dead server costs a few timeouts, not one per name.
//!
//! Exchanges taken from the cache are marked [`Exchange::from_cache`]; [`SharedStats`] counts
//! what was sent and what was not.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};
use tokio::sync::Semaphore;

use super::{Exchange, QueryOptions, Transport, WireError};

/// Repeated questions kept at most (first in, first out): memory stays flat however many
/// names a batch has.
const EXACT_ENTRIES: usize = 4096;

/// No entry is kept longer than this, whatever its TTL.
const MAX_KEEP: Duration = Duration::from_secs(3600);

/// How polite a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedLimits {
    /// Questions in flight at once, in all.
    pub concurrency: usize,
    /// Questions in flight at once to one server.
    pub per_server: usize,
    /// Unanswered questions in a row after which a server is not asked again.
    pub give_up_after: u32,
}

impl Default for SharedLimits {
    fn default() -> Self {
        Self {
            concurrency: 32,
            per_server: 8,
            give_up_after: 3,
        }
    }
}

/// What a batch's transport did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SharedStats {
    /// Questions sent to a server.
    pub sent: usize,
    /// Answered by a referral learnt before (a zone cut reused).
    pub referral_hits: usize,
    /// Answered by the same question asked before.
    pub repeat_hits: usize,
    /// Not asked: the server had stopped answering.
    pub gave_up: usize,
    /// Servers given up on.
    pub dead_servers: usize,
}

/// The key of a repeated question: everything in it that can change the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    server: SocketAddr,
    qname: Name,
    qtype: RecordType,
    qclass: DNSClass,
    rd: bool,
    cd: bool,
    edns: bool,
    dnssec_ok: bool,
    tcp_only: bool,
}

impl Key {
    fn of(server: SocketAddr, query: &Message, opts: &QueryOptions) -> Option<Self> {
        let q = query.queries.first()?;
        Some(Self {
            server,
            qname: q.name().to_lowercase(),
            qtype: q.query_type(),
            qclass: q.query_class(),
            rd: query.metadata.recursion_desired,
            cd: query.metadata.checking_disabled,
            edns: query.edns.is_some(),
            dnssec_ok: query.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok),
            tcp_only: opts.tcp_only,
        })
    }
}

/// A referral a server gave: for every name under `zone`, it would give it again.
#[derive(Debug, Clone)]
struct Delegation {
    zone: Name,
    /// The question's flags it was given for (only reused for the same ones).
    key: Key,
    exchange: Exchange,
    until: Instant,
}

#[derive(Debug, Default)]
struct Cache {
    exact: HashMap<Key, (Exchange, Instant)>,
    order: VecDeque<Key>,
    referrals: HashMap<SocketAddr, Vec<Delegation>>,
}

#[derive(Debug)]
struct ServerState {
    slots: Arc<Semaphore>,
    /// Unanswered questions in a row.
    silent: u32,
}

/// A [`Transport`] for batch runs: a delegation cache, repeated questions asked once, and
/// limits on what is in flight. See the module documentation.
pub struct Shared {
    inner: Arc<dyn Transport>,
    limits: SharedLimits,
    slots: Semaphore,
    servers: Mutex<HashMap<SocketAddr, ServerState>>,
    cache: Mutex<Cache>,
    sent: AtomicUsize,
    referral_hits: AtomicUsize,
    repeat_hits: AtomicUsize,
    gave_up: AtomicUsize,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limits", &self.limits)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Shared {
    /// Wrap `inner` (a limit of 0 counts as 1).
    pub fn new(inner: Arc<dyn Transport>, limits: SharedLimits) -> Self {
        let limits = SharedLimits {
            concurrency: limits.concurrency.max(1),
            per_server: limits.per_server.max(1),
            give_up_after: limits.give_up_after.max(1),
        };
        Self {
            inner,
            limits,
            slots: Semaphore::new(limits.concurrency),
            servers: Mutex::new(HashMap::new()),
            cache: Mutex::new(Cache::default()),
            sent: AtomicUsize::new(0),
            referral_hits: AtomicUsize::new(0),
            repeat_hits: AtomicUsize::new(0),
            gave_up: AtomicUsize::new(0),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> SharedLimits {
        self.limits
    }

    /// What was sent and what was not, so far.
    pub fn stats(&self) -> SharedStats {
        let dead_servers = lock(&self.servers)
            .values()
            .filter(|s| s.silent >= self.limits.give_up_after)
            .count();
        SharedStats {
            sent: self.sent.load(Ordering::Relaxed),
            referral_hits: self.referral_hits.load(Ordering::Relaxed),
            repeat_hits: self.repeat_hits.load(Ordering::Relaxed),
            gave_up: self.gave_up.load(Ordering::Relaxed),
            dead_servers,
        }
    }

    /// The server's slots, or None when it has been given up on.
    fn server_slots(&self, server: SocketAddr) -> Option<Arc<Semaphore>> {
        let mut servers = lock(&self.servers);
        let state = servers.entry(server).or_insert_with(|| ServerState {
            slots: Arc::new(Semaphore::new(self.limits.per_server)),
            silent: 0,
        });
        (state.silent < self.limits.give_up_after).then(|| state.slots.clone())
    }

    fn note_outcome(&self, server: SocketAddr, result: &Result<Exchange, WireError>) {
        let mut servers = lock(&self.servers);
        if let Some(state) = servers.get_mut(&server) {
            match result {
                Err(WireError::Timeout { .. }) => state.silent = state.silent.saturating_add(1),
                Ok(_) => state.silent = 0,
                Err(_) => {}
            }
        }
    }

    /// An earlier answer to this question, or a referral that covers it.
    fn cached(&self, key: &Key, query: &Message) -> Option<Exchange> {
        let now = Instant::now();
        let mut cache = lock(&self.cache);
        if let Some((x, until)) = cache.exact.get(key) {
            if *until > now {
                self.repeat_hits.fetch_add(1, Ordering::Relaxed);
                return Some(rewritten(x, query));
            }
            cache.exact.remove(key);
        }
        // Referrals are only reused for questions that expect no recursion.
        if key.rd {
            return None;
        }
        let delegations = cache.referrals.get_mut(&key.server)?;
        delegations.retain(|d| d.until > now);
        let best = delegations
            .iter()
            .filter(|d| covers(&d.zone, key) && same_flags(&d.key, key))
            .max_by_key(|d| d.zone.num_labels())?;
        self.referral_hits.fetch_add(1, Ordering::Relaxed);
        Some(rewritten(&best.exchange, query))
    }

    fn remember(&self, key: Key, x: &Exchange) {
        let Some(keep) = keep_for(&x.response) else {
            return;
        };
        let until = Instant::now() + keep;
        let mut cache = lock(&self.cache);
        if let Some(zone) = referral_zone(&key, &x.response) {
            let list = cache.referrals.entry(key.server).or_default();
            list.retain(|d| !(d.zone == zone && same_flags(&d.key, &key)));
            list.push(Delegation {
                zone,
                key: key.clone(),
                exchange: x.clone(),
                until,
            });
            return;
        }
        if cache
            .exact
            .insert(key.clone(), (x.clone(), until))
            .is_none()
        {
            cache.order.push_back(key);
        }
        while cache.order.len() > EXACT_ENTRIES {
            if let Some(old) = cache.order.pop_front() {
                cache.exact.remove(&old);
            }
        }
    }
}

#[async_trait::async_trait]
impl Transport for Shared {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let key = Key::of(server, query, opts);
        if let Some(k) = &key
            && let Some(x) = self.cached(k, query)
        {
            return Ok(x);
        }
        let give_up = || {
            self.gave_up.fetch_add(1, Ordering::Relaxed);
            Err(WireError::GaveUp {
                server,
                timeouts: self.limits.give_up_after,
            })
        };
        let Some(server_slots) = self.server_slots(server) else {
            return give_up();
        };
        // Closed semaphores never happen here (neither is ever closed); treat one as a bug
        // in the caller's runtime and report it as a local error.
        let closed = |_| WireError::Io {
            server,
            protocol: super::Protocol::Udp,
            message: "the batch's limiter is closed".to_string(),
        };
        let _mine = server_slots.acquire_owned().await.map_err(closed)?;
        let _any = self.slots.acquire().await.map_err(closed)?;
        // The server may have been given up on while this question waited for a slot.
        if self.server_slots(server).is_none() {
            return give_up();
        }
        // A question that waited may now be answerable from what others learnt meanwhile.
        if let Some(k) = &key
            && let Some(x) = self.cached(k, query)
        {
            return Ok(x);
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let result = self.inner.exchange(server, query, opts).await;
        self.note_outcome(server, &result);
        if let (Some(k), Ok(x)) = (key, &result) {
            self.remember(k, x);
        }
        result
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A cached exchange handed out for `query`: its ID and question, marked as from the cache.
fn rewritten(x: &Exchange, query: &Message) -> Exchange {
    let mut x = x.clone();
    x.response.metadata.id = query.metadata.id;
    x.response.queries = query.queries.clone();
    x.query = query.clone();
    x.from_cache = true;
    x
}

/// Whether a referral to `zone` answers the question in `key`: a name at or under the zone,
/// except the zone's own DS, which its parent answers itself.
fn covers(zone: &Name, key: &Key) -> bool {
    zone.zone_of(&key.qname) && !(key.qname == *zone && key.qtype == RecordType::DS)
}

fn same_flags(a: &Key, b: &Key) -> bool {
    (a.qclass, a.rd, a.cd, a.edns, a.dnssec_ok, a.tcp_only)
        == (b.qclass, b.rd, b.cd, b.edns, b.dnssec_ok, b.tcp_only)
}

/// The zone a response delegates to, when it is a referral (RFC 1034 §4.3.2: no AA, no
/// answer, NS records in the authority section for a zone that holds the name asked).
fn referral_zone(key: &Key, m: &Message) -> Option<Name> {
    if key.rd
        || m.metadata.authoritative
        || m.metadata.response_code != ResponseCode::NoError
        || !m.answers.is_empty()
    {
        return None;
    }
    let zone = m
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::NS)?
        .name
        .to_lowercase();
    (!zone.is_root() && covers(&zone, key)).then_some(zone)
}

/// How long a response may be reused: its smallest TTL (the OPT record aside), within
/// [`MAX_KEEP`]; None for what must not be reused (failures, TTL 0, nothing to go by).
fn keep_for(m: &Message) -> Option<Duration> {
    if !matches!(
        m.metadata.response_code,
        ResponseCode::NoError | ResponseCode::NXDomain
    ) || m.metadata.truncation
    {
        return None;
    }
    let ttl = m
        .answers
        .iter()
        .chain(&m.authorities)
        .chain(&m.additionals)
        .filter(|r| r.record_type() != RecordType::OPT)
        .map(|r| r.ttl)
        .min()?;
    (ttl > 0).then(|| Duration::from_secs(u64::from(ttl)).min(MAX_KEEP))
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use hickory_proto::op::MessageType;
    use hickory_proto::rr::rdata::{A, NS, SOA};
    use hickory_proto::rr::{RData, Record};

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
}
