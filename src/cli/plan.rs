//! From what the user typed to a validated plan (ripgrep's low-args → high-args step).
//! Everything that can be checked without the network is checked here, with one-line errors.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use dnscope::lab::{LabConfig, LabSource};
use dnscope::wire::{QueryOptions, parse_name, parse_rtype, reverse_name};
use hickory_proto::rr::{Name, RecordType};

use dnscope::trace::{Fanout, RootServer, StartFrom, Stragglers, TraceOptions, hints};

use dnscope::lab::scenario::Scenario;

use super::{CompareArgs, LabFlags, QueryArgs, StartFlags, TraceArgs};

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

/// A validated `query`.
#[derive(Debug)]
pub struct QuerySpec {
    pub name: Name,
    pub rtype: RecordType,
    pub servers: Vec<ServerSpec>,
    pub options: QueryOptions,
    pub port: Option<u16>,
    pub lab: Option<LabConfig>,
}

/// Validate `dnscope query` arguments.
pub fn query(args: &QueryArgs) -> Result<QuerySpec> {
    let mut servers = Vec::new();
    let mut words = Vec::new();
    for arg in &args.args {
        match arg.strip_prefix('@') {
            Some(server) => servers.push(server_spec(server)?),
            None => words.push(arg.as_str()),
        }
    }
    let (name, rtype) = match &args.reverse {
        Some(addr) => {
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| anyhow!("-x {addr:?}: not an IPv4 or IPv6 address"))?;
            if let Some(extra) = words.first() {
                bail!("unexpected argument {extra:?}: with -x the name is made from the address");
            }
            let rtype = match &args.rtype {
                Some(t) => parse_rtype(t)?,
                None => RecordType::PTR,
            };
            (reverse_name(ip), rtype)
        }
        None => {
            let Some(first) = words.first() else {
                bail!("no name given: dnscope query NAME [TYPE] [@SERVER]...");
            };
            let name = parse_name(first)?;
            let rtype = match (words.get(1), &args.rtype) {
                (Some(_), Some(_)) => bail!("the type is given twice (positional and -t)"),
                (Some(t), None) => parse_rtype(t)?,
                (None, Some(t)) => parse_rtype(t)?,
                (None, None) => RecordType::A,
            };
            if let Some(extra) = words.get(2) {
                bail!("unexpected argument {extra:?} (servers start with @)");
            }
            (name, rtype)
        }
    };
    let options = QueryOptions {
        recursion_desired: !args.no_rd,
        edns: !args.no_edns,
        dnssec_ok: args.dnssec,
        checking_disabled: args.cd,
        timeout: duration(&args.timeout)?,
        retries: args.retries,
        tcp_only: args.tcp,
        tcp_on_truncation: !args.no_tcp_fallback,
    };
    if args.dnssec && args.no_edns {
        bail!("--dnssec needs EDNS (the DO bit lives in the OPT record): drop --no-edns");
    }
    Ok(QuerySpec {
        name,
        rtype,
        servers,
        options,
        port: args.port,
        lab: lab_config(&args.lab),
    })
}

/// A validated `trace`; the roots are filled in once the lab (if any) is running.
#[derive(Debug)]
pub struct TraceSpec {
    pub name: Name,
    pub rtype: RecordType,
    pub options: TraceOptions,
    pub port: Option<u16>,
    pub lab: Option<LabConfig>,
}

/// Validate `dnscope trace` arguments.
pub fn trace(args: &TraceArgs) -> Result<TraceSpec> {
    let words: Vec<&str> = args.args.iter().map(String::as_str).collect();
    if let Some(server) = words.iter().find(|w| w.starts_with('@')) {
        bail!(
            "unexpected {server:?}: a trace starts from the root; use --root ADDR to start elsewhere"
        );
    }
    let (name, rtype) = match &args.reverse {
        Some(addr) => {
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| anyhow!("-x {addr:?}: not an IPv4 or IPv6 address"))?;
            let rtype = match words.first() {
                Some(t) => parse_rtype(t)?,
                None => RecordType::PTR,
            };
            (reverse_name(ip), rtype)
        }
        None => {
            let Some(first) = words.first() else {
                bail!("no name given: dnscope trace NAME [TYPE]");
            };
            let rtype = match words.get(1) {
                Some(t) => parse_rtype(t)?,
                None => RecordType::A,
            };
            (parse_name(first)?, rtype)
        }
    };
    if let Some(extra) = words.get(if args.reverse.is_some() { 1 } else { 2 }) {
        bail!("unexpected argument {extra:?}");
    }
    let lab = lab_config(&args.lab);
    let port = args.start.port;
    let (roots, start) = start_from(&args.start, lab.is_some())?;
    let deadline = duration(&args.deadline)?;
    let timeout = duration(&args.timeout)?;
    let options = TraceOptions {
        roots,
        start,
        port: port.unwrap_or(53),
        fanout: if args.one { Fanout::One } else { Fanout::All },
        query: QueryOptions {
            recursion_desired: false,
            edns: true,
            dnssec_ok: args.dnssec,
            checking_disabled: false,
            timeout,
            retries: args.retries,
            tcp_only: args.tcp,
            tcp_on_truncation: true,
        },
        budget: args.budget,
        max_depth: args.max_depth,
        deadline,
        ipv4: !args.ipv6_only,
        ipv6: !args.ipv4_only,
        stragglers: if args.wait_all {
            Stragglers::All
        } else if args.no_wait {
            Stragglers::None
        } else {
            Stragglers::Grace
        },
        ..TraceOptions::default()
    };
    if options.budget == 0 {
        bail!("--budget must allow at least one query");
    }
    Ok(TraceSpec {
        name,
        rtype,
        options,
        port,
        lab,
    })
}

