//! Where a trace starts (shared by `trace` and `compare`'s discovery): the lab's root servers,
//! a named.root hints file, `--root` addresses, or the built-in IANA hints; and the port every
//! server address learnt on the way is asked on.

use std::net::SocketAddr;

use anyhow::{Result, anyhow, bail};
use dnscope::dnssec::Anchors;
use dnscope::lab::{Lab, LabConfig};
use dnscope::trace::{NameServer, StartFrom, TraceOptions, hints};

use super::servers::{ServerSpec, flag_spec};
use crate::cli::StartFlags;

/// Where the roots come from.
#[derive(Debug, Clone)]
pub enum Roots {
    /// The running lab's root servers (known once it has started).
    Lab,
    /// These servers, from `from`.
    Given {
        servers: Vec<NameServer>,
        from: StartFrom,
    },
}

/// The start of a trace: its roots, the port, the lab to run, and what DNSSEC trusts.
#[derive(Debug, Clone)]
pub struct Start {
    pub roots: Roots,
    /// `-p`: the port for every address learnt on the way (default 53, or the lab's).
    pub port: Option<u16>,
    /// The lab to start, if any.
    pub lab: Option<LabConfig>,
    /// DNSSEC validation and its trust anchors.
    pub dnssec: Dnssec,
}

/// What DNSSEC validation starts from.
#[derive(Debug, Clone)]
pub enum Dnssec {
    /// `--no-dnssec`.
    Off,
    /// `--trust-anchor FILE`.
    Anchors(Anchors),
    /// The default for the roots: the IANA root KSKs for the real root (built-in hints or a
    /// hints file), the lab's anchor with --lab, none for `--root ADDR` (a private root:
    /// the verdict is indeterminate until --trust-anchor gives one).
    Auto,
}

impl Start {
    /// Check the start flags (a hints file is read and parsed here).
    ///
    /// # Errors
    /// A hints file that cannot be read or parsed, a `--root` that is not an address,
    /// `--root`/`--root-hints` together with `--lab`.
    pub fn from_flags(flags: &StartFlags, lab: Option<LabConfig>) -> Result<Self> {
        let port = super::check_port(flags.port)?;
        let roots = if lab.is_some() {
            if !flags.roots.is_empty() || flags.root_hints.is_some() {
                bail!("--lab starts from the lab's own root servers: drop --root/--root-hints");
            }
            Roots::Lab
        } else if let Some(path) = &flags.root_hints {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow!("cannot read root hints {}: {e}", path.display()))?;
            let parsed = hints::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
            Roots::Given {
                servers: hint_servers(&parsed, port.unwrap_or(53)),
                from: StartFrom::HintsFile(path.clone()),
            }
        } else if !flags.roots.is_empty() {
            let mut servers = Vec::new();
            for r in &flags.roots {
                let spec = flag_spec("--root", r)?;
                if *spec.way() != super::servers::Way::default() {
                    bail!(
                        "--root {r:?}: a trace asks root servers over plain DNS (UDP, TCP); give an address"
                    );
                }
                match spec {
                    ServerSpec::Addr { ip, port: p, .. } => servers.push(NameServer {
                        name: None,
                        addr: SocketAddr::new(ip, p.or(port).unwrap_or(53)),
                    }),
                    ServerSpec::Host { .. } => {
                        bail!("--root {r:?}: give an address (names would need a resolver)")
                    }
                }
            }
            Roots::Given {
                servers,
                from: StartFrom::Given,
            }
        } else {
            Roots::Given {
                servers: hint_servers(&hints::built_in(), port.unwrap_or(53)),
                from: StartFrom::BuiltIn {
                    date: hints::BUILT_IN_DATE,
                },
            }
        };
        let dnssec = if flags.no_dnssec {
            Dnssec::Off
        } else if flags.trust_anchor.is_empty() {
            Dnssec::Auto
        } else {
            let mut all = Anchors::default();
            for path in &flags.trust_anchor {
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| anyhow!("--trust-anchor {shown}: cannot read it: {e}"))?;
                let read =
                    Anchors::parse(&text, &shown).map_err(|e| anyhow!("--trust-anchor {e}"))?;
                all.anchors.extend(read.anchors);
                all.source = if all.source.is_empty() {
                    shown
                } else {
                    format!("{}, {shown}", all.source)
                };
            }
            Dnssec::Anchors(all)
        };
        Ok(Start {
            roots,
            port,
            lab,
            dnssec,
        })
    }

    /// The trust anchors validation starts from, None when it is off.
    pub fn anchors(&self, lab: Option<&Lab>) -> Option<Anchors> {
        match (&self.dnssec, &self.roots) {
            (Dnssec::Off, _) => None,
            (Dnssec::Anchors(a), _) => Some(a.clone()),
            (Dnssec::Auto, Roots::Lab) => Some(
                lab.and_then(Lab::trust_anchors)
                    .unwrap_or_else(|| no_anchor("the lab's root is not signed")),
            ),
            (Dnssec::Auto, Roots::Given { from, .. }) => Some(match from {
                StartFrom::BuiltIn { .. } => Anchors::iana_root(),
                StartFrom::HintsFile(_) => {
                    no_anchor("--root-hints starts elsewhere: give --trust-anchor FILE")
                }
                _ => no_anchor("--root starts from a root of your own: give --trust-anchor FILE"),
            }),
        }
    }

    /// The complete trace options: `settings` with the roots and the port filled in (the
    /// lab's, when the trace starts there).
    pub fn options(&self, lab: Option<&Lab>, settings: TraceOptions) -> TraceOptions {
        let (roots, start, port) = match (&self.roots, lab) {
            (Roots::Lab, Some(lab)) => (
                lab.root_hints(),
                StartFrom::Lab,
                self.port.unwrap_or(lab.port()),
            ),
            (Roots::Lab, None) => (Vec::new(), StartFrom::Lab, self.port.unwrap_or(53)),
            (Roots::Given { servers, from }, _) => {
                (servers.clone(), from.clone(), self.port.unwrap_or(53))
            }
        };
        let dnssec = self.anchors(lab).map(std::sync::Arc::new);
        TraceOptions {
            roots,
            start,
            port,
            dnssec,
            ..settings
        }
    }
}

fn hint_servers(hints: &[hints::RootHint], port: u16) -> Vec<NameServer> {
    hints
        .iter()
        .flat_map(|h| {
            h.addrs.iter().map(|ip| NameServer {
                name: Some(h.name.clone()),
                addr: SocketAddr::new(*ip, port),
            })
        })
        .collect()
}

/// No anchor at all: every verdict is indeterminate, and `why` says how to give one.
fn no_anchor(why: &str) -> Anchors {
    Anchors {
        anchors: Vec::new(),
        source: format!("none ({why})"),
    }
}
