//! The analysis: from observations to groups, statuses and findings, in four pure stages.
//!
//! 1. `reduce`: each observation becomes a [`ServerView`] with its answer reduced to what must
//!    agree (the data, not the TTLs), or the [`Problem`] that kept it from answering;
//! 2. `group`: the primary (the authoritative server with the highest serial) is chosen once,
//!    identical answers are grouped, the primary's group first;
//! 3. `findings`: statuses, cache ages and the [`Finding`]s that explain the differences;
//! 4. `serial`: RFC 1982 serial arithmetic, used to find the highest serial.
//!
//! Findings are data; the binary's vocabulary words them.

mod findings;
mod group;
mod reduce;
mod serial;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, Record, RecordType};

pub use serial::serial_newer;

use super::{Kind, Observation, Soa, unix_secs};
use crate::wire::WireError;

/// What a server said, reduced to what must agree: the data, not the TTLs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnswerKey {
    /// Records (CNAME links included), as sorted `name TYPE data` lines in presentation form.
    Data(Vec<String>),
    /// NXDOMAIN.
    NxDomain,
    /// NOERROR without data of the type.
    NoData,
}

impl AnswerKey {
    /// The key a server's answer holding exactly `records` reduces to (an RRset from a zone
    /// file, to compare with what servers serve); NODATA when there are none.
    pub fn of_records(records: &[Record]) -> Self {
        let mut lines: Vec<String> = records.iter().map(reduce::line).collect();
        if lines.is_empty() {
            return AnswerKey::NoData;
        }
        lines.sort();
        lines.dedup();
        AnswerKey::Data(lines)
    }
}

/// How a server compares with the authoritative answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Same data as the authoritative reference.
    Agrees,
    /// A resolver serves other data from its cache (an old answer, or a cached NXDOMAIN):
    /// it goes away when its TTL runs out.
    Cached,
    /// A resolver that has just fetched old data, with its whole TTL left, from a lagging
    /// secondary it was sent to: not an old cache, a fresh copy of old data.
    FromLagging,
    /// An authoritative server behind the primary's serial: a secondary that has not caught
    /// up yet.
    Lagging,
    /// A validating resolver answered SERVFAIL because the data is DNSSEC-bogus: it did its
    /// job.
    Rejected,
    /// Different data with no such explanation.
    Differs,
    /// No usable answer (timeout, refusal, SERVFAIL, REFUSED, not authoritative).
    Error,
}

impl Status {
    /// Whether it will pass by itself (a cache expiring, a secondary catching up).
    pub fn passes(self) -> bool {
        matches!(self, Status::Cached | Status::FromLagging | Status::Lagging)
    }
}

/// What the analysis should know beyond the answers.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// When the data changed (Unix seconds), when known (a lab scenario knows).
    pub changed_at: Option<u64>,
    /// Labels of authoritative servers that resolvers starting from the root are never sent
    /// to (named only in the zone's own NS set): what only they serve reaches nobody.
    pub hidden: Vec<String>,
    /// The DNSSEC status of the answer, from the chain of trust the discovery trace checked.
    pub dnssec: Option<crate::dnssec::Status>,
}

/// Why a server is taken as the primary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimaryBy {
    /// The zone's SOA names it (MNAME), and it has the highest serial.
    Mname,
    /// It has the highest serial (the SOA MNAME is not among the servers asked, or is behind).
    HighestSerial,
    /// It is the only authoritative server that answered.
    Only,
}

/// Where a cached answer's original TTL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TtlSource {
    /// An authoritative server still serves the old record with it.
    StillServed {
        /// That server.
        server: String,
    },
    /// Nobody serves the old record any more: the RRset's TTL at the source now, assuming it
    /// kept its TTL when its data changed.
    Assumed,
}

