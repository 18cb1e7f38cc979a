//! The resolution loop (RFC 1034 §5.3.3): ask the closest known zone cut, follow referrals
//! down, restart CNAME targets from the closest cut already known, stop at an answer, a
//! negative answer, a failure or a limit.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, Record, RecordType};

use super::fanout::Mode;
use super::walker::{Ctx, Question, Resolution, Walker};
use super::{End, Failure, Limit, MAX_FANOUT, Verdict};

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// What one resolution has gathered so far, to end it with.
struct Progress {
    cnames: Vec<Record>,
    cuts: Vec<Name>,
    cold: Duration,
}

impl Progress {
    fn end(self, end: End) -> Resolution {
        Resolution {
            end,
            answer: Vec::new(),
            cnames: self.cnames,
            cuts: self.cuts,
            cold: self.cold,
        }
    }
}

impl Walker {
    pub(super) fn resolve(
        self: Arc<Self>,
        qname: Name,
        qtype: RecordType,
        ctx: Ctx,
    ) -> BoxFuture<Resolution> {
        Box::pin(async move {
            let mut current = qname.clone();
            let mut seen = vec![qname.clone()];
            let mut progress = Progress {
                cnames: Vec::new(),
                cuts: Vec::new(),
                cold: Duration::ZERO,
            };
            let mut referrals = 0usize;
            let mut zone = self.lock().cache.cut_for(&current, qtype);
            loop {
                tokio::task::yield_now().await;
                if !progress.cuts.contains(&zone) {
                    progress.cuts.push(zone.clone());
                }
                if let Some(limit) = self.limit_hit() {
                    return progress.end(End::Limit(limit));
                }
                let step = self.new_step(&ctx, &zone, &current, qtype);
                let q = Question::new(step, &zone, &current, qtype);
                let started = Instant::now();
                let (targets, unresolved) = self.lock().cache.targets(&zone, MAX_FANOUT);
                let mode = Mode {
                    choose: true,
                    background: ctx.background,
                };
                let chosen = if targets.is_empty() {
                    match self.clone().via_ns_lookups(&q, unresolved, &ctx).await {
                        Ok(good) => Some(good),
                        Err(end) => {
                            self.with_step(step, |s| {
                                s.elapsed = started.elapsed();
                                s.done = true;
                            });
                            return progress.end(end);
                        }
                    }
                } else {
                    self.with_step(step, |s| s.unresolved = unresolved);
                    if ctx.depth == 0 {
                        self.clone().check_zone_ns(&q, &targets);
                        self.clone().fetch_keys(&zone, &targets);
                    }
                    self.clone().ask(&q, targets, mode).await
                };
                self.with_step(step, |s| {
                    s.elapsed = started.elapsed();
                    s.done = true;
                });
                let Some((verdict, rtt)) = chosen else {
                    if !ctx.background {
                        self.budget_left_servers_out(&q);
                    }
                    if let Some(limit) = self.limit_hit() {
                        return progress.end(End::Limit(limit));
                    }
                    let failure = self.failure_of(step);
                    return progress.end(End::Failed { zone, failure });
                };
                progress.cold += rtt;
                match verdict {
                    Verdict::Referral(r) => {
                        referrals += 1;
                        if referrals > self.opts.max_referrals {
                            return progress.end(End::Limit(Limit::Referrals {
                                max: self.opts.max_referrals,
                                qname: qname.clone(),
                            }));
                        }
                        self.lock().cache.learn_referral(&r);
                        if ctx.depth == 0 {
                            self.clone().fetch_ds_if_missing(step, &r.zone);
                        }
                        zone = r.zone;
                    }
                    Verdict::Answer { cnames, records } => {
                        progress.cnames.extend(cnames);
                        return Resolution {
                            end: End::Answer,
                            answer: records,
                            cnames: progress.cnames,
                            cuts: progress.cuts,
                            cold: progress.cold,
                        };
                    }
                    Verdict::Cname { cnames, target } => {
                        progress.cnames.extend(cnames);
                        if seen.contains(&target) {
                            let mut chain = seen;
                            chain.push(target);
                            return progress.end(End::Failed {
                                zone,
                                failure: Failure::CnameLoop { chain },
                            });
                        }
                        if progress.cnames.len() > self.opts.max_cnames {
                            return progress.end(End::Limit(Limit::Cnames {
                                max: self.opts.max_cnames,
                                qname: qname.clone(),
                            }));
                        }
                        seen.push(target.clone());
                        current = target;
                        // Restart from the closest zone cut already known (RFC 1034 §5.3.3).
                        zone = self.lock().cache.cut_for(&current, qtype);
                    }
                    Verdict::NxDomain(neg) => {
                        progress.cnames.extend(neg.cnames.iter().cloned());
                        return progress.end(End::NxDomain(neg));
                    }
                    Verdict::NoData(neg) => return progress.end(End::NoData(neg)),
                    // `ask` only hands back usable verdicts.
                    Verdict::Lame(_) | Verdict::Refused | Verdict::ServFail | Verdict::Bad(_) => {
                        return progress.end(End::Failed {
                            zone,
                            failure: Failure::Unusable { step },
                        });
                    }
                }
            }
        })
    }
}
