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
use dnscope::trace::Family;
use dnscope::wire::{Via, parse_name};

pub use super::way::{Scheme, Way};
use super::way::{lab_port, labelled_way, plain_or, scheme, via};
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
        way: Way,
    },
    /// A host name (a lab server with --lab, else looked up by the system).
    Host {
        name: String,
        port: Option<u16>,
        text: String,
        way: Way,
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
    // The same services over encrypted transports (their documented endpoints: addresses, with
    // the name their certificates carry), so that `--public` shows port 53 and DoH side by side.
    ("cloudflare-dot", "tls://1.1.1.1#cloudflare-dns.com"),
    (
        "cloudflare-doh",
        "https://1.1.1.1/dns-query#cloudflare-dns.com",
    ),
    ("google-dot", "tls://8.8.8.8#dns.google"),
    ("google-doh", "https://8.8.8.8/dns-query#dns.google"),
    ("quad9-dot", "tls://9.9.9.9#dns.quad9.net"),
    ("quad9-doh", "https://9.9.9.9/dns-query#dns.quad9.net"),
    ("adguard", "94.140.14.14"),
    ("adguard-dot", "tls://94.140.14.14#dns.adguard-dns.com"),
    (
        "adguard-doh",
        "https://94.140.14.14/dns-query#dns.adguard-dns.com",
    ),
    ("adguard-doq", "quic://94.140.14.14#dns.adguard-dns.com"),
];

/// `@SERVER`: `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]`, `[::1]:53`, `host`, `host:53`.
///
/// # Errors
/// A one-line message saying what is wrong with it, and how an IPv6 address takes a port.
pub fn spec(text: &str) -> Result<ServerSpec> {
    spec_named(text, &format!("server \"@{text}\""), "@")
}

/// A server given with a flag (`--root`, `--auth`, `--resolver`): errors name the flag.
///
/// # Errors
/// As [`spec`].
pub fn flag_spec(flag: &str, text: &str) -> Result<ServerSpec> {
    spec_named(text, &format!("{flag} {text:?}"), flag)
}

/// `original` is how errors name what was typed; `after` what an empty one followed.
fn spec_named(text: &str, original: &str, after: &str) -> Result<ServerSpec> {
    let (way, rest) = scheme(text, original)?;
    let mut spec = address(&rest, text, original, after)?;
    *spec.way_mut() = way;
    Ok(spec)
}

/// `rest` is what names the server once its scheme is off; `text` all that was typed.
fn address(rest: &str, text: &str, original: &str, after: &str) -> Result<ServerSpec> {
    let way = Way::default();
    if rest.is_empty() {
        bail!("empty server after {after}");
    }
    let ipv6_hint = "an IPv6 address with a port is written [::1]:53";
    if let Some(inner) = rest.strip_prefix('[') {
        // `[ADDR]` or `[ADDR]:PORT`.
        let Some((addr, rest)) = inner.split_once(']') else {
            bail!("{original}: missing ']' ({ipv6_hint})");
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| anyhow!("{original}: {addr:?} is not an IP address ({ipv6_hint})"))?;
        let port = match rest {
            "" => None,
            _ => match rest.strip_prefix(':') {
                Some(p) => Some(port(original, p)?),
                None => bail!("{original}: unexpected {rest:?} after ']' ({ipv6_hint})"),
            },
        };
        return Ok(ServerSpec::Addr {
            ip,
            port,
            text: text.to_string(),
            way: way.clone(),
        });
    }
    if let Ok(addr) = rest.parse::<SocketAddr>() {
        return Ok(ServerSpec::Addr {
            ip: addr.ip(),
            port: Some(port(original, &addr.port().to_string())?),
            text: text.to_string(),
            way: way.clone(),
        });
    }
    if let Ok(ip) = rest.parse::<IpAddr>() {
        return Ok(ServerSpec::Addr {
            ip,
            port: None,
            text: text.to_string(),
            way: way.clone(),
        });
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(port(original, p)?)),
        Some(_) => bail!("{original} is not a valid address ({ipv6_hint})"),
        None => (rest, None),
    };
    let looks_numeric = host
        .split('.')
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()));
    if looks_numeric {
        bail!("{original} is not a valid IPv4 address");
    }
    parse_name(host).map_err(|e| anyhow!("{original}: {e}"))?;
    Ok(ServerSpec::Host {
        name: host.to_string(),
        port,
        text: text.to_string(),
        way,
    })
}

