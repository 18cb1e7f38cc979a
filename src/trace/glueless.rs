//! Glueless delegations: a zone whose NS names came without addresses. Each name is looked up
//! by a nested resolution under the step that needed it (cycle-checked, depth-limited), the
//! first that works is used at once, and with [`Fanout::All`] the rest are looked up in the
//! background only so that the trace can show every server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};

use super::fanout::Mode;
use super::walker::{Ctx, Question, Resolution, Walker};
use super::{
    Cycle, End, Failure, Fanout, Limit, NameServer, NsLookup, NsLookupError, Purpose, Verdict,
    addresses,
};

impl Walker {
    /// Find addresses for a zone whose NS names came without glue by resolving them one at a
    /// time, asking each one's addresses as soon as they are known; stop at the first usable
    /// answer. The later names reuse the zone cuts the first lookup learnt, so they are cheap.
    /// With [`Fanout::All`], the names not needed are still looked up and asked in the
    /// background, so the trace can show every server; that work never ends the trace early.
    pub(super) async fn via_ns_lookups(
        self: Arc<Self>,
        q: &Question,
        unresolved: Vec<Name>,
        ctx: &Ctx,
    ) -> Result<(Verdict, Duration), End> {
        let zone = &q.zone;
        let failed = |failure: Failure| End::Failed {
            zone: zone.clone(),
            failure,
        };
        if unresolved.is_empty() {
            return Err(failed(Failure::NoServers));
        }
        if let Some(from) = ctx.zones.iter().position(|z| z == zone) {
            // zones[k] needed the address of stack[k], which lies in zones[k + 1] (or in
            // `zone` for the last one): that is the loop.
            let links = ctx.zones[from..]
                .iter()
                .cloned()
                .zip(ctx.stack[from..].iter().cloned())
                .collect();
            return Err(failed(Failure::GluelessCycle(Cycle::Zones { links })));
        }
        if ctx.depth + 1 > self.opts.max_depth {
            return Err(End::Limit(Limit::Depth {
                max: self.opts.max_depth,
                zone: zone.clone(),
            }));
        }
        let take = unresolved.len().min(self.opts.max_ns_lookups);
        let (names, rest) = unresolved.split_at(take);
        let rest = rest.to_vec();
        self.with_step(q.step, |s| s.unresolved = rest);
        let mut found_any = false;
        let mut first_cycle: Option<Cycle> = None;
        let mut all_cycles = true;
        for (i, ns) in names.iter().enumerate() {
            let slot = self.lookup_placeholder(q.step, ns, true);
            let lookup = self.clone().lookup_one(q.step, zone, ns, ctx).await;
            match &lookup.result {
                Err(NsLookupError::Cycle(c)) => {
                    first_cycle.get_or_insert_with(|| c.clone());
                }
                _ => all_cycles = false,
            }
            let targets = match &lookup.result {
                Ok(ips) => self.lock().cache.learn_addresses(&lookup.ns, ips),
                Err(_) => Vec::new(),
            };
            let cold = lookup.cold;
            self.fill_lookup(q.step, slot, lookup);
            if let Some(limit) = self.limit_hit() {
                return Err(End::Limit(limit));
            }
            if targets.is_empty() {
                continue;
            }
            found_any = true;
            if ctx.depth == 0 {
                self.clone().check_zone_ns(q, &targets);
                self.clone().fetch_keys(zone, &targets);
            }
            let mode = Mode {
                choose: true,
                background: ctx.background,
            };
            if let Some((verdict, rtt)) = self.clone().ask(q, targets, mode).await {
                let later = names[i + 1..].to_vec();
                if self.opts.fanout == Fanout::All && !later.is_empty() {
                    self.clone().background_lookups(q, later, ctx);
                }
                return Ok((verdict, rtt + cold));
            }
        }
        if let Some(limit) = self.limit_hit() {
            return Err(End::Limit(limit));
        }
        if found_any {
            return Err(failed(self.failure_of(q.step)));
        }
        if all_cycles && let Some(cycle) = first_cycle {
            // Pass the cycle itself up: it is the whole story at every level.
            return Err(failed(Failure::GluelessCycle(cycle)));
        }
        Err(failed(Failure::NoAddress { step: q.step }))
    }

