//! How a server was written: its scheme (`tls://`, `https://HOST/PATH`, `quic://`, `udp://`,
//! `tcp://`) and TLS name (`#NAME`), and what that means for its target: the engine's `Via`,
//! the default port, the lab port that serves it, and the label of its row.

use anyhow::{Result, anyhow, bail};
use dnscope::exit;
use dnscope::wire::Via;
use hickory_proto::rr::Name;

use crate::app::Failure;

/// The transport a server was given with (`tls://`, `https://…/PATH`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Way {
    /// Which transport.
    pub scheme: Scheme,
    /// The name its certificate must carry (`#NAME`, or `--tls-name`).
    pub tls_name: Option<String>,
}

/// The transports a server can be written with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Scheme {
    /// No scheme: UDP, TCP on truncation.
    #[default]
    Plain,
    /// `udp://`
    Udp,
    /// `tcp://`
    Tcp,
    /// `tls://`
    Tls,
    /// `https://HOST/PATH`, POST unless `--https-get`.
    Https { path: String, get: bool },
    /// `quic://`
    Quic,
}

impl super::servers::ServerSpec {
    /// The transport it was given with.
    pub fn way(&self) -> &Way {
        match self {
            super::servers::ServerSpec::Addr { way, .. }
            | super::servers::ServerSpec::Host { way, .. } => way,
        }
    }

    /// The same, to change.
    pub fn way_mut(&mut self) -> &mut Way {
        match self {
            super::servers::ServerSpec::Addr { way, .. }
            | super::servers::ServerSpec::Host { way, .. } => way,
        }
    }
}

/// Split `SCHEME://REST` into the transport and what names the server.
pub(super) fn scheme(text: &str, original: &str) -> Result<(Way, String)> {
    let Some((scheme, rest)) = text.split_once("://") else {
        return Ok((Way::default(), text.to_string()));
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (rest, None),
    };
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "udp" => Scheme::Udp,
        "tcp" => Scheme::Tcp,
        "tls" => Scheme::Tls,
        "quic" => Scheme::Quic,
        "https" => {
            let Some(slash) = rest.find('/') else {
                bail!(
                    "{original}: a DoH URL needs its path (https://HOST{})",
                    dnscope::wire::secure::DOH_PATH
                );
            };
            let (host, path) = rest.split_at(slash);
            if path.parse::<http::uri::PathAndQuery>().is_err() {
                bail!("{original}: {path:?} is not a valid URL path");
            }
            let way = Way {
                scheme: Scheme::Https {
                    path: path.to_string(),
                    get: false,
                },
                tls_name: tls_name(fragment, original)?,
            };
            return Ok((way, host.to_string()));
        }
        other => bail!(
            "{original}: unknown scheme \"{other}://\" (udp://, tcp://, tls://, https://, quic://)"
        ),
    };
    if rest.contains('/') {
        bail!("{original}: only https:// takes a path");
    }
    if fragment.is_some() && matches!(scheme, Scheme::Udp | Scheme::Tcp) {
        bail!("{original}: #NAME is the TLS name, for tls://, https:// and quic:// only");
    }
    Ok((
        Way {
            scheme,
            tls_name: tls_name(fragment, original)?,
        },
        rest.to_string(),
    ))
}

fn tls_name(fragment: Option<&str>, original: &str) -> Result<Option<String>> {
    match fragment {
        None => Ok(None),
        Some("") => bail!("{original}: empty TLS name after '#'"),
        Some(name) => {
            rustls::pki_types::ServerName::try_from(name)
                .map_err(|_| anyhow!("{original}: {name:?} is not a name TLS can check"))?;
            Ok(Some(name.to_string()))
        }
    }
}

