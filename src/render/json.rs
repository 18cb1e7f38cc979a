//! `--json` documents. The schema is a contract, documented in `docs/json.md`, versioned by
//! the `schema` field: a change that removes or renames a field bumps the version.

use dnscope::lab::{Fault, Lab, ServerKind};
use dnscope::present;
use dnscope::query::{QueryReport, ServerOutcome, TargetSource};
use dnscope::trace::{
    Attempt, AttemptStatus, End, Failure, Limit, Purpose, StartFrom, Trace, Verdict,
};
use dnscope::wire::{Exchange, Ignored, Protocol, WireError, rtype_name};
use hickory_proto::op::Message;
use hickory_proto::rr::Record;
use serde::Serialize;

/// Schema name and version of `query --json`.
pub const QUERY_SCHEMA: &str = "dnscope.query/1";
/// Schema name and version of `lab --json`.
pub const LAB_SCHEMA: &str = "dnscope.lab/1";

#[derive(Serialize)]
pub struct QueryDoc {
    schema: &'static str,
    question: QuestionDoc,
    elapsed_ms: f64,
    responses: Vec<ResponseDoc>,
}

#[derive(Serialize)]
struct QuestionDoc {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    class: String,
}

#[derive(Serialize)]
struct ServerDoc {
    label: String,
    address: String,
    port: u16,
    source: TargetSource,
}

#[derive(Serialize)]
struct ErrorDoc {
    kind: &'static str,
    message: String,
}

#[derive(Serialize)]
struct TruncatedDoc {
    rtt_ms: f64,
    bytes: usize,
    records: usize,
}

#[derive(Serialize)]
struct FlagsDoc {
    qr: bool,
    aa: bool,
    tc: bool,
    rd: bool,
    ra: bool,
    ad: bool,
    cd: bool,
}

#[derive(Serialize)]
struct HeaderDoc {
    id: u16,
    opcode: String,
    rcode: String,
    flags: FlagsDoc,
}

#[derive(Serialize)]
struct EdnsDoc {
    version: u8,
    udp_payload: u16,
    #[serde(rename = "do")]
    dnssec_ok: bool,
}

/// One resource record, as in every dnscope JSON document.
#[derive(Serialize)]
pub struct RecordDoc {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    class: String,
    ttl: u32,
    data: String,
}

impl RecordDoc {
    pub fn from_record(r: &Record) -> Self {
        Self {
            name: r.name.to_string(),
            rtype: present::rtype(r),
            class: present::class(r.dns_class),
            ttl: r.ttl,
            data: present::rdata(&r.data),
        }
    }
}

#[derive(Serialize)]
struct ResponseDoc {
    server: ServerDoc,
    ok: bool,
    error: Option<ErrorDoc>,
    transport: Option<Protocol>,
    rtt_ms: Option<f64>,
    request_bytes: Option<usize>,
    response_bytes: Option<usize>,
    udp_attempts: Option<u32>,
    truncated: Option<TruncatedDoc>,
    ignored: Vec<Ignored>,
    header: Option<HeaderDoc>,
    edns: Option<EdnsDoc>,
    answer: Vec<RecordDoc>,
    authority: Vec<RecordDoc>,
    additional: Vec<RecordDoc>,
}

fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn records(rs: &[Record]) -> Vec<RecordDoc> {
    rs.iter().map(RecordDoc::from_record).collect()
}

fn header(m: &Message) -> HeaderDoc {
    let h = &m.metadata;
    HeaderDoc {
        id: h.id,
        opcode: present::opcode(h.op_code),
        rcode: present::rcode(h.response_code),
        flags: FlagsDoc {
            qr: h.message_type == hickory_proto::op::MessageType::Response,
            aa: h.authoritative,
            tc: h.truncation,
            rd: h.recursion_desired,
            ra: h.recursion_available,
            ad: h.authentic_data,
            cd: h.checking_disabled,
        },
    }
}

fn response(o: &ServerOutcome) -> ResponseDoc {
    let server = ServerDoc {
        label: o.target.label.clone(),
        address: o.target.addr.ip().to_string(),
        port: o.target.addr.port(),
        source: o.target.source,
    };
    match &o.result {
        Ok(x) => exchange(server, x),
        Err(e) => ResponseDoc {
            server,
            ok: false,
            error: Some(ErrorDoc {
                kind: e.kind(),
                message: e.to_string(),
            }),
            transport: None,
            rtt_ms: None,
            request_bytes: None,
            response_bytes: None,
            udp_attempts: None,
            truncated: None,
            ignored: match e {
                dnscope::wire::WireError::Timeout { ignored, .. } => ignored.clone(),
                _ => Vec::new(),
            },
            header: None,
            edns: None,
            answer: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
        },
    }
}

