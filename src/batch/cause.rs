//! Why a row is not as intended, as causes that many rows can share: a batch explains
//! "ns2 serves serial 2026112801 for 14 names", not fourteen times the same sentence.

use hickory_proto::rr::Name;

use super::Intended;
use super::check::{Check, ServerCheck};
use crate::compare::{AnswerKey, Comparison, Finding, Kind, Problem, Status};
use crate::wire::WireError;

/// A cause of difference, with the server it is about. Equal causes of different rows are
/// counted together.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cause {
    /// An authoritative server behind the primary serves other data.
    Lagging {
        server: String,
        serial: u32,
        primary: String,
        primary_serial: u32,
        /// How often it checks the primary (SOA REFRESH).
        refresh: u32,
    },
    /// The primary serves other data than the file's: the file holds changes the servers
    /// have not loaded (or the file is behind the zone).
    NotLoaded,
    /// The primary does not serve the file's records (NXDOMAIN or NODATA).
    NotServed,
    /// The primary serves records the file does not have.
    NotInFile,
    /// An authoritative server serves the file's records with another TTL.
    TtlDiffers { server: String },
    /// Authoritative servers with the same serial serve different data.
    Conflict,
    /// A resolver serves old data from its cache.
    Cached { server: String },
    /// A resolver serves a cached NXDOMAIN/NODATA for data that exists now.
    NegativeCached { server: String },
    /// A resolver has just fetched old data from a lagging secondary.
    FromLagging { server: String, secondary: String },
    /// A server gave no usable answer.
    Failed {
        server: String,
        kind: Kind,
        problem: ProblemKind,
    },
    /// A resolver serves other data and nothing explains it.
    Unexplained { server: String },
    /// No authoritative server answered: nothing to compare with.
    NoReference,
    /// The zone of the name could not be found: the trace to it stopped at `at`.
    NoZone { at: Name },
}

impl Cause {
    /// The same cause with its server left out: causes that differ only in their server
    /// compare equal this way (three resolvers caching the same names).
    pub fn without_server(&self) -> Cause {
        let mut c = self.clone();
        match &mut c {
            Cause::Lagging { server, .. }
            | Cause::TtlDiffers { server }
            | Cause::Cached { server }
            | Cause::NegativeCached { server }
            | Cause::FromLagging { server, .. }
            | Cause::Failed { server, .. }
            | Cause::Unexplained { server } => server.clear(),
            _ => {}
        }
        c
    }

    /// The server the cause is about, if it is about one.
    pub fn server(&self) -> Option<&str> {
        match self {
            Cause::Lagging { server, .. }
            | Cause::TtlDiffers { server }
            | Cause::Cached { server }
            | Cause::NegativeCached { server }
            | Cause::FromLagging { server, .. }
            | Cause::Failed { server, .. }
            | Cause::Unexplained { server } => Some(server),
            _ => None,
        }
    }
}

/// What kept a server from answering, reduced to what many rows can share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// No reply in time.
    Timeout,
    /// Nothing listens there.
    Unreachable,
    /// Not asked any more: it had stopped answering.
    GaveUp,
    /// Another wire-level failure (a bad TCP answer, a local socket error).
    Wire,
    /// An rcode without an answer (SERVFAIL, REFUSED …), by its number.
    Rcode(u16),
    /// An authoritative server answered without AA: it does not serve the zone.
    NotAuthoritative,
    /// A resolver that does not offer recursion.
    NoRecursion,
}

impl ProblemKind {
    /// The kind of a compare problem.
    pub fn of(p: &Problem) -> Self {
        match p {
            Problem::NoResponse(WireError::Timeout { .. }) => ProblemKind::Timeout,
            Problem::NoResponse(WireError::Unreachable { .. }) => ProblemKind::Unreachable,
            Problem::NoResponse(WireError::GaveUp { .. }) => ProblemKind::GaveUp,
            Problem::NoResponse(_) => ProblemKind::Wire,
            Problem::Rcode(r) => ProblemKind::Rcode(u16::from(*r)),
            Problem::NotAuthoritative => ProblemKind::NotAuthoritative,
            Problem::NoRecursion => ProblemKind::NoRecursion,
        }
    }
}

