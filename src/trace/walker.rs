//! The walker: the state one trace shares between its main resolution, its nested NS lookups
//! and the background tasks that record late answers, and the bookkeeping around it (the
//! query budget, the steps, waiting for late servers once the outcome is known).
//!
//! The state lives behind one mutex that is never held across an await. Nested lookups reuse
//! the delegation cache, so a second glueless NS in a zone already found costs one query, not
//! a walk from the root.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, Record, RecordType};
use tokio::sync::Notify;

use super::cache::DelegationCache;
use super::{
    Attempt, AttemptStatus, End, Failure, Limit, Purpose, Step, Stragglers, Trace, TraceOptions,
};
use crate::wire::Transport;

#[derive(Debug)]
pub(super) struct State {
    pub(super) steps: Vec<Step>,
    pub(super) queries: usize,
    pub(super) cache: DelegationCache,
    pub(super) limit: Option<Limit>,
    /// Queries sent to check zones' own NS sets, and the zones checked.
    pub(super) checks: usize,
    pub(super) checked: Vec<Name>,
    /// DNSSEC evidence: the answers so far, the zones whose DNSKEY (and the children whose
    /// DS) were asked, and how many answers are still awaited.
    pub(super) fetches: Vec<super::KeyFetch>,
    pub(super) keys_asked: Vec<Name>,
    pub(super) ds_asked: Vec<Name>,
    pub(super) fetching: Vec<super::keys::Pending>,
    pub(super) dnssec_sent: usize,
    /// Background lookups still running (see `glueless.rs`).
    pub(super) background: usize,
    /// Every task spawned beside the walk, aborted once the trace is reported.
    pub(super) spawned: Vec<tokio::task::AbortHandle>,
}

pub(super) struct Walker {
    pub(super) transport: Arc<dyn Transport>,
    pub(super) opts: TraceOptions,
    pub(super) state: Mutex<State>,
    pub(super) t0: Instant,
    /// Woken whenever an attempt lands or a background lookup ends, so that waiting for late
    /// servers needs no polling.
    pub(super) changed: Notify,
    /// Where the steps so far are published as they change (a live display), if anywhere.
    pub(super) live: Option<tokio::sync::watch::Sender<Live>>,
}

/// The trace so far, as [`run_live`](super::run_live) publishes it while it runs.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// Every step so far (the same indexes as in the final trace).
    pub steps: Vec<Step>,
    /// Queries sent so far.
    pub queries: usize,
}

/// Where in the walk a resolution runs.
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) depth: usize,
    pub(super) parent: Option<usize>,
    pub(super) purpose: Purpose,
    /// NS names being looked up on the way here: finding one again is a cycle.
    pub(super) stack: Vec<Name>,
    /// Zones whose servers are being looked up on the way here: needing one of them again
    /// is a cycle too (A's servers are named in B, whose servers are named in A).
    pub(super) zones: Vec<Name>,
    /// Work done only to show more servers: it never spends the last of the budget.
    pub(super) background: bool,
}

impl Ctx {
    /// The main resolution.
    pub(super) fn main() -> Self {
        Self {
            depth: 0,
            parent: None,
            purpose: Purpose::Resolve,
            stack: Vec::new(),
            zones: Vec::new(),
            background: false,
        }
    }
}

/// What one resolution (the main one, or an NS lookup) came to.
pub(super) struct Resolution {
    pub(super) end: End,
    pub(super) answer: Vec<Record>,
    pub(super) cnames: Vec<Record>,
    pub(super) cuts: Vec<Name>,
    pub(super) cold: Duration,
}

