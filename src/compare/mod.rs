//! `compare`: the same question to many resolvers and to every authoritative server of the
//! zone, at the same moment, and the analysis of why they differ.
//!
//! [`run`] (or [`Session::start`] then [`Session::round`]) does it all; the stages are public
//! and testable alone:
//! 1. `discover`: find the zone's authoritative servers with a trace (the delegation's NS
//!    set) plus the zone's own NS set (a secondary the parent does not list is found too);
//! 2. `observe`: ask every server in parallel (RD=1 for resolvers, RD=0 plus an SOA
//!    question for authoritative servers) and keep the evidence;
//! 3. [`analyze`]: group identical answer sets, pick the authoritative reference (the data
//!    of the highest SOA serial), and derive [`Finding`]s: cache ages, old cached answers, lagging
//!    secondaries, negative caching, failures. Findings are data; the binary words them.
//!
//! A lab scenario (`--scenario`) is played first when asked for: it sets the question.

mod analyze;
mod discover;
mod observe;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use hickory_proto::rr::{Name, RecordType};

pub use analyze::{
    Agreement, AnswerKey, Comparison, Context, Finding, Group, PrimaryBy, Problem, ServerView,
    Status, TransportDifference, TtlSource, WorstSource, analyze, serial_newer,
};
pub use discover::{Discovery, DiscoveryError, discover, zone_of};
pub use observe::observe;
pub(crate) use observe::soa_of;

use crate::lab::Lab;
use crate::lab::scenario::{self, Played, Scenario};
use crate::target::Target;
use crate::trace::TraceOptions;
use crate::wire::{Exchange, QueryOptions, Transport, WireError};

/// Resolver or authoritative server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A recursive resolver (asked with RD=1).
    Resolver,
    /// An authoritative server of the zone (asked with RD=0).
    Authoritative,
}

/// A server to ask, and in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// Who and where.
    pub target: Target,
    /// Resolver or authoritative.
    pub kind: Kind,
}

/// The SOA timers of a zone as one authoritative server serves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soa {
    /// The primary server the zone names (MNAME).
    pub mname: Name,
    /// The zone's version.
    pub serial: u32,
    /// How often secondaries check the primary.
    pub refresh: u32,
    /// How soon they retry after a failed check.
    pub retry: u32,
    /// How long they keep answering without reaching the primary.
    pub expire: u32,
    /// The negative-caching bound (RFC 2308).
    pub minimum: u32,
    /// The SOA record's own TTL.
    pub ttl: u32,
}

/// One server's answer (or failure), with the time it was asked.
#[derive(Debug)]
pub struct Observation {
    /// The server.
    pub server: Server,
    /// The answer to the question, or why none came.
    pub result: Result<Exchange, WireError>,
    /// For authoritative servers: the zone's SOA as this server serves it.
    pub soa: Option<Soa>,
    /// When the question was sent.
    pub at: SystemTime,
}

/// What to compare.
#[derive(Debug, Clone)]
pub enum Question {
    /// This name and type.
    Name(Name, RecordType),
    /// The question a lab scenario sets, after playing it.
    Scenario(Scenario),
}

/// Where the authoritative servers come from.
#[derive(Debug, Clone)]
pub enum Authoritative {
    /// Found by a trace from these roots.
    Discover(TraceOptions),
    /// Given (`--auth`); the zone is asked of the first one.
    Given(Vec<Target>),
}

/// A complete `compare` run.
#[derive(Debug, Clone)]
pub struct ComparePlan {
    /// The question.
    pub question: Question,
    /// The resolvers to ask.
    pub resolvers: Vec<Target>,
    /// The authoritative side.
    pub authoritative: Authoritative,
    /// Timeouts and retries for every question (RD is set per server).
    pub query: QueryOptions,
}

/// Why a comparison could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    /// A scenario was asked for without a lab to play it on.
    #[error("--scenario plays on the embedded lab: add --lab")]
    ScenarioNeedsLab,
    /// Playing the scenario failed.
    #[error("lab: {0}")]
    Lab(#[from] crate::lab::LabError),
}