/// A cause and when what it explains ends by itself, when it does (a cache expiring).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The cause.
    pub cause: Cause,
    /// When the cached data expires (Unix seconds), for cache causes.
    pub expires_at: Option<u64>,
}

/// The causes of one row's differences, each once.
pub fn causes(intended: &Intended, c: &Comparison, checks: &[ServerCheck]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    let mut add = |cause: Cause, expires_at: Option<u64>| {
        if !out.iter().any(|f| f.cause == cause) {
            out.push(Found { cause, expires_at });
        }
    };
    let check_of = |label: &str| {
        c.servers
            .iter()
            .position(|s| s.label == label)
            .and_then(|i| checks.get(i))
            .and_then(|k| k.check)
    };
    for f in &c.findings {
        match f {
            Finding::LaggingSecondary {
                server,
                serial,
                primary,
                primary_serial,
                refresh,
                ..
            } if check_of(server) != Some(Check::Matches) => add(
                Cause::Lagging {
                    server: server.clone(),
                    serial: *serial,
                    primary: primary.clone(),
                    primary_serial: *primary_serial,
                    refresh: *refresh,
                },
                None,
            ),
            Finding::CachedOld {
                server, expires_at, ..
            } => add(
                Cause::Cached {
                    server: server.clone(),
                },
                Some(*expires_at),
            ),
            Finding::NegativeCache {
                server, expires_at, ..
            } => add(
                Cause::NegativeCached {
                    server: server.clone(),
                },
                Some(*expires_at),
            ),
            Finding::FreshFromLagging {
                server,
                secondary,
                expires_at,
                ..
            } => add(
                Cause::FromLagging {
                    server: server.clone(),
                    secondary: secondary.clone(),
                },
                Some(*expires_at),
            ),
            Finding::Failed {
                server,
                kind,
                problem,
            } => add(
                Cause::Failed {
                    server: server.clone(),
                    kind: *kind,
                    problem: ProblemKind::of(problem),
                },
                None,
            ),
            Finding::AuthoritativeConflict { .. } => add(Cause::Conflict, None),
            Finding::NoReference => add(Cause::NoReference, None),
            _ => {}
        }
    }
    // Against a zone file: what the primary (whose data is the reference) does with it;
    // secondaries behind it are explained by their lag, or a conflict.
    if !matches!(intended, Intended::Reference)
        && let Some(p) = c.primary
        && let (Some(view), Some(k)) = (c.servers.get(p), checks.get(p))
        && let (Some(key), Some(check)) = (&view.key, k.check)
    {
        let negative = matches!(key, AnswerKey::NxDomain | AnswerKey::NoData);
        match check {
            Check::Missing if negative => add(Cause::NotServed, None),
            Check::Extra => add(Cause::NotInFile, None),
            Check::Differs if k.ttl.is_some() => {}
            Check::Differs | Check::Missing => add(Cause::NotLoaded, None),
            Check::Matches | Check::Error => {}
        }
    }
    if !matches!(intended, Intended::Reference) {
        for (s, k) in c.servers.iter().zip(checks) {
            if k.ttl.is_some() {
                add(
                    Cause::TtlDiffers {
                        server: s.label.clone(),
                    },
                    None,
                );
            }
        }
    }
    // Resolvers that differ from the authoritative answer with nothing to explain it.
    for (s, k) in c.servers.iter().zip(checks) {
        if s.kind == Kind::Resolver
            && s.status == Status::Differs
            && k.check
                .is_some_and(|c| c != Check::Matches && c != Check::Error)
        {
            add(
                Cause::Unexplained {
                    server: s.label.clone(),
                },
                None,
            );
        }
    }
    out
}
