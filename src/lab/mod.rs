//! The embedded lab: a small DNS hierarchy (root, TLDs, zones) served by hickory-server on
//! loopback addresses, one address per name server, all on one port.
//!
//! The manifest (`fixtures/lab/lab.toml`) gives the address plan and the faults; the zone
//! files (`fixtures/lab/zones/`) give the data. [`Lab::start`] loads both, binds UDP and TCP
//! on every live address and returns a handle; dropping it (or [`Lab::stop`]) stops every
//! server. Nothing here prints: `dnscope lab` renders the plan from [`Lab`] itself.

mod bind;
mod change;
mod doh;
mod fixtures;
mod handler;
mod manifest;
mod proofs;
mod resolver;
pub mod scenario;
pub mod secure;
mod sign;
mod zones;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::Name;
use hickory_server::Server;

use crate::trace::NameServer;
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, ZoneHandler, ZoneType};
use tokio::task::JoinSet;

use bind::bind_all;

pub use change::Change;
pub use manifest::{Fault, check as check_manifest};
pub use secure::{CertState, SecurePorts};
pub use sign::{DenialKind, SignFault, SignSpec};
pub use zones::LabSource;

use handler::{LabHandler, Zone};
use manifest::Manifest;

/// How long a TCP connection may sit idle on a lab server before it is closed.
const TCP_IDLE: Duration = Duration::from_secs(5);

/// Ports tried before giving up when the lab picks a free port itself.
const PORT_TRIES: usize = 20;

/// Why the lab could not start.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    /// A file could not be read.
    #[error("{file}: {reason}")]
    Read { file: String, reason: String },
    /// The manifest is not valid.
    #[error("{file}{}: {reason}", .line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Manifest {
        file: String,
        reason: String,
        line: Option<usize>,
    },
    /// A zone file is not valid.
    #[error("{file}{}: {reason}{}", .line.map(|l| format!(" line {l}")).unwrap_or_default(), .record.as_ref().map(|r| format!(" (in `{r}`)")).unwrap_or_default())]
    Zone {
        file: String,
        line: Option<usize>,
        record: Option<String>,
        reason: String,
    },
    /// The configured net is not usable.
    #[error("{0}")]
    Net(String),
    /// A socket could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    /// A change to the running lab was refused.
    #[error("{0}")]
    Change(String),
    /// The lab lacks a server, zone or record that was asked for (a custom `--lab-dir`, or
    /// a control command naming something that is not there).
    #[error("{0}")]
    Missing(String),
}

/// A name written in dnscope's own source (a scenario's or an exercise's); a typo there is an
/// error, never silently the root.
///
/// # Errors
/// [`LabError::Missing`] naming the text that is not a name.
pub fn fixture_name(text: &str) -> Result<Name, LabError> {
    Name::from_ascii(text)
        .map(|n| n.to_lowercase())
        .map_err(|e| LabError::Missing(format!("{text:?} is not a DNS name: {e}")))
}

/// What to start.
#[derive(Debug, Clone, Default)]
pub struct LabConfig {
    /// Where the manifest and zone files come from.
    pub source: LabSource,
    /// Move the lab to this /24 of 127.0.0.0/8 (default: the manifest's `net`).
    pub net: Option<Ipv4Addr>,
    /// The port every server listens on: `None` = the manifest's port, `Some(0)` = any free
    /// port (what `--lab` runs use, so that several can run at once).
    pub port: Option<u16>,
}

/// What a lab server does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerKind {
    /// Serves zones from files (hickory-server).
    Authoritative,
    /// A caching recursive resolver (hickory's recursor) starting from the lab's roots.
    Resolver,
}

/// One server of the lab.
#[derive(Debug, Clone)]
pub struct LabServer {
    /// Its host name, as the NS records name it (for resolvers, a label).
    pub name: Name,
    /// Authoritative or resolver.
    pub kind: ServerKind,
    /// Its loopback address.
    pub address: Ipv4Addr,
    /// The zones it serves (origins), in manifest order.
    pub zones: Vec<Name>,
    /// Added delay before each reply.
    pub latency: Duration,
    /// Its injected fault, if any.
    pub fault: Option<Fault>,
    /// Where it also serves DoT, DoH and DoQ (manifest `encrypted = true`), once bound.
    pub secure: Option<SecurePorts>,
    /// A resolver that validates DNSSEC (from the lab's root key).
    pub validating: bool,
}