/// Where a trace starts: the lab, a hints file, `--root` addresses or the built-in hints.
fn start_from(flags: &StartFlags, lab: bool) -> Result<(Vec<RootServer>, StartFrom)> {
    let (roots, root_hints, port) = (&flags.roots, flags.root_hints.as_ref(), flags.port);
    if lab {
        if !roots.is_empty() || root_hints.is_some() {
            bail!("--lab starts from the lab's own root servers: drop --root/--root-hints");
        }
        return Ok((Vec::new(), StartFrom::Lab));
    }
    if let Some(path) = root_hints {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read root hints {}: {e}", path.display()))?;
        let parsed = hints::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        return Ok((
            hint_servers(&parsed, port.unwrap_or(53)),
            StartFrom::HintsFile(path.clone()),
        ));
    }
    if !roots.is_empty() {
        let mut found = Vec::new();
        for r in roots {
            match server_spec(r)? {
                ServerSpec::Addr { ip, port: p, .. } => found.push(RootServer {
                    name: None,
                    addr: SocketAddr::new(ip, p.or(port).unwrap_or(53)),
                }),
                ServerSpec::Host { .. } => {
                    bail!("--root {r:?}: give an address (names would need a resolver)")
                }
            }
        }
        return Ok((found, StartFrom::Given));
    }
    Ok((
        hint_servers(&hints::built_in(), port.unwrap_or(53)),
        StartFrom::BuiltIn {
            date: hints::BUILT_IN_DATE,
        },
    ))
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

/// A validated `compare`.
#[derive(Debug)]
pub struct CompareSpec {
    pub name: Option<Name>,
    pub rtype: RecordType,
    /// `(label, server)`, in the order given.
    pub resolvers: Vec<(String, ServerSpec)>,
    pub auth: Vec<ServerSpec>,
    pub trace: TraceOptions,
    pub port: Option<u16>,
    pub query: QueryOptions,
    pub scenario: Option<Scenario>,
    pub watch: Option<Duration>,
    pub watch_limit: Duration,
    pub lab: Option<LabConfig>,
}

/// `[LABEL=]ADDR[:PORT]`.
pub fn labelled_server(text: &str) -> Result<(String, ServerSpec)> {
    let (label, rest) = match text.split_once('=') {
        Some((l, r)) if !l.is_empty() => (l.to_string(), r),
        Some(_) => bail!("resolver {text:?}: empty label before '='"),
        None => (text.to_string(), text),
    };
    Ok((label, server_spec(rest)?))
}

/// Validate `dnscope compare` arguments.
pub fn compare(args: &CompareArgs) -> Result<CompareSpec> {
    let lab = lab_config(&args.lab);
    let scenario = match &args.scenario {
        Some(s) => {
            let Some(found) = Scenario::parse(s) else {
                let names: Vec<&str> = Scenario::ALL.iter().map(|(n, _)| *n).collect();
                bail!("unknown scenario {s:?} (known: {})", names.join(", "));
            };
            if lab.is_none() {
                bail!("--scenario plays on the embedded lab: add --lab");
            }
            Some(found)
        }
        None => None,
    };
    let words: Vec<&str> = args.args.iter().map(String::as_str).collect();
    if let Some(extra) = words.get(2) {
        bail!("unexpected argument {extra:?}");
    }
    let (name, rtype) = match (words.first(), scenario) {
        (Some(_), Some(_)) => bail!("--scenario sets the question itself: drop NAME"),
        (None, Some(_)) => (None, RecordType::A),
        (None, None) => bail!("no name given: dnscope compare NAME [TYPE]"),
        (Some(n), None) => (
            Some(parse_name(n)?),
            match words.get(1) {
                Some(t) => parse_rtype(t)?,
                None => RecordType::A,
            },
        ),
    };
    let mut resolvers = Vec::new();
    for r in &args.resolvers {
        resolvers.push(labelled_server(r)?);
    }
    if let Some(path) = &args.resolvers_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow!("cannot read resolvers file {}: {e}", path.display()))?;
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            resolvers.push(
                labelled_server(line)
                    .map_err(|e| anyhow!("{} line {}: {e}", path.display(), i + 1))?,
            );
        }
    }
    if args.public {
        if lab.is_some() {
            bail!("--public asks resolvers on the Internet; it does not mix with --lab");
        }
        for (label, addr) in PUBLIC_RESOLVERS {
            resolvers.push(labelled_server(&format!("{label}={addr}"))?);
        }
    }
    let mut auth = Vec::new();
    for a in &args.auth {
        auth.push(server_spec(a)?);
    }
    let total = duration(&args.timeout)?;
    let attempts = args.retries.saturating_add(1);
    let query = QueryOptions {
        timeout: total / attempts,
        retries: args.retries,
        ..QueryOptions::default()
    };
    let (roots, start) = start_from(&args.start, lab.is_some())?;
    let trace = TraceOptions {
        roots,
        start,
        port: args.start.port.unwrap_or(53),
        query: QueryOptions {
            recursion_desired: false,
            ..query.clone()
        },
        ..TraceOptions::default()
    };
    let watch = match &args.watch {
        Some(w) => Some(duration(w)?),
        None => None,
    };
    Ok(CompareSpec {
        name,
        rtype,
        resolvers,
        auth,
        trace,
        port: args.start.port,
        query,
        scenario,
        watch,
        watch_limit: duration(&args.watch_limit)?,
        lab,
    })
}

