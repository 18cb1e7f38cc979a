//! `query --json`: schema `dnscope.query/2`.

use dnscope::present;
use dnscope::query::{QueryReport, ServerOutcome};
use dnscope::wire::{Exchange, Ignored, Protocol, rtype_name};
use hickory_proto::op::Message;
use serde::Serialize;

use super::{RecordDoc, explained, millis};
use crate::words::{idn, query as said};

/// Schema name and version of `query --json`. Version 2: a server where nothing listens is
/// `error.kind` `"unreachable"` (it was `"refused"`, which reads like the rcode), as in trace.
pub const SCHEMA: &str = "dnscope.query/2";

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
    /// The Unicode form of an internationalised name, when it has one.
    name_unicode: Option<String>,
    /// A warning when the name is a likely homograph.
    homograph: Option<String>,
    #[serde(rename = "type")]
    rtype: String,
    class: String,
}

#[derive(Serialize)]
struct ServerDoc {
    label: String,
    address: String,
    port: u16,
    source: &'static str,
}

#[derive(Serialize)]
struct ErrorDoc {
    kind: &'static str,
    message: String,
    /// For DoT/DoH/DoQ failures: the typed detail (its own `kind` and fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<dnscope::wire::SecureFailure>,
}

#[derive(Serialize)]
struct TruncatedDoc {
    rtt_ms: f64,
    bytes: usize,
    records: usize,
    /// The UDP size dnscope offered (its EDNS payload size, or 512 without EDNS).
    offered_bytes: u16,
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
    /// The server's identity (NSID, RFC 5001), as hex, when it sent one.
    nsid_hex: Option<String>,
    /// The same as text, when it is printable.
    nsid_text: Option<String>,
    /// Extended DNS Errors (RFC 8914): `{code, name, text}`.
    ede: Vec<EdeDoc>,
}

#[derive(Serialize)]
pub struct EdeDoc {
    code: u16,
    name: &'static str,
    text: Option<String>,
}

/// The EDE options of a response, as the JSON documents carry them.
pub fn ede(m: &Message) -> Vec<EdeDoc> {
    dnscope::wire::ede(m)
        .into_iter()
        .map(|e| EdeDoc {
            code: e.code,
            name: crate::words::chain::ede_name(e.code),
            text: e.text,
        })
        .collect()
}

#[derive(Serialize)]
struct ValidationDoc {
    /// `secure` (the signatures verify with the zone's own keys), `insecure` (unsigned),
    /// `bogus`, `indeterminate` (its DNSKEY could not be fetched).
    verdict: &'static str,
    code: Option<&'static str>,
    reason: String,
    /// The zone whose keys were used.
    zone: Option<String>,
    /// Its DNSKEYs and the RRSIGs checked.
    evidence: Option<super::dnssec::ZoneDoc>,
}

#[derive(Serialize)]
struct ResponseDoc {
    server: ServerDoc,
    ok: bool,
    error: Option<ErrorDoc>,
    transport: Option<Protocol>,
    /// DoT, DoH, DoQ: the connection (TLS version, ALPN, certificate, set-up, reuse, HTTP).
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<super::secure::SessionDoc>,
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
    /// With `--explain`: what the response as a whole means.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
    /// With `--validate`: the answer's signatures checked against its zone's keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    validation: Option<ValidationDoc>,
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

fn response(o: &ServerOutcome, explain: bool) -> ResponseDoc {
    let server = ServerDoc {
        label: o.target.label.clone(),
        address: o.target.addr.ip().to_string(),
        port: o.target.addr.port(),
        source: said::source_kind(o.target.source),
    };
    let validation = o.validation.as_ref().map(|r| {
        let v = crate::words::dnssec::response_verdict(r);
        ValidationDoc {
            verdict: v.kind,
            code: crate::words::dnssec::code(&r.status),
            reason: v.text,
            zone: r.zones.first().map(|z| present::name(&z.zone)),
            evidence: r.zones.first().map(|z| super::dnssec::zone(z, r.now)),
        }
    });
    match &o.result {
        Ok(x) => ResponseDoc {
            validation,
            ..exchange(server, x, explain)
        },
        Err(e) => {
            let why = said::no_response(e);
            ResponseDoc {
                server,
                ok: false,
                error: Some(ErrorDoc {
                    kind: why.kind,
                    message: why.text,
                    detail: super::secure::failure(e),
                }),
                transport: o.target.via.tls_name().map(|_| o.target.via.protocol()),
                session: None,
                rtt_ms: None,
                request_bytes: None,
                response_bytes: None,
                udp_attempts: None,
                truncated: None,
                ignored: e.ignored().to_vec(),
                header: None,
                edns: None,
                answer: Vec::new(),
                authority: Vec::new(),
                additional: Vec::new(),
                explanation: None,
                validation: None,
            }
        }
    }
}

fn exchange(server: ServerDoc, x: &Exchange, explain: bool) -> ResponseDoc {
    let m = &x.response;
    ResponseDoc {
        server,
        ok: true,
        error: None,
        transport: Some(x.protocol),
        session: x.session.as_deref().map(super::secure::session),
        rtt_ms: Some(millis(x.rtt)),
        request_bytes: Some(x.request_bytes),
        response_bytes: Some(x.response_bytes),
        udp_attempts: Some(x.udp_attempts),
        truncated: x.truncated.as_ref().map(|t| TruncatedDoc {
            rtt_ms: millis(t.rtt),
            bytes: t.bytes,
            records: t.records,
            offered_bytes: t.offered,
        }),
        ignored: x.ignored.clone(),
        header: Some(header(m)),
        edns: m.edns.as_ref().map(|e| {
            let nsid = dnscope::wire::nsid(m);
            EdnsDoc {
                version: e.version(),
                udp_payload: e.max_payload(),
                dnssec_ok: e.flags().dnssec_ok,
                nsid_hex: nsid
                    .as_ref()
                    .map(|id| id.iter().map(|b| format!("{b:02x}")).collect()),
                nsid_text: nsid
                    .and_then(|id| String::from_utf8(id).ok())
                    .filter(|t| !t.chars().any(char::is_control)),
                ede: ede(m),
            }
        }),
        answer: explained(&m.answers, explain),
        authority: explained(&m.authorities, explain),
        additional: explained(&m.additionals, explain),
        explanation: explain.then(|| crate::words::record::response(m)),
        validation: None,
    }
}

pub fn document(report: &QueryReport, explain: bool) -> QueryDoc {
    QueryDoc {
        schema: SCHEMA,
        question: QuestionDoc {
            name: dnscope::present::name(&report.name),
            name_unicode: idn::unicode(&report.name),
            homograph: idn::homograph(&report.name),
            rtype: rtype_name(report.rtype),
            class: "IN".to_string(),
        },
        elapsed_ms: millis(report.elapsed),
        responses: report
            .outcomes
            .iter()
            .map(|o| response(o, explain))
            .collect(),
    }
}