impl LabServer {
    /// Whether it answers at all.
    pub fn answers(&self) -> bool {
        self.fault.is_none()
    }
}

/// A running lab. Dropping it stops every server.
pub struct Lab {
    port: u16,
    servers: Vec<LabServer>,
    /// Each server's own zone handlers (parallel to `servers`), for changes at run time.
    handlers: Vec<Vec<Zone>>,
    /// Servers that do not take changes: secondaries lagging behind their primary.
    lagging: std::sync::Mutex<std::collections::HashSet<Name>>,
    /// Changes the lagging servers missed: (server, change, the primary's serial).
    pending: std::sync::Mutex<Vec<(Name, Change, u32)>>,
    /// Held across a change or a catch-up, so they never interleave.
    ops: tokio::sync::Mutex<()>,
    /// The NS names at the apex of the root zone: the lab's root servers.
    root_ns: Vec<Name>,
    /// The zones signed with DNSSEC, and how.
    signed: Vec<(Name, SignSpec)>,
    running: Vec<Server<LabHandler>>,
    resolvers: Vec<Server<resolver::ResolverHandler>>,
    /// Black holes and DoH fronts: tasks aborted when the lab stops.
    blackholes: JoinSet<()>,
    /// The certificate authority of the encrypted listeners.
    authority: secure::Authority,
}

impl std::fmt::Debug for Lab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lab")
            .field("port", &self.port)
            .field("servers", &self.servers.len())
            .finish()
    }
}

/// A server with its parsed zones, ready to bind.
struct Planned {
    server: LabServer,
    zones: Vec<Zone>,
    /// Serve DoT, DoH and DoQ too, with a certificate like this.
    encrypted: Option<CertState>,
}

impl Lab {
    /// Load the manifest and zone files and start every server.
    ///
    /// # Errors
    /// [`LabError`] naming the file (and line) that is wrong, or the address that could not be
    /// bound.
    pub async fn start(config: &LabConfig) -> Result<Lab, LabError> {
        let (planned, hierarchy) = load(config)?;
        let port = config.port.unwrap_or(default_port(config)?);
        if port != 0 {
            return bind_all(planned, hierarchy, port).await;
        }
        // Pick a port the kernel says is free on the first address, then claim it on every
        // other one; another lab may race us, so try a few times.
        let mut last = None;
        for _ in 0..PORT_TRIES {
            let first = planned
                .iter()
                .find(|p| p.server.fault != Some(Fault::Down))
                .map(|p| p.server.address)
                .unwrap_or(Ipv4Addr::new(127, 77, 0, 2));
            let probe = std::net::UdpSocket::bind((first, 0)).map_err(|e| LabError::Bind {
                addr: SocketAddr::new(first.into(), 0),
                reason: e.to_string(),
            })?;
            let port = probe
                .local_addr()
                .map_err(|e| LabError::Bind {
                    addr: SocketAddr::new(first.into(), 0),
                    reason: e.to_string(),
                })?
                .port();
            drop(probe);
            match bind_all(clone_plan(&planned), hierarchy.clone(), port).await {
                Ok(lab) => return Ok(lab),
                Err(e @ LabError::Bind { .. }) => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(LabError::Net("no free port found".to_string())))
    }

    /// The lab CA's certificate (DER): `--lab` runs trust it for DoT, DoH and DoQ.
    pub fn ca_der(&self) -> rustls::pki_types::CertificateDer<'static> {
        self.authority.ca_der()
    }

    /// The lab CA's certificate (PEM), for other clients (kdig `+tls-ca=FILE`).
    pub fn ca_pem(&self) -> String {
        self.authority.ca_pem()
    }

    /// The port every lab server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The lab's DNSSEC trust anchor (the DS of its root's KSK), when its root is signed.
    pub fn trust_anchors(&self) -> Option<crate::dnssec::Anchors> {
        self.signed
            .iter()
            .find(|(z, _)| z.is_root())
            .map(|(_, spec)| sign::anchors(spec))
    }

    /// The zones the lab signs, and how (some are broken on purpose).
    pub fn signed(&self) -> &[(Name, SignSpec)] {
        &self.signed
    }

