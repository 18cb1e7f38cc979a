//! The delegation cache: what a resolver learns on the way down and reuses for every later
//! question in the same trace (a CNAME restart, a nested NS lookup). Zone cuts map to their
//! name servers; name-server names map to the addresses learnt for them, from glue or from
//! their own lookups. Pure data, no I/O, so every rule is unit-tested below.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use hickory_proto::rr::{Name, RecordType};

use super::{Family, NameServer, Referral, addresses};

/// A server of a zone: its name (when known) and the addresses given with it (glue, or a
/// root hint's address).
#[derive(Debug, Clone)]
struct NsEntry {
    name: Option<Name>,
    addrs: Vec<SocketAddr>,
}

/// Zone cuts and server addresses learnt so far.
#[derive(Debug, Clone)]
pub(super) struct DelegationCache {
    cuts: HashMap<Name, Vec<NsEntry>>,
    addrs: HashMap<Name, Vec<IpAddr>>,
    /// The port every address learnt on the way is asked on.
    port: u16,
    family: Family,
}

impl DelegationCache {
    /// A cache that knows only the root servers (those of an allowed family).
    pub(super) fn new(roots: &[NameServer], port: u16, family: Family) -> Self {
        let entries = roots
            .iter()
            .filter(|r| family.allows(&r.addr.ip()))
            .map(|r| NsEntry {
                name: r.name.as_ref().map(Name::to_lowercase),
                addrs: vec![r.addr],
            })
            .collect();
        let mut cuts = HashMap::new();
        cuts.insert(Name::root(), entries);
        Self {
            cuts,
            addrs: HashMap::new(),
            port,
            family,
        }
    }

    /// The deepest zone with known servers that contains `name`.
    pub(super) fn closest_cut(&self, name: &Name) -> Name {
        let mut n = name.clone();
        while !n.is_root() && !self.cuts.contains_key(&n) {
            n = n.base_name();
        }
        n
    }

    /// Where to start for a question: the closest known cut, except that DS records live in
    /// the parent zone (RFC 4035 §3.1.4.1), so a DS question starts above the name.
    pub(super) fn cut_for(&self, name: &Name, qtype: RecordType) -> Name {
        if qtype == RecordType::DS && !name.is_root() {
            self.closest_cut(&name.base_name())
        } else {
            self.closest_cut(name)
        }
    }

    /// The servers to ask for `zone` (glue, and addresses learnt so far; at most `max`), and
    /// the NS names with no known address.
    pub(super) fn targets(&self, zone: &Name, max: usize) -> (Vec<NameServer>, Vec<Name>) {
        let mut targets: Vec<NameServer> = Vec::new();
        let mut unresolved = Vec::new();
        for entry in self.cuts.get(zone).map(Vec::as_slice).unwrap_or_default() {
            let mut addrs: Vec<SocketAddr> = entry
                .addrs
                .iter()
                .copied()
                .filter(|a| self.family.allows(&a.ip()))
                .collect();
            if addrs.is_empty()
                && let Some(name) = &entry.name
            {
                addrs = self.known_addresses(name);
            }
            if addrs.is_empty() {
                if let Some(name) = &entry.name {
                    unresolved.push(name.clone());
                }
                continue;
            }
            for addr in addrs {
                if !targets.iter().any(|t| t.addr == addr) {
                    targets.push(NameServer {
                        name: entry.name.clone(),
                        addr,
                    });
                }
            }
        }
        targets.truncate(max);
        (targets, unresolved)
    }

