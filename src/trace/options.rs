//! What a trace is asked to do: where it starts, how many servers it asks at once, its
//! per-query options and its bounds.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use hickory_proto::rr::Name;

use crate::wire::QueryOptions;

/// How many servers of a zone to ask at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fanout {
    /// Every known address in parallel; follow the first usable response.
    All,
    /// One server at a time, the next only when one fails (dig's way).
    One,
}

/// A name server met on the way (a root from the hints, or a server of a zone cut): its host
/// name when known, and one address of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameServer {
    /// Its host name (None for `--root ADDR`).
    pub name: Option<Name>,
    /// The address asked.
    pub addr: SocketAddr,
}

/// Where the root servers came from, printed first in every trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartFrom {
    /// dnscope's built-in IANA hints, with their date.
    BuiltIn { date: &'static str },
    /// A named.root-style file.
    HintsFile(PathBuf),
    /// `--root ADDR` on the command line.
    Given,
    /// The embedded lab's root servers.
    Lab,
}

/// Which address families a trace may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Family {
    /// IPv4 server addresses.
    pub ipv4: bool,
    /// IPv6 server addresses.
    pub ipv6: bool,
}

impl Family {
    /// Both families.
    pub const BOTH: Family = Family {
        ipv4: true,
        ipv6: true,
    };

    /// Whether `ip` may be asked.
    pub fn allows(self, ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(_) => self.ipv4,
            IpAddr::V6(_) => self.ipv6,
        }
    }
}

/// Limits and switches of a trace.
#[derive(Debug, Clone)]
pub struct TraceOptions {
    /// The root servers.
    pub roots: Vec<NameServer>,
    /// Where they came from.
    pub start: StartFrom,
    /// The port for every server address learnt on the way.
    pub port: u16,
    /// All servers at once, or one at a time.
    pub fanout: Fanout,
    /// Per-query options (RD is forced off: we ask authoritative servers).
    pub query: QueryOptions,
    /// Total queries allowed for the whole trace, nested lookups included.
    pub budget: usize,
    /// Referrals allowed in one resolution.
    pub max_referrals: usize,
    /// How deep glueless lookups may nest (a lookup needed for a lookup ...).
    pub max_depth: usize,
    /// CNAME links allowed in one chain.
    pub max_cnames: usize,
    /// NS names looked up at most per glueless delegation.
    pub max_ns_lookups: usize,
    /// Wall-clock limit for the whole trace.
    pub deadline: Duration,
    /// The address families to use.
    pub family: Family,
    /// How long to wait, once the outcome is known, for the servers that lost the race.
    pub stragglers: Stragglers,
    /// Validate with DNSSEC from these trust anchors (None: `--no-dnssec`). Queries then
    /// carry DO=1 and each zone's DNSKEY RRset is fetched alongside.
    pub dnssec: Option<std::sync::Arc<crate::dnssec::Anchors>>,
}

/// What to do about queries still in flight when the outcome is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stragglers {
    /// Wait a short grace period (three times the slowest RTT seen, 50 ms at least, the
    /// query timeout at most), so that their outcome can be shown.
    Grace,
    /// Wait for every one to answer or time out.
    All,
    /// Do not wait: report them as "no reply yet".
    None,
}

impl Default for TraceOptions {
    fn default() -> Self {
        Self {
            roots: Vec::new(),
            start: StartFrom::Given,
            port: 53,
            fanout: Fanout::All,
            query: QueryOptions {
                recursion_desired: false,
                ..QueryOptions::default()
            },
            budget: 150,
            max_referrals: 24,
            max_depth: 6,
            max_cnames: 12,
            max_ns_lookups: 4,
            deadline: Duration::from_secs(30),
            family: Family::BOTH,
            stragglers: Stragglers::Grace,
            dnssec: None,
        }
    }
}