fn exchange(server: ServerDoc, x: &Exchange) -> ResponseDoc {
    let m = &x.response;
    ResponseDoc {
        server,
        ok: true,
        error: None,
        transport: Some(x.protocol),
        rtt_ms: Some(millis(x.rtt)),
        request_bytes: Some(x.request_bytes),
        response_bytes: Some(x.response_bytes),
        udp_attempts: Some(x.udp_attempts),
        truncated: x.truncated.as_ref().map(|t| TruncatedDoc {
            rtt_ms: millis(t.rtt),
            bytes: t.bytes,
            records: t.records,
        }),
        ignored: x.ignored.clone(),
        header: Some(header(m)),
        edns: m.edns.as_ref().map(|e| EdnsDoc {
            version: e.version(),
            udp_payload: e.max_payload(),
            dnssec_ok: e.flags().dnssec_ok,
        }),
        answer: records(&m.answers),
        authority: records(&m.authorities),
        additional: records(&m.additionals),
    }
}

pub fn query(report: &QueryReport) -> QueryDoc {
    QueryDoc {
        schema: QUERY_SCHEMA,
        question: QuestionDoc {
            name: report.name.to_string(),
            rtype: rtype_name(report.rtype),
            class: "IN".to_string(),
        },
        elapsed_ms: millis(report.elapsed),
        responses: report.outcomes.iter().map(response).collect(),
    }
}

#[derive(Serialize)]
pub struct LabDoc {
    schema: &'static str,
    port: u16,
    root_hints: Vec<String>,
    servers: Vec<LabServerDoc>,
}

#[derive(Serialize)]
struct LabServerDoc {
    name: String,
    kind: ServerKind,
    address: String,
    zones: Vec<String>,
    latency_ms: u64,
    fault: Option<Fault>,
}

pub fn lab(lab: &Lab) -> LabDoc {
    LabDoc {
        schema: LAB_SCHEMA,
        port: lab.port(),
        root_hints: lab
            .root_servers()
            .iter()
            .map(|s| lab.addr(s).to_string())
            .collect(),
        servers: lab
            .servers()
            .iter()
            .map(|s| LabServerDoc {
                name: s.name.to_string(),
                kind: s.kind,
                address: s.address.to_string(),
                zones: s.zones.iter().map(ToString::to_string).collect(),
                latency_ms: u64::try_from(s.latency.as_millis()).unwrap_or(u64::MAX),
                fault: s.fault,
            })
            .collect(),
    }
}

/// Schema name and version of `trace --json`.
pub const TRACE_SCHEMA: &str = "dnscope.trace/1";

#[derive(Serialize)]
pub struct TraceDoc {
    schema: &'static str,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    start: StartDoc,
    rcode: String,
    result: &'static str,
    failure: Option<FailureDoc>,
    answer: Vec<RecordDoc>,
    cnames: Vec<RecordDoc>,
    negative: Option<NegativeDoc>,
    zone_cuts: Vec<String>,
    steps: Vec<StepDoc>,
    hops: Vec<HopDoc>,
    queries: usize,
    elapsed_ms: f64,
    cold_best_path_ms: f64,
}

#[derive(Serialize)]
struct StartDoc {
    from: &'static str,
    hints_date: Option<&'static str>,
    hints_file: Option<String>,
    roots: Vec<RootDoc>,
}

#[derive(Serialize)]
struct RootDoc {
    name: Option<String>,
    address: String,
    port: u16,
}

#[derive(Serialize)]
struct FailureDoc {
    kind: &'static str,
    zone: Option<String>,
    detail: String,
}

#[derive(Serialize)]
struct NegativeDoc {
    soa: Option<RecordDoc>,
    ttl: Option<u32>,
}

#[derive(Serialize)]
struct NsDoc {
    name: String,
    ttl: u32,
    glue: Vec<RecordDoc>,
}

#[derive(Serialize)]
struct ReferralDoc {
    zone: String,
    ns: Vec<NsDoc>,
    ignored_glue: Vec<RecordDoc>,
}

#[derive(Serialize)]
struct NsLookupDoc {
    ns: String,
    addresses: Vec<String>,
    error: Option<String>,
    elapsed_ms: f64,
}