    /// Every server, in manifest order (faulty ones included).
    pub fn servers(&self) -> &[LabServer] {
        &self.servers
    }

    /// The socket address of a server.
    pub fn addr(&self, server: &LabServer) -> SocketAddr {
        SocketAddr::new(IpAddr::V4(server.address), self.port)
    }

    /// The lab's root servers as a trace starts from them (their names and addresses).
    pub fn root_hints(&self) -> Vec<NameServer> {
        self.root_servers()
            .iter()
            .map(|s| NameServer {
                name: Some(s.name.clone()),
                addr: self.addr(s),
            })
            .collect()
    }

    /// The address of a server that answers for the zone holding `qname`.
    ///
    /// # Errors
    /// [`LabError::Missing`] when no lab server answers for it.
    pub fn authoritative_addr(&self, qname: &Name) -> Result<SocketAddr, LabError> {
        self.authoritative_for(qname)
            .and_then(|(_, servers)| servers.first().map(|s| self.addr(s)))
            .ok_or_else(|| LabError::Missing(format!("no lab server answers for {qname}")))
    }

    /// The servers named in the root zone's NS set that serve it: the lab's root hints.
    /// (Other servers may hold a copy of the root zone, such as a broken one that refers
    /// everything upward; they are not root servers.)
    pub fn root_servers(&self) -> Vec<&LabServer> {
        self.servers
            .iter()
            .filter(|s| s.zones.iter().any(Name::is_root) && self.root_ns.contains(&s.name))
            .collect()
    }

    /// A server by host name (case-insensitive, trailing dot optional) or by address.
    pub fn find(&self, name_or_addr: &str) -> Option<&LabServer> {
        if let Ok(ip) = name_or_addr.parse::<Ipv4Addr>() {
            return self.servers.iter().find(|s| s.address == ip);
        }
        let wanted = name_or_addr.trim_end_matches('.').to_ascii_lowercase();
        self.servers
            .iter()
            .find(|s| s.name.to_ascii().trim_end_matches('.').to_ascii_lowercase() == wanted)
    }

    /// The deepest zone the lab serves that contains `qname`, and the servers that answer for
    /// it (the ones with no fault first). The root always matches.
    pub fn authoritative_for(&self, qname: &Name) -> Option<(Name, Vec<&LabServer>)> {
        let zone = self
            .servers
            .iter()
            .flat_map(|s| s.zones.iter())
            .filter(|z| z.zone_of(qname))
            .max_by_key(|z| z.num_labels())?
            .clone();
        let mut servers: Vec<&LabServer> = self
            .servers
            .iter()
            .filter(|s| s.zones.contains(&zone))
            .collect();
        servers.sort_by_key(|s| !s.answers());
        Some((zone, servers))
    }

    /// The zones the lab serves that contain `qname`, from the root down, each with a server
    /// that answers for it: the path of referrals a resolver follows.
    pub fn delegation_path(&self, qname: &Name) -> Vec<(Name, &LabServer)> {
        let mut zones: Vec<Name> = self
            .servers
            .iter()
            .flat_map(|s| s.zones.iter())
            .filter(|z| z.zone_of(qname))
            .cloned()
            .collect();
        zones.sort_by_key(Name::num_labels);
        zones.dedup();
        zones
            .into_iter()
            .filter_map(|z| {
                let server = self
                    .servers
                    .iter()
                    .find(|s| s.answers() && s.zones.contains(&z))?;
                Some((z, server))
            })
            .collect()
    }

    /// Stop every server and wait for them to finish.
    pub async fn stop(mut self) {
        for server in &mut self.running {
            let _ = server.shutdown_gracefully().await;
        }
        for server in &mut self.resolvers {
            let _ = server.shutdown_gracefully().await;
        }
        self.blackholes.abort_all();
    }
}

fn clone_plan(planned: &[Planned]) -> Vec<Planned> {
    planned
        .iter()
        .map(|p| Planned {
            server: p.server.clone(),
            zones: p.zones.clone(),
            encrypted: p.encrypted,
        })
        .collect()
}