    /// The addresses learnt for a name server, of the allowed families, on the trace's port.
    fn known_addresses(&self, name: &Name) -> Vec<SocketAddr> {
        self.addrs
            .get(name)
            .map(|ips| {
                ips.iter()
                    .filter(|ip| self.family.allows(ip))
                    .map(|ip| SocketAddr::new(*ip, self.port))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Learn a referral: its glue addresses, and the zone cut with its servers (a cut already
    /// known keeps its first NS set, as a resolver keeps what it has cached).
    pub(super) fn learn_referral(&mut self, r: &Referral) {
        for g in &r.glue {
            for ip in addresses(std::slice::from_ref(g)) {
                self.add_address(&g.name.to_lowercase(), ip);
            }
        }
        if self.cuts.contains_key(&r.zone) {
            return;
        }
        let port = self.port;
        let entries =
            r.ns.iter()
                .map(|(ns, _ttl)| NsEntry {
                    name: Some(ns.clone()),
                    addrs: self
                        .addrs
                        .get(ns)
                        .map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect())
                        .unwrap_or_default(),
                })
                .collect();
        self.cuts.insert(r.zone.clone(), entries);
    }

    /// Learn the addresses found by a name server's own lookup; return them as servers to
    /// ask (those of an allowed family).
    pub(super) fn learn_addresses(&mut self, ns: &Name, ips: &[IpAddr]) -> Vec<NameServer> {
        let mut targets: Vec<NameServer> = Vec::new();
        for ip in ips {
            self.add_address(ns, *ip);
            let addr = SocketAddr::new(*ip, self.port);
            if self.family.allows(ip) && !targets.iter().any(|t| t.addr == addr) {
                targets.push(NameServer {
                    name: Some(ns.clone()),
                    addr,
                });
            }
        }
        targets
    }

    fn add_address(&mut self, name: &Name, ip: IpAddr) {
        let list = self.addrs.entry(name.clone()).or_default();
        if !list.contains(&ip) {
            list.push(ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, AAAA};
    use hickory_proto::rr::{RData, Record};

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    fn root(name: &str, addr: &str) -> NameServer {
        NameServer {
            name: Some(n(name)),
            addr: addr.parse().expect("addr"),
        }
    }

    fn a(owner: &str, ip: [u8; 4]) -> Record {
        Record::from_rdata(n(owner), 60, RData::A(A::new(ip[0], ip[1], ip[2], ip[3])))
    }

    fn referral(zone: &str, ns: &[&str], glue: Vec<Record>) -> Referral {
        Referral {
            zone: n(zone),
            ns: ns.iter().map(|s| (n(s), 3600)).collect(),
            glue,
            ignored_glue: Vec::new(),
        }
    }

    fn cache() -> DelegationCache {
        DelegationCache::new(&[root("a.root.", "127.0.0.2:53")], 53, Family::BOTH)
    }

    #[test]
    fn starts_at_the_root_and_moves_down_with_referrals() {
        let mut c = cache();
        assert_eq!(c.closest_cut(&n("www.shop.test.")), Name::root());
        c.learn_referral(&referral(
            "test.",
            &["ns1.nic.test."],
            vec![a("ns1.nic.test.", [127, 0, 0, 10])],
        ));
        assert_eq!(c.closest_cut(&n("www.shop.test.")), n("test."));
        assert_eq!(c.closest_cut(&n("test.")), n("test."));
        assert_eq!(c.closest_cut(&n("other.")), Name::root());
        let (targets, unresolved) = c.targets(&n("test."), 32);
        assert_eq!(
            targets,
            [NameServer {
                name: Some(n("ns1.nic.test.")),
                addr: "127.0.0.10:53".parse().expect("addr")
            }]
        );
        assert!(unresolved.is_empty());
    }

    #[test]
    fn ds_questions_start_at_the_parent() {
        let mut c = cache();
        c.learn_referral(&referral("test.", &["ns1.nic.test."], Vec::new()));
        c.learn_referral(&referral("shop.test.", &["ns1.shop.test."], Vec::new()));
        assert_eq!(c.cut_for(&n("shop.test."), RecordType::DS), n("test."));
        assert_eq!(c.cut_for(&n("shop.test."), RecordType::A), n("shop.test."));
        assert_eq!(c.cut_for(&Name::root(), RecordType::DS), Name::root());
    }

    #[test]
    fn glueless_servers_are_unresolved_until_their_addresses_are_learnt() {
        let mut c = cache();
        c.learn_referral(&referral(
            "cdn.example.",
            &["ns1.dns-host.test.", "ns2.dns-host.test."],
            Vec::new(),
        ));
        let (targets, unresolved) = c.targets(&n("cdn.example."), 32);
        assert!(targets.is_empty());
        assert_eq!(
            unresolved,
            [n("ns1.dns-host.test."), n("ns2.dns-host.test.")]
        );
        let learnt = c.learn_addresses(
            &n("ns1.dns-host.test."),
            &["127.0.0.60".parse().expect("ip")],
        );
        assert_eq!(learnt.len(), 1);
        let (targets, unresolved) = c.targets(&n("cdn.example."), 32);
        assert_eq!(targets.len(), 1);
        assert_eq!(unresolved, [n("ns2.dns-host.test.")]);
    }

    #[test]
    fn a_known_cut_keeps_its_first_ns_set_but_learns_new_glue() {
        let mut c = cache();
        c.learn_referral(&referral("test.", &["ns1.nic.test."], Vec::new()));
        c.learn_referral(&referral(
            "test.",
            &["ns9.nic.test."],
            vec![a("ns1.nic.test.", [127, 0, 0, 10])],
        ));
        let (targets, unresolved) = c.targets(&n("test."), 32);
        assert_eq!(
            targets.len(),
            1,
            "ns1's address came with the second referral"
        );
        assert_eq!(targets[0].name, Some(n("ns1.nic.test.")));
        assert!(unresolved.is_empty(), "ns9 was not added to the cut");
    }

    #[test]
    fn families_filter_roots_glue_and_lookups() {
        let v6only = Family {
            ipv4: false,
            ipv6: true,
        };
        let c = DelegationCache::new(&[root("a.root.", "127.0.0.2:53")], 53, v6only);
        let (targets, unresolved) = c.targets(&Name::root(), 32);
        assert!(
            targets.is_empty() && unresolved.is_empty(),
            "no usable root"
        );
        let mut c = DelegationCache::new(
            &[root("a.root.", "[::1]:53"), root("b.root.", "127.0.0.3:53")],
            53,
            v6only,
        );
        assert_eq!(c.targets(&Name::root(), 32).0.len(), 1);
        c.learn_referral(&referral(
            "test.",
            &["ns1.nic.test."],
            vec![
                a("ns1.nic.test.", [127, 0, 0, 10]),
                Record::from_rdata(
                    n("ns1.nic.test."),
                    60,
                    RData::AAAA(AAAA::new(0, 0, 0, 0, 0, 0, 0, 1)),
                ),
            ],
        ));
        let (targets, _) = c.targets(&n("test."), 32);
        assert_eq!(targets.len(), 1);
        assert!(targets[0].addr.is_ipv6());
    }

    #[test]
    fn targets_are_capped_and_deduplicated() {
        let mut c = cache();
        let names: Vec<String> = (0..40).map(|i| format!("ns{i}.big.test.")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let glue = (0..40u8)
            .map(|i| a(&names[usize::from(i)], [127, 0, 1, i]))
            .collect();
        c.learn_referral(&referral("big.test.", &refs, glue));
        assert_eq!(c.targets(&n("big.test."), 32).0.len(), 32);
        let mut c = cache();
        c.learn_referral(&referral(
            "dup.test.",
            &["ns1.dup.test.", "ns2.dup.test."],
            vec![
                a("ns1.dup.test.", [127, 0, 0, 9]),
                a("ns2.dup.test.", [127, 0, 0, 9]),
            ],
        ));
        assert_eq!(
            c.targets(&n("dup.test."), 32).0.len(),
            1,
            "one address, asked once"
        );
    }
}
