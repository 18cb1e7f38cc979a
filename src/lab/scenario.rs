//! Timelines played on a running lab for `compare --lab --scenario NAME`, so that one run
//! shows propagation for real: a resolver that cached the old answer, a primary that has the
//! new one, a secondary that lags behind, a cached NXDOMAIN.
//!
//! Each scenario primes a resolver's cache, waits a quarter of the cached TTL (so the cache
//! age is visible), makes a change on the primary of `cafe.example` while
//! `ns2.cafe.example` lags, and lets the secondary catch up after the zone's SOA REFRESH, as
//! a real secondary would. Every figure comes from the zone itself. The narration is typed
//! [`Event`]s; the binary words them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{Change, Lab, LabError, ServerKind, fixture_name};
use crate::wire::{QueryOptions, Transport, build_query};

/// A scenario by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `menu.cafe.example A` moves from 192.0.2.10 to 192.0.2.20.
    Propagation,
    /// `specials.cafe.example A` is created after a resolver cached its absence.
    NewName,
}

/// What a resolver's cache was primed with.
#[derive(Debug, Clone)]
pub enum Primed {
    /// These records.
    Answer(Vec<Record>),
    /// The name's absence, for this long (the negative TTL it was given).
    NxDomain {
        /// The SOA TTL the resolver sent, or None without an SOA.
        ttl: Option<u32>,
    },
    /// Something else (an error, NODATA): whatever it was.
    Other(Option<ResponseCode>),
}

/// One thing that happened during the prelude.
#[derive(Debug, Clone)]
pub enum Event {
    /// A secondary was told to lag: it takes no changes until it catches up.
    SecondaryLags {
        /// The secondary.
        secondary: Name,
    },
    /// A resolver was asked the question and cached what it got.
    Primed {
        /// The resolver.
        resolver: Name,
        /// The question.
        qname: Name,
        /// Its type.
        rtype: RecordType,
        /// What it got.
        got: Primed,
    },
    /// The RRset changed on the primary.
    Changed {
        /// The owner.
        qname: Name,
        /// The type.
        rtype: RecordType,
        /// The new data.
        data: Vec<RData>,
        /// Whether the name did not exist before.
        created: bool,
        /// The zone's new serial.
        serial: u32,
        /// The secondary that did not get it.
        secondary: Name,
    },
}

/// An event and when it happened, in seconds from the start of the scenario.
#[derive(Debug, Clone)]
pub struct Timed {
    /// Seconds from the start.
    pub at: f64,
    /// What happened.
    pub event: Event,
}

/// Something still due when the comparison starts.
#[derive(Debug, Clone)]
pub enum Pending {
    /// The secondary catches up this long after the change (the zone's SOA REFRESH).
    CatchUp {
        /// The secondary.
        secondary: Name,
        /// The delay after the change.
        after: Duration,
    },
}

/// A scenario that has been played up to the moment of comparison.
#[derive(Debug, Clone)]
pub struct Played {
    /// The scenario.
    pub scenario: Scenario,
    /// The question to compare.
    pub name: Name,
    /// Its type.
    pub rtype: RecordType,
    /// What happened so far.
    pub events: Vec<Timed>,
    /// What is still due.
    pub pending: Vec<Pending>,
    /// When the scenario started (the events' times count from here).
    pub started: std::time::SystemTime,
}

impl Played {
    /// When the data changed on the primary (Unix seconds), if the scenario changed it.
    pub fn changed_at(&self) -> Option<u64> {
        self.events.iter().find_map(|e| match e.event {
            Event::Changed { .. } => Some(crate::compare::unix_secs(
                self.started + Duration::from_secs_f64(e.at),
            )),
            _ => None,
        })
    }
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 2] = [Scenario::Propagation, Scenario::NewName];

    /// Parse a scenario name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The scenario's name.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Propagation => "propagation",
            Scenario::NewName => "new-name",
        }
    }
}

/// The longest a scenario waits between priming a cache and the change.
const MAX_AGE: Duration = Duration::from_secs(5);

/// The names a scenario plays on, parsed from dnscope's own text.
struct Cast {
    zone: Name,
    secondary: Name,
    qname: Name,
    resolver: &'static str,
    change: Change,
}

fn cast(scenario: Scenario) -> Result<Cast, LabError> {
    let (qname, resolver, address) = match scenario {
        Scenario::Propagation => ("menu.cafe.example.", "isp-a.", A::new(192, 0, 2, 20)),
        Scenario::NewName => ("specials.cafe.example.", "campus.", A::new(192, 0, 2, 30)),
    };
    let qname = fixture_name(qname)?;
    Ok(Cast {
        zone: fixture_name("cafe.example.")?,
        secondary: fixture_name("ns2.cafe.example.")?,
        resolver,
        change: Change {
            name: qname.clone(),
            rtype: RecordType::A,
            ttl: 8,
            data: vec![RData::A(address)],
        },
        qname,
    })
}

