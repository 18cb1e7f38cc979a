//! Class exercises built on the lab (`dnscope lab exercises`): for each one, the evidence that
//! answers it, gathered from the running lab, so a solution follows the fixtures when they
//! change. The questions and the wording of the solutions belong to the binary's vocabulary;
//! this module only asks the lab and returns typed evidence.

use std::sync::Arc;

use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::compare::{self, Comparison, Kind};
use crate::lab::scenario::{self, Played, Scenario};
use crate::lab::{Lab, LabError, ServerKind, fixture_name};
use crate::target::{Target, TargetSource};
use crate::trace::{self, Trace, TraceOptions};
use crate::wire::{QueryOptions, Transport, WireError, build_query};

/// The exercises, in their numbered order (1-based in the user interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exercise {
    /// Which zones the lookup of www.shop.test passes through.
    FollowDelegation,
    /// The glueless delegation of cdn.example.
    Glueless,
    /// Which server of news.example is behind.
    LaggingSecondary,
    /// When a cache that holds an old answer expires.
    CacheExpiry,
    /// Reading the SOA of shop.test.
    ReadSoa,
    /// Why mail to promo.shop.test bounces.
    MailFails,
    /// The lame server of lame.test.
    LameServer,
    /// Validating resolvers answer SERVFAIL for www.rollover.test, the server answers.
    DnssecServfail,
}

impl Exercise {
    /// Every exercise, in order.
    pub const ALL: [Exercise; 8] = [
        Exercise::FollowDelegation,
        Exercise::Glueless,
        Exercise::LaggingSecondary,
        Exercise::CacheExpiry,
        Exercise::ReadSoa,
        Exercise::MailFails,
        Exercise::LameServer,
        Exercise::DnssecServfail,
    ];

    /// The exercise numbered `n` (from 1).
    pub fn number(n: usize) -> Option<Exercise> {
        n.checked_sub(1).and_then(|i| Self::ALL.get(i)).copied()
    }
}

/// The evidence that answers an exercise.
#[derive(Debug)]
pub enum Solution {
    /// The trace of www.shop.test.
    FollowDelegation(Trace),
    /// The trace of www.cdn.example.
    Glueless(Trace),
    /// The comparison of www.news.example across the lab.
    LaggingSecondary(Comparison),
    /// The propagation scenario and the comparison right after it.
    CacheExpiry(Played, Comparison),
    /// The SOA record of shop.test, as its primary serves it.
    ReadSoa(Record),
    /// The MX targets of promo.shop.test, each with the trace of its address.
    MailFails(Vec<(u16, Name, Trace)>),
    /// The trace of www.lame.test, and the zone whose servers it is about.
    LameServer(Trace, Name),
    /// The comparison of www.rollover.test and its trace (with the chain of trust).
    DnssecServfail(Comparison, Trace),
}

