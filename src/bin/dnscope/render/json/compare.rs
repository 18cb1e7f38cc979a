//! `compare --json`: schema `dnscope.compare/1` (one document; with `--watch` one a round,
//! as JSON Lines).

use dnscope::compare::{Agreement, Kind};
use dnscope::present;
use dnscope::wire::rtype_name;
use serde::Serialize;

use super::{RecordDoc, SaidDoc, records};
use crate::render::compare::View;
use crate::words::{clock, compare as said, scenario};

/// Schema name and version of `compare --json`. Version 2: groups are `#1`, `#2` (a letter
/// read as a record type); `status` `stale` became `cached` (a resolver's old answer) and
/// `lagging` (a secondary behind its primary).
pub const SCHEMA: &str = "dnscope.compare/2";

#[derive(Serialize)]
pub struct CompareDoc {
    schema: &'static str,
    name: String,
    /// The Unicode form of an internationalised name, when it has one.
    name_unicode: Option<String>,
    /// A warning when the name is a likely homograph.
    homograph: Option<String>,
    #[serde(rename = "type")]
    rtype: String,
    zone: Option<String>,
    round: Option<u32>,
    asked_at: u64,
    asked_at_utc: String,
    elapsed_ms: f64,
    authoritative_ttl: Option<u32>,
    consistent: bool,
    /// The closing verdict, `consistent` or `not_consistent`, with its sentence.
    verdict: SaidDoc,
    /// Resolvers and authoritative servers that agree with the authoritative answer, counted
    /// apart.
    agreement: AgreementDoc,
    groups: Vec<GroupDoc>,
    servers: Vec<ServerDoc>,
    explanation: Vec<String>,
    findings: Vec<SaidDoc>,
    scenario: Option<ScenarioDoc>,
    /// Under `--watch`, on the last round: why the watch ended.
    watch_end: Option<SaidDoc>,
}

#[derive(Serialize)]
struct AgreementDoc {
    resolvers: Agreement,
    authoritative: Agreement,
}

#[derive(Serialize)]
struct GroupDoc {
    group: String,
    answer: String,
    servers: Vec<String>,
    /// With `--explain`: the answer's records in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<Vec<String>>,
}

#[derive(Serialize)]
struct ScenarioDoc {
    name: &'static str,
    events: Vec<String>,
    pending: Vec<String>,
}

#[derive(Serialize)]
struct ServerDoc {
    server: String,
    address: String,
    port: u16,
    kind: dnscope::compare::Kind,
    /// udp, tcp, dot, doh, doq.
    transport: dnscope::wire::Protocol,
    /// DoT/DoH/DoQ: whether the question rode a connection an earlier one opened.
    #[serde(skip_serializing_if = "Option::is_none")]
    reused_connection: Option<bool>,
    rcode: Option<String>,
    answer: Vec<RecordDoc>,
    group: Option<String>,
    ttl: Option<u32>,
    serial: Option<u32>,
    rtt_ms: Option<f64>,
    status: dnscope::compare::Status,
    cache_age_s: Option<u32>,
    /// The cache age rests on an assumption (the old record's TTL is not served any more).
    cache_age_inferred: bool,
    expires_in_s: Option<u32>,
    expires_at_utc: Option<String>,
    error: Option<String>,
    error_kind: Option<&'static str>,
    /// The AD flag: a validating resolver vouches for the data (DNSSEC).
    ad: bool,
    /// Extended DNS Errors the server attached (RFC 8914): `{code, name, text}`.
    ede: Vec<EdeDoc>,
}

#[derive(Serialize)]
struct EdeDoc {
    code: u16,
    name: &'static str,
    text: Option<String>,
}

pub fn document(v: &View<'_>, explain: bool) -> CompareDoc {
    parts(
        &Parts {
            comparison: &v.round.comparison,
            zone: v.session.zone.as_ref(),
            discovery: v.session.discovery.as_ref(),
            played: v.session.played.as_ref(),
            elapsed: v.round.elapsed,
            number: v.number,
            end: v.end,
        },
        explain,
    )
}