/// Play the prelude of `scenario` on `lab`, then return; the catch-up of the secondary is
/// scheduled in the background on `lab` (keep the lab alive to see it).
///
/// # Errors
/// [`LabError::Missing`] when the lab lacks the scenario's zone or resolvers (a custom
/// `--lab-dir`).
pub async fn play(
    lab: &Arc<Lab>,
    transport: Arc<dyn Transport>,
    scenario: Scenario,
) -> Result<Played, LabError> {
    let start = Instant::now();
    let started = std::time::SystemTime::now();
    let mut events = Vec::new();
    let mut note = |event: Event| {
        events.push(Timed {
            at: start.elapsed().as_secs_f64(),
            event,
        })
    };
    let Cast {
        zone,
        secondary,
        qname,
        resolver,
        change,
    } = cast(scenario)?;
    let missing = |what: String| LabError::Missing(format!("scenario {}: {what}", scenario.name()));
    let (resolver_name, resolver_addr) = lab
        .servers()
        .iter()
        .find(|s| s.kind == ServerKind::Resolver && s.name.to_string() == resolver)
        .map(|s| (s.name.clone(), lab.addr(s)))
        .ok_or_else(|| missing(format!("the lab has no resolver {resolver}")))?;
    if lab.serials(&zone).await.len() < 2 {
        return Err(missing(format!(
            "the lab does not serve {zone} from two servers"
        )));
    }
    let refresh = match lab.soa(&zone).await.map(|r| r.data) {
        Some(RData::SOA(soa)) => Duration::from_secs(u64::try_from(soa.refresh).unwrap_or(0)),
        _ => return Err(missing(format!("{zone} has no SOA"))),
    };
    lab.set_lagging(&secondary, true);
    note(Event::SecondaryLags {
        secondary: secondary.clone(),
    });
    let got = prime(&transport, resolver_addr, &qname).await;
    // Wait a quarter of the TTL the resolver cached the answer with, so that its cache age
    // shows (and can be checked) in the comparison.
    let cached_ttl = match &got {
        Primed::Answer(records) => records.iter().map(|r| r.ttl).min(),
        Primed::NxDomain { ttl } => *ttl,
        Primed::Other(_) => None,
    };
    // At most a few seconds, whatever a `--lab-dir` zone's TTLs are: a scenario plays live.
    let age = (Duration::from_secs(u64::from(cached_ttl.unwrap_or(4))) / 4).min(MAX_AGE);
    note(Event::Primed {
        resolver: resolver_name,
        qname: qname.clone(),
        rtype: RecordType::A,
        got,
    });
    tokio::time::sleep(age).await;
    let existed = !matches!(scenario, Scenario::NewName);
    let done = lab.apply(&change).await?;
    let serial = done.first().map(|(_, s)| *s).unwrap_or(0);
    note(Event::Changed {
        qname: qname.clone(),
        rtype: change.rtype,
        data: change.data.clone(),
        created: !existed,
        serial,
        secondary: secondary.clone(),
    });
    let lab2 = lab.clone();
    let secondary2 = secondary.clone();
    tokio::spawn(async move {
        tokio::time::sleep(refresh).await;
        let _ = lab2.catch_up(&secondary2).await;
    });
    Ok(Played {
        scenario,
        name: qname,
        rtype: RecordType::A,
        events,
        pending: vec![Pending::CatchUp {
            secondary,
            after: refresh,
        }],
        started,
    })
}

/// Ask a resolver the question, so that it caches the answer; return what it got.
async fn prime(transport: &Arc<dyn Transport>, resolver: SocketAddr, qname: &Name) -> Primed {
    let opts = QueryOptions {
        recursion_desired: true,
        timeout: Duration::from_secs(2),
        ..QueryOptions::default()
    };
    let q = build_query(qname, RecordType::A, &opts);
    match transport.exchange(resolver, &q, &opts).await {
        Ok(x) if x.response.metadata.response_code == ResponseCode::NXDomain => Primed::NxDomain {
            ttl: x
                .response
                .authorities
                .iter()
                .find(|r| r.record_type() == RecordType::SOA)
                .map(|r| r.ttl),
        },
        Ok(x) if !x.response.answers.is_empty() => Primed::Answer(x.response.answers),
        Ok(x) => Primed::Other(Some(x.response.metadata.response_code)),
        Err(_) => Primed::Other(None),
    }
}
