//! `lab --json`: schema `dnscope.lab/1`.

use dnscope::lab::{Fault, Lab, ServerKind};
use serde::Serialize;

/// Schema name and version of `lab --json`.
pub const SCHEMA: &str = "dnscope.lab/1";

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

pub fn document(lab: &Lab) -> LabDoc {
    LabDoc {
        schema: SCHEMA,
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
                name: dnscope::present::name(&s.name),
                kind: s.kind,
                address: s.address.to_string(),
                zones: s.zones.iter().map(dnscope::present::name).collect(),
                latency_ms: u64::try_from(s.latency.as_millis()).unwrap_or(u64::MAX),
                fault: s.fault,
            })
            .collect(),
    }
}