/// Why a server gave no usable answer.
#[derive(Debug, Clone)]
pub enum Problem {
    /// No response at all.
    NoResponse(WireError),
    /// A response with an rcode that carries no answer (SERVFAIL, REFUSED, ...).
    Rcode(ResponseCode),
    /// An authoritative server answered without AA: it does not serve the zone (lame).
    NotAuthoritative,
    /// A resolver answered RA=0 with nothing: it does not offer us recursion.
    NoRecursion,
}

/// One server in the comparison.
#[derive(Debug, Clone)]
pub struct ServerView {
    /// Label.
    pub label: String,
    /// Address.
    pub addr: std::net::SocketAddr,
    /// The transport of the question (of its answer, when one came).
    pub transport: crate::wire::Protocol,
    /// Over DoT/DoH/DoQ: whether an earlier question's connection carried it.
    pub reused: Option<bool>,
    /// Over DoT/DoH/DoQ under `--insecure`: the certificate was not checked.
    pub unverified: bool,
    /// Resolver or authoritative.
    pub kind: Kind,
    /// The rcode, when a response came.
    pub rcode: Option<ResponseCode>,
    /// AA flag of the response.
    pub aa: bool,
    /// The answer section.
    pub answer: Vec<Record>,
    /// The SOA in a negative answer's authority section.
    pub negative_soa: Option<Record>,
    /// The reduced answer, when usable.
    pub key: Option<AnswerKey>,
    /// Index into [`Comparison::groups`].
    pub group: Option<usize>,
    /// The TTL the server gave: of the answer RRset, or of the SOA in a negative answer.
    pub ttl: Option<u32>,
    /// Round-trip time in ms.
    pub rtt_ms: Option<f64>,
    /// The zone's SOA from this server (authoritative servers).
    pub soa: Option<Soa>,
    /// The verdict.
    pub status: Status,
    /// Estimated seconds the answer has been in this resolver's cache.
    pub cache_age: Option<u32>,
    /// The cache age rests on an assumption: the data changed, so the TTL it was fetched with
    /// is not the reference's; it is taken from a server still serving the old record, or
    /// the RRset's TTL now, or the zone's negative TTL (the finding says which).
    pub cache_age_inferred: bool,
    /// Seconds until this resolver must drop the answer.
    pub expires_in: Option<u32>,
    /// When it was asked (Unix seconds).
    pub asked_at: u64,
    /// Why it gave no usable answer, for `Error`.
    pub problem: Option<Problem>,
    /// The AD flag of the response: a validating resolver vouches for the data.
    pub ad: bool,
    /// Extended DNS Errors it attached (RFC 8914).
    pub ede: Vec<crate::wire::Ede>,
}

impl ServerView {
    /// The zone's SOA serial as this server serves it.
    pub fn serial(&self) -> Option<u32> {
        self.soa.as_ref().map(|s| s.serial)
    }
}

/// Servers that gave the same answer.
#[derive(Debug, Clone)]
pub struct Group {
    /// The shared answer.
    pub key: AnswerKey,
    /// Indexes into [`Comparison::servers`].
    pub members: Vec<usize>,
}