/// What a compare document is made of: a comparison and what came with it (a batch has no
/// session, scenario or watch).
pub struct Parts<'a> {
    pub comparison: &'a dnscope::compare::Comparison,
    pub zone: Option<&'a hickory_proto::rr::Name>,
    pub discovery:
        Option<&'a Result<dnscope::compare::Discovery, dnscope::compare::DiscoveryError>>,
    pub played: Option<&'a dnscope::lab::scenario::Played>,
    pub elapsed: std::time::Duration,
    pub number: Option<u32>,
    pub end: Option<crate::render::compare::WatchEnd>,
}

/// The compare document of `p`.
pub fn parts(v: &Parts<'_>, explain: bool) -> CompareDoc {
    let c = v.comparison;
    let explanation = said::explanation(c, v.discovery);
    CompareDoc {
        schema: SCHEMA,
        name: dnscope::present::name(&c.name),
        name_unicode: crate::words::idn::unicode(&c.name),
        homograph: crate::words::idn::homograph(&c.name),
        rtype: rtype_name(c.rtype),
        zone: v.zone.map(dnscope::present::name),
        round: v.number,
        asked_at: c.at,
        asked_at_utc: clock(c.at),
        elapsed_ms: super::millis(v.elapsed),
        authoritative_ttl: c.authoritative_ttl,
        consistent: c.consistent,
        verdict: said::verdict(c).into(),
        agreement: AgreementDoc {
            resolvers: c.agreement(Kind::Resolver),
            authoritative: c.agreement(Kind::Authoritative),
        },
        groups: c
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| GroupDoc {
                group: said::group_label(i),
                answer: said::answer(&g.key),
                servers: g
                    .members
                    .iter()
                    .filter_map(|&i| c.servers.get(i))
                    .map(|s| s.label.clone())
                    .collect(),
                explanation: explain.then(|| {
                    g.members
                        .first()
                        .and_then(|&i| c.servers.get(i))
                        .map(|s| s.answer.iter().map(crate::words::record::reading).collect())
                        .unwrap_or_default()
                }),
            })
            .collect(),
        servers: c
            .servers
            .iter()
            .map(|s| {
                let problem = s.problem.as_ref().map(said::problem);
                ServerDoc {
                    server: s.label.clone(),
                    address: s.addr.ip().to_string(),
                    port: s.addr.port(),
                    kind: s.kind,
                    transport: s.transport,
                    reused_connection: s.reused,
                    rcode: s.rcode.map(present::rcode),
                    answer: records(&s.answer),
                    group: s.group.map(said::group_label),
                    ttl: s.ttl,
                    serial: s.serial(),
                    rtt_ms: s.rtt_ms.map(|r| (r * 1000.0).round() / 1000.0),
                    status: s.status,
                    cache_age_s: s.cache_age,
                    cache_age_inferred: s.cache_age_inferred,
                    expires_in_s: s.expires_in,
                    expires_at_utc: s.expires_in.map(|t| clock(s.asked_at + u64::from(t))),
                    error_kind: problem.as_ref().map(|p| p.kind),
                    error: problem.map(|p| p.text),
                    ad: s.ad,
                    ede: s
                        .ede
                        .iter()
                        .map(|e| EdeDoc {
                            code: e.code,
                            name: crate::words::chain::ede_name(e.code),
                            text: e.text.clone(),
                        })
                        .collect(),
                }
            })
            .collect(),
        explanation: explanation.iter().map(|s| s.text.clone()).collect(),
        findings: explanation.into_iter().map(SaidDoc::from).collect(),
        scenario: v.played.map(|p| ScenarioDoc {
            name: p.scenario.name(),
            events: p
                .events
                .iter()
                .map(|e| format!("t+{:.1}s {}", e.at, scenario::event(&e.event)))
                .collect(),
            pending: p.pending.iter().map(scenario::pending).collect(),
        }),
        watch_end: v.end.map(|e| said::watch_end(e).into()),
    }
}
