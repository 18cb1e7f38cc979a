//! Gathering DNSSEC evidence while the trace walks down: every zone of the main resolution is
//! asked for its DNSKEY RRset the moment its servers are known (in parallel with the question
//! itself), and a DS RRset is asked of the parent when a referral carried neither a DS nor a
//! proof that there is none. Validation reads it all once the walk is over
//! ([`crate::dnssec::validate`]).

use std::sync::Arc;
use std::time::Duration;

use hickory_proto::rr::{Name, RecordType};

use super::NameServer;
use super::walker::Walker;
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

/// The DNSSEC questions about one zone still on their way.
#[derive(Debug)]
pub(super) struct Pending {
    zone: Name,
    rtype: RecordType,
    /// Servers that have not answered yet.
    left: usize,
    /// One of them gave a usable answer: validation has what it needs.
    answered: bool,
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
    /// (a server that does not do DNSSEC, or a parent that is not signed): ask the server
    /// that sent it for the DS RRset, so that validation can tell which it is.
    pub(super) fn fetch_ds_if_missing(self: Arc<Self>, step: usize, child: &Name) {
        if self.opts.dnssec.is_none() {
            return;
        }
        let targets: Vec<NameServer> = {
            let mut state = self.lock();
            let Some(s) = state.steps.get(step) else {
                return;
            };
            let evidence = s
                .chosen_attempt()
                .and_then(|a| a.exchange())
                .is_some_and(|x| {
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
            // The server whose referral was followed: one question settles it.
            let targets: Vec<NameServer> = s
                .chosen_attempt()
                .map(|a| a.ns.clone())
                .into_iter()
                .collect();
            state.ds_asked.push(child.clone());
            targets
        };
        self.fetch(child, child, RecordType::DS, &targets);
    }

    /// Ask every target `qname`/`rtype` (RD=0, DO=1) and record the answers as fetches for
    /// `zone`; the walk waits for them before validating ([`Walker::wait_for_keys`]).
    fn fetch(
        self: Arc<Self>,
        zone: &Name,
        qname: &Name,
        rtype: RecordType,
        targets: &[NameServer],
    ) {
        let mut opts = self.opts.query.clone();
        opts.recursion_desired = false;
        opts.dnssec_ok = true;
        opts.nsid = false;
        let message = build_query(qname, rtype, &opts);
        self.lock().dnssec_sent += targets.len();
        self.lock().fetching.push(Pending {
            zone: zone.clone(),
            rtype,
            left: targets.len(),
            answered: false,
        });
        for server in targets.iter().cloned() {
            let walker = self.clone();
            let (zone, message, opts) = (zone.clone(), message.clone(), opts.clone());
            let handle = tokio::spawn(async move {
                let result = walker
                    .transport
                    .exchange(server.addr, &message, &opts)
                    .await;
                {
                    let usable = result.as_ref().is_ok_and(|x| {
                        x.response.metadata.response_code
                            == hickory_proto::op::ResponseCode::NoError
                    });
                    let mut state = walker.lock();
                    if let Some(p) = state
                        .fetching
                        .iter_mut()
                        .find(|p| p.zone == zone && p.rtype == rtype)
                    {
                        p.left = p.left.saturating_sub(1);
                        p.answered |= usable;
                    }
                    state.fetches.push(KeyFetch {
                        zone,
                        rtype,
                        server,
                        result,
                    });
                }
                walker.changed.notify_waiters();
            });
            self.lock().spawned.push(handle.abort_handle());
        }
    }

    /// Wait until every zone asked about has one usable answer (or none of its servers is
    /// left to answer), each bounded by the query timeout and retries, and the trace's
    /// deadline. A dead server of a zone whose other server answered is not waited for.
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
            if self
                .lock()
                .fetching
                .iter()
                .all(|p| p.answered || p.left == 0)
            {
                return;
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(until) => return,
            }
        }
    }
}
