//! The zones a batch has met: each found once (a trace to it, through the shared delegation
//! cache), its servers and their SOA asked once, then reused for every name under it.
//!
//! A name is checked against the deepest known zone that holds it. When that zone's servers
//! answer with a referral instead (the name is in a zone delegated below it), the zone below
//! is found and learnt, and the name asked again there: the cache learns as a resolver's does.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use hickory_proto::rr::{Name, RecordType};

use crate::compare::{
    self, Authoritative, Discovery, DiscoveryError, Kind, Observation, Server, Soa,
};
use crate::wire::{QueryOptions, Transport};

/// A zone as the batch knows it.
#[derive(Debug)]
pub struct Zone {
    /// The zone.
    pub name: Name,
    /// Its authoritative servers.
    pub servers: Vec<Server>,
    /// The zone's SOA as each server served it when the zone was learnt.
    pub soa: HashMap<SocketAddr, Soa>,
    /// How the servers were found (None when they were given).
    pub discovery: Option<Discovery>,
}

impl Zone {
    /// Labels of servers only the zone itself names (resolvers are never sent there).
    pub fn hidden(&self) -> Vec<String> {
        self.discovery
            .as_ref()
            .map(|d| d.child_only.iter().map(crate::present::name).collect())
            .unwrap_or_default()
    }
}

/// Why the zone of a name could not be found.
#[derive(Debug, Clone)]
pub struct NoZone {
    /// Where the discovery trace stopped.
    pub error: Arc<DiscoveryError>,
}

/// The zones learnt so far, and how to learn more.
pub struct Zones {
    transport: Arc<dyn Transport>,
    authoritative: Authoritative,
    query: QueryOptions,
    known: Mutex<Vec<Arc<Zone>>>,
    /// Discoveries that failed, by the zone where their trace stopped: names under it fail
    /// the same way without a new trace.
    failed: Mutex<Vec<(Name, NoZone)>>,
    /// One discovery at a time: names arriving together under an unknown zone wait for the
    /// first one's, then find the zone known.
    discovering: tokio::sync::Mutex<()>,
}

impl Zones {
    /// Start with nothing known; `authoritative` says how to find (or which are) the servers.
    pub fn new(
        transport: Arc<dyn Transport>,
        authoritative: Authoritative,
        query: QueryOptions,
    ) -> Self {
        Self {
            transport,
            authoritative,
            query,
            known: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            discovering: tokio::sync::Mutex::new(()),
        }
    }

    /// Every zone learnt, in the order learnt.
    pub fn known(&self) -> Vec<Arc<Zone>> {
        lock(&self.known).clone()
    }

    /// The deepest known zone holding `name`.
    fn closest(&self, name: &Name) -> Option<Arc<Zone>> {
        lock(&self.known)
            .iter()
            .filter(|z| z.name.zone_of(name))
            .max_by_key(|z| z.name.num_labels())
            .cloned()
    }

    fn failure_for(&self, name: &Name, known: Option<&Arc<Zone>>) -> Option<NoZone> {
        let depth = known.map_or(0, |z| z.name.num_labels());
        lock(&self.failed)
            .iter()
            .filter(|(at, _)| at.zone_of(name) && at.num_labels() >= depth)
            .max_by_key(|(at, _)| at.num_labels())
            .map(|(_, e)| e.clone())
    }

