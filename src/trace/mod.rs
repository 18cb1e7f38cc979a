//! `trace`: iterative resolution from the root down, as a resolver with an empty cache does
//! it, keeping every question, every server's outcome and every decision.
//!
//! The result is a [`Trace`]: a flat list of [`Step`]s (one question asked of one zone's
//! servers) with their [`Attempt`]s (one server each), linked by `parent` where a step was
//! needed to find a name server's address (a glueless delegation). Everything in it is typed
//! data: how a trace ended ([`End`], [`Failure`], [`Limit`]), what each response meant
//! ([`Verdict`], [`LameReason`]), why a name server's address could not be found
//! ([`NsLookupError`]). The renderers word it; later stages (DNSSEC, batch caches) annotate
//! it. Other modules read it through the accessors on [`Trace`] rather than walking it.
//!
//! Strategy: at each zone cut every known address of the zone's servers is asked in parallel
//! and the first usable response is followed ([`Fanout::All`]); the others are still recorded
//! as they come in. [`Fanout::One`] asks one server at a time, as dig does. The pieces:
//! `cache.rs` (the delegation cache: zone cuts and server addresses learnt), `walker.rs`
//! (shared state, budget, waiting for late servers), `resolve.rs` (the resolution loop),
//! `fanout.rs` (asking a zone's servers and recording each outcome), `glueless.rs` (looking up
//! the addresses of name servers that came without glue), `classify.rs` (what a response means).

mod cache;
mod checks;
mod classify;
mod fanout;
mod glueless;
pub mod hints;
mod keys;
mod options;
mod resolve;
mod summary;
mod walker;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, Record, RecordType};

pub use checks::{NsMismatch, ZoneNs};
pub use classify::{BadReason, Glue, LameReason, Negative, Referral, Verdict, classify};
pub use keys::KeyFetch;
pub use options::{Family, Fanout, NameServer, StartFrom, Stragglers, TraceOptions};
pub use summary::{CutPath, Governing, TldCuts};
pub use walker::Live;

use crate::wire::{Exchange, Transport, WireError};

/// Addresses asked at once at one zone cut, at most (a zone with a huge NS set must not turn
/// one step into a flood; see dnsviz#119).
const MAX_FANOUT: usize = 32;

/// Why a step was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// The name being resolved (or a CNAME target on its way).
    Resolve,
    /// The address of a name server whose delegation came without glue.
    NsAddress {
        /// The zone that server serves.
        for_zone: Name,
    },
}

/// What happened to one query to one server.
// A trace holds tens of attempts, and matching on `Done(Ok(x))` reads better unboxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum AttemptStatus {
    /// Sent; no result when the trace ended (the trace had moved on).
    Pending,
    /// Not sent: the query budget was spent.
    NotSent,
    /// A response, or an error from the wire layer.
    Done(Result<Exchange, WireError>),
    /// Sent, and the trace finished before it was answered: waited this long.
    Abandoned(Duration),
}

/// One query to one server within a step.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The server asked.
    pub ns: NameServer,
    /// When it was sent, from the start of the trace.
    pub sent_at: Duration,
    /// What came of it.
    pub status: AttemptStatus,
    /// What the response means, when there was one.
    pub verdict: Option<Verdict>,
}

impl Attempt {
    /// The round-trip time, when a response came.
    pub fn rtt(&self) -> Option<Duration> {
        self.exchange().map(|x| x.rtt)
    }

    /// The exchange, when a response came.
    pub fn exchange(&self) -> Option<&Exchange> {
        match &self.status {
            AttemptStatus::Done(Ok(x)) => Some(x),
            _ => None,
        }
    }

    /// Whether a resolver could move on with this attempt's response.
    pub fn is_usable(&self) -> bool {
        self.verdict.as_ref().is_some_and(Verdict::is_good)
    }
}

/// Why a name server's address lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsLookupError {
    /// Finding the address needs that same address.
    Cycle(Cycle),
    /// The answer held no address record.
    NoAddressInAnswer,
    /// The name server's name does not exist.
    NxDomain,
    /// The name exists without an address record.
    NoData,
    /// The lookup failed at `zone`.
    Failed {
        /// Where it failed.
        zone: Name,
        /// Why.
        failure: Box<Failure>,
    },
    /// The lookup hit a limit.
    Limit(Limit),
    /// The trace ended before the lookup did.
    Unfinished,
}

