//! Root hints: where a trace starts.
//!
//! Built in: the IANA root hints (`named.root`, last updated December 20, 2023, root zone
//! version 2023122001; B-root renumbered to 170.247.170.2 / 2801:1b8:10::b that year). A
//! hints file in the same format can replace them (`--root-hints FILE`), and `--root ADDR`
//! starts from explicit addresses.

use std::net::IpAddr;

use hickory_proto::rr::Name;

/// The date of the built-in hints, printed with every trace that uses them.
pub const BUILT_IN_DATE: &str = "2023-12-20";

/// The built-in root hints, as in IANA's named.root.
pub const NAMED_ROOT: &str = "\
;       This file holds the information on root name servers needed to
;       initialize cache of Internet domain name servers
;       last update:     December 20, 2023
;       related version of root zone:     2023122001
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
.                        3600000      NS    C.ROOT-SERVERS.NET.
C.ROOT-SERVERS.NET.      3600000      A     192.33.4.12
C.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2::c
.                        3600000      NS    D.ROOT-SERVERS.NET.
D.ROOT-SERVERS.NET.      3600000      A     199.7.91.13
D.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2d::d
.                        3600000      NS    E.ROOT-SERVERS.NET.
E.ROOT-SERVERS.NET.      3600000      A     192.203.230.10
E.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:a8::e
.                        3600000      NS    F.ROOT-SERVERS.NET.
F.ROOT-SERVERS.NET.      3600000      A     192.5.5.241
F.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2f::f
.                        3600000      NS    G.ROOT-SERVERS.NET.
G.ROOT-SERVERS.NET.      3600000      A     192.112.36.4
G.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:12::d0d
.                        3600000      NS    H.ROOT-SERVERS.NET.
H.ROOT-SERVERS.NET.      3600000      A     198.97.190.53
H.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:1::53
.                        3600000      NS    I.ROOT-SERVERS.NET.
I.ROOT-SERVERS.NET.      3600000      A     192.36.148.17
I.ROOT-SERVERS.NET.      3600000      AAAA  2001:7fe::53
.                        3600000      NS    J.ROOT-SERVERS.NET.
J.ROOT-SERVERS.NET.      3600000      A     192.58.128.30
J.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:c27::2:30
.                        3600000      NS    K.ROOT-SERVERS.NET.
K.ROOT-SERVERS.NET.      3600000      A     193.0.14.129
K.ROOT-SERVERS.NET.      3600000      AAAA  2001:7fd::1
.                        3600000      NS    L.ROOT-SERVERS.NET.
L.ROOT-SERVERS.NET.      3600000      A     199.7.83.42
L.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:9f::42
.                        3600000      NS    M.ROOT-SERVERS.NET.
M.ROOT-SERVERS.NET.      3600000      A     202.12.27.33
M.ROOT-SERVERS.NET.      3600000      AAAA  2001:dc3::35
";

/// One root server from a hints file: its name and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootHint {
    /// The server's host name.
    pub name: Name,
    /// Its addresses, in file order.
    pub addrs: Vec<IpAddr>,
}

/// A hints file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error("root hints{}: {reason}", .line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct HintsError {
    /// 1-based line number, when one line is at fault.
    pub line: Option<usize>,
    /// What is wrong.
    pub reason: String,
}

/// Parse a named.root-style file: `. NS name` lines name the servers, `name A|AAAA addr`
/// lines give their addresses. Comments (`;`) and blank lines are skipped; the TTL and class
/// columns are optional.
///
/// # Errors
/// [`HintsError`] for a malformed line, an address that does not parse, or a file that names
/// no server with an address.
pub fn parse(text: &str) -> Result<Vec<RootHint>, HintsError> {
    let mut order: Vec<Name> = Vec::new();
    let mut addrs: Vec<(Name, IpAddr)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(';').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let err = |reason: String| HintsError {
            line: Some(i + 1),
            reason,
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(type_at) = words
            .iter()
            .position(|w| matches!(w.to_ascii_uppercase().as_str(), "NS" | "A" | "AAAA"))
        else {
            return Err(err(format!("expected an NS, A or AAAA record: {line:?}")));
        };
        let (Some(owner), Some(value)) = (words.first(), words.get(type_at + 1)) else {
            return Err(err(format!("incomplete record: {line:?}")));
        };
        let owner = Name::from_ascii(owner)
            .map_err(|e| err(format!("bad name {owner:?}: {e}")))?
            .to_lowercase();
        match words[type_at].to_ascii_uppercase().as_str() {
            "NS" => {
                let target = Name::from_ascii(value)
                    .map_err(|e| err(format!("bad name {value:?}: {e}")))?
                    .to_lowercase();
                if !order.contains(&target) {
                    order.push(target);
                }
            }
            _ => {
                let ip: IpAddr = value
                    .parse()
                    .map_err(|_| err(format!("bad address {value:?}")))?;
                addrs.push((owner, ip));
            }
        }
    }
    let hints: Vec<RootHint> = order
        .into_iter()
        .map(|name| RootHint {
            addrs: addrs
                .iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, ip)| *ip)
                .collect(),
            name,
        })
        .filter(|h| !h.addrs.is_empty())
        .collect();
    if hints.is_empty() {
        return Err(HintsError {
            line: None,
            reason: "no root server with an address (it needs `. NS name` and `name A addr` lines)"
                .to_string(),
        });
    }
    Ok(hints)
}

/// The built-in hints.
pub fn built_in() -> Vec<RootHint> {
    parse(NAMED_ROOT).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_hints_have_13_servers_with_both_families() {
        let hints = built_in();
        assert_eq!(hints.len(), 13);
        assert!(hints.iter().all(|h| h.addrs.len() == 2));
        let b = &hints[1];
        assert_eq!(b.name.to_string(), "b.root-servers.net.");
        assert_eq!(b.addrs[0].to_string(), "170.247.170.2");
    }

    #[test]
    fn bad_lines_are_named() {
        let e = parse(".  NS  a.example.\na.example. A 300.0.0.1\n").expect_err("bad address");
        assert_eq!(e.line, Some(2));
        assert!(parse("; nothing\n").is_err());
    }
}