    /// Resolve one NS name's address as a nested resolution under `step`.
    async fn lookup_one(
        self: Arc<Self>,
        step: usize,
        zone: &Name,
        ns: &Name,
        ctx: &Ctx,
    ) -> NsLookup {
        if let Some(from) = ctx.stack.iter().position(|n| n == ns) {
            let path = &ctx.stack[from..];
            let cycle = if path.len() > 1 {
                Cycle::Names {
                    path: path.to_vec(),
                }
            } else {
                Cycle::InOwnZone {
                    ns: ns.clone(),
                    zone: zone.clone(),
                }
            };
            return NsLookup {
                ns: ns.clone(),
                result: Err(NsLookupError::Cycle(cycle)),
                elapsed: Duration::ZERO,
                cold: Duration::ZERO,
                needed: true,
            };
        }
        let mut stack = ctx.stack.clone();
        stack.push(ns.clone());
        let mut zones = ctx.zones.clone();
        zones.push(zone.clone());
        let child = Ctx {
            zones,
            depth: ctx.depth + 1,
            parent: Some(step),
            purpose: Purpose::NsAddress {
                for_zone: zone.clone(),
            },
            stack,
            background: ctx.background,
        };
        let t = Instant::now();
        if !self.opts.family.ipv4 {
            let r = self.resolve(ns.clone(), RecordType::AAAA, child).await;
            return ns_lookup(ns.clone(), &r, t.elapsed());
        }
        let r = self
            .clone()
            .resolve(ns.clone(), RecordType::A, child.clone())
            .await;
        let found = ns_lookup(ns.clone(), &r, t.elapsed());
        // A server with IPv6 only: try AAAA when A gave nothing.
        if found.result.is_err() && self.opts.family.ipv6 && matches!(r.end, End::NoData(_)) {
            let r6 = self.resolve(ns.clone(), RecordType::AAAA, child).await;
            let mut six = ns_lookup(ns.clone(), &r6, t.elapsed());
            six.cold += found.cold;
            if six.result.is_ok() {
                return six;
            }
        }
        found
    }

    /// Record that a lookup has started, so a trace cut short still shows it.
    fn lookup_placeholder(&self, step: usize, ns: &Name, needed: bool) -> usize {
        let mut index = 0;
        self.with_step(step, |s| {
            s.ns_lookups.push(NsLookup {
                ns: ns.clone(),
                result: Err(NsLookupError::Unfinished),
                elapsed: Duration::ZERO,
                cold: Duration::ZERO,
                needed,
            });
            index = s.ns_lookups.len() - 1;
        });
        index
    }

    fn fill_lookup(&self, step: usize, slot: usize, lookup: NsLookup) {
        self.with_step(step, |s| {
            if let Some(l) = s.ns_lookups.get_mut(slot) {
                *l = NsLookup {
                    needed: l.needed,
                    ..lookup
                };
            }
        });
    }

    /// Look up and ask the remaining glueless servers of a step after it was decided, only to
    /// show their outcome.
    fn background_lookups(self: Arc<Self>, q: &Question, names: Vec<Name>, ctx: &Ctx) {
        let mut ctx = ctx.clone();
        ctx.background = true;
        let q = q.clone();
        self.lock().background += 1;
        let walker = self.clone();
        let handle = tokio::spawn(async move {
            let this = walker;
            for ns in names {
                let slot = this.lookup_placeholder(q.step, &ns, false);
                let lookup = this.clone().lookup_one(q.step, &q.zone, &ns, &ctx).await;
                let targets: Vec<NameServer> = match &lookup.result {
                    Ok(ips) => this.lock().cache.learn_addresses(&lookup.ns, ips),
                    Err(_) => Vec::new(),
                };
                this.fill_lookup(q.step, slot, lookup);
                if !targets.is_empty() {
                    let mode = Mode {
                        choose: false,
                        background: true,
                    };
                    let _ = this.clone().ask(&q, targets, mode).await;
                }
            }
            {
                let mut state = this.lock();
                state.background = state.background.saturating_sub(1);
            }
            this.changed.notify_waiters();
        });
        self.lock().spawned.push(handle.abort_handle());
    }
}

/// What a nested resolution means for the name server it looked up.
fn ns_lookup(ns: Name, r: &Resolution, elapsed: Duration) -> NsLookup {
    let ips = addresses(&r.answer);
    let result = match &r.end {
        End::Answer if !ips.is_empty() => Ok(ips),
        End::Answer => Err(NsLookupError::NoAddressInAnswer),
        End::NxDomain(_) => Err(NsLookupError::NxDomain),
        End::NoData(_) => Err(NsLookupError::NoData),
        End::Failed {
            failure: Failure::GluelessCycle(cycle),
            ..
        } => Err(NsLookupError::Cycle(cycle.clone())),
        End::Failed { zone, failure } => Err(NsLookupError::Failed {
            zone: zone.clone(),
            failure: Box::new(failure.clone()),
        }),
        End::Limit(limit) => Err(NsLookupError::Limit(limit.clone())),
    };
    NsLookup {
        ns,
        result,
        elapsed,
        cold: r.cold,
        needed: true,
    }
}
