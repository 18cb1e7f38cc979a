//! Many names at once, as JSON Lines: `compare --zone/--names` writes one
//! `dnscope.compare.rrset/1` document per RRset as it is checked, then one
//! `dnscope.compare.summary/1`; `trace --names` writes one `dnscope.trace` document per name,
//! then one `dnscope.trace.summary/1`.

use dnscope::batch::{Row, Summary, TraceSummary};
use dnscope::present;
use dnscope::wire::rtype_name;
use serde::Serialize;

use super::compare::{CompareDoc, Parts};
use super::{RecordDoc, SaidDoc, records};
use crate::words::{batch as said, clock};

/// Schema of each RRset's line.
pub const ROW_SCHEMA: &str = "dnscope.compare.rrset/1";
/// Schema of the closing summary of `compare --zone/--names`.
pub const SUMMARY_SCHEMA: &str = "dnscope.compare.summary/1";
/// Schema of the closing summary of `trace --names`.
pub const TRACE_SUMMARY_SCHEMA: &str = "dnscope.trace.summary/1";

#[derive(Serialize)]
pub struct RowDoc {
    schema: &'static str,
    /// Its place in the input, from 0 (lines come in the order they finish).
    index: usize,
    /// The line of the names list, when it came from one.
    line: Option<usize>,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    zone: Option<String>,
    /// `matches`, `differs`, `missing`, `extra` or `error`.
    status: &'static str,
    /// The zone file's records (`[]`: the file says there is no such RRset); null without a
    /// zone file (the authoritative reference is the intended data).
    intended: Option<Vec<RecordDoc>>,
    /// The intended data as compared: the records' data, NXDOMAIN/NODATA, or null when there
    /// was nothing to compare with.
    intended_data: Option<String>,
    checks: Vec<CheckDoc>,
    /// Why it is not as intended.
    causes: Vec<SaidDoc>,
    /// Questions this RRset sent (answers reused from the run's cache are not counted).
    queries_sent: usize,
    /// Why the zone could not be found, when it could not.
    error: Option<String>,
    /// The comparison of every server's answer, as `compare --json` gives it.
    compare: Option<CompareDoc>,
}

#[derive(Serialize)]
struct CheckDoc {
    server: String,
    kind: dnscope::compare::Kind,
    /// `matches`, `extra`, `missing`, `differs`, `error` or `unchecked`.
    check: &'static str,
    /// What it serves: the records' data, NXDOMAIN, NODATA, or null (no usable answer).
    data: Option<String>,
    /// An authoritative server serving the intended data with another TTL.
    ttl_intended: Option<u32>,
    ttl_served: Option<u32>,
}

pub fn row(r: &Row, explain: bool) -> RowDoc {
    RowDoc {
        schema: ROW_SCHEMA,
        index: r.item.index,
        line: r.item.line,
        name: present::name(&r.item.name),
        rtype: rtype_name(r.item.rtype),
        zone: r.zone.as_ref().map(present::name),
        status: said::status(r.status).kind,
        intended: match &r.item.intended {
            dnscope::batch::Intended::Reference => None,
            dnscope::batch::Intended::Absent => Some(Vec::new()),
            dnscope::batch::Intended::Records(rs) => Some(records(rs)),
        },
        intended_data: r.intended.as_ref().map(said::data),
        checks: r
            .comparison
            .iter()
            .flat_map(|c| c.servers.iter().zip(&r.checks))
            .map(|(s, k)| CheckDoc {
                server: s.label.clone(),
                kind: s.kind,
                check: said::check(k.check),
                data: s.key.as_ref().map(said::data),
                ttl_intended: k.ttl.map(|t| t.0),
                ttl_served: k.ttl.map(|t| t.1),
            })
            .collect(),
        causes: r
            .causes
            .iter()
            .map(|f| {
                let tally = dnscope::batch::CauseTally {
                    cause: f.cause.clone(),
                    rows: 1,
                    examples: vec![(r.item.index, r.item.name.clone(), r.item.rtype)],
                    expires_by: f.expires_at,
                };
                said::cause(&tally, None).into()
            })
            .collect(),
        queries_sent: r.sent,
        error: r.no_zone.as_ref().map(|z| z.error.to_string()),
        compare: r.comparison.as_ref().map(|c| {
            super::compare::parts(
                &Parts {
                    comparison: c,
                    zone: r.zone.as_ref(),
                    discovery: None,
                    played: None,
                    elapsed: r.elapsed,
                    number: None,
                    end: None,
                },
                explain,
            )
        }),
    }
}

