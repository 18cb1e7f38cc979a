//! `trace`: iterative resolution from the root down, as a resolver with an empty cache does
//! it, keeping every question, every server's outcome and every decision.
//!
//! The result is a [`Trace`]: a flat list of [`Step`]s (one question asked of one zone's
//! servers) with their [`Attempt`]s (one server each), linked by `parent` where a step was
//! needed to find a name server's address (a glueless delegation). Later stages (DNSSEC
//! verdicts, explanations, batch caches) annotate this structure; the renderers read it.
//!
//! Strategy (see `walk.rs`): at each zone cut every known address of the zone's servers is
//! asked in parallel and the first usable response is followed ([`Fanout::All`]); the others
//! are still recorded as they come in. [`Fanout::One`] asks one server at a time, as dig does.

mod classify;
pub mod hints;
mod walk;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, Record, RecordType};

pub use classify::{Negative, Referral, Verdict, classify};

use crate::wire::{Exchange, QueryOptions, Transport, WireError};

/// How many servers of a zone to ask at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    /// Every known address in parallel; follow the first usable response.
    All,
    /// One server at a time, the next only when one fails (dig's way).
    One,
}

/// A root server to start from.
#[derive(Debug, Clone)]
pub struct RootServer {
    /// Its host name, when known.
    pub name: Option<Name>,
    /// Its address.
    pub addr: SocketAddr,
}

/// Where the root servers came from, printed first in every trace.
#[derive(Debug, Clone)]
pub enum StartFrom {
    /// dnscope's built-in IANA hints, with their date.
    BuiltIn { date: &'static str },
    /// A named.root-style file.
    HintsFile(PathBuf),
    /// `--root ADDR` on the command line.
    Given,
    /// The embedded lab's root servers.
    Lab,
}

/// Limits and switches of a trace.
#[derive(Debug, Clone)]
pub struct TraceOptions {
    /// The root servers.
    pub roots: Vec<RootServer>,
    /// Where they came from.
    pub start: StartFrom,
    /// The port for every server address learnt on the way.
    pub port: u16,
    /// All servers at once, or one at a time.
    pub fanout: Fanout,
    /// Per-query options (RD is forced off: we ask authoritative servers).
    pub query: QueryOptions,
    /// Total queries allowed for the whole trace, nested lookups included.
    pub budget: usize,
    /// Referrals allowed in one resolution.
    pub max_referrals: usize,
    /// How deep glueless lookups may nest (a lookup needed for a lookup ...).
    pub max_depth: usize,
    /// CNAME links allowed in one chain.
    pub max_cnames: usize,
    /// NS names looked up at most per glueless delegation.
    pub max_ns_lookups: usize,
    /// Wall-clock limit for the whole trace.
    pub deadline: Duration,
    /// Use IPv4 server addresses.
    pub ipv4: bool,
    /// Use IPv6 server addresses.
    pub ipv6: bool,
    /// How long to wait, once the outcome is known, for the servers that lost the race.
    pub stragglers: Stragglers,
}

/// What to do about queries still in flight when the outcome is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stragglers {
    /// Wait a short grace period (three times the slowest RTT seen, 50 ms at least, the
    /// query timeout at most), so that their outcome can be shown.
    Grace,
    /// Wait for every one to answer or time out.
    All,
    /// Do not wait: report them as "no reply yet".
    None,
}

impl Default for TraceOptions {
    fn default() -> Self {
        Self {
            roots: Vec::new(),
            start: StartFrom::Given,
            port: 53,
            fanout: Fanout::All,
            query: QueryOptions {
                recursion_desired: false,
                ..QueryOptions::default()
            },
            budget: 150,
            max_referrals: 24,
            max_depth: 6,
            max_cnames: 12,
            max_ns_lookups: 4,
            deadline: Duration::from_secs(30),
            ipv4: true,
            ipv6: true,
            stragglers: Stragglers::Grace,
        }
    }
}

impl TraceOptions {
    /// Point a trace at a running lab: its root servers, its port for every address learnt.
    pub fn start_at_lab(&mut self, lab: &crate::lab::Lab) {
        self.roots = lab
            .root_servers()
            .iter()
            .map(|s| RootServer {
                name: Some(s.name.clone()),
                addr: lab.addr(s),
            })
            .collect();
        self.start = StartFrom::Lab;
        self.port = lab.port();
    }
}

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
    /// The server's host name, when known.
    pub server: Option<Name>,
    /// Where the query went.
    pub addr: SocketAddr,
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
        match &self.status {
            AttemptStatus::Done(Ok(x)) => Some(x.rtt),
            _ => None,
        }
    }
}

/// A name server address lookup done for a step (glueless delegation).
#[derive(Debug, Clone)]
pub struct NsLookup {
    /// The NS name looked up.
    pub ns: Name,
    /// Addresses found, or why none.
    pub result: Result<Vec<std::net::IpAddr>, String>,
    /// Wall time of the lookup.
    pub elapsed: Duration,
    /// Its cold best path.
    pub cold: Duration,
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
}

impl Step {
    /// The verdict of the attempt that was followed.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.chosen
            .and_then(|i| self.attempts.get(i))
            .and_then(|a| a.verdict.as_ref())
    }
}

/// A limit that ended a trace early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// The query budget.
    Budget(usize),
    /// Too many referrals in one resolution.
    Referrals(usize),
    /// Glueless lookups nested too deep.
    Depth(usize),
    /// Too many CNAME links.
    Cnames(usize),
    /// The overall deadline.
    Deadline(Duration),
}

/// Why a resolution failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No server of the zone replied at all (timeouts, nothing listening).
    NoReply,
    /// Servers replied, but none usefully (lame, REFUSED, SERVFAIL, bad responses).
    Unusable,
    /// The zone's NS names have no address and could not be looked up.
    NoAddress,
    /// A CNAME chain came back to a name already seen.
    CnameLoop,
    /// Finding a name server's address needed that same name server (A needs B needs A).
    GluelessCycle,
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
        /// The servers involved and a one-line account.
        detail: String,
    },
    /// A limit was hit; the steps so far are kept.
    Limit {
        /// Which limit.
        limit: Limit,
        /// Where it was hit.
        detail: String,
    },
}

impl End {
    /// The rcode a resolver would return for this end.
    pub fn rcode(&self) -> hickory_proto::op::ResponseCode {
        use hickory_proto::op::ResponseCode;
        match self {
            End::Answer | End::NoData(_) => ResponseCode::NoError,
            End::NxDomain(_) => ResponseCode::NXDomain,
            End::Failed { .. } | End::Limit { .. } => ResponseCode::ServFail,
        }
    }

    /// An answer or a proper negative answer was reached.
    pub fn is_success(&self) -> bool {
        matches!(self, End::Answer | End::NxDomain(_) | End::NoData(_))
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
    pub roots: Vec<RootServer>,
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
    /// Wall time.
    pub elapsed: Duration,
    /// The sum over the main path of the fastest usable RTT at each step, plus the NS
    /// lookups on that path: what a resolver with an empty cache must wait at least.
    pub cold_best_path: Duration,
}

/// Trace `name`/`rtype` from the roots in `options`.
pub async fn run(
    transport: Arc<dyn Transport>,
    options: TraceOptions,
    name: Name,
    rtype: RecordType,
) -> Trace {
    walk::run(transport, options, name, rtype).await
}