fn hint_servers(hints: &[hints::RootHint], port: u16) -> Vec<RootServer> {
    hints
        .iter()
        .flat_map(|h| {
            h.addrs.iter().map(|ip| RootServer {
                name: Some(h.name.clone()),
                addr: SocketAddr::new(*ip, port),
            })
        })
        .collect()
}

/// The lab to start, if the flags ask for one (any lab flag implies --lab).
pub fn lab_config(flags: &LabFlags) -> Option<LabConfig> {
    if !flags.lab && flags.lab_dir.is_none() && flags.lab_net.is_none() {
        return None;
    }
    Some(LabConfig {
        source: flags
            .lab_dir
            .clone()
            .map(LabSource::Dir)
            .unwrap_or_default(),
        net: flags.lab_net,
        port: Some(0),
    })
}

/// `@SERVER`: `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`, `host`, `host:53`.
pub fn server_spec(text: &str) -> Result<ServerSpec> {
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

/// `2s`, `500ms`, `1.5` (seconds), `1m`.
pub fn duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let (num, unit) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| anyhow!("duration {text:?}: use e.g. 2s, 500ms or 1.5"))?;
    let secs = value * unit;
    if !secs.is_finite() || secs <= 0.0 || secs > 3600.0 {
        bail!("duration {text:?} must be more than 0 and at most an hour");
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        assert!(matches!(
            server_spec("127.0.0.9"),
            Ok(ServerSpec::Addr { port: None, .. })
        ));
        assert!(matches!(
            server_spec("127.0.0.9:5353"),
            Ok(ServerSpec::Addr {
                port: Some(5353),
                ..
            })
        ));
        assert!(matches!(
            server_spec("::1"),
            Ok(ServerSpec::Addr { port: None, .. })
        ));
        assert!(matches!(
            server_spec("[::1]:53"),
            Ok(ServerSpec::Addr { port: Some(53), .. })
        ));
        assert!(matches!(
            server_spec("ns1.shop.test"),
            Ok(ServerSpec::Host { .. })
        ));
        assert!(matches!(
            server_spec("ns1.shop.test:53"),
            Ok(ServerSpec::Host { port: Some(53), .. })
        ));
        assert!(server_spec("").is_err());
        assert!(server_spec("300.1.1.1").is_err());
        assert!(server_spec("1.2.3.4:99999").is_err());
        assert!(server_spec("::1:53:zz").is_err());
        assert!(server_spec("a..b").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("2s").ok(), Some(Duration::from_secs(2)));
        assert_eq!(duration("500ms").ok(), Some(Duration::from_millis(500)));
        assert_eq!(duration("1.5").ok(), Some(Duration::from_millis(1500)));
        assert!(duration("0").is_err());
        assert!(duration("soon").is_err());
    }
}
