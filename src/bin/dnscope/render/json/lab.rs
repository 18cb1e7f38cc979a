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
    /// The lab's DNSSEC trust anchor, as zone-file lines (a file for --trust-anchor).
    trust_anchor: Vec<String>,
    /// The signed zones: `{zone, denial, fault}`.
    signed: Vec<SignedDoc>,
    /// The lab CA's certificate file (PEM), for clients of the encrypted listeners.
    ca_file: Option<String>,
}

#[derive(Serialize)]
struct SignedDoc {
    zone: String,
    denial: &'static str,
    nsec3_iterations: Option<u16>,
    fault: Option<dnscope::lab::SignFault>,
}

#[derive(Serialize)]
struct LabServerDoc {
    name: String,
    kind: ServerKind,
    address: String,
    zones: Vec<String>,
    latency_ms: u64,
    fault: Option<Fault>,
    /// A resolver that validates DNSSEC.
    validates: bool,
    /// Its DoT/DoH/DoQ ports and certificate, when it serves them.
    encrypted: Option<dnscope::lab::SecurePorts>,
}

pub fn document(lab: &Lab, ca_file: Option<&std::path::Path>) -> LabDoc {
    LabDoc {
        ca_file: ca_file.map(|p| p.display().to_string()),
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
                validates: s.validating,
                encrypted: s.secure,
            })
            .collect(),
        trust_anchor: lab
            .trust_anchors()
            .map(|a| a.to_text().lines().map(String::from).collect())
            .unwrap_or_default(),
        signed: lab
            .signed()
            .iter()
            .map(|(z, spec)| SignedDoc {
                zone: dnscope::present::name(z),
                denial: match spec.denial {
                    dnscope::lab::DenialKind::Nsec => "nsec",
                    dnscope::lab::DenialKind::Nsec3 => "nsec3",
                },
                nsec3_iterations: (spec.denial == dnscope::lab::DenialKind::Nsec3)
                    .then_some(spec.iterations),
                fault: spec.fault,
            })
            .collect(),
    }
}
