//! The lab manifest (`lab.toml`): which server, on which loopback address, serves which zone
//! files, and with which faults. See `fixtures/lab/lab.toml` for the annotated original.

use std::net::Ipv4Addr;

use serde::Deserialize;

use super::LabError;

/// A fault a lab server can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// Nothing listens on the address: UDP gets ICMP port unreachable, TCP a reset.
    Down,
    /// The address listens, reads every query and never replies.
    Blackhole,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::Down => "down (nothing listens)",
            Fault::Blackhole => "blackhole (never replies)",
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Manifest {
    pub(super) net: String,
    pub(super) port: u16,
    pub(super) server: Vec<ServerEntry>,
    /// Caching recursive resolvers (hickory's recursor), starting from the lab's roots.
    #[serde(default)]
    pub(super) resolver: Vec<ResolverEntry>,
    /// Zones signed with DNSSEC (and how some are broken).
    #[serde(default)]
    pub(super) signed: Vec<super::sign::SignSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ResolverEntry {
    pub(super) name: String,
    pub(super) address: Ipv4Addr,
    /// It validates DNSSEC from the lab's root key.
    #[serde(default)]
    pub(super) validate: bool,
    #[serde(default)]
    pub(super) latency_ms: u64,
    #[serde(default)]
    pub(super) fault: Option<Fault>,
    /// It also serves DoT, DoH and DoQ.
    #[serde(default)]
    pub(super) encrypted: bool,
    /// Its certificate for them (valid, expired, untrusted).
    #[serde(default)]
    pub(super) certificate: super::CertState,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ServerEntry {
    pub(super) name: String,
    pub(super) address: Ipv4Addr,
    pub(super) zones: Vec<String>,
    #[serde(default)]
    pub(super) latency_ms: u64,
    #[serde(default)]
    pub(super) fault: Option<Fault>,
    /// It also serves DoT, DoH and DoQ.
    #[serde(default)]
    pub(super) encrypted: bool,
    /// Its certificate for them (valid, expired, untrusted).
    #[serde(default)]
    pub(super) certificate: super::CertState,
}

/// Check a lab manifest's text (`lab.toml`) without starting anything: the same errors, with
/// the same lines, as starting a lab from it.
///
/// # Errors
/// [`LabError::Manifest`] naming what is wrong.
pub fn check(text: &str, file: &str) -> Result<(), LabError> {
    Manifest::parse(text, file).map(drop)
}

impl Manifest {
    pub(super) fn parse(text: &str, file: &str) -> Result<Self, LabError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| LabError::Manifest {
            file: file.to_string(),
            reason: e.message().to_string(),
            line: e.span().map(|s| line_of(text, s.start)),
        })?;
        let base = manifest.base(file)?;
        let mut seen = std::collections::HashSet::new();
        let all = manifest
            .server
            .iter()
            .map(|s| (&s.name, s.address))
            .chain(manifest.resolver.iter().map(|r| (&r.name, r.address)));
        for (name, address) in all {
            let s = Entry { name, address };
            if s.address.octets()[..3] != base {
                return Err(LabError::Manifest {
                    file: file.to_string(),
                    reason: format!(
                        "server {} has address {}, outside the lab net {}",
                        s.name, s.address, manifest.net
                    ),
                    line: None,
                });
            }
            if !seen.insert(s.address) {
                return Err(LabError::Manifest {
                    file: file.to_string(),
                    reason: format!("address {} is listed twice", s.address),
                    line: None,
                });
            }
        }
        Ok(manifest)
    }

    /// The first three octets of `net` (a /24 inside 127.0.0.0/8).
    pub(super) fn base(&self, file: &str) -> Result<[u8; 3], LabError> {
        let bad = |reason: String| LabError::Manifest {
            file: file.to_string(),
            reason,
            line: None,
        };
        let (addr, len) = self
            .net
            .split_once('/')
            .ok_or_else(|| bad(format!("net {:?} is not of the form A.B.C.0/24", self.net)))?;
        let addr: Ipv4Addr = addr
            .parse()
            .map_err(|_| bad(format!("net {:?}: not an IPv4 address", self.net)))?;
        if len != "24" {
            return Err(bad(format!("net {:?}: the lab uses a /24", self.net)));
        }
        check_net(addr).map_err(bad)?;
        let o = addr.octets();
        Ok([o[0], o[1], o[2]])
    }
}

/// The lab lives in a /24 of 127.0.0.0/8, and not in 127.0.0.0/24, where 127.0.0.1 and
/// 127.0.0.53 (systemd-resolved) already serve other things.
pub(super) fn check_net(addr: Ipv4Addr) -> Result<(), String> {
    let o = addr.octets();
    if o[0] != 127 {
        return Err(format!(
            "lab net {addr} is outside 127.0.0.0/8: the lab only runs on loopback"
        ));
    }
    if o[1] == 0 && o[2] == 0 {
        return Err(format!(
            "lab net {addr}: 127.0.0.0/24 is taken by other local services (127.0.0.1, 127.0.0.53); pick another /24 such as 127.77.0.0"
        ));
    }
    Ok(())
}

struct Entry<'a> {
    name: &'a String,
    address: Ipv4Addr,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_addresses_outside_the_net() {
        let text = "net = \"127.77.0.0/24\"\nport = 1\n[[server]]\nname = \"x\"\naddress = \"127.78.0.2\"\nzones = []\n";
        let err = Manifest::parse(text, "lab.toml")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("outside the lab net")));
    }

    #[test]
    fn reports_the_line_of_a_syntax_error() {
        let text = "net = \"127.77.0.0/24\"\nport = 1\n[[server]]\nname = \"x\"\naddress = 12\nzones = []\n";
        match Manifest::parse(text, "lab.toml") {
            Err(LabError::Manifest { line, .. }) => assert_eq!(line, Some(5)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_net_must_be_loopback_and_not_127_0_0() {
        assert!(check_net(Ipv4Addr::new(10, 0, 0, 0)).is_err());
        assert!(check_net(Ipv4Addr::new(127, 0, 0, 0)).is_err());
        assert!(check_net(Ipv4Addr::new(127, 77, 0, 0)).is_ok());
    }
}