/// A glueless cycle: a name server's address can only be found through itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cycle {
    /// The name server lies inside the zone it serves, and the parent sent no glue.
    InOwnZone {
        /// The name server.
        ns: Name,
        /// The zone it serves.
        zone: Name,
    },
    /// Looking up `path[0]` needed `path[1]`, and so on, which needed `path[0]` again.
    Names {
        /// The name servers, in the order their lookups were started.
        path: Vec<Name>,
    },
    /// Each zone is served by a name server whose name lies in the next zone, and the last
    /// one's in the first again.
    Zones {
        /// `(zone, name server)` links, in order.
        links: Vec<(Name, Name)>,
    },
}

/// A name server address lookup done for a step (glueless delegation).
#[derive(Debug, Clone)]
pub struct NsLookup {
    /// The NS name looked up.
    pub ns: Name,
    /// Addresses found, or why none.
    pub result: Result<Vec<IpAddr>, NsLookupError>,
    /// Wall time of the lookup.
    pub elapsed: Duration,
    /// Its cold best path.
    pub cold: Duration,
    /// The step waited for it; false: looked up after the step was decided, only so that
    /// the trace can show that server too.
    pub needed: bool,
}

/// One question asked of one zone's servers.
#[derive(Debug, Clone)]
pub struct Step {
    /// The step that needed this one (a glueless NS lookup), if any.
    pub parent: Option<usize>,
    /// 0 for the main resolution, +1 per level of nested NS lookups.
    pub depth: usize,
    /// Why it was asked.
    pub purpose: Purpose,
    /// The zone whose servers were asked.
    pub zone: Name,
    /// The question.
    pub qname: Name,
    /// The question type.
    pub qtype: RecordType,
    /// The zone's NS names with no known address that were not looked up (other servers
    /// had addresses, or the lookup cap was reached).
    pub unresolved: Vec<Name>,
    /// NS address lookups this step needed first.
    pub ns_lookups: Vec<NsLookup>,
    /// The servers asked, in the order the queries were sent.
    pub attempts: Vec<Attempt>,
    /// The attempt that was followed.
    pub chosen: Option<usize>,
    /// When the step started, from the start of the trace.
    pub started: Duration,
    /// How long until it was decided.
    pub elapsed: Duration,
    /// Whether it was decided (a server's answer followed, or the step failed).
    pub done: bool,
    /// The zone's own NS set as each of its servers gives it (asked alongside the question
    /// at each zone cut of the main resolution, to compare with the parent's delegation).
    pub zone_ns: Vec<ZoneNs>,
}

impl Step {
    /// The attempt that was followed.
    pub fn chosen_attempt(&self) -> Option<&Attempt> {
        self.chosen.and_then(|i| self.attempts.get(i))
    }

    /// The verdict of the attempt that was followed.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.chosen_attempt().and_then(|a| a.verdict.as_ref())
    }

    /// Whether some server sent a response (usable or not).
    pub fn any_reply(&self) -> bool {
        self.attempts.iter().any(|a| a.exchange().is_some())
    }
}

/// A limit that ended a trace early, with where it was hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// The query budget was spent before asking `zone` for `qname`/`qtype`; `partial` when
    /// some of the zone's servers were asked and only the others were left out.
    Budget {
        /// The budget.
        budget: usize,
        /// The zone about to be asked.
        zone: Name,
        /// The question.
        qname: Name,
        /// Its type.
        qtype: RecordType,
        /// Some of the zone's servers had been asked.
        partial: bool,
    },
    /// Too many referrals while resolving `qname`.
    Referrals {
        /// The limit.
        max: usize,
        /// The name being resolved.
        qname: Name,
    },
    /// Looking up the servers of `zone` would nest glueless lookups too deep.
    Depth {
        /// The limit.
        max: usize,
        /// The zone whose servers needed looking up.
        zone: Name,
    },
    /// Too many CNAME links from `qname`.
    Cnames {
        /// The limit.
        max: usize,
        /// Where the chain started.
        qname: Name,
    },
    /// The trace did not finish within the deadline.
    Deadline(Duration),
}