/// A port a server can listen on: 1 to 65535.
fn port(original: &str, text: &str) -> Result<u16> {
    match text.parse::<u16>() {
        Ok(0) => bail!("{original}: port 0 is not a port a server listens on (1 to 65535)"),
        Ok(p) => Ok(p),
        Err(_) => bail!("{original}: {text:?} is not a port number (1 to 65535)"),
    }
}

/// A note for an IPv6 address written without brackets whose last group looks like a port
/// (`@::1:53` is the address ::1:53, not port 53 of ::1).
pub fn ambiguity(text: &str) -> Option<String> {
    let ip: std::net::Ipv6Addr = text.parse().ok()?;
    let (before, last) = text.rsplit_once(':')?;
    // Only where the part before it is an address of its own: `::1:53`, not `::1`.
    let looks_like_port = before.parse::<std::net::Ipv6Addr>().is_ok()
        && (2..=5).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit());
    looks_like_port.then(|| {
        format!(
            "@{text} is read as the IPv6 address {ip}; for port {last} of an address write @[ADDR]:{last}"
        )
    })
}

/// `[LABEL=]ADDR[:PORT]`: the label, or the text itself when none is given.
///
/// # Errors
/// An empty label, or a server that does not parse.
pub fn labelled(text: &str) -> Result<(String, ServerSpec)> {
    // A label is a plain word before '=': a '=' after "://", ':', '[' or '/' belongs to the
    // server (a DoH URL's query string).
    let label_end = text.find('=').filter(|&i| {
        let before = &text[..i];
        !before.contains([':', '[', '/'])
    });
    let (label, rest) = match label_end {
        Some(0) => bail!("resolver {text:?}: empty label before '='"),
        Some(i) => (text[..i].to_string(), &text[i + 1..]),
        None => (text.to_string(), text),
    };
    Ok((label, flag_spec("--resolver", rest)?))
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
            // '#' starts a comment at the start of a line or after a space; inside a server it
            // is the TLS name (tls://1.1.1.1#cloudflare-dns.com).
            let line = comment_free(line);
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

/// A `--resolvers` line without its comment, trimmed.
fn comment_free(line: &str) -> &str {
    let mut end = line.len();
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        if c == '#' && prev.is_whitespace() {
            end = i;
            break;
        }
        prev = c;
    }
    line[..end].trim()
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
        ServerSpec::Addr {
            ip,
            port,
            text,
            way,
        } => {
            let server = lab.and_then(|l| l.find(&ip.to_string()));
            let port = match (port, server) {
                (Some(p), _) => *p,
                (None, Some(s)) => lab_port(s, way, text)?.unwrap_or(default_port),
                (None, None) => plain_or(way, default_port),
            };
            Ok(Target {
                label: server
                    .map(|s| labelled_way(way, &s.name))
                    .unwrap_or_else(|| text.clone()),
                addr: SocketAddr::new(*ip, port),
                via: via(way, &ip.to_string()),
                source,
            })
        }
        ServerSpec::Host {
            name,
            port,
            text,
            way,
        } => {
            if let Some(lab) = lab {
                let server = lab.find(name).ok_or_else(|| {
                    usage(anyhow!(
                        "server @{text}: no lab server has that name (see `dnscope lab`)"
                    ))
                })?;
                let mut addr = lab.addr(server);
                if let Some(p) = lab_port(server, way, text)? {
                    addr.set_port(p);
                }
                if let Some(p) = port {
                    addr.set_port(*p);
                }
                let lab_name = server.name.to_ascii();
                let lab_name = lab_name.trim_end_matches('.');
                return Ok(Target {
                    label: labelled_way(way, &server.name),
                    addr,
                    via: via(way, lab_name),
                    source,
                });
            }
            let port = port.unwrap_or_else(|| plain_or(way, default_port));
            let mut found = tokio::net::lookup_host((name.as_str(), port))
                .await
                .map_err(|e| usage(anyhow!("server @{text}: {e}")))?;
            let addr = found
                .next()
                .ok_or_else(|| usage(anyhow!("server @{text}: the name has no address")))?;
            Ok(Target {
                label: name.clone(),
                addr,
                via: via(way, name),
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
                label: dnscope::present::name(&server.name),
                addr: lab.addr(server),
                via: Via::Plain,
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

/// Keep the targets of the families `-4`/`-6` allow; none left is bad input, said plainly.
///
/// # Errors
/// [`Failure`] (usage) when the flag leaves no server to ask.
pub fn of_family(targets: Vec<Target>, family: Family) -> Result<Vec<Target>, Failure> {
    if family.ipv4 && family.ipv6 {
        return Ok(targets);
    }
    let (flag, other) = if family.ipv6 {
        ("-6", "IPv4")
    } else {
        ("-4", "IPv6")
    };
    let (kept, dropped): (Vec<Target>, Vec<Target>) = targets
        .into_iter()
        .partition(|t| family.allows(&t.addr.ip()));
    if kept.is_empty() {
        let names: Vec<String> = dropped.iter().map(|t| t.label.clone()).collect();
        return Err(Failure::new(
            exit::USAGE,
            anyhow!(
                "{flag} leaves no server to ask: {} {} {other} addresses only",
                names.join(", "),
                if names.len() == 1 { "has" } else { "have" }
            ),
        ));
    }
    Ok(kept)
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
    fn ipv6_in_brackets_with_or_without_a_port() {
        // See: issue 11, defect 7.
        assert!(matches!(
            spec("[::1]"),
            Ok(ServerSpec::Addr { port: None, .. })
        ));
        assert!(matches!(
            spec("[::1]:5353"),
            Ok(ServerSpec::Addr {
                port: Some(5353),
                ..
            })
        ));
        assert!(spec("[::1").is_err());
        assert!(spec("[::1]x").is_err());
        assert!(spec("[nope]:53").is_err());
        let e = spec("[::1]:0").expect_err("port 0").to_string();
        assert!(e.contains("port 0"), "{e}");
        assert!(spec("127.0.0.1:0").is_err());
        assert!(spec("ns1.shop.test:0").is_err());
        assert!(ambiguity("::1:53").is_some_and(|n| n.contains("@[ADDR]:53")));
        assert_eq!(ambiguity("::1"), None);
        assert_eq!(ambiguity("2001:db8::abc"), None);
        assert_eq!(ambiguity("127.0.0.1"), None);
    }

    #[test]
    fn the_public_list_parses_and_names_each_encrypted_endpoint() {
        // Parsing only: nothing here sends a packet.
        let list = resolver_list(&[], None, true).expect("parses");
        assert_eq!(list.len(), PUBLIC_RESOLVERS.len());
        let encrypted: Vec<&Way> = list
            .iter()
            .map(|(_, s)| s.way())
            .filter(|w| w.scheme != Scheme::Plain)
            .collect();
        assert_eq!(encrypted.len(), 9);
        assert!(encrypted.iter().all(|w| w.tls_name.is_some()));
        assert!(
            encrypted
                .iter()
                .any(|w| matches!(&w.scheme, Scheme::Https { path, .. } if path == "/dns-query"))
        );
        assert!(encrypted.iter().any(|w| w.scheme == Scheme::Quic));
    }

    #[test]
    fn resolver_files_keep_tls_names_and_drop_comments() {
        assert_eq!(comment_free("# all comment"), "");
        assert_eq!(
            comment_free("dot=tls://1.1.1.1#cloudflare-dns.com   # Cloudflare"),
            "dot=tls://1.1.1.1#cloudflare-dns.com"
        );
        assert_eq!(comment_free("campus  # the campus one"), "campus");
        let (label, s) = labelled("https://dns.example/q?x=1").expect("no label");
        assert_eq!(label, "https://dns.example/q?x=1");
        assert!(matches!(s, ServerSpec::Host { ref name, .. } if name == "dns.example"));
        let (label, _) = labelled("doh=https://dns.example/q?x=1").expect("label");
        assert_eq!(label, "doh");
        assert!(labelled("=1.2.3.4").is_err());
    }

    #[test]
    fn labels() {
        assert!(matches!(labelled("office=192.0.2.53"), Ok((l, _)) if l == "office"));
        assert!(matches!(labelled("192.0.2.53"), Ok((l, _)) if l == "192.0.2.53"));
        assert!(labelled("=192.0.2.53").is_err());
    }
}