#[derive(Serialize)]
struct StepDoc {
    index: usize,
    parent: Option<usize>,
    depth: usize,
    purpose: &'static str,
    for_zone: Option<String>,
    zone: String,
    qname: String,
    qtype: String,
    result: &'static str,
    chosen_hop: Option<usize>,
    started_ms: f64,
    elapsed_ms: f64,
    referral: Option<ReferralDoc>,
    ns_lookups: Vec<NsLookupDoc>,
    unresolved_ns: Vec<String>,
}

#[derive(Serialize)]
struct HopDoc {
    step: usize,
    depth: usize,
    zone: String,
    qname: String,
    qtype: String,
    server: Option<String>,
    address: String,
    port: u16,
    sent_at_ms: f64,
    rtt_ms: Option<f64>,
    rcode: Option<String>,
    outcome: &'static str,
    detail: String,
    chosen: bool,
    aa: Option<bool>,
    tc: bool,
    transport: Option<Protocol>,
    ns: Option<Vec<NsDoc>>,
    glue: Option<Vec<RecordDoc>>,
}

fn referral_doc(r: &dnscope::trace::Referral) -> ReferralDoc {
    ReferralDoc {
        zone: r.zone.to_string(),
        ns: ns_docs(r),
        ignored_glue: records(&r.ignored_glue),
    }
}

fn ns_docs(r: &dnscope::trace::Referral) -> Vec<NsDoc> {
    r.ns.iter()
        .map(|(name, ttl)| NsDoc {
            name: name.to_string(),
            ttl: *ttl,
            glue: r
                .glue
                .iter()
                .filter(|g| g.name.to_lowercase() == *name)
                .map(RecordDoc::from_record)
                .collect(),
        })
        .collect()
}

fn verdict_word(v: Option<&Verdict>) -> &'static str {
    match v {
        Some(Verdict::Referral(_)) => "referral",
        Some(Verdict::Answer { .. }) => "answer",
        Some(Verdict::Cname { .. }) => "cname",
        Some(Verdict::NxDomain(_)) => "nxdomain",
        Some(Verdict::NoData(_)) => "nodata",
        Some(Verdict::Refused) => "refused",
        Some(Verdict::ServFail) => "servfail",
        Some(Verdict::Lame(_)) => "lame",
        Some(Verdict::Bad(_)) => "bad_response",
        None => "failed",
    }
}

fn hop_outcome(a: &Attempt) -> &'static str {
    match &a.status {
        AttemptStatus::Pending | AttemptStatus::Abandoned(_) => "no_reply",
        AttemptStatus::NotSent => "not_sent",
        AttemptStatus::Done(Err(e)) => match e {
            WireError::Timeout { .. } => "timeout",
            WireError::Refused { .. } => "unreachable",
            WireError::BadResponse { .. } => "bad_response",
            WireError::Forbidden { .. } => "forbidden",
            _ => "error",
        },
        AttemptStatus::Done(Ok(_)) => verdict_word(a.verdict.as_ref()),
    }
}