/// The manifest's port.
fn default_port(config: &LabConfig) -> Result<u16, LabError> {
    let file = config.source.describe("lab.toml");
    Ok(Manifest::parse(&config.source.read("lab.toml")?, &file)?.port)
}

/// Read the manifest and every zone file, moved to the configured net.
/// What the lab knows about its hierarchy beyond each server's zones.
#[derive(Debug, Clone)]
struct Hierarchy {
    /// The NS names at the root's apex.
    root_ns: Vec<Name>,
    /// The signed zones and how they are signed.
    signed: Vec<(Name, SignSpec)>,
}

fn load(config: &LabConfig) -> Result<(Vec<Planned>, Hierarchy), LabError> {
    let source = &config.source;
    let manifest_file = source.describe("lab.toml");
    let manifest = Manifest::parse(&source.read("lab.toml")?, &manifest_file)?;
    let from = manifest.base(&manifest_file)?;
    let to = match config.net {
        Some(net) => {
            manifest::check_net(net).map_err(LabError::Net)?;
            let o = net.octets();
            [o[0], o[1], o[2]]
        }
        None => from,
    };
    let mut planned = Vec::new();
    let mut root_ns: Vec<Name> = Vec::new();
    let signed = sign::zones(&manifest.signed, &manifest_file)?;
    let now = sign::now();
    for entry in &manifest.server {
        let name = Name::from_ascii(&entry.name)
            .map(|mut n| {
                n.set_fqdn(true);
                n
            })
            .map_err(|e| LabError::Manifest {
                file: manifest_file.clone(),
                reason: format!("server name {:?}: {e}", entry.name),
                line: None,
            })?;
        let mut zones = Vec::new();
        for file in &entry.zones {
            let rel = format!("zones/{file}");
            // Each server gets its own copy of the zone, so that a change can reach the
            // primary and not (yet) a secondary.
            let described = source.describe(&rel);
            let text = zones::relocate(&source.read(&rel)?, from, to);
            let (origin, mut records) = zones::parse(&text, &described)?;
            sign::apply(&origin, &mut records, &signed, now);
            if origin.is_root() {
                for ns in zones::apex_ns(&origin, &records) {
                    if !root_ns.contains(&ns) {
                        root_ns.push(ns);
                    }
                }
            }
            let signed_copy = sign::is_signed(&records).then(|| records.clone());
            let mut handler = InMemoryZoneHandler::new(
                origin,
                records,
                ZoneType::Primary,
                AxfrPolicy::Deny,
                None,
            )
            .map_err(|reason| LabError::Zone {
                file: described.clone(),
                line: None,
                record: None,
                reason,
            })?;
            // hickory's constructor drops RRSIGs: put the signed RRsets back whole.
            if let Some(records) = signed_copy {
                *handler.records_get_mut() =
                    records.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
            }
            let zone = Arc::new(handler);
            zones.push(zone);
        }
        let o = entry.address.octets();
        planned.push(Planned {
            server: LabServer {
                name,
                kind: ServerKind::Authoritative,
                address: Ipv4Addr::new(to[0], to[1], to[2], o[3]),
                zones: zones
                    .iter()
                    .map(|z| Name::from(z.origin().clone()))
                    .collect(),
                latency: Duration::from_millis(entry.latency_ms),
                fault: entry.fault,
                validating: false,
                secure: None,
            },
            zones,
            encrypted: entry.encrypted.then_some(entry.certificate),
        });
    }
    for entry in &manifest.resolver {
        let name = Name::from_ascii(&entry.name)
            .map(|mut n| {
                n.set_fqdn(true);
                n
            })
            .map_err(|e| LabError::Manifest {
                file: manifest_file.clone(),
                reason: format!("resolver name {:?}: {e}", entry.name),
                line: None,
            })?;
        let o = entry.address.octets();
        planned.push(Planned {
            server: LabServer {
                name,
                kind: ServerKind::Resolver,
                address: Ipv4Addr::new(to[0], to[1], to[2], o[3]),
                zones: Vec::new(),
                latency: Duration::from_millis(entry.latency_ms),
                fault: entry.fault,
                validating: entry.validate,
                secure: None,
            },
            zones: Vec::new(),
            encrypted: entry.encrypted.then_some(entry.certificate),
        });
    }
    Ok((planned, Hierarchy { root_ns, signed }))
}
