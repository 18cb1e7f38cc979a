//! What a finished trace adds up to, for its summary: the zone-cut path of each name of a
//! CNAME chain, how many delegations were crossed (per top-level domain), and which TTL
//! governs how long the whole answer can be cached.

use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{End, Trace};

/// The zone cuts from the root down to the zone that answered for one name of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CutPath {
    /// The name (the name asked, or a CNAME target).
    pub name: Name,
    /// The zones from the root down, the last the one that answered for the name.
    pub zones: Vec<Name>,
    /// How many leading zones were already known from an earlier name of the chain and not
    /// asked again (the walk started below them). Equal to `zones.len()` when the name was
    /// answered inside an earlier name's response (an alias within the same zone).
    pub known: usize,
}

/// The delegations crossed below one top-level domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TldCuts {
    /// The top-level domain (itself a delegation from the root).
    pub tld: Name,
    /// The zone cuts below it, in the order met.
    pub below: Vec<Name>,
}

impl TldCuts {
    /// The delegations it stands for: the TLD itself and every zone cut below it.
    pub fn count(&self) -> usize {
        1 + self.below.len()
    }
}

/// The record whose TTL limits how long the whole answer can be cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Governing {
    /// That TTL, in seconds.
    pub ttl: u32,
    /// The record's owner.
    pub name: Name,
    /// Its type (SOA for a negative answer's negative TTL).
    pub rtype: RecordType,
    /// How many RRsets along the chain were considered: each CNAME link, the answer's
    /// RRset, the negative answer.
    pub of: usize,
}

impl Trace {
    /// The names of the chain: the name asked, then each CNAME target, in order.
    pub fn chain_names(&self) -> Vec<Name> {
        let mut names = vec![self.name.to_lowercase()];
        for c in &self.cnames {
            if let RData::CNAME(target) = &c.data {
                let target = target.0.to_lowercase();
                if !names.contains(&target) {
                    names.push(target);
                }
            }
        }
        names
    }

    /// One zone-cut path per name of the chain, from the main resolution's steps.
    pub fn cut_paths(&self) -> Vec<CutPath> {
        let mut paths: Vec<CutPath> = Vec::new();
        for name in self.chain_names() {
            let mut asked: Vec<Name> = Vec::new();
            for (_, s) in self.main_steps() {
                if s.qname.to_lowercase() == name && !asked.contains(&s.zone) {
                    asked.push(s.zone.clone());
                }
            }
            let path = match asked.first() {
                // Answered inside an earlier response: the same path as the name before.
                None => match paths.last() {
                    Some(before) => CutPath {
                        name,
                        zones: before.zones.clone(),
                        known: before.zones.len(),
                    },
                    None => continue,
                },
                Some(first) if first.is_root() => CutPath {
                    name,
                    zones: asked,
                    known: 0,
                },
                Some(first) => {
                    // The walk started at a cut learnt earlier: the zones above it come from
                    // the path that learnt it.
                    let prefix: Vec<Name> = paths
                        .iter()
                        .find_map(|p| {
                            p.zones
                                .iter()
                                .position(|z| z == first)
                                .map(|i| p.zones[..i].to_vec())
                        })
                        .unwrap_or_default();
                    let known = prefix.len();
                    CutPath {
                        name,
                        zones: prefix.into_iter().chain(asked).collect(),
                        known,
                    }
                }
            };
            paths.push(path);
        }
        paths
    }

    /// The delegations crossed on the main paths, grouped by top-level domain: every zone
    /// below the root counts once.
    pub fn delegations(&self) -> Vec<TldCuts> {
        let mut out: Vec<TldCuts> = Vec::new();
        for path in self.cut_paths() {
            for zone in path.zones.iter().filter(|z| !z.is_root()) {
                let tld = zone.trim_to(1);
                let entry = match out.iter_mut().position(|t| t.tld == tld) {
                    Some(i) => &mut out[i],
                    None => {
                        out.push(TldCuts {
                            tld: tld.clone(),
                            below: Vec::new(),
                        });
                        let last = out.len() - 1;
                        &mut out[last]
                    }
                };
                if *zone != tld && !entry.below.contains(zone) {
                    entry.below.push(zone.clone());
                }
            }
        }
        out
    }

    /// The smallest TTL along the chain (every CNAME link, the answer's records, or the
    /// negative TTL of a negative end): how long the whole answer can stay cached before
    /// some part of it has to be fetched again. None when nothing was found.
    pub fn governing_ttl(&self) -> Option<Governing> {
        let mut records: Vec<(u32, &Name, RecordType)> = self
            .cnames
            .iter()
            .chain(&self.answer)
            .map(|r: &Record| (r.ttl, &r.name, r.record_type()))
            .collect();
        if let End::NxDomain(n) | End::NoData(n) = &self.end
            && let (Some(soa), Some(ttl)) = (&n.soa, n.ttl)
        {
            records.push((ttl, &soa.name, RecordType::SOA));
        }
        let of = self.cnames.len()
            + usize::from(!self.answer.is_empty())
            + usize::from(records.len() > self.cnames.len() + self.answer.len());
        records
            .into_iter()
            .min_by_key(|(ttl, _, _)| *ttl)
            .map(|(ttl, name, rtype)| Governing {
                ttl,
                name: name.clone(),
                rtype,
                of,
            })
    }
}
