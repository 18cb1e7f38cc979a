//! The system resolvers, read from `/etc/resolv.conf` (resolv.conf(5)).
//!
//! Only `nameserver` lines matter to dnscope: it asks those servers itself and ignores
//! `search`, `ndots` and `options`, since a name given to dnscope is always absolute.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use crate::target::{Target, TargetSource};

/// The file read by default; `DNSCOPE_RESOLV_CONF` overrides it (tests use that).
pub const RESOLV_CONF: &str = "/etc/resolv.conf";

/// Why the system resolvers are unknown.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// It lists no name server.
    #[error("{path} lists no nameserver; give a server with @ADDR or use --lab")]
    Empty { path: String },
}

/// The path in use: `$DNSCOPE_RESOLV_CONF` or [`RESOLV_CONF`].
pub fn resolv_conf_path() -> PathBuf {
    std::env::var_os("DNSCOPE_RESOLV_CONF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(RESOLV_CONF))
}

/// The name servers listed in a resolv.conf file, on port 53.
///
/// # Errors
/// [`SystemError`] when the file cannot be read or lists none.
pub fn resolvers(path: &Path) -> Result<Vec<SocketAddr>, SystemError> {
    let text = std::fs::read_to_string(path).map_err(|e| SystemError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let found = parse(&text);
    if found.is_empty() {
        return Err(SystemError::Empty {
            path: path.display().to_string(),
        });
    }
    Ok(found
        .into_iter()
        .map(|ip| SocketAddr::new(ip, 53))
        .collect())
}

/// The system resolvers as servers to ask, on `port` (53 unless given), from
/// [`resolv_conf_path`].
///
/// # Errors
/// [`SystemError`] when the file cannot be read or lists none.
pub fn targets(port: u16) -> Result<Vec<Target>, SystemError> {
    Ok(resolvers(&resolv_conf_path())?
        .into_iter()
        .map(|a| Target::at(SocketAddr::new(a.ip(), port), TargetSource::System))
        .collect())
}

/// `nameserver` addresses in file order; malformed lines are skipped, as the C library does.
pub fn parse(text: &str) -> Vec<IpAddr> {
    text.lines()
        .filter_map(|line| {
            let line = line.split(['#', ';']).next()?.trim();
            let mut words = line.split_whitespace();
            if words.next()? != "nameserver" {
                return None;
            }
            // Drop an IPv6 zone index (fe80::1%eth0): we cannot use it portably.
            let addr = words.next()?.split('%').next()?;
            addr.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nameserver_lines_only() {
        let text = "# generated\nsearch lan\nnameserver 127.0.0.53\nnameserver ::1 # local\n; nameserver 10.0.0.1\nnameserver bogus\nnameserver fe80::1%eth0\noptions edns0\n";
        let got: Vec<String> = parse(text).iter().map(ToString::to_string).collect();
        assert_eq!(got, vec!["127.0.0.53", "::1", "fe80::1"]);
    }
}