/// What the engine needs to send a question the way it was written; `host` is the TLS name
/// when none was given.
pub(super) fn via(way: &Way, host: &str) -> Via {
    let name = way.tls_name.clone().unwrap_or_else(|| host.to_string());
    match &way.scheme {
        Scheme::Plain => Via::Plain,
        Scheme::Udp => Via::Udp,
        Scheme::Tcp => Via::Tcp,
        Scheme::Tls => Via::Tls { name },
        Scheme::Https { path, get } => Via::Https {
            name,
            path: path.clone(),
            get: *get,
        },
        Scheme::Quic => Via::Quic { name },
    }
}

/// The port of a transport when none was given: the DNS port for the plain ones, else the
/// transport's own (853, 443).
pub(super) fn plain_or(way: &Way, dns_port: u16) -> u16 {
    match via(way, "") {
        Via::Plain | Via::Udp | Via::Tcp => dns_port,
        other => other.default_port(),
    }
}

/// A lab server's label with the scheme it is asked over (`tls://isp-a`), so that the same
/// server over two transports makes two rows.
pub(super) fn labelled_way(way: &Way, server: &Name) -> String {
    let ascii = server.to_ascii();
    let name = ascii.trim_end_matches('.');
    let scheme = match &way.scheme {
        Scheme::Plain => return dnscope::present::name(server),
        Scheme::Udp => "udp",
        Scheme::Tcp => "tcp",
        Scheme::Tls => "tls",
        Scheme::Https { get: true, .. } => "https+get",
        Scheme::Https { .. } => "https",
        Scheme::Quic => "quic",
    };
    match &way.scheme {
        Scheme::Https { path, .. } if path != dnscope::wire::secure::DOH_PATH => {
            format!("{scheme}://{name}{path}")
        }
        _ => format!("{scheme}://{name}"),
    }
}

/// The port a lab server serves a transport on (`None`: the lab's DNS port).
pub(super) fn lab_port(
    server: &dnscope::lab::LabServer,
    way: &Way,
    text: &str,
) -> Result<Option<u16>, Failure> {
    let (ports, what) = match &way.scheme {
        Scheme::Plain | Scheme::Udp | Scheme::Tcp => return Ok(None),
        Scheme::Tls => (server.secure.map(|p| p.tls), "DoT"),
        Scheme::Https { .. } => (server.secure.map(|p| p.https), "DoH"),
        Scheme::Quic => (server.secure.map(|p| p.quic), "DoQ"),
    };
    ports.map(Some).ok_or_else(|| {
        Failure::new(
            exit::USAGE,
            anyhow!(
                "server {text}: lab server {} does not serve {what} (`dnscope lab` lists those that do)",
                dnscope::present::name(&server.name)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::servers::{ServerSpec, spec};
    use super::*;

    #[test]
    fn schemes_names_and_paths() {
        let s = spec("tls://1.1.1.1#cloudflare-dns.com").expect("tls");
        assert!(matches!(
            &s,
            ServerSpec::Addr { port: None, way, .. }
                if way.scheme == Scheme::Tls && way.tls_name.as_deref() == Some("cloudflare-dns.com")
        ));
        let s = spec("https://dns.example:8443/q?x=1").expect("https");
        assert!(matches!(
            &s,
            ServerSpec::Host { name, port: Some(8443), way, .. }
                if name == "dns.example"
                    && way.scheme == Scheme::Https { path: "/q?x=1".to_string(), get: false }
        ));
        let s = spec("quic://[::1]:853").expect("quic");
        assert!(
            matches!(&s, ServerSpec::Addr { port: Some(853), way, .. } if way.scheme == Scheme::Quic)
        );
        assert!(
            matches!(spec("TCP://127.0.0.1"), Ok(ServerSpec::Addr { way, .. }) if way.scheme == Scheme::Tcp)
        );
        for (bad, why) in [
            ("https://dns.example", "needs its path"),
            ("ftp://x", "unknown scheme"),
            ("tls://x:0", "port 0"),
            ("tls://x/path", "only https:// takes a path"),
            ("tcp://x#n", "#NAME"),
            ("tls://", "empty server"),
            ("https://x/a b", "not a valid URL path"),
        ] {
            let e = spec(bad).expect_err(bad).to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