#[derive(Serialize)]
pub struct SummaryDoc {
    schema: &'static str,
    rrsets: usize,
    counts: dnscope::batch::Counts,
    verdict: SaidDoc,
    servers: Vec<ServerDoc>,
    causes: Vec<CauseDoc>,
    zones: Vec<ZoneDoc>,
    /// The zone file's SOA serial, when checking a zone file.
    file_serial: Option<u32>,
    bad_lines: Vec<BadLineDoc>,
    bad_lines_total: usize,
    duplicates: usize,
    queries: QueriesDoc,
    elapsed_ms: f64,
    exit_code: u8,
}

#[derive(Serialize)]
struct ServerDoc {
    server: String,
    address: String,
    port: u16,
    kind: dnscope::compare::Kind,
    matches: usize,
    differs: usize,
    missing: usize,
    extra: usize,
    error: usize,
    unchecked: usize,
}

#[derive(Serialize)]
struct CauseDoc {
    kind: &'static str,
    text: String,
    server: Option<String>,
    rrsets: usize,
    examples: Vec<String>,
    /// When the last cached copy it explains expires.
    expires_by: Option<u64>,
    expires_by_utc: Option<String>,
}

#[derive(Serialize)]
struct ZoneDoc {
    zone: String,
    servers: Vec<ZoneServerDoc>,
}

#[derive(Serialize)]
struct ZoneServerDoc {
    server: String,
    address: String,
    port: u16,
    serial: Option<u32>,
}

#[derive(Serialize)]
pub struct BadLineDoc {
    line: usize,
    text: String,
    reason: String,
}

#[derive(Serialize)]
struct QueriesDoc {
    /// Questions sent in all.
    sent: usize,
    /// Sent by the RRsets themselves.
    rrsets: usize,
    /// Sent to find the zones and their servers (the one-time descent).
    descent: usize,
    /// Answered from the run's cache instead of being sent: a referral learnt before.
    referral_hits: usize,
    /// ... or the same question asked before.
    repeat_hits: usize,
    /// Not sent: the server had stopped answering.
    gave_up: usize,
    /// Answered over DoT, DoH or DoQ.
    encrypted: usize,
    /// Of those, on a connection an earlier question had opened.
    connections_reused: usize,
}

