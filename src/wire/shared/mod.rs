//! The transport of a batch run (many names in one run): what a resolver keeps between
//! questions, and the manners a batch owes the servers it asks.
//!
//! - **Referrals** (RFC 1034 §5.3.3): a server that delegated a zone once is not asked again
//!   for names under that zone; the referral it gave is handed back, the question rewritten.
//!   This is the delegation cache that lets a thousand names under one zone cost one descent
//!   from the root. Answers are never reused for another name: what servers serve today is
//!   what a batch is there to see.
//! - **Repeated questions** (the same question to the same server: a zone's DNSKEY, its NS
//!   set, a name server's address) are asked once: every answer is kept a while in a bounded
//!   first-in first-out cache, and one whose question came again moves to a second one, so
//!   that a stream of one-off answers does not push out the ones a batch keeps needing.
//! - Both keep entries no longer than the smallest TTL in the response.
//! - **Manners**: at most [`SharedLimits::concurrency`] questions in flight in all, at most
//!   [`SharedLimits::per_server`] to one server, and a server that left
//!   [`SharedLimits::give_up_after`] questions in a row unanswered is not asked again in the
//!   run ([`WireError::GaveUp`]): a dead server costs a few timeouts, not one per name.
//!
//! Exchanges taken from the cache are marked [`Exchange::from_cache`]; [`SharedStats`] counts
//! what was sent and what was not.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hickory_proto::op::Message;
use tokio::sync::Semaphore;

use super::{Exchange, QueryOptions, Transport, WireError};

mod cache;

use cache::{Cache, Delegation, Key, covers, keep_for, referral_zone, rewritten, same_flags};

/// Answers kept in case their question comes again (first in, first out): memory stays flat
/// however many names a batch has.
pub(super) const FRESH_ENTRIES: usize = 1024;

/// Answers whose question did come again (a zone's DNSKEY, a name server's address), kept
/// apart so that a stream of one-off answers does not push them out.
pub(super) const KEPT_ENTRIES: usize = 4096;

/// No entry is kept longer than this, whatever its TTL.
pub(super) const MAX_KEEP: Duration = Duration::from_secs(3600);

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
    /// Of `sent`, those sent over DoT, DoH or DoQ.
    pub encrypted: usize,
    /// Of `encrypted`, those that rode a connection an earlier question had opened.
    pub connections_reused: usize,
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
    encrypted: AtomicUsize,
    connections_reused: AtomicUsize,
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
            encrypted: AtomicUsize::new(0),
            connections_reused: AtomicUsize::new(0),
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
            encrypted: self.encrypted.load(Ordering::Relaxed),
            connections_reused: self.connections_reused.load(Ordering::Relaxed),
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
        if let Some(x) = cache.kept.get(key, now) {
            self.repeat_hits.fetch_add(1, Ordering::Relaxed);
            return Some(rewritten(x, query));
        }
        // Asked again: keep it apart from the one-off answers from now on.
        if let Some((x, until)) = cache.fresh.take(key, now) {
            self.repeat_hits.fetch_add(1, Ordering::Relaxed);
            let answer = rewritten(&x, query);
            cache.kept.insert(key.clone(), x, until);
            return Some(answer);
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
        cache.fresh.insert(key, x.clone(), until);
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

    async fn exchange_via(
        &self,
        server: SocketAddr,
        via: &super::Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        // Only plain DNS is cached and limited here: an encrypted connection is already one
        // per server, reused by every question of the run, and a failure to open one is
        // shared by the questions asked meanwhile (wire::secure's pool).
        if matches!(via, super::Via::Plain | super::Via::Udp | super::Via::Tcp) {
            // Plain DNS, with the batch's limits, give-up and cache.
            return super::plain_via(self, server, via, query, opts).await;
        }
        self.sent.fetch_add(1, Ordering::Relaxed);
        let result = self.inner.exchange_via(server, via, query, opts).await;
        if let Ok(x) = &result
            && let Some(session) = &x.session
        {
            self.encrypted.fetch_add(1, Ordering::Relaxed);
            if session.reused {
                self.connections_reused.fetch_add(1, Ordering::Relaxed);
            }
        }
        result
    }
}

/// A transport that counts the questions that really went out through it: not those a
/// [`Shared`] transport answered from its cache, gave up on, or refused to send. One per name
/// of a batch, so that each row can say what it cost.
pub struct Metered {
    inner: Arc<dyn Transport>,
    sent: AtomicUsize,
}

impl Metered {
    /// Count what goes through to `inner`.
    pub fn new(inner: Arc<dyn Transport>) -> Self {
        Self {
            inner,
            sent: AtomicUsize::new(0),
        }
    }

    /// Questions sent so far.
    pub fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }
}

#[async_trait::async_trait]
impl Transport for Metered {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let result = self.inner.exchange(server, query, opts).await;
        self.count(&result);
        result
    }

    async fn exchange_via(
        &self,
        server: SocketAddr,
        via: &super::Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let result = self.inner.exchange_via(server, via, query, opts).await;
        self.count(&result);
        result
    }
}

impl Metered {
    fn count(&self, result: &Result<Exchange, WireError>) {
        let went_out = match result {
            Ok(x) => !x.from_cache,
            Err(WireError::GaveUp { .. } | WireError::Forbidden { .. }) => false,
            Err(_) => true,
        };
        if went_out {
            self.sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