pub(super) async fn run(
    transport: Arc<dyn Transport>,
    opts: TraceOptions,
    name: Name,
    rtype: RecordType,
    live: Option<tokio::sync::watch::Sender<Live>>,
) -> Trace {
    let name = name.to_lowercase();
    let mut opts = opts;
    // Validation needs the signatures: every question carries DO=1 (RFC 3225).
    if opts.dnssec.is_some() {
        opts.query.dnssec_ok = true;
    }
    let deadline = opts.deadline;
    let cache = DelegationCache::new(&opts.roots, opts.port, opts.family);
    let walker = Arc::new(Walker {
        transport,
        state: Mutex::new(State {
            steps: Vec::new(),
            queries: 0,
            cache,
            limit: None,
            checks: 0,
            checked: Vec::new(),
            fetches: Vec::new(),
            keys_asked: Vec::new(),
            ds_asked: Vec::new(),
            fetching: Vec::new(),
            dnssec_sent: 0,
            background: 0,
            spawned: Vec::new(),
        }),
        t0: Instant::now(),
        changed: Notify::new(),
        live,
        opts,
    });
    let outcome = tokio::time::timeout(
        deadline,
        walker.clone().resolve(name.clone(), rtype, Ctx::main()),
    )
    .await;
    let elapsed = walker.t0.elapsed();
    // After a deadline the walk was dropped mid-step: its queries will never report, so
    // there is nothing to wait for.
    let mut keys_wait = Duration::ZERO;
    if outcome.is_ok() {
        // The DNSSEC evidence is part of the outcome: wait for it (it was asked alongside,
        // so it is usually in already), then for the servers that lost the race.
        walker.wait_for_keys().await;
        keys_wait = walker.t0.elapsed().saturating_sub(elapsed);
        walker.wait_for_stragglers().await;
    }
    let mut state = walker.lock();
    for task in state.spawned.drain(..) {
        task.abort();
    }
    let now = walker.t0.elapsed();
    for step in &mut state.steps {
        for attempt in &mut step.attempts {
            if matches!(attempt.status, AttemptStatus::Pending) {
                attempt.status = AttemptStatus::Abandoned(now.saturating_sub(attempt.sent_at));
            }
        }
    }
    let steps = std::mem::take(&mut state.steps);
    let resolution = outcome.unwrap_or_else(|_| Resolution {
        end: End::Limit(Limit::Deadline(deadline)),
        answer: Vec::new(),
        cnames: Vec::new(),
        cuts: main_path_cuts(&steps),
        cold: Duration::ZERO,
    });
    let fetches = std::mem::take(&mut state.fetches);
    let (queries, checks, dnssec_queries) = (state.queries, state.checks, state.dnssec_sent);
    drop(state);
    let mut trace = Trace {
        name,
        rtype,
        start: walker.opts.start.clone(),
        roots: walker.opts.roots.clone(),
        family: walker.opts.family,
        steps,
        end: resolution.end,
        cnames: resolution.cnames,
        answer: resolution.answer,
        zone_cuts: resolution.cuts,
        queries,
        checks,
        elapsed,
        wall: now,
        cold_best_path: resolution.cold,
        fetches,
        dnssec_queries,
        keys_wait,
        dnssec: None,
    };
    if let Some(anchors) = &walker.opts.dnssec {
        trace.dnssec = Some(crate::dnssec::validate(
            &trace,
            anchors,
            crate::dnssec::unix_now(),
            crate::dnssec::Limits::default(),
        ));
    }
    trace
}

/// The zones asked on the main path, in order, each once (used when the deadline cut the walk).
fn main_path_cuts(steps: &[Step]) -> Vec<Name> {
    let mut cuts: Vec<Name> = Vec::new();
    for s in steps.iter().filter(|s| s.parent.is_none()) {
        if !cuts.contains(&s.zone) {
            cuts.push(s.zone.clone());
        }
    }
    cuts
}

impl Walker {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Give queries still in flight (the servers that lost the race) a short time to land,
    /// so the trace can show their outcome: three times the slowest RTT seen, at least 50 ms,
    /// at most the query timeout, or the full timeouts with `Stragglers::All`. The trace's
    /// elapsed time is taken before this wait: the answer was known by then.
    async fn wait_for_stragglers(&self) {
        let per_attempt = self.opts.query.timeout;
        let grace = match self.opts.stragglers {
            Stragglers::None => return,
            Stragglers::All => per_attempt
                .saturating_mul(self.opts.query.retries.saturating_add(1))
                .saturating_add(Duration::from_millis(20)),
            Stragglers::Grace => {
                let slowest = {
                    let state = self.lock();
                    state
                        .steps
                        .iter()
                        .flat_map(|s| s.attempts.iter())
                        .filter_map(Attempt::rtt)
                        .max()
                        .unwrap_or_default()
                };
                (slowest * 3)
                    .max(Duration::from_millis(50))
                    .min(per_attempt)
            }
        };
        // The deadline bounds the whole trace, waiting included.
        // See: issue 11, defect 10 (--deadline 20ms --wait-all ran for 4 s).
        let deadline = tokio::time::Instant::from_std(self.t0 + self.opts.deadline);
        let until = (tokio::time::Instant::now() + grace).min(deadline);
        loop {
            // Register for the next change before looking, so that one landing in between
            // is not missed.
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.anything_pending() {
                return;
            }
            tokio::select! {
                () = &mut notified => {}
                () = tokio::time::sleep_until(until) => return,
            }
        }
    }