/// Why a resolution failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No server asked at `step` replied at all (timeouts, nothing listening).
    NoReply {
        /// The step whose attempts say what each server did.
        step: usize,
    },
    /// Nothing could be sent at `step`: every attempt failed on this machine (no route, the
    /// network unreachable, no address of the family to send from). Not the servers' fault.
    Local {
        /// The step whose attempts say what the system said.
        step: usize,
    },
    /// Servers replied at `step`, but none usefully (lame, REFUSED, SERVFAIL, bad responses).
    Unusable {
        /// The step whose attempts say what each server did.
        step: usize,
    },
    /// The zone's NS names have no address and could not be looked up (the lookups are in
    /// the step's `ns_lookups`).
    NoAddress {
        /// The step that needed the addresses.
        step: usize,
    },
    /// The zone has no name server with an address and none that could be looked up.
    NoServers,
    /// A CNAME chain came back to a name already seen: the chain, from the first name.
    CnameLoop {
        /// Every name of the chain, then the one it returned to.
        chain: Vec<Name>,
    },
    /// Finding a name server's address needed that same name server (A needs B needs A).
    GluelessCycle(Cycle),
}

/// How a trace ended.
#[derive(Debug, Clone)]
pub enum End {
    /// The answer was found.
    Answer,
    /// The name does not exist.
    NxDomain(Negative),
    /// The name exists without data of this type.
    NoData(Negative),
    /// No server of `zone` could be used.
    Failed {
        /// Where it failed.
        zone: Name,
        /// Why.
        failure: Failure,
    },
    /// A limit was hit; the steps so far are kept.
    Limit(Limit),
}

impl End {
    /// The rcode a resolver would return for this end; None when the trace could not run on
    /// this machine (a local network error is not an answer from the DNS).
    pub fn rcode(&self) -> Option<hickory_proto::op::ResponseCode> {
        use hickory_proto::op::ResponseCode;
        match self {
            End::Answer | End::NoData(_) => Some(ResponseCode::NoError),
            End::NxDomain(_) => Some(ResponseCode::NXDomain),
            End::Failed {
                failure: Failure::Local { .. },
                ..
            } => None,
            End::Failed { .. } | End::Limit(_) => Some(ResponseCode::ServFail),
        }
    }

    /// An answer or a proper negative answer was reached.
    pub fn is_success(&self) -> bool {
        matches!(self, End::Answer | End::NxDomain(_) | End::NoData(_))
    }

    /// The exit code for a trace that ended this way (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        use crate::exit;
        match self {
            End::Answer | End::NxDomain(_) | End::NoData(_) => exit::OK,
            End::Limit(_) => exit::LIMIT,
            End::Failed {
                failure: Failure::NoReply { .. } | Failure::Local { .. },
                ..
            } => exit::NO_REPLY,
            End::Failed { .. } => exit::FAILED,
        }
    }
}

impl Trace {
    /// A trace of nothing (no step, no answer), for checks that need one.
    pub fn empty(name: Name, rtype: RecordType) -> Self {
        Trace {
            name,
            rtype,
            start: StartFrom::Given,
            roots: Vec::new(),
            family: Family::BOTH,
            steps: Vec::new(),
            end: End::Answer,
            cnames: Vec::new(),
            answer: Vec::new(),
            zone_cuts: Vec::new(),
            queries: 0,
            checks: 0,
            elapsed: Duration::ZERO,
            wall: Duration::ZERO,
            cold_best_path: Duration::ZERO,
            fetches: Vec::new(),
            dnssec_queries: 0,
            keys_wait: Duration::ZERO,
            dnssec: None,
        }
    }

    /// The exit code: the end's, or [`crate::exit::BOGUS`] when the resolution succeeded
    /// but DNSSEC says its answer is bogus.
    pub fn exit_code(&self) -> u8 {
        let code = self.end.exit_code();
        let bogus = matches!(
            self.dnssec.as_ref().map(|r| &r.status),
            Some(crate::dnssec::Status::Bogus(_))
        );
        if code == crate::exit::OK && bogus {
            crate::exit::BOGUS
        } else {
            code
        }
    }
}

