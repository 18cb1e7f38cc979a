//! Checking each zone cut's own NS set: at every zone of the main resolution below the root,
//! the servers asked the question are also asked, at the same moment, for the zone's NS RRset
//! (RD=0), so that the trace can show where the parent's delegation and the zone itself
//! disagree (RFC 1034 §4.2.2; DNSViz reports it too). It costs no wall time (the answers come
//! in parallel with the question's) and is counted apart from the resolution's queries.

use std::sync::Arc;

use hickory_proto::rr::{Name, RData, RecordType};

use super::walker::{Question, Walker};
use super::{NameServer, Trace};
use crate::wire::build_query;

/// One server's answer to "what is your zone's NS set?" (RFC 1034 §4.2.2: it should match
/// the delegation the parent hands out).
#[derive(Debug, Clone)]
pub struct ZoneNs {
    /// The server asked.
    pub server: NameServer,
    /// The NS names at the zone's apex, sorted; None when no usable answer came (an error, a
    /// non-authoritative or empty answer).
    pub names: Option<Vec<Name>>,
}

/// Where a zone's own NS set and its parent's delegation disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsMismatch {
    /// The zone's servers agree among themselves, not with the parent.
    ParentChild {
        /// The parent's delegation, sorted.
        parent: Vec<Name>,
        /// The zone's own apex NS set, sorted.
        child: Vec<Name>,
        /// Named only by the parent (resolvers are sent there; the zone disowns them).
        parent_only: Vec<Name>,
        /// Named only by the zone (resolvers starting from the root never hear of them).
        child_only: Vec<Name>,
    },
    /// The zone's servers give different NS sets (a secondary behind, or a mistake).
    ServersDisagree {
        /// The parent's delegation, sorted.
        parent: Vec<Name>,
        /// Each server that answered and its set.
        each: Vec<(NameServer, Vec<Name>)>,
    },
}

impl Trace {
    /// Whether the zone of step `index` (a zone cut of the main resolution) has an own NS
    /// set that differs from its parent's delegation; None when they agree or nothing could
    /// be compared (no server answered the check).
    pub fn ns_mismatch(&self, index: usize) -> Option<NsMismatch> {
        let s = self.steps.get(index)?;
        let mut parent: Vec<Name> = self
            .delegation_of(&s.zone)?
            .ns
            .iter()
            .map(|(n, _)| n.to_lowercase())
            .collect();
        parent.sort();
        parent.dedup();
        let each: Vec<(NameServer, Vec<Name>)> = s
            .zone_ns
            .iter()
            .filter_map(|z| z.names.clone().map(|n| (z.server.clone(), n)))
            .collect();
        let (_, child) = each.first()?;
        if each.iter().any(|(_, n)| n != child) {
            return Some(NsMismatch::ServersDisagree { parent, each });
        }
        if *child == parent {
            return None;
        }
        let child = child.clone();
        Some(NsMismatch::ParentChild {
            parent_only: parent
                .iter()
                .filter(|n| !child.contains(n))
                .cloned()
                .collect(),
            child_only: child
                .iter()
                .filter(|n| !parent.contains(n))
                .cloned()
                .collect(),
            parent,
            child,
        })
    }
}

impl Walker {
    /// Ask `targets` for the NS set of `q.zone`, in the background, once per zone.
    pub(super) fn check_zone_ns(self: Arc<Self>, q: &Question, targets: &[NameServer]) {
        if q.zone.is_root() {
            return;
        }
        {
            let mut state = self.lock();
            if state.checked.contains(&q.zone) {
                return;
            }
            state.checked.push(q.zone.clone());
            state.checks += targets.len();
            state.background += 1;
        }
        let mut opts = self.opts.query.clone();
        opts.recursion_desired = false;
        opts.nsid = false;
        let (step, zone) = (q.step, q.zone.clone());
        let targets = targets.to_vec();
        let walker = self.clone();
        let handle = tokio::spawn(async move {
            let mut tasks = tokio::task::JoinSet::new();
            for ns in targets {
                let transport = walker.transport.clone();
                let message = build_query(&zone, RecordType::NS, &opts);
                let opts = opts.clone();
                tasks.spawn(async move {
                    let answer = transport.exchange(ns.addr, &message, &opts).await;
                    (ns, answer)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                let Ok((server, answer)) = joined else {
                    continue;
                };
                let names = answer.ok().and_then(|x| {
                    if !x.response.metadata.authoritative {
                        return None;
                    }
                    let mut names: Vec<Name> = x
                        .response
                        .answers
                        .iter()
                        .filter(|r| r.name.to_lowercase() == zone)
                        .filter_map(|r| match &r.data {
                            RData::NS(ns) => Some(ns.0.to_lowercase()),
                            _ => None,
                        })
                        .collect();
                    names.sort();
                    names.dedup();
                    (!names.is_empty()).then_some(names)
                });
                walker.with_step(step, |s| s.zone_ns.push(ZoneNs { server, names }));
            }
            {
                let mut state = walker.lock();
                state.background = state.background.saturating_sub(1);
            }
            walker.changed.notify_waiters();
        });
        self.lock().spawned.push(handle.abort_handle());
    }
}
