//! `--json` documents. The schema is a contract, documented in `docs/json.md`, versioned by
//! the `schema` field: a change that removes or renames a field bumps the version.

use dnscope::lab::{Fault, Lab};
use dnscope::present;
use dnscope::query::{QueryReport, ServerOutcome, TargetSource};
use dnscope::wire::{Exchange, Ignored, Protocol, rtype_name};
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
                address: s.address.to_string(),
                zones: s.zones.iter().map(ToString::to_string).collect(),
                latency_ms: u64::try_from(s.latency.as_millis()).unwrap_or(u64::MAX),
                fault: s.fault,
            })
            .collect(),
    }
}