/// Where the longest possible life of old data comes from.
/// How the transports of one server differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportDifference {
    /// Different data (or one failed where another answered).
    Answers,
    /// The same data, with TTLs apart by more than the questions' spread: each transport's
    /// front end has its own cache. `(label, ttl)`.
    Caches(Vec<(String, u32)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorstSource {
    /// An authoritative server still serves the old record with this TTL.
    StillServed {
        /// That server.
        server: String,
        /// The old record's TTL there.
        ttl: u32,
    },
    /// The old record's TTL is assumed to be the RRset's TTL now.
    Assumed {
        /// That TTL.
        ttl: u32,
    },
    /// Only a resolver's remaining TTL is known.
    ResolverLeft {
        /// The resolver.
        server: String,
        /// Its remaining TTL.
        ttl: u32,
    },
    /// The zone's negative-caching TTL bounds a cached NXDOMAIN/NODATA.
    NegativeTtl,
}

/// A fact the analysis established, with its evidence. The binary's vocabulary words it.
#[derive(Debug, Clone)]
pub enum Finding {
    /// The authoritative answer (group 0), from the primary.
    Reference {
        /// The server it was taken from.
        server: String,
        /// Why that server is the primary.
        by: PrimaryBy,
        /// Its serial, if known.
        serial: Option<u32>,
        /// Its TTL at the source.
        ttl: Option<u32>,
    },
    /// A resolver agrees; its remaining TTL tells how long it has had the answer.
    CacheAge {
        server: String,
        ttl: u32,
        authoritative_ttl: u32,
        age: u32,
        expires_at: u64,
    },
    /// A resolver's TTL is above the authoritative TTL: its age cannot be told.
    TtlAboveAuthoritative {
        server: String,
        ttl: u32,
        authoritative_ttl: u32,
    },
    /// A resolver serves other (older) data from its cache.
    CachedOld {
        server: String,
        /// The group it serves.
        group: Option<usize>,
        /// What it serves.
        served: AnswerKey,
        ttl: u32,
        expires_at: u64,
        /// The TTL that data was cached with, and where that figure comes from.
        original: Option<(u32, TtlSource)>,
    },
    /// A resolver has just fetched old data, from a secondary that lags (its TTL is whole).
    /// Resolvers answered SERVFAIL (or did not vouch with AD) because of DNSSEC: the chain
    /// of trust the discovery trace checked says why.
    Dnssec {
        /// The chain's verdict on the answer.
        status: Box<crate::dnssec::Status>,
        /// Resolvers that answered SERVFAIL: they validate and reject the data.
        rejected: Vec<String>,
        /// Resolvers that set AD: they validated the data.
        validated: Vec<String>,
        /// Resolvers that passed the data on without AD: they do not validate (or the data
        /// is insecure).
        passed: Vec<String>,
    },
    FreshFromLagging {
        server: String,
        /// The group it serves.
        group: Option<usize>,
        /// What it serves.
        served: AnswerKey,
        /// The secondary it could only have come from.
        secondary: String,
        ttl: u32,
        expires_at: u64,
    },
    /// A resolver serves a cached NXDOMAIN/NODATA for a name that now has data.
    NegativeCache {
        server: String,
        ttl: u32,
        expires_at: u64,
        /// min(SOA TTL, MINIMUM) at the primary: how long any resolver may cache it.
        negative_ttl: Option<u32>,
    },
    /// The longest any cache anywhere may still hold old data.
    WorstCase {
        /// How long a cache may hold it: after the change (a TTL at the source), or from now
        /// (`ResolverLeft`: only a remaining TTL is known).
        old_ttl: u32,
        /// Where that figure comes from.
        source: WorstSource,
        /// The REFRESH of a lagging secondary that resolvers are sent to and that still hands
        /// the old data out, if any.
        secondary_refresh: Option<u32>,
        /// When the data changed (Unix seconds), when known.
        changed_at: Option<u64>,
        /// When the questions were asked (Unix seconds): "from now".
        now: u64,
    },
    /// An authoritative server is behind the primary.
    LaggingSecondary {
        server: String,
        serial: u32,
        primary: String,
        primary_serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
        /// Whether the parent's delegation names it (resolvers are sent to it).
        in_delegation: bool,
    },
    /// Authoritative servers with the same serial give different data.
    AuthoritativeConflict { servers: Vec<String> },
    /// The answer is negative at the source: resolvers may cache it.
    NegativeAtSource { negative_ttl: u32 },
    /// Several servers agree on the data but show different TTLs: cache age only.
    TtlOnly { min: u32, max: u32, servers: usize },
    /// One server's address asked over several transports (port 53, DoT, DoH, DoQ) gave
    /// different answers, or the same data with TTLs that only separate caches explain.
    Transports {
        /// The shared address.
        address: std::net::IpAddr,
        /// The rows, as labelled.
        servers: Vec<String>,
        /// How they differ.
        difference: TransportDifference,
    },
    /// A server gave no usable answer.
    Failed {
        server: String,
        kind: Kind,
        problem: Problem,
    },
    /// No authoritative server gave a usable answer: nothing to compare against.
    NoReference,
    /// The zone's servers answer with an alias into another zone; only the alias is compared.
    AliasOnly,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The name compared.
    pub name: Name,
    /// The type compared.
    pub rtype: RecordType,
    /// Every server, in the order asked (resolvers first).
    pub servers: Vec<ServerView>,
    /// Identical answers; the authoritative one first when there is one.
    pub groups: Vec<Group>,
    /// The reference group's index (0 when there is one).
    pub reference: Option<usize>,
    /// The primary: the authoritative server whose answer is the reference.
    pub primary: Option<usize>,
    /// The TTL of the answer at the primary.
    pub authoritative_ttl: Option<u32>,
    /// Every server that answered agrees with the reference.
    pub consistent: bool,
    /// What the analysis found, in reading order.
    pub findings: Vec<Finding>,
    /// When the questions were asked (Unix seconds).
    pub at: u64,
}

/// How many servers of one kind agree with the authoritative answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Agreement {
    /// Servers of the kind whose status is `agrees`.
    pub agree: usize,
    /// Servers of the kind asked.
    pub of: usize,
}