/// Everything set up once for a comparison: the question, the servers, the zone; asked again
/// in every round.
pub struct Session {
    transport: Arc<dyn Transport>,
    query: QueryOptions,
    /// The name compared.
    pub name: Name,
    /// The type compared.
    pub rtype: RecordType,
    /// The zone holding the name, when known.
    pub zone: Option<Name>,
    /// Every server asked, resolvers first.
    pub servers: Vec<Server>,
    /// How the authoritative servers were found, when they were: or why not.
    pub discovery: Option<Result<Discovery, DiscoveryError>>,
    /// The scenario played first, if any.
    pub played: Option<Played>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("name", &self.name)
            .field("rtype", &self.rtype)
            .field("zone", &self.zone)
            .field("servers", &self.servers.len())
            .finish()
    }
}

/// One round of questions and its analysis.
#[derive(Debug)]
pub struct Round {
    /// The analysis.
    pub comparison: Comparison,
    /// The asking stage: from the first question to the last answer or timeout.
    pub elapsed: Duration,
}

impl Session {
    /// Play the scenario (if any), find the authoritative servers and the zone.
    ///
    /// # Errors
    /// [`CompareError`] when a scenario cannot be played.
    pub async fn start(
        transport: Arc<dyn Transport>,
        plan: ComparePlan,
        lab: Option<&Arc<Lab>>,
    ) -> Result<Self, CompareError> {
        let (name, rtype, played) = match plan.question {
            Question::Name(name, rtype) => (name, rtype, None),
            Question::Scenario(s) => {
                let lab = lab.ok_or(CompareError::ScenarioNeedsLab)?;
                let played = scenario::play(lab, transport.clone(), s).await?;
                (played.name.clone(), played.rtype, Some(played))
            }
        };
        let mut servers: Vec<Server> = plan
            .resolvers
            .into_iter()
            .map(|target| Server {
                target,
                kind: Kind::Resolver,
            })
            .collect();
        let (zone, discovery) = match plan.authoritative {
            Authoritative::Discover(options) => {
                match discover(transport.clone(), &options, &name, rtype).await {
                    Ok(d) => {
                        servers.extend(d.servers.iter().cloned());
                        (Some(d.zone.clone()), Some(Ok(d)))
                    }
                    Err(e) => (None, Some(Err(e))),
                }
            }
            Authoritative::Given(targets) => {
                let zone = match targets.first() {
                    Some(t) => zone_of(&transport, t.addr, &name, &plan.query).await,
                    None => None,
                };
                servers.extend(targets.into_iter().map(|target| Server {
                    target,
                    kind: Kind::Authoritative,
                }));
                (zone, None)
            }
        };
        Ok(Self {
            transport,
            query: plan.query,
            name,
            rtype,
            zone,
            servers,
            discovery,
            played,
        })
    }

    /// Ask every server once and analyse the answers.
    pub async fn round(&self) -> Round {
        let asked = Instant::now();
        let observations = observe(
            self.transport.clone(),
            &self.servers,
            &self.name,
            self.rtype,
            self.zone.as_ref(),
            &self.query,
        )
        .await;
        let elapsed = asked.elapsed();
        Round {
            comparison: analyze(&self.name, self.rtype, &observations, &self.context()),
            elapsed,
        }
    }

    /// What the analysis should know beyond the answers: when the data changed (a scenario
    /// knows) and which servers resolvers starting from the root are never sent to.
    pub fn context(&self) -> Context {
        Context {
            changed_at: self.played.as_ref().and_then(Played::changed_at),
            hidden: match &self.discovery {
                Some(Ok(d)) => d.child_only.iter().map(crate::present::name).collect(),
                _ => Vec::new(),
            },
            dnssec: match &self.discovery {
                Some(Ok(d)) => d.dnssec.as_ref().map(|r| r.status.clone()),
                _ => None,
            },
        }
    }
}

/// Set up a comparison and run its first round.
///
/// # Errors
/// [`CompareError`] when a scenario cannot be played.
pub async fn run(
    transport: Arc<dyn Transport>,
    plan: ComparePlan,
    lab: Option<&Arc<Lab>>,
) -> Result<(Session, Round), CompareError> {
    let session = Session::start(transport, plan, lab).await?;
    let round = session.round().await;
    Ok((session, round))
}

/// Seconds since the Unix epoch, for wall-clock times in findings.
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}
