//! Gathering DNSSEC evidence while the trace walks down: every zone of the main resolution is
//! asked for its DNSKEY RRset the moment its servers are known (in parallel with the question
//! itself), and a DS RRset is asked of the parent when a referral carried neither a DS nor a
//! proof that there is none. Validation reads it all once the walk is over
//! ([`crate::dnssec::validate`]).

use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use super::walker::Walker;
use super::{NameServer, Trace};
use crate::wire::{Exchange, WireError, build_query};

/// One DNSSEC question asked for validation, and what came of it.
#[derive(Debug, Clone)]
pub struct KeyFetch {
    /// The zone it is about.
    pub zone: Name,
    /// DNSKEY (asked of the zone's servers) or DS (asked of its parent's).
    pub rtype: RecordType,
    /// The server asked.
    pub server: NameServer,
    /// Its answer, or why none came.
    pub result: Result<Exchange, WireError>,
}

impl Walker {
    /// Ask `targets` for `zone`'s DNSKEY RRset, once per zone, in the background.
    pub(super) fn fetch_keys(self: Arc<Self>, zone: &Name, targets: &[NameServer]) {
        if self.opts.dnssec.is_none() {
            return;
        }
        {
            let mut state = self.lock();
            if state.keys_asked.contains(zone) {
                return;
            }
            state.keys_asked.push(zone.clone());
        }
        self.fetch(zone, zone, RecordType::DNSKEY, targets);
    }

    /// After a referral to `child` at `step` that held neither a DS nor an NSEC/NSEC3 proof
    /// (a server that does not do DNSSEC, or a parent that is not signed): ask the servers of
    /// that step for the DS RRset, so that validation can tell which it is.
    pub(super) fn fetch_ds_if_missing(self: Arc<Self>, step: usize, child: &Name) {
        if self.opts.dnssec.is_none() {
            return;
        }
        let targets: Vec<NameServer> = {
            let mut state = self.lock();
            let Some(s) = state.steps.get(step) else {
                return;
            };
            let evidence = s.chosen_attempt().and_then(|a| a.exchange()).is_some_and(|x| {
                x.response.authorities.iter().any(|r| {
                    matches!(
                        r.record_type(),
                        RecordType::DS | RecordType::NSEC | RecordType::NSEC3
                    )
                })
            });
            if evidence || state.ds_asked.contains(child) {
                return;
            }
            let targets = s
                .attempts
                .iter()
                .filter(|a| a.exchange().is_some())
                .map(|a| a.ns.clone())
                .collect();
            state.ds_asked.push(child.clone());
            targets
        };
        self.fetch(child, child, RecordType::DS, &targets);
    }

    /// Ask every target `qname`/`rtype` (RD=0, DO=1) and record the answers as fetches for
    /// `zone`; the walk waits for them before validating ([`Walker::wait_for_keys`]).
    fn fetch(self: Arc<Self>, zone: &Name, qname: &Name, rtype: RecordType, targets: &[NameServer]) {
        let mut opts = self.opts.query.clone();
        opts.recursion_desired = false;
        opts.dnssec_ok = true;
        opts.nsid = false;
        let message = build_query(qname, rtype, &opts);
        self.lock().fetching += targets.len();
        for server in targets.iter().cloned() {
            let walker = self.clone();
            let (zone, message, opts) = (zone.clone(), message.clone(), opts.clone());
            let handle = tokio::spawn(async move {
                let result = walker.transport.exchange(server.addr, &message, &opts).await;
                {
                    let mut state = walker.lock();
                    state.fetches.push(KeyFetch {
                        zone,
                        rtype,
                        server,
                        result,
                    });
                    state.fetching = state.fetching.saturating_sub(1);
                }
                walker.changed.notify_waiters();
            });
            self.lock().spawned.push(handle.abort_handle());
        }
    }

    /// Wait until every DNSSEC question has its answer (each is bounded by the query
    /// timeout and retries), or until the trace's deadline.
    pub(super) async fn wait_for_keys(&self) {
        let per_query = self
            .opts
            .query
            .timeout
            .saturating_mul(self.opts.query.retries.saturating_add(1))
            .saturating_add(Duration::from_millis(50));
        let deadline = tokio::time::Instant::from_std(self.t0 + self.opts.deadline);
        let until = (tokio::time::Instant::now() + per_query).min(deadline);
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.lock().fetching == 0 {
                return;
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(until) => return,
            }
        }
    }
}

impl Trace {
    /// The DNSSEC questions asked for validation (DNSKEY and DS), counted apart from the
    /// resolution's.
    pub fn dnssec_queries(&self) -> usize {
        self.fetches.len()
    }
}