/// Why a solution could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The lab is missing something the exercise needs.
    #[error("{0}")]
    Lab(#[from] LabError),
    /// A server did not answer.
    #[error("{0}")]
    Wire(#[from] WireError),
    /// A comparison could not be set up.
    #[error("{0}")]
    Compare(#[from] compare::CompareError),
    /// The answer lacks the record the exercise reads.
    #[error("no {0} record in the answer")]
    Missing(RecordType),
    /// The lab no longer shows what the exercise is about.
    #[error("{0}")]
    Changed(&'static str),
    /// The comparison found no authoritative server to compare with.
    #[error("{0}")]
    Discovery(#[from] compare::DiscoveryError),
}

/// Trace options that start at the lab's root servers, on its port, validating DNSSEC from
/// the lab's trust anchor.
pub fn lab_trace_options(lab: &Lab) -> TraceOptions {
    TraceOptions {
        roots: lab.root_hints(),
        start: trace::StartFrom::Lab,
        port: lab.port(),
        dnssec: lab.trust_anchors().map(Arc::new),
        ..TraceOptions::default()
    }
}

/// Work out an exercise's solution from the running lab.
///
/// # Errors
/// [`SolveError`] when the lab no longer has what the exercise needs.
pub async fn solve(
    exercise: Exercise,
    lab: &Arc<Lab>,
    transport: Arc<dyn Transport>,
) -> Result<Solution, SolveError> {
    let tr = |qname: &'static str| {
        let transport = transport.clone();
        async move {
            let name = fixture_name(qname)?;
            Ok::<_, SolveError>(
                trace::run(transport, lab_trace_options(lab), name, RecordType::A).await,
            )
        }
    };
    Ok(match exercise {
        Exercise::FollowDelegation => Solution::FollowDelegation(tr("www.shop.test.").await?),
        Exercise::Glueless => {
            let t = tr("www.cdn.example.").await?;
            if !t.main_steps().any(|(_, s)| !s.ns_lookups.is_empty()) {
                return Err(SolveError::Changed(
                    "the trace needed no NS lookup: is cdn.example still glueless?",
                ));
            }
            Solution::Glueless(t)
        }
        Exercise::LameServer => {
            Solution::LameServer(tr("www.lame.test.").await?, fixture_name("lame.test.")?)
        }
        Exercise::DnssecServfail => {
            let name = fixture_name("www.rollover.test.")?;
            let c = compare_lab(
                lab,
                &transport,
                compare::Question::Name(name, RecordType::A),
            )
            .await?;
            let t = tr("www.rollover.test.").await?;
            if !matches!(
                t.dnssec.as_ref().map(|r| &r.status),
                Some(crate::dnssec::Status::Bogus(_))
            ) {
                return Err(SolveError::Changed(
                    "www.rollover.test is not bogus any more: is rollover.test still broken?",
                ));
            }
            Solution::DnssecServfail(c, t)
        }
        Exercise::LaggingSecondary => {
            let name = fixture_name("www.news.example.")?;
            Solution::LaggingSecondary(
                compare_lab(
                    lab,
                    &transport,
                    compare::Question::Name(name, RecordType::A),
                )
                .await?,
            )
        }
        Exercise::CacheExpiry => {
            let played = scenario::play(lab, transport.clone(), Scenario::Propagation).await?;
            let q = compare::Question::Name(played.name.clone(), played.rtype);
            let c = compare_lab(lab, &transport, q).await?;
            Solution::CacheExpiry(played, c)
        }
        Exercise::ReadSoa => {
            let response = ask_zone_server(lab, &transport, "shop.test.", RecordType::SOA).await?;
            let soa = response
                .answers
                .iter()
                .find(|r| r.record_type() == RecordType::SOA)
                .cloned()
                .ok_or(SolveError::Missing(RecordType::SOA))?;
            Solution::ReadSoa(soa)
        }
        Exercise::MailFails => {
            let response =
                ask_zone_server(lab, &transport, "promo.shop.test.", RecordType::MX).await?;
            let mut found = Vec::new();
            for r in &response.answers {
                if let RData::MX(mx) = &r.data {
                    let t = trace::run(
                        transport.clone(),
                        lab_trace_options(lab),
                        mx.exchange.clone(),
                        RecordType::A,
                    )
                    .await;
                    found.push((mx.preference, mx.exchange.clone(), t));
                }
            }
            Solution::MailFails(found)
        }
    })
}

/// Ask the lab server authoritative for `qname` directly (RD=0).
async fn ask_zone_server(
    lab: &Lab,
    transport: &Arc<dyn Transport>,
    qname: &str,
    rtype: RecordType,
) -> Result<Message, SolveError> {
    let name = fixture_name(qname)?;
    let server = lab.authoritative_addr(&name)?;
    let opts = QueryOptions {
        recursion_desired: false,
        ..QueryOptions::default()
    };
    let q = build_query(&name, rtype, &opts);
    Ok(transport.exchange(server, &q, &opts).await?.response)
}

/// A comparison on the lab as `compare --lab` makes it: the lab's resolvers and the zone's
/// authoritative servers, found by a trace.
async fn compare_lab(
    lab: &Arc<Lab>,
    transport: &Arc<dyn Transport>,
    question: compare::Question,
) -> Result<Comparison, SolveError> {
    let plan = compare::ComparePlan {
        question,
        resolvers: lab_resolvers(lab),
        authoritative: compare::Authoritative::Discover(lab_trace_options(lab)),
        query: QueryOptions::default(),
    };
    let (session, round) = compare::run(transport.clone(), plan, Some(lab)).await?;
    if let Some(Err(e)) = session.discovery {
        return Err(e.into());
    }
    Ok(round.comparison)
}

/// The lab's caching resolvers as targets, labelled with their names (no trailing dot).
pub fn lab_resolvers(lab: &Lab) -> Vec<Target> {
    lab.servers()
        .iter()
        .filter(|s| s.kind == ServerKind::Resolver)
        .map(|s| Target {
            label: crate::present::name(&s.name)
                .trim_end_matches('.')
                .to_string(),
            addr: lab.addr(s),
            via: crate::wire::Via::Plain,
            source: TargetSource::Lab,
        })
        .collect()
}

/// The servers a comparison asked, by kind (a convenience for solutions).
pub fn servers_of(c: &Comparison, kind: Kind) -> impl Iterator<Item = &compare::ServerView> {
    c.servers.iter().filter(move |s| s.kind == kind)
}