pub fn summary(s: &Summary) -> SummaryDoc {
    SummaryDoc {
        schema: SUMMARY_SCHEMA,
        rrsets: s.rows(),
        counts: s.counts,
        verdict: said::verdict(s).into(),
        servers: s
            .servers
            .iter()
            .map(|t| ServerDoc {
                server: t.label.clone(),
                address: t.addr.ip().to_string(),
                port: t.addr.port(),
                kind: t.kind,
                matches: t.matches,
                differs: t.differs,
                missing: t.missing,
                extra: t.extra,
                error: t.error,
                unchecked: t.unchecked,
            })
            .collect(),
        causes: s
            .causes
            .iter()
            .map(|t| {
                let w = said::cause(t, Some(s));
                CauseDoc {
                    kind: w.kind,
                    text: w.text,
                    server: t.cause.server().map(str::to_string),
                    rrsets: t.rows,
                    examples: t
                        .examples
                        .iter()
                        .map(|(_, n, ty)| said::question(n, *ty))
                        .collect(),
                    expires_by: t.expires_by,
                    expires_by_utc: t.expires_by.map(clock),
                }
            })
            .collect(),
        zones: s
            .zones
            .iter()
            .map(|z| ZoneDoc {
                zone: present::name(&z.name),
                servers: z
                    .servers
                    .iter()
                    .map(|sv| ZoneServerDoc {
                        server: sv.target.label.clone(),
                        address: sv.target.addr.ip().to_string(),
                        port: sv.target.addr.port(),
                        serial: z.soa.get(&sv.target.addr).map(|soa| soa.serial),
                    })
                    .collect(),
            })
            .collect(),
        file_serial: s.file_serial,
        bad_lines: bad_lines(&s.bad_lines),
        bad_lines_total: s.bad_count,
        duplicates: s.duplicates,
        queries: QueriesDoc {
            sent: s.transport.sent,
            rrsets: s.row_queries,
            descent: s.descent_queries(),
            referral_hits: s.transport.referral_hits,
            repeat_hits: s.transport.repeat_hits,
            gave_up: s.transport.gave_up,
            encrypted: s.transport.encrypted,
            connections_reused: s.transport.connections_reused,
        },
        elapsed_ms: super::millis(s.elapsed),
        exit_code: s.exit_code(),
    }
}

fn bad_lines(list: &[dnscope::batch::BadLine]) -> Vec<BadLineDoc> {
    list.iter()
        .map(|b| BadLineDoc {
            line: b.line,
            text: b.text.clone(),
            reason: b.reason.clone(),
        })
        .collect()
}

#[derive(Serialize)]
pub struct TraceSummaryDoc {
    schema: &'static str,
    names: usize,
    endings: dnscope::batch::Endings,
    dnssec: Option<dnscope::batch::Verdicts>,
    failures: Vec<FailureDoc>,
    /// Zones that gave the final answers, with how many each gave.
    zones: Vec<ZoneCountDoc>,
    bad_lines: Vec<BadLineDoc>,
    bad_lines_total: usize,
    duplicates: usize,
    queries: TraceQueriesDoc,
    elapsed_ms: f64,
    exit_code: u8,
}

#[derive(Serialize)]
struct FailureDoc {
    kind: &'static str,
    text: String,
    zone: String,
    names: usize,
    examples: Vec<String>,
}

#[derive(Serialize)]
struct ZoneCountDoc {
    zone: String,
    answers: usize,
}

#[derive(Serialize)]
struct TraceQueriesDoc {
    sent: usize,
    /// What independent traces would have sent (every question of every trace).
    asked: usize,
    referral_hits: usize,
    repeat_hits: usize,
    gave_up: usize,
}

pub fn trace_summary(s: &TraceSummary) -> TraceSummaryDoc {
    TraceSummaryDoc {
        schema: TRACE_SUMMARY_SCHEMA,
        names: s.rows(),
        endings: s.endings,
        dnssec: s.dnssec,
        failures: s
            .failures
            .iter()
            .map(|f| {
                let w = said::trace_failure(f);
                FailureDoc {
                    kind: w.kind,
                    text: w.text,
                    zone: present::name(&f.zone),
                    names: f.rows,
                    examples: f
                        .examples
                        .iter()
                        .map(|(_, n, t)| said::question(n, *t))
                        .collect(),
                }
            })
            .collect(),
        zones: s
            .zones
            .iter()
            .map(|(z, n)| ZoneCountDoc {
                zone: present::name(z),
                answers: *n,
            })
            .collect(),
        bad_lines: bad_lines(&s.bad_lines),
        bad_lines_total: s.bad_count,
        duplicates: s.duplicates,
        queries: TraceQueriesDoc {
            sent: s.transport.sent,
            asked: s.asked,
            referral_hits: s.transport.referral_hits,
            repeat_hits: s.transport.repeat_hits,
            gave_up: s.transport.gave_up,
        },
        elapsed_ms: super::millis(s.elapsed),
        exit_code: s.exit_code(),
    }
}