/// A complete trace.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The name traced.
    pub name: Name,
    /// The type traced.
    pub rtype: RecordType,
    /// Where it started.
    pub start: StartFrom,
    /// The root servers it started from.
    pub roots: Vec<NameServer>,
    /// The address families it used (`-4`/`-6`).
    pub family: Family,
    /// Every question asked, in order.
    pub steps: Vec<Step>,
    /// How it ended.
    pub end: End,
    /// CNAME links followed, in order.
    pub cnames: Vec<Record>,
    /// The final answer RRset (empty unless `end` is `Answer`).
    pub answer: Vec<Record>,
    /// The zones delegated through on the main path, from the root down (a CNAME restart
    /// continues the list).
    pub zone_cuts: Vec<Name>,
    /// Queries sent, nested lookups and TCP retries included.
    pub queries: usize,
    /// Queries sent only to check each zone's own NS set (not part of the resolution).
    pub checks: usize,
    /// Wall time until the outcome was known (the resolution's critical path).
    pub elapsed: Duration,
    /// Wall time until the trace returned: `elapsed` plus the short wait for servers that
    /// lost the race to report their outcome (not part of the resolution).
    pub wall: Duration,
    /// The DNSSEC questions asked for validation (each zone's DNSKEY, missing DS RRsets).
    pub fetches: Vec<KeyFetch>,
    /// DNSKEY and DS questions sent for validation (counted apart from `queries`; some may
    /// still have been on their way when validation had what it needed).
    pub dnssec_queries: usize,
    /// How long, after the outcome, the trace waited for DNSSEC answers still on their way.
    pub keys_wait: Duration,
    /// The DNSSEC validation, unless it was turned off (`--no-dnssec`).
    pub dnssec: Option<crate::dnssec::Report>,
    /// The sum over the main path of the fastest usable RTT at each step, plus the NS
    /// lookups on that path: what a resolver with an empty cache must wait at least.
    pub cold_best_path: Duration,
}

impl Trace {
    /// The steps of the main resolution (not nested NS lookups), with their indexes.
    pub fn main_steps(&self) -> impl Iterator<Item = (usize, &Step)> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.parent.is_none())
    }

    /// The steps nested directly under step `index` (its NS lookups), with their indexes.
    pub fn children(&self, index: usize) -> impl Iterator<Item = (usize, &Step)> {
        self.steps
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.parent == Some(index))
    }

    /// The first main step whose servers answered for the name itself (an answer, a CNAME
    /// or a negative answer): the zone holding the name.
    pub fn answering_step(&self) -> Option<(usize, &Step)> {
        self.main_steps().find(|(_, s)| {
            matches!(
                s.verdict(),
                Some(
                    Verdict::Answer { .. }
                        | Verdict::Cname { .. }
                        | Verdict::NxDomain(_)
                        | Verdict::NoData(_)
                )
            )
        })
    }

    /// The referral on the main path that delegated `zone` (the parent's view of its NS set).
    pub fn delegation_of(&self, zone: &Name) -> Option<&Referral> {
        self.main_steps().find_map(|(_, s)| match s.verdict() {
            Some(Verdict::Referral(r)) if r.zone == *zone => Some(r),
            _ => None,
        })
    }

    /// Every address in the final answer (A and AAAA).
    pub fn answer_addresses(&self) -> Vec<IpAddr> {
        addresses(&self.answer)
    }
}

/// The A and AAAA addresses among `records`.
pub fn addresses(records: &[Record]) -> Vec<IpAddr> {
    records
        .iter()
        .filter_map(|r| match &r.data {
            hickory_proto::rr::RData::A(a) => Some(IpAddr::V4(a.0)),
            hickory_proto::rr::RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

/// Trace `name`/`rtype` from the roots in `options`.
pub async fn run(
    transport: Arc<dyn Transport>,
    options: TraceOptions,
    name: Name,
    rtype: RecordType,
) -> Trace {
    walker::run(transport, options, name, rtype, None).await
}

/// The same, publishing the steps so far on `live` each time one changes, so that a display
/// can show them while the trace runs.
pub async fn run_live(
    transport: Arc<dyn Transport>,
    options: TraceOptions,
    name: Name,
    rtype: RecordType,
    live: tokio::sync::watch::Sender<Live>,
) -> Trace {
    walker::run(transport, options, name, rtype, Some(live)).await
}
