//! Servers to ask, as a person names them: one type for `query` and `compare` alike (a name
//! server met during a trace is a [`crate::trace::NameServer`] instead: it has a host name from
//! the DNS, not a label).
//!
//! Turning what the user typed (`@ns1.shop.test`, `LABEL=ADDR:PORT`) into a [`Target`] is the
//! binary's job, done once before any engine runs; the lab, resolv.conf and the discovery
//! trace produce targets too.

use std::net::SocketAddr;

use crate::wire::Via;

/// Where a server to ask came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// Named on the command line (or in a `--resolvers` file).
    User,
    /// A `nameserver` line of resolv.conf.
    System,
    /// Picked from the lab (its authoritative server for the name, or its resolvers).
    Lab,
    /// The built-in list of public resolvers (`compare --public`).
    Public,
    /// Found by a trace: an authoritative server of the zone.
    Discovered,
}

/// A server to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// How to call it: a label, what the user typed, or the server's host name.
    pub label: String,
    /// Where to send the question.
    pub addr: SocketAddr,
    /// How: plain DNS (UDP, TCP on truncation), or a chosen transport (`tls://`, ...).
    pub via: Via,
    /// Where it came from.
    pub source: TargetSource,
}

impl Target {
    /// A target labelled with its address.
    pub fn at(addr: SocketAddr, source: TargetSource) -> Self {
        Self {
            label: addr.ip().to_string(),
            addr,
            via: Via::Plain,
            source,
        }
    }
}