pub fn trace(t: &Trace) -> TraceDoc {
    let (from, hints_date, hints_file) = match &t.start {
        StartFrom::BuiltIn { date } => ("built_in", Some(*date), None),
        StartFrom::HintsFile(p) => ("hints_file", None, Some(p.display().to_string())),
        StartFrom::Given => ("given", None, None),
        StartFrom::Lab => ("lab", None, None),
    };
    let (result, failure) = match &t.end {
        End::Answer => ("answer", None),
        End::NxDomain(_) => ("nxdomain", None),
        End::NoData(_) => ("nodata", None),
        End::Failed {
            zone,
            failure,
            detail,
        } => (
            "failed",
            Some(FailureDoc {
                kind: match failure {
                    Failure::NoReply => "no_reply",
                    Failure::Unusable => "unusable",
                    Failure::NoAddress => "no_address",
                    Failure::CnameLoop => "cname_loop",
                    Failure::GluelessCycle => "glueless_cycle",
                },
                zone: Some(zone.to_string()),
                detail: detail.clone(),
            }),
        ),
        End::Limit { limit, detail } => (
            "limit",
            Some(FailureDoc {
                kind: match limit {
                    Limit::Budget(_) => "budget",
                    Limit::Referrals(_) => "referrals",
                    Limit::Depth(_) => "depth",
                    Limit::Cnames(_) => "cnames",
                    Limit::Deadline(_) => "deadline",
                },
                zone: None,
                detail: detail.clone(),
            }),
        ),
    };
    let negative = match &t.end {
        End::NxDomain(n) | End::NoData(n) => Some(NegativeDoc {
            soa: n.soa.as_ref().map(RecordDoc::from_record),
            ttl: n.ttl,
        }),
        _ => None,
    };
    let steps = t
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepDoc {
            index: i,
            parent: s.parent,
            depth: s.depth,
            purpose: match s.purpose {
                Purpose::Resolve => "resolve",
                Purpose::NsAddress { .. } => "ns_address",
            },
            for_zone: match &s.purpose {
                Purpose::NsAddress { for_zone } => Some(for_zone.to_string()),
                Purpose::Resolve => None,
            },
            zone: s.zone.to_string(),
            qname: s.qname.to_string(),
            qtype: rtype_name(s.qtype),
            result: verdict_word(s.verdict()),
            chosen_hop: None,
            started_ms: millis(s.started),
            elapsed_ms: millis(s.elapsed),
            referral: match s.verdict() {
                Some(Verdict::Referral(r)) => Some(referral_doc(r)),
                _ => None,
            },
            ns_lookups: s
                .ns_lookups
                .iter()
                .map(|l| NsLookupDoc {
                    ns: l.ns.to_string(),
                    addresses: l
                        .result
                        .as_ref()
                        .map(|ips| ips.iter().map(ToString::to_string).collect())
                        .unwrap_or_default(),
                    error: l.result.as_ref().err().cloned(),
                    elapsed_ms: millis(l.elapsed),
                })
                .collect(),
            unresolved_ns: s.unresolved.iter().map(ToString::to_string).collect(),
        })
        .collect::<Vec<_>>();
    let mut hops = Vec::new();
    let mut steps = steps;
    for (si, s) in t.steps.iter().enumerate() {
        for (ai, a) in s.attempts.iter().enumerate() {
            let x = match &a.status {
                AttemptStatus::Done(Ok(x)) => Some(x),
                _ => None,
            };
            let chosen = s.chosen == Some(ai);
            if chosen && let Some(doc) = steps.get_mut(si) {
                doc.chosen_hop = Some(hops.len());
            }
            let (ns, glue) = match &a.verdict {
                Some(Verdict::Referral(r)) => (Some(ns_docs(r)), Some(records(&r.glue))),
                _ => (None, None),
            };
            hops.push(HopDoc {
                step: si,
                depth: s.depth,
                zone: s.zone.to_string(),
                qname: s.qname.to_string(),
                qtype: rtype_name(s.qtype),
                server: a.server.as_ref().map(ToString::to_string),
                address: a.addr.ip().to_string(),
                port: a.addr.port(),
                sent_at_ms: millis(a.sent_at),
                rtt_ms: x.map(|x| millis(x.rtt)),
                rcode: x.map(|x| present::rcode(x.response.metadata.response_code)),
                outcome: hop_outcome(a),
                detail: super::trace::outcome(a).0,
                chosen,
                aa: x.map(|x| x.response.metadata.authoritative),
                tc: x.is_some_and(|x| x.truncated.is_some() || x.response.metadata.truncation),
                transport: x.map(|x| x.protocol),
                ns,
                glue,
            });
        }
    }
    TraceDoc {
        schema: TRACE_SCHEMA,
        name: t.name.to_string(),
        rtype: rtype_name(t.rtype),
        start: StartDoc {
            from,
            hints_date,
            hints_file,
            roots: t
                .roots
                .iter()
                .map(|r| RootDoc {
                    name: r.name.as_ref().map(ToString::to_string),
                    address: r.addr.ip().to_string(),
                    port: r.addr.port(),
                })
                .collect(),
        },
        rcode: present::rcode(t.end.rcode()),
        result,
        failure,
        answer: records(&t.answer),
        cnames: records(&t.cnames),
        negative,
        zone_cuts: t.zone_cuts.iter().map(ToString::to_string).collect(),
        steps,
        hops,
        queries: t.queries,
        elapsed_ms: millis(t.elapsed),
        cold_best_path_ms: millis(t.cold_best_path),
    }
}

/// Schema name and version of `compare --json`.
pub const COMPARE_SCHEMA: &str = "dnscope.compare/1";

#[derive(Serialize)]
pub struct CompareDoc {
    schema: &'static str,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    zone: Option<String>,
    round: Option<u32>,
    asked_at: u64,
    asked_at_utc: String,
    elapsed_ms: f64,
    authoritative_ttl: Option<u32>,
    consistent: bool,
    groups: Vec<GroupDoc>,
    servers: Vec<CompareServerDoc>,
    explanation: Vec<String>,
    scenario: Option<ScenarioDoc>,
}