    /// The zone to ask about `name`: the deepest known one, or one found now. With
    /// `below` set, a zone deeper than `below` is wanted (its servers gave a referral).
    ///
    /// # Errors
    /// [`NoZone`] when the discovery trace found no server that answers for the name.
    pub async fn zone_for(
        &self,
        name: &Name,
        rtype: RecordType,
        below: Option<&Name>,
    ) -> Result<Arc<Zone>, NoZone> {
        let deep_enough =
            |z: &Arc<Zone>| below.is_none_or(|b| z.name.num_labels() > b.num_labels());
        if let Some(z) = self.closest(name).filter(deep_enough) {
            return Ok(z);
        }
        if let Authoritative::Given(targets) = &self.authoritative {
            // Given servers serve what they serve: one zone for every name.
            let _one = self.discovering.lock().await;
            if let Some(z) = lock(&self.known).first().cloned() {
                return Ok(z);
            }
            let zone = match targets.first() {
                Some(t) => compare::zone_of(&self.transport, t.addr, name, &self.query).await,
                None => None,
            }
            .unwrap_or_else(|| name.clone());
            let servers = targets
                .iter()
                .map(|t| Server {
                    target: t.clone(),
                    kind: Kind::Authoritative,
                })
                .collect();
            return Ok(self.learn(zone, servers, None).await);
        }
        let _one = self.discovering.lock().await;
        // Learnt while this name waited?
        let closest = self.closest(name);
        if let Some(z) = closest.clone().filter(deep_enough) {
            return Ok(z);
        }
        if below.is_none()
            && let Some(e) = self.failure_for(name, closest.as_ref())
        {
            return Err(e);
        }
        let Authoritative::Discover(options) = &self.authoritative else {
            return Err(self
                .failure_for(name, None)
                .unwrap_or_else(|| unreachable_zone(name)));
        };
        match compare::discover(self.transport.clone(), options, name, rtype).await {
            Ok(d) => {
                // A referral from a zone we know, whose discovery lands on that same zone
                // (a lame delegation answered by the parent): take it as it is.
                let zone = d.zone.clone();
                if let Some(z) = lock(&self.known).iter().find(|z| z.name == zone).cloned() {
                    return Ok(z);
                }
                let servers = d.servers.clone();
                Ok(self.learn(zone, servers, Some(d)).await)
            }
            Err(e) => {
                let at = e
                    .trace
                    .steps
                    .last()
                    .map(|s| s.zone.clone())
                    .unwrap_or_else(Name::root);
                let failure = NoZone { error: Arc::new(e) };
                lock(&self.failed).push((at, failure.clone()));
                Err(failure)
            }
        }
    }

    /// Ask each server for the zone's SOA once, and keep the zone.
    async fn learn(
        &self,
        name: Name,
        servers: Vec<Server>,
        discovery: Option<Discovery>,
    ) -> Arc<Zone> {
        let observations: Vec<Observation> = compare::observe(
            self.transport.clone(),
            &servers,
            &name,
            RecordType::SOA,
            None,
            &self.query,
        )
        .await;
        let soa = observations
            .iter()
            .filter_map(|o| {
                let x = o.result.as_ref().ok()?;
                Some((o.server.target.addr, compare::soa_of(x)?))
            })
            .collect();
        let zone = Arc::new(Zone {
            name,
            servers,
            soa,
            discovery,
        });
        lock(&self.known).push(zone.clone());
        zone
    }
}

/// A discovery error for a name whose servers were given but cannot be asked (never built:
/// given servers always make a zone). Kept so that no path panics.
fn unreachable_zone(name: &Name) -> NoZone {
    NoZone {
        error: Arc::new(DiscoveryError {
            trace: Box::new(crate::trace::Trace::empty(name.clone(), RecordType::SOA)),
        }),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The zone below `zone` that a referral delegates `name` to, if `o` is such a referral: an
/// answer without AA, NS records in its authority section for a zone under `zone` that holds
/// the name.
pub fn referral_below(o: &Observation, zone: &Name, name: &Name) -> Option<Name> {
    let x = o.result.as_ref().ok()?;
    let m = &x.response;
    if m.metadata.authoritative || !m.answers.is_empty() {
        return None;
    }
    m.authorities
        .iter()
        .filter(|r| r.record_type() == RecordType::NS)
        .map(|r| r.name.to_lowercase())
        .find(|cut| cut.num_labels() > zone.num_labels() && zone.zone_of(cut) && cut.zone_of(name))
}