    fn anything_pending(&self) -> bool {
        let state = self.lock();
        state.background > 0
            || state
                .steps
                .iter()
                .flat_map(|s| s.attempts.iter())
                .any(|a| matches!(a.status, AttemptStatus::Pending))
    }

    pub(super) fn limit_hit(&self) -> Option<Limit> {
        self.lock().limit.clone()
    }

    /// Count one query against the budget; false (and the limit recorded, unless `soft`)
    /// when spent. A `soft` query is one the walk can do without (another server of the same
    /// zone, or background work done only to show more servers): it never spends the last
    /// quarter of the budget, which is kept for the walk itself.
    pub(super) fn take_budget(&self, q: &Question, soft: bool) -> bool {
        let mut state = self.lock();
        let budget = self.opts.budget;
        if soft && state.queries + budget / 4 >= budget {
            return false;
        }
        if state.queries >= budget {
            if state.limit.is_none() && !soft {
                state.limit = Some(Limit::Budget {
                    budget,
                    zone: q.zone.clone(),
                    qname: q.qname.clone(),
                    qtype: q.qtype,
                    partial: false,
                });
            }
            return false;
        }
        state.queries += 1;
        true
    }

    /// A step that failed while the budget kept some of its servers from being asked ended
    /// because of the budget, not because of the servers.
    pub(super) fn budget_left_servers_out(&self, q: &Question) {
        let mut state = self.lock();
        let skipped = state.steps.get(q.step).is_some_and(|s| {
            s.attempts
                .iter()
                .any(|a| matches!(a.status, AttemptStatus::NotSent))
        });
        if skipped && state.limit.is_none() {
            state.limit = Some(Limit::Budget {
                budget: self.opts.budget,
                zone: q.zone.clone(),
                qname: q.qname.clone(),
                qtype: q.qtype,
                partial: true,
            });
        }
    }

    pub(super) fn new_step(
        &self,
        ctx: &Ctx,
        zone: &Name,
        qname: &Name,
        qtype: RecordType,
    ) -> usize {
        let mut state = self.lock();
        state.steps.push(Step {
            parent: ctx.parent,
            depth: ctx.depth,
            purpose: ctx.purpose.clone(),
            zone: zone.clone(),
            qname: qname.clone(),
            qtype,
            unresolved: Vec::new(),
            ns_lookups: Vec::new(),
            attempts: Vec::new(),
            chosen: None,
            started: self.t0.elapsed(),
            elapsed: Duration::ZERO,
            done: false,
            zone_ns: Vec::new(),
        });
        let index = state.steps.len() - 1;
        drop(state);
        self.publish();
        index
    }

    pub(super) fn with_step(&self, index: usize, f: impl FnOnce(&mut Step)) {
        if let Some(step) = self.lock().steps.get_mut(index) {
            f(step);
        }
        self.publish();
    }

    /// Publish the steps so far to a live display, if there is one.
    pub(super) fn publish(&self) {
        if let Some(tx) = &self.live {
            let snapshot = {
                let state = self.lock();
                Live {
                    steps: state.steps.clone(),
                    queries: state.queries,
                }
            };
            tx.send_replace(snapshot);
        }
    }

    /// Why no attempt of a step was usable: replies that were no use, no reply at all, or
    /// nothing sent because this machine could not (every attempt a local socket error).
    pub(super) fn failure_of(&self, step: usize) -> Failure {
        let state = self.lock();
        let Some(s) = state.steps.get(step) else {
            return Failure::NoReply { step };
        };
        let local = !s.attempts.is_empty()
            && s.attempts.iter().all(|a| {
                matches!(
                    a.status,
                    AttemptStatus::Done(Err(crate::wire::WireError::Io { .. }))
                )
            });
        if s.any_reply() {
            Failure::Unusable { step }
        } else if local {
            Failure::Local { step }
        } else {
            Failure::NoReply { step }
        }
    }
}

/// One question of one step, as the fan-out and its recording need it.
#[derive(Clone)]
pub(super) struct Question {
    pub(super) step: usize,
    pub(super) zone: Name,
    pub(super) qname: Name,
    pub(super) qtype: RecordType,
}

impl Question {
    pub(super) fn new(step: usize, zone: &Name, qname: &Name, qtype: RecordType) -> Self {
        Self {
            step,
            zone: zone.clone(),
            qname: qname.clone(),
            qtype,
        }
    }
}