#[derive(Serialize)]
struct GroupDoc {
    group: String,
    answer: String,
    servers: Vec<String>,
}

#[derive(Serialize)]
struct ScenarioDoc {
    name: &'static str,
    events: Vec<String>,
    pending: Vec<String>,
}

#[derive(Serialize)]
struct CompareServerDoc {
    server: String,
    address: String,
    port: u16,
    kind: dnscope::compare::Kind,
    rcode: Option<String>,
    answer: Vec<RecordDoc>,
    group: Option<String>,
    ttl: Option<u32>,
    serial: Option<u32>,
    rtt_ms: Option<f64>,
    status: dnscope::compare::Status,
    cache_age_s: Option<u32>,
    expires_in_s: Option<u32>,
    expires_at_utc: Option<String>,
    error: Option<String>,
}

pub fn compare(c: &dnscope::compare::Comparison, ctx: &super::compare::Context<'_>) -> CompareDoc {
    let letter = |g: Option<usize>| {
        g.and_then(|g| c.groups.get(g))
            .map(|g| g.letter.to_string())
    };
    CompareDoc {
        schema: COMPARE_SCHEMA,
        name: c.name.to_string(),
        rtype: rtype_name(c.rtype),
        zone: ctx.zone.map(ToString::to_string),
        round: ctx.round,
        asked_at: c.at,
        asked_at_utc: super::compare::clock(c.at),
        elapsed_ms: millis(ctx.elapsed),
        authoritative_ttl: c.authoritative_ttl,
        consistent: c.consistent,
        groups: c
            .groups
            .iter()
            .map(|g| GroupDoc {
                group: g.letter.to_string(),
                answer: g.key.describe(),
                servers: g
                    .members
                    .iter()
                    .filter_map(|&i| c.servers.get(i))
                    .map(|s| s.label.clone())
                    .collect(),
            })
            .collect(),
        servers: c
            .servers
            .iter()
            .map(|s| CompareServerDoc {
                server: s.label.clone(),
                address: s.addr.ip().to_string(),
                port: s.addr.port(),
                kind: s.kind,
                rcode: s.rcode.map(present::rcode),
                answer: records(&s.answer),
                group: letter(s.group),
                ttl: s.ttl,
                serial: s.soa.map(|x| x.serial),
                rtt_ms: s.rtt_ms.map(|r| (r * 1000.0).round() / 1000.0),
                status: s.status,
                cache_age_s: s.cache_age,
                expires_in_s: s.expires_in,
                expires_at_utc: s
                    .expires_in
                    .map(|t| super::compare::clock(s.asked_at + u64::from(t))),
                error: s.error.clone(),
            })
            .collect(),
        explanation: super::compare::explain(c, ctx),
        scenario: ctx.played.map(|p| ScenarioDoc {
            name: p.scenario.name(),
            events: p
                .events
                .iter()
                .map(|e| format!("t+{:.1}s {}", e.at, e.what))
                .collect(),
            pending: p.pending.clone(),
        }),
    }
}

#[derive(Serialize)]
pub struct TypeDocJson {
    schema: &'static str,
    name: &'static str,
    summary: &'static str,
    fields: Vec<FieldDoc>,
    example: &'static str,
    rfc: &'static str,
    mistakes: &'static [&'static str],
}

#[derive(Serialize)]
struct FieldDoc {
    field: &'static str,
    meaning: &'static str,
}

pub fn type_doc(d: &dnscope::explain::TypeDoc) -> TypeDocJson {
    TypeDocJson {
        schema: "dnscope.explain/1",
        name: d.name,
        summary: d.summary,
        fields: d
            .fields
            .iter()
            .map(|(field, meaning)| FieldDoc { field, meaning })
            .collect(),
        example: d.example,
        rfc: d.rfc,
        mistakes: d.mistakes,
    }
}

#[derive(Serialize)]
pub struct ConceptDocJson {
    schema: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    summary: &'static str,
    text: &'static str,
    rfc: &'static str,
    try_it: &'static str,
}

pub fn concept_doc(d: &dnscope::explain::ConceptDoc) -> ConceptDocJson {
    ConceptDocJson {
        schema: "dnscope.explain/1",
        name: d.name,
        aliases: d.aliases,
        summary: d.summary,
        text: d.text,
        rfc: d.rfc,
        try_it: d.try_it,
    }
}
