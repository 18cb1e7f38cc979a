//! What a batch's transport keeps: referrals by server and zone, answers by question, each
//! until its TTL runs out, in bounded first-in first-out maps.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RecordType};

use super::super::{Exchange, QueryOptions};
use super::{FRESH_ENTRIES, KEPT_ENTRIES, MAX_KEEP};

/// The key of a repeated question: everything in it that can change the answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) server: SocketAddr,
    pub(super) qname: Name,
    pub(super) qtype: RecordType,
    pub(super) qclass: DNSClass,
    pub(super) rd: bool,
    pub(super) cd: bool,
    pub(super) edns: bool,
    pub(super) dnssec_ok: bool,
    pub(super) tcp_only: bool,
}

impl Key {
    pub(super) fn of(server: SocketAddr, query: &Message, opts: &QueryOptions) -> Option<Self> {
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
pub(super) struct Delegation {
    pub(super) zone: Name,
    /// The question's flags it was given for (only reused for the same ones).
    pub(super) key: Key,
    pub(super) exchange: Exchange,
    pub(super) until: Instant,
}

/// A bounded map that forgets its oldest entries first.
#[derive(Debug)]
pub(super) struct Fifo {
    pub(super) map: HashMap<Key, (Exchange, Instant)>,
    pub(super) order: VecDeque<Key>,
    pub(super) cap: usize,
}

impl Fifo {
    fn new(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    /// The entry, removed, if it is there and still fresh.
    pub(super) fn take(&mut self, key: &Key, now: Instant) -> Option<(Exchange, Instant)> {
        let (x, until) = self.map.remove(key)?;
        (until > now).then_some((x, until))
    }

    pub(super) fn get(&mut self, key: &Key, now: Instant) -> Option<&Exchange> {
        if self.map.get(key).is_some_and(|(_, until)| *until <= now) {
            self.map.remove(key);
        }
        self.map.get(key).map(|(x, _)| x)
    }

    pub(super) fn insert(&mut self, key: Key, x: Exchange, until: Instant) {
        if self.map.insert(key.clone(), (x, until)).is_none() {
            self.order.push_back(key);
        }
        // The order may hold keys already taken out: skip them.
        while self.map.len() > self.cap {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
        if self.order.len() > self.cap.saturating_mul(2) {
            let map = &self.map;
            self.order.retain(|k| map.contains_key(k));
        }
    }
}

#[derive(Debug)]
pub(super) struct Cache {
    pub(super) fresh: Fifo,
    pub(super) kept: Fifo,
    pub(super) referrals: HashMap<SocketAddr, Vec<Delegation>>,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            fresh: Fifo::new(FRESH_ENTRIES),
            kept: Fifo::new(KEPT_ENTRIES),
            referrals: HashMap::new(),
        }
    }
}

/// A cached exchange handed out for `query`: its ID and question, marked as from the cache.
pub(super) fn rewritten(x: &Exchange, query: &Message) -> Exchange {
    let mut x = x.clone();
    x.response.metadata.id = query.metadata.id;
    x.response.queries = query.queries.clone();
    x.query = query.clone();
    x.from_cache = true;
    x
}

/// Whether a referral to `zone` answers the question in `key`: a name at or under the zone,
/// except the zone's own DS, which its parent answers itself.
pub(super) fn covers(zone: &Name, key: &Key) -> bool {
    zone.zone_of(&key.qname) && !(key.qname == *zone && key.qtype == RecordType::DS)
}

pub(super) fn same_flags(a: &Key, b: &Key) -> bool {
    (a.qclass, a.rd, a.cd, a.edns, a.dnssec_ok, a.tcp_only)
        == (b.qclass, b.rd, b.cd, b.edns, b.dnssec_ok, b.tcp_only)
}

/// The zone a response delegates to, when it is a referral (RFC 1034 §4.3.2: no AA, no
/// answer, NS records in the authority section for a zone that holds the name asked).
pub(super) fn referral_zone(key: &Key, m: &Message) -> Option<Name> {
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
pub(super) fn keep_for(m: &Message) -> Option<Duration> {
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
