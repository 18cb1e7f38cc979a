//! Servers as the user writes them (`@1.2.3.4`, `@[::1]:53`, `@ns1.shop.test`,
//! `LABEL=ADDR:PORT`, a `--resolvers` file), checked without the network, and turned into
//! [`Target`]s once the lab is running: lab servers by name, other host names by the system's
//! lookup, and the defaults (the lab's server for the name or its resolvers, else
//! resolv.conf's) when none is given.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use dnscope::exercises::lab_resolvers;
use dnscope::exit;
use dnscope::lab::Lab;
use dnscope::target::{Target, TargetSource};
use dnscope::wire::parse_name;
use hickory_proto::rr::Name;

use crate::app::Failure;

/// A server as given on the command line, before the lab or DNS can tell its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerSpec {
    /// An address, with the port if one was given.
    Addr {
        ip: IpAddr,
        port: Option<u16>,
        text: String,
    },
    /// A host name (a lab server with --lab, else looked up by the system).
    Host {
        name: String,
        port: Option<u16>,
        text: String,
    },
}

/// Well-known public resolvers, for `compare --public` (never used by the tests).
pub const PUBLIC_RESOLVERS: &[(&str, &str)] = &[
    ("cloudflare", "1.1.1.1"),
    ("cloudflare-2", "1.0.0.1"),
    ("google", "8.8.8.8"),
    ("google-2", "8.8.4.4"),
    ("quad9", "9.9.9.9"),
    ("quad9-2", "149.112.112.112"),
    ("opendns", "208.67.222.222"),
];

/// `@SERVER`: `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`, `host`, `host:53`.
///
/// # Errors
/// A one-line message saying what is wrong with it.
pub fn spec(text: &str) -> Result<ServerSpec> {
    let original = format!("@{text}");
    if text.is_empty() {
        bail!("empty server after @");
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(ServerSpec::Addr {
            ip: addr.ip(),
            port: Some(addr.port()),
            text: text.to_string(),
        });
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(ServerSpec::Addr {
            ip,
            port: None,
            text: text.to_string(),
        });
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => {
            let port = p
                .parse::<u16>()
                .map_err(|_| anyhow!("server {original:?}: {p:?} is not a port number"))?;
            (h, Some(port))
        }
        None => (text, None),
    };
    if host.starts_with('[') || host.contains(':') {
        bail!("server {original:?} is not a valid address (IPv6 with a port is written [::1]:53)");
    }
    let looks_numeric = host
        .split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
    if looks_numeric {
        bail!("server {original:?} is not a valid IPv4 address");
    }
    parse_name(host).map_err(|e| anyhow!("server {original:?}: {e}"))?;
    Ok(ServerSpec::Host {
        name: host.to_string(),
        port,
        text: text.to_string(),
    })
}

/// `[LABEL=]ADDR[:PORT]`: the label, or the text itself when none is given.
///
/// # Errors
/// An empty label, or a server that does not parse.
pub fn labelled(text: &str) -> Result<(String, ServerSpec)> {
    let (label, rest) = match text.split_once('=') {
        Some((l, r)) if !l.is_empty() => (l.to_string(), r),
        Some(_) => bail!("resolver {text:?}: empty label before '='"),
        None => (text.to_string(), text),
    };
    Ok((label, spec(rest)?))
}

/// The resolvers of `compare`: `--resolver`s, then a `--resolvers` file (one a line, `#`
/// comments), then the public list with `--public`.
///
/// # Errors
/// A file that cannot be read, or a line that does not parse (named with its number).
pub fn resolver_list(
    given: &[String],
    file: Option<&Path>,
    public: bool,
) -> Result<Vec<(String, ServerSpec)>> {
    let mut out = Vec::new();
    for r in given {
        out.push(labelled(r)?);
    }
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read resolvers file {}: {e}", path.display()))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            out.push(
                labelled(line).map_err(|e| anyhow!("{} line {}: {e}", path.display(), i + 1))?,
            );
        }
    }
    if public {
        for (label, addr) in PUBLIC_RESOLVERS {
            out.push(labelled(&format!("{label}={addr}"))?);
        }
    }
    Ok(out)
}

/// Turn a spec into a target: an address as given (labelled with the lab server's name when
/// it is one), a lab server by name, or another host name through the system's lookup.
///
/// # Errors
/// [`Failure`] (usage) for a name that no lab server has, or that does not resolve.
pub async fn resolve(
    spec: &ServerSpec,
    lab: Option<&Lab>,
    default_port: u16,
    source: TargetSource,
) -> Result<Target, Failure> {
    let usage = |e: anyhow::Error| Failure::new(exit::USAGE, e);
    match spec {
        ServerSpec::Addr { ip, port, text } => Ok(Target {
            label: lab
                .and_then(|l| l.find(&ip.to_string()))
                .map(|s| s.name.to_string())
                .unwrap_or_else(|| text.clone()),
            addr: SocketAddr::new(*ip, port.unwrap_or(default_port)),
            source,
        }),
        ServerSpec::Host { name, port, text } => {
            if let Some(lab) = lab {
                let server = lab.find(name).ok_or_else(|| {
                    usage(anyhow!(
                        "server @{text}: no lab server has that name (see `dnscope lab`)"
                    ))
                })?;
                let mut addr = lab.addr(server);
                if let Some(p) = port {
                    addr.set_port(*p);
                }
                return Ok(Target {
                    label: server.name.to_string(),
                    addr,
                    source,
                });
            }
            let port = port.unwrap_or(default_port);
            let mut found = tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| usage(anyhow!("server @{text}: {e}")))?;
            let addr = found
                .next()
                .ok_or_else(|| usage(anyhow!("server @{text}: the name has no address")))?;
            Ok(Target {
                label: name.clone(),
                addr,
                source,
            })
        }
    }
}

