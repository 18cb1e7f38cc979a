//! Asking a zone's servers: every one at once ([`Fanout::All`]) or one after the other
//! ([`Fanout::One`]), recording each outcome in the step as it lands, and handing the first
//! usable verdict back to the resolution. The servers that lose the race keep going in a
//! background task; their outcomes still land in the trace.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::walker::{Question, Walker};
use super::{Attempt, AttemptStatus, Fanout, NameServer, Verdict, classify};
use crate::wire::{Exchange, WireError, build_query};

/// How `ask` treats the answers.
#[derive(Clone, Copy)]
pub(super) struct Mode {
    /// Pick the first usable answer as the step's (false: only record outcomes).
    pub(super) choose: bool,
    /// Work only done to show more servers: never spends the last of the budget.
    pub(super) background: bool,
}

impl Walker {
    /// Ask the targets; return the first usable verdict and its RTT.
    pub(super) async fn ask(
        self: Arc<Self>,
        q: &Question,
        targets: Vec<NameServer>,
        mode: Mode,
    ) -> Option<(Verdict, Duration)> {
        let mut opts = self.opts.query.clone();
        opts.recursion_desired = false;
        let mut tasks = JoinSet::new();
        let mut any_sent = false;
        let count = targets.len();
        for (n, ns) in targets.into_iter().enumerate() {
            // The last target may not be dropped softly if nothing was sent before it.
            let targets_left_empty = n + 1 == count && !any_sent;
            // With every server asked at once, the budget running out part-way only drops
            // the extra servers; the trace stops when a step cannot ask anyone.
            let soft = mode.background || (self.opts.fanout == Fanout::All && !targets_left_empty);
            let sent = self.take_budget(q, soft);
            any_sent |= sent;
            let addr = ns.addr;
            let index = {
                let mut state = self.lock();
                let s = state.steps.get_mut(q.step)?;
                s.attempts.push(Attempt {
                    ns,
                    sent_at: self.t0.elapsed(),
                    status: if sent {
                        AttemptStatus::Pending
                    } else {
                        AttemptStatus::NotSent
                    },
                    verdict: None,
                });
                s.attempts.len() - 1
            };
            self.publish();
            if !sent {
                continue;
            }
            let message = build_query(&q.qname, q.qtype, &opts);
            let transport = self.transport.clone();
            let opts = opts.clone();
            let exchange = async move { (index, transport.exchange(addr, &message, &opts).await) };
            if self.opts.fanout == Fanout::One {
                let (i, result) = exchange.await;
                if let Some(good) = self.record(q, i, result, mode.choose) {
                    return Some(good);
                }
            } else {
                tasks.spawn(exchange);
            }
        }
        while let Some(joined) = tasks.join_next().await {
            let Ok((i, result)) = joined else { continue };
            if let Some(good) = self.record(q, i, result, mode.choose) {
                if !tasks.is_empty() {
                    // The others keep going; their outcomes land in the trace as they come.
                    let walker = self.clone();
                    let q = q.clone();
                    let handle = tokio::spawn(async move {
                        while let Some(joined) = tasks.join_next().await {
                            if let Ok((i, result)) = joined {
                                walker.record(&q, i, result, false);
                            }
                        }
                    });
                    self.lock().spawned.push(handle.abort_handle());
                }
                return Some(good);
            }
        }
        None
    }

    /// Store an attempt's result; return its verdict and RTT if it is usable and the step
    /// has not chosen yet (the chosen attempt is marked).
    pub(super) fn record(
        &self,
        q: &Question,
        index: usize,
        result: Result<Exchange, WireError>,
        choose: bool,
    ) -> Option<(Verdict, Duration)> {
        let verdict = result
            .as_ref()
            .ok()
            .map(|x| classify(&q.zone, &q.qname, q.qtype, &x.response));
        // After TC=1 a resolver waits for the UDP answer and then for the TCP one.
        let rtt = result
            .as_ref()
            .ok()
            .map(|x| x.rtt + x.truncated.as_ref().map_or(Duration::ZERO, |t| t.rtt));
        let tcp_retry = result.as_ref().is_ok_and(|x| x.truncated.is_some());
        let chosen = {
            let mut state = self.lock();
            if tcp_retry {
                state.queries += 1;
            }
            let s = state.steps.get_mut(q.step)?;
            let attempt = s.attempts.get_mut(index)?;
            attempt.status = AttemptStatus::Done(result);
            attempt.verdict = verdict.clone();
            let usable = verdict.as_ref().is_some_and(Verdict::is_good);
            if choose && usable && s.chosen.is_none() {
                s.chosen = Some(index);
                true
            } else {
                false
            }
        };
        self.changed.notify_waiters();
        self.publish();
        if chosen {
            verdict.map(|v| (v, rtt.unwrap_or_default()))
        } else {
            None
        }
    }
}
