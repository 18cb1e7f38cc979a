//! Timelines played on a running lab for `compare --lab --scenario NAME`, so that one run
//! shows propagation for real: a resolver that cached the old answer, a primary that has the
//! new one, a secondary that lags behind, a cached NXDOMAIN.
//!
//! Each scenario primes some resolver caches, makes a change on the primary of
//! `cafe.example` while `ns2.cafe.example` lags, and lets the secondary catch up after the
//! zone's SOA refresh interval (4 s), as a real secondary would.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{Name, RData, RecordType};

use super::{Change, Lab, LabError, ServerKind};
use crate::wire::{QueryOptions, Transport, build_query};

/// A scenario by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `menu.cafe.example A` moves from 192.0.2.10 to 192.0.2.20.
    Propagation,
    /// `specials.cafe.example A` is created after a resolver cached its absence.
    NewName,
}

/// One thing that happened during the prelude, for the narration.
#[derive(Debug, Clone)]
pub struct Event {
    /// Seconds from the start of the scenario.
    pub at: f64,
    /// What happened.
    pub what: String,
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
    pub events: Vec<Event>,
    /// What is still due (the secondary catching up), in words.
    pub pending: Vec<String>,
}

impl Scenario {
    /// Every scenario's name and one-line description.
    pub const ALL: &'static [(&'static str, &'static str)] = &[
        (
            "propagation",
            "menu.cafe.example A changes on the primary; one resolver has the old answer cached, the secondary lags",
        ),
        (
            "new-name",
            "specials.cafe.example A is created after a resolver cached its absence (NXDOMAIN); the secondary lags",
        ),
    ];

    /// Parse a scenario name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "propagation" => Some(Scenario::Propagation),
            "new-name" => Some(Scenario::NewName),
            _ => None,
        }
    }

    /// The scenario's name.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Propagation => "propagation",
            Scenario::NewName => "new-name",
        }
    }
}

/// How long the prelude waits between priming a cache and the change, so the cache age is
/// visible (and measurable) in the comparison.
const AGE: Duration = Duration::from_secs(2);
/// The secondary catches up after the zone's SOA refresh (cafe.example: 4 s).
const REFRESH: Duration = Duration::from_secs(4);

fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_else(|_| Name::root())
}

/// Play the prelude of `scenario` on `lab`, then return; the catch-up of the secondary is
/// scheduled in the background on `lab` (keep the lab alive to see it).
///
/// # Errors
/// [`LabError`] when the lab lacks the scenario's zone or resolvers (a custom `--lab-dir`).
pub async fn play(
    lab: &Arc<Lab>,
    transport: Arc<dyn Transport>,
    scenario: Scenario,
) -> Result<Played, LabError> {
    let start = Instant::now();
    let mut events = Vec::new();
    let mut note = |what: String| {
        events.push(Event {
            at: start.elapsed().as_secs_f64(),
            what,
        })
    };
    let secondary = name("ns2.cafe.example.");
    let zone = name("cafe.example.");
    let (qname, primed, change) = match scenario {
        Scenario::Propagation => (
            name("menu.cafe.example."),
            "isp-a.",
            Change {
                name: name("menu.cafe.example."),
                rtype: RecordType::A,
                ttl: 8,
                data: vec![RData::A(A::new(192, 0, 2, 20))],
            },
        ),
        Scenario::NewName => (
            name("specials.cafe.example."),
            "campus.",
            Change {
                name: name("specials.cafe.example."),
                rtype: RecordType::A,
                ttl: 8,
                data: vec![RData::A(A::new(192, 0, 2, 30))],
            },
        ),
    };
    let resolver = lab
        .servers()
        .iter()
        .find(|s| s.kind == ServerKind::Resolver && s.name.to_string() == primed)
        .map(|s| lab.addr(s))
        .ok_or_else(|| {
            LabError::Net(format!(
                "scenario {}: the lab has no resolver {primed}",
                scenario.name()
            ))
        })?;
    if lab.serials(&zone).await.len() < 2 {
        return Err(LabError::Net(format!(
            "scenario {}: the lab does not serve {zone} from two servers",
            scenario.name()
        )));
    }
    lab.set_lagging(&secondary, true);
    note(format!(
        "{secondary} is a secondary that will lag behind the primary"
    ));
    prime(&transport, resolver, &qname).await;
    note(format!(
        "{primed} was asked for {qname} A and cached the answer it got ({})",
        match scenario {
            Scenario::Propagation => "192.0.2.10, TTL 8 s",
            Scenario::NewName => "NXDOMAIN, cached for the zone's negative TTL of 5 s",
        }
    ));
    tokio::time::sleep(AGE).await;
    let done = lab.apply(&change).await?;
    let serial = done.first().map(|(_, s)| *s).unwrap_or(0);
    note(format!(
        "on the primary, {qname} A was {} (serial {serial}); {secondary} did not get the change",
        match scenario {
            Scenario::Propagation => "changed to 192.0.2.20",
            Scenario::NewName => "created as 192.0.2.30",
        }
    ));
    let lab2 = lab.clone();
    let secondary2 = secondary.clone();
    tokio::spawn(async move {
        tokio::time::sleep(REFRESH).await;
        let _ = lab2.catch_up(&secondary2).await;
    });
    Ok(Played {
        scenario,
        name: qname,
        rtype: RecordType::A,
        events,
        pending: vec![format!(
            "{secondary} catches up {} s after the change (the zone's SOA refresh)",
            REFRESH.as_secs()
        )],
    })
}

async fn prime(transport: &Arc<dyn Transport>, resolver: SocketAddr, qname: &Name) {
    let opts = QueryOptions {
        recursion_desired: true,
        timeout: Duration::from_secs(2),
        ..QueryOptions::default()
    };
    let q = build_query(qname, RecordType::A, &opts);
    let _ = transport.exchange(resolver, &q, &opts).await;
}