impl Comparison {
    /// Resolvers and authoritative servers are counted apart: an authoritative server agreeing
    /// with itself says nothing about caches.
    pub fn agreement(&self, kind: Kind) -> Agreement {
        let of: Vec<&ServerView> = self.servers.iter().filter(|s| s.kind == kind).collect();
        Agreement {
            agree: of.iter().filter(|s| s.status == Status::Agrees).count(),
            of: of.len(),
        }
    }

    /// Whether asking again later can change the verdict by itself: something cached or a
    /// lagging secondary will expire. A dead server or a conflict needs a person.
    pub fn waiting_helps(&self) -> bool {
        self.servers.iter().any(|s| s.status.passes())
    }

    /// Whether any server sent a response.
    pub fn any_reply(&self) -> bool {
        self.servers.iter().any(|s| s.rcode.is_some())
    }

    /// The exit code for this comparison (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        if self.consistent {
            crate::exit::OK
        } else if !self.any_reply() {
            crate::exit::NO_REPLY
        } else {
            crate::exit::FAILED
        }
    }

    /// The group a server belongs to.
    pub fn group_of(&self, server: &ServerView) -> Option<&Group> {
        server.group.and_then(|g| self.groups.get(g))
    }
}

/// Compare what every server said.
pub fn analyze(
    name: &Name,
    rtype: RecordType,
    observations: &[Observation],
    context: &Context,
) -> Comparison {
    let at = observations
        .iter()
        .map(|o| unix_secs(o.at))
        .min()
        .unwrap_or(0);
    let mut servers = reduce::views(name, rtype, observations);
    let primary = group::primary(&servers);
    let alias_only = reduce::alias_only(&mut servers, primary, rtype);
    let (groups, reference) = group::groups(&mut servers, primary);
    let derived = findings::derive(
        &mut servers,
        &groups,
        findings::Facts {
            primary,
            reference,
            alias_only,
            context,
            at,
        },
    );
    let answered: Vec<&ServerView> = servers.iter().filter(|s| s.key.is_some()).collect();
    let consistent = reference.is_some()
        && !answered.is_empty()
        && answered.iter().all(|s| s.status == Status::Agrees)
        && servers
            .iter()
            .all(|s| !matches!(s.status, Status::Error | Status::Rejected));
    Comparison {
        name: name.clone(),
        rtype,
        servers,
        groups,
        reference,
        primary,
        authoritative_ttl: derived.authoritative_ttl,
        consistent,
        findings: derived.findings,
        at,
    }
}

/// min(SOA TTL, SOA MINIMUM): how long a negative answer may be cached (RFC 2308 §5).
fn negative_ttl(soa: &Record) -> Option<u32> {
    match &soa.data {
        hickory_proto::rr::RData::SOA(s) => Some(soa.ttl.min(s.minimum)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