/// The servers of `query`: those given, else the lab's authoritative server for the name,
/// else resolv.conf's.
///
/// # Errors
/// [`Failure`]: a server that cannot be resolved (usage), a lab without a server for the name
/// (lab), an unreadable resolv.conf (environment).
pub async fn query_targets(
    given: &[ServerSpec],
    name: &Name,
    lab: Option<&Lab>,
    port: Option<u16>,
) -> Result<Vec<Target>, Failure> {
    let targets = auth_targets(given, lab, port).await?;
    if !targets.is_empty() {
        return Ok(targets);
    }
    match lab {
        Some(lab) => {
            let (_, servers) = lab
                .authoritative_for(name)
                .ok_or_else(|| Failure::new(exit::LAB, anyhow!("lab: no root zone")))?;
            let server = servers
                .first()
                .ok_or_else(|| Failure::new(exit::LAB, anyhow!("lab: no server for {name}")))?;
            Ok(vec![Target {
                label: server.name.to_string(),
                addr: lab.addr(server),
                source: TargetSource::Lab,
            }])
        }
        None => system(port),
    }
}

/// The resolvers of `compare`: those given (each with its label), else the lab's, else
/// resolv.conf's.
///
/// # Errors
/// As [`query_targets`].
pub async fn compare_resolvers(
    given: &[(String, ServerSpec)],
    lab: Option<&Lab>,
    port: Option<u16>,
) -> Result<Vec<Target>, Failure> {
    let default_port = port.or(lab.map(Lab::port)).unwrap_or(53);
    let mut targets = Vec::new();
    for (label, s) in given {
        let source = if PUBLIC_RESOLVERS.iter().any(|(l, _)| l == label) {
            TargetSource::Public
        } else {
            TargetSource::User
        };
        let mut t = resolve(s, lab, default_port, source).await?;
        t.label.clone_from(label);
        targets.push(t);
    }
    if !targets.is_empty() {
        return Ok(targets);
    }
    match lab {
        Some(lab) => Ok(lab_resolvers(lab)),
        None => system(port),
    }
}

/// Servers named by the user (`@SERVER` of query, `--auth` of compare), each on its own
/// port or else `-p`, else the lab's, else 53.
///
/// # Errors
/// As [`resolve`].
pub async fn auth_targets(
    given: &[ServerSpec],
    lab: Option<&Lab>,
    port: Option<u16>,
) -> Result<Vec<Target>, Failure> {
    let default_port = port.or(lab.map(Lab::port)).unwrap_or(53);
    let mut targets = Vec::new();
    for s in given {
        targets.push(resolve(s, lab, default_port, TargetSource::User).await?);
    }
    Ok(targets)
}

/// resolv.conf's name servers: an unreadable or empty file is this machine's problem.
fn system(port: Option<u16>) -> Result<Vec<Target>, Failure> {
    dnscope::system::targets(port.unwrap_or(53)).map_err(|e| Failure::new(exit::ENV, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert!(matches!(
            spec("127.0.0.9"),
            Ok(ServerSpec::Addr { port: None, .. })
        ));
        assert!(matches!(
            spec("127.0.0.9:5353"),
            Ok(ServerSpec::Addr {
                port: Some(5353),
                ..
            })
        ));
        assert!(matches!(
            spec("::1"),
            Ok(ServerSpec::Addr { port: None, .. })
        ));
        assert!(matches!(
            spec("[::1]:53"),
            Ok(ServerSpec::Addr { port: Some(53), .. })
        ));
        assert!(matches!(spec("ns1.shop.test"), Ok(ServerSpec::Host { .. })));
        assert!(matches!(
            spec("ns1.shop.test:53"),
            Ok(ServerSpec::Host { port: Some(53), .. })
        ));
        assert!(spec("").is_err());
        assert!(spec("300.1.1.1").is_err());
        assert!(spec("1.2.3.4:99999").is_err());
        assert!(spec("::1:53:zz").is_err());
        assert!(spec("a..b").is_err());
    }

    #[test]
    fn labels() {
        assert!(matches!(labelled("office=192.0.2.53"), Ok((l, _)) if l == "office"));
        assert!(matches!(labelled("192.0.2.53"), Ok((l, _)) if l == "192.0.2.53"));
        assert!(labelled("=192.0.2.53").is_err());
    }
}
