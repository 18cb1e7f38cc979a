//! The walk itself: a small iterative resolver that records everything it does.
//!
//! State shared by the main resolution and its nested NS lookups lives behind one mutex
//! (never held across an await): the steps, the query count, the zone cuts learnt (zone →
//! servers) and the server addresses learnt. Nested lookups reuse what is already known, so a
//! second glueless NS in a zone already found costs one query, not a walk from the root.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::task::JoinSet;

use super::{
    Attempt, AttemptStatus, End, Failure, Fanout, Limit, NsLookup, Purpose, Step, Stragglers,
    Trace, TraceOptions, Verdict, classify,
};
use crate::wire::{Exchange, Transport, WireError, build_query, rtype_name};

/// Addresses asked at once at one zone cut, at most (a zone with a huge NS set must not turn
/// one step into a flood; see dnsviz#119).
const MAX_FANOUT: usize = 32;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A server of a zone: its name (when known) and addresses (when known).
#[derive(Debug, Clone)]
struct NsEntry {
    name: Option<Name>,
    addrs: Vec<SocketAddr>,
}

#[derive(Default)]
struct State {
    steps: Vec<Step>,
    queries: usize,
    cuts: HashMap<Name, Vec<NsEntry>>,
    addrs: HashMap<Name, Vec<IpAddr>>,
    limit: Option<(Limit, String)>,
    /// Background lookups still running (see `background_lookups`).
    background: usize,
    /// Every task spawned beside the walk, aborted once the trace is reported.
    spawned: Vec<tokio::task::AbortHandle>,
}

struct Walker {
    transport: Arc<dyn Transport>,
    opts: TraceOptions,
    state: Mutex<State>,
    t0: Instant,
}

/// Where in the walk a resolution runs.
#[derive(Clone)]
struct Ctx {
    depth: usize,
    parent: Option<usize>,
    purpose: Purpose,
    /// NS names being looked up on the way here: finding one again is a cycle.
    stack: Vec<Name>,
    /// Zones whose servers are being looked up on the way here: needing one of them again
    /// is a cycle too (A's servers are named in B, whose servers are named in A).
    zones: Vec<Name>,
    /// Work done only to show more servers: it never spends the last of the budget.
    background: bool,
}

/// One question of one step, as `ask` and `record` need it.
#[derive(Clone)]
struct Question {
    step: usize,
    zone: Name,
    qname: Name,
    qtype: RecordType,
}

/// How `ask` treats the answers.
#[derive(Clone, Copy)]
struct Mode {
    /// Pick the first usable answer as the step's (false: only record outcomes).
    choose: bool,
    /// Work only done to show more servers: never spends the last of the budget.
    background: bool,
}

struct Resolution {
    end: End,
    answer: Vec<Record>,
    cnames: Vec<Record>,
    cuts: Vec<Name>,
    cold: Duration,
}

pub(super) async fn run(
    transport: Arc<dyn Transport>,
    opts: TraceOptions,
    name: Name,
    rtype: RecordType,
) -> Trace {
    let name = name.to_lowercase();
    let deadline = opts.deadline;
    let walker = Arc::new(Walker {
        transport,
        state: Mutex::new(State::default()),
        t0: Instant::now(),
        opts,
    });
    walker.seed_roots();
    let main = Ctx {
        depth: 0,
        parent: None,
        purpose: Purpose::Resolve,
        stack: Vec::new(),
        zones: Vec::new(),
        background: false,
    };
    let outcome =
        tokio::time::timeout(deadline, walker.clone().resolve(name.clone(), rtype, main)).await;
    let elapsed = walker.t0.elapsed();
    // After a deadline the walk was dropped mid-step: its queries will never report, so
    // there is nothing to wait for.
    if outcome.is_ok() {
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
        end: End::Limit {
            limit: Limit::Deadline(deadline),
            detail: format!(
                "the trace did not finish within {} s",
                deadline.as_secs_f64()
            ),
        },
        answer: Vec::new(),
        cnames: Vec::new(),
        cuts: main_path_cuts(&steps),
        cold: Duration::ZERO,
    });
    Trace {
        name,
        rtype,
        start: walker.opts.start.clone(),
        roots: walker.opts.roots.clone(),
        steps,
        end: resolution.end,
        cnames: resolution.cnames,
        answer: resolution.answer,
        zone_cuts: resolution.cuts,
        queries: state.queries,
        elapsed,
        cold_best_path: resolution.cold,
    }
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
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Give queries still in flight (the servers that lost the race) a short time to land,
    /// so the trace can show their outcome: three times the slowest RTT seen, at least 50 ms,
    /// at most the query timeout, or the full timeouts with `wait_all`. The trace's elapsed
    /// time is taken before this wait: the answer was known by then.
    async fn wait_for_stragglers(&self) {
        let per_attempt = self.opts.query.timeout;
        let full = per_attempt
            .saturating_mul(self.opts.query.retries.saturating_add(1))
            .saturating_add(Duration::from_millis(20));
        let grace = if self.opts.stragglers == Stragglers::All {
            full
        } else if self.opts.stragglers == Stragglers::None {
            Duration::ZERO
        } else {
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
        };
        let until = Instant::now()
            .checked_add(grace)
            .unwrap_or_else(Instant::now);
        while Instant::now() < until {
            let pending = {
                let state = self.lock();
                state.background > 0
                    || state
                        .steps
                        .iter()
                        .flat_map(|s| s.attempts.iter())
                        .any(|a| matches!(a.status, AttemptStatus::Pending))
            };
            if !pending {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn family_ok(&self, ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(_) => self.opts.ipv4,
            IpAddr::V6(_) => self.opts.ipv6,
        }
    }

    fn seed_roots(&self) {
        let entries: Vec<NsEntry> = self
            .opts
            .roots
            .iter()
            .filter(|r| self.family_ok(&r.addr.ip()))
            .map(|r| NsEntry {
                name: r.name.as_ref().map(Name::to_lowercase),
                addrs: vec![r.addr],
            })
            .collect();
        self.lock().cuts.insert(Name::root(), entries);
    }

    /// The deepest zone with known servers that contains `name`.
    fn closest_cut(&self, name: &Name) -> Name {
        let state = self.lock();
        let mut n = name.clone();
        loop {
            if state.cuts.contains_key(&n) {
                return n;
            }
            if n.is_root() {
                return n;
            }
            n = n.base_name();
        }
    }

    /// Where to start for a question: the closest known cut, except that DS records live in
    /// the parent zone (RFC 4035 §3.1.4.1), so a DS question starts above the name.
    fn cut_for(&self, name: &Name, qtype: RecordType) -> Name {
        if qtype == RecordType::DS && !name.is_root() {
            self.closest_cut(&name.base_name())
        } else {
            self.closest_cut(name)
        }
    }

    fn limit_hit(&self) -> Option<(Limit, String)> {
        self.lock().limit.clone()
    }

    /// Count one query against the budget; false (and the limit recorded) when spent.
    fn take_budget(&self, what: &str, background: bool) -> bool {
        let mut state = self.lock();
        // Work done only to show more servers keeps a quarter of the budget for the walk.
        if background && state.queries + self.opts.budget / 4 >= self.opts.budget {
            return false;
        }
        if state.queries >= self.opts.budget {
            if state.limit.is_none() && !background {
                state.limit = Some((
                    Limit::Budget(self.opts.budget),
                    format!(
                        "the budget of {} queries was spent before {what}",
                        self.opts.budget
                    ),
                ));
            }
            return false;
        }
        state.queries += 1;
        true
    }

    fn new_step(&self, ctx: &Ctx, zone: &Name, qname: &Name, qtype: RecordType) -> usize {
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
        });
        state.steps.len() - 1
    }

    fn with_step(&self, index: usize, f: impl FnOnce(&mut Step)) {
        if let Some(step) = self.lock().steps.get_mut(index) {
            f(step);
        }
    }

    /// The addresses to ask for `zone` (glue, and addresses learnt so far), and the NS names
    /// with no known address.
    fn targets(&self, zone: &Name) -> (Vec<(Option<Name>, SocketAddr)>, Vec<Name>) {
        let state = self.lock();
        let mut targets: Vec<(Option<Name>, SocketAddr)> = Vec::new();
        let mut unresolved = Vec::new();
        for entry in state.cuts.get(zone).map(Vec::as_slice).unwrap_or_default() {
            let mut addrs: Vec<SocketAddr> = entry
                .addrs
                .iter()
                .copied()
                .filter(|a| self.family_ok(&a.ip()))
                .collect();
            if addrs.is_empty()
                && let Some(name) = &entry.name
            {
                addrs = state
                    .addrs
                    .get(name)
                    .map(|ips| {
                        ips.iter()
                            .filter(|ip| self.family_ok(ip))
                            .map(|ip| SocketAddr::new(*ip, self.opts.port))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            if addrs.is_empty() {
                if let Some(name) = &entry.name {
                    unresolved.push(name.clone());
                }
                continue;
            }
            for addr in addrs {
                if !targets.iter().any(|(_, a)| *a == addr) {
                    targets.push((entry.name.clone(), addr));
                }
            }
        }
        targets.truncate(MAX_FANOUT);
        (targets, unresolved)
    }

    fn learn_referral(&self, r: &super::Referral) {
        let mut state = self.lock();
        for g in &r.glue {
            let ip = match &g.data {
                RData::A(a) => IpAddr::V4(a.0),
                RData::AAAA(a) => IpAddr::V6(a.0),
                _ => continue,
            };
            let list = state.addrs.entry(g.name.to_lowercase()).or_default();
            if !list.contains(&ip) {
                list.push(ip);
            }
        }
        if state.cuts.contains_key(&r.zone) {
            return;
        }
        let port = self.opts.port;
        let entries =
            r.ns.iter()
                .map(|(ns, _ttl)| NsEntry {
                    name: Some(ns.clone()),
                    addrs: state
                        .addrs
                        .get(ns)
                        .map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect())
                        .unwrap_or_default(),
                })
                .collect();
        state.cuts.insert(r.zone.clone(), entries);
    }

    fn resolve(self: Arc<Self>, qname: Name, qtype: RecordType, ctx: Ctx) -> BoxFuture<Resolution> {
        Box::pin(async move {
            let mut current = qname.clone();
            let mut cnames: Vec<Record> = Vec::new();
            let mut seen = vec![qname.clone()];
            let mut cuts: Vec<Name> = Vec::new();
            let mut cold = Duration::ZERO;
            let mut referrals = 0usize;
            let mut zone = self.cut_for(&current, qtype);
            loop {
                tokio::task::yield_now().await;
                if !cuts.contains(&zone) {
                    cuts.push(zone.clone());
                }
                let done =
                    |end: End, cnames: Vec<Record>, cuts: Vec<Name>, cold: Duration| Resolution {
                        end,
                        answer: Vec::new(),
                        cnames,
                        cuts,
                        cold,
                    };
                if let Some((limit, detail)) = self.limit_hit() {
                    return done(End::Limit { limit, detail }, cnames, cuts, cold);
                }
                let step = self.new_step(&ctx, &zone, &current, qtype);
                let started = Instant::now();
                let (targets, unresolved) = self.targets(&zone);
                let chosen = if targets.is_empty() {
                    let found = self
                        .clone()
                        .via_ns_lookups(step, &zone, &current, qtype, unresolved, &ctx)
                        .await;
                    match found {
                        Ok(good) => Some(good),
                        Err(end) => {
                            self.with_step(step, |s| s.elapsed = started.elapsed());
                            return done(end, cnames, cuts, cold);
                        }
                    }
                } else {
                    self.with_step(step, |s| s.unresolved = unresolved);
                    self.clone()
                        .ask(
                            &question(step, &zone, &current, qtype),
                            targets,
                            Mode {
                                choose: true,
                                background: ctx.background,
                            },
                        )
                        .await
                };
                self.with_step(step, |s| s.elapsed = started.elapsed());
                let Some((verdict, rtt)) = chosen else {
                    if !ctx.background {
                        self.budget_left_servers_out(step, &zone, &current, qtype);
                    }
                    if let Some((limit, detail)) = self.limit_hit() {
                        return done(End::Limit { limit, detail }, cnames, cuts, cold);
                    }
                    let (failure, detail) = self.failure_of(step);
                    return done(
                        End::Failed {
                            zone,
                            failure,
                            detail,
                        },
                        cnames,
                        cuts,
                        cold,
                    );
                };
                cold += rtt;
                match verdict {
                    Verdict::Referral(r) => {
                        referrals += 1;
                        if referrals > self.opts.max_referrals {
                            let detail = format!(
                                "more than {} referrals while resolving {qname}",
                                self.opts.max_referrals
                            );
                            let limit = Limit::Referrals(self.opts.max_referrals);
                            return done(End::Limit { limit, detail }, cnames, cuts, cold);
                        }
                        self.learn_referral(&r);
                        zone = r.zone;
                    }
                    Verdict::Answer {
                        cnames: links,
                        records,
                    } => {
                        cnames.extend(links);
                        return Resolution {
                            end: End::Answer,
                            answer: records,
                            cnames,
                            cuts,
                            cold,
                        };
                    }
                    Verdict::Cname {
                        cnames: links,
                        target,
                    } => {
                        cnames.extend(links);
                        if seen.contains(&target) {
                            let chain: Vec<String> = seen.iter().map(ToString::to_string).collect();
                            let detail = format!("{} -> {target}", chain.join(" -> "));
                            let end = End::Failed {
                                zone,
                                failure: Failure::CnameLoop,
                                detail,
                            };
                            return done(end, cnames, cuts, cold);
                        }
                        if cnames.len() > self.opts.max_cnames {
                            let detail = format!(
                                "more than {} CNAME links from {qname}",
                                self.opts.max_cnames
                            );
                            let limit = Limit::Cnames(self.opts.max_cnames);
                            return done(End::Limit { limit, detail }, cnames, cuts, cold);
                        }
                        seen.push(target.clone());
                        current = target;
                        // Restart from the closest zone cut already known (RFC 1034 §5.3.3).
                        zone = self.cut_for(&current, qtype);
                    }
                    Verdict::NxDomain(neg) => {
                        cnames.extend(neg.cnames.iter().cloned());
                        return done(End::NxDomain(neg), cnames, cuts, cold);
                    }
                    Verdict::NoData(neg) => return done(End::NoData(neg), cnames, cuts, cold),
                    other => {
                        let detail = format!("unexpected verdict {other:?}");
                        let end = End::Failed {
                            zone,
                            failure: Failure::Unusable,
                            detail,
                        };
                        return done(end, cnames, cuts, cold);
                    }
                }
            }
        })
    }

    /// Find addresses for a zone whose NS names came without glue by resolving them one at a
    /// time, asking each one's addresses as soon as they are known; stop at the first usable
    /// answer. The later names reuse the zone cuts the first lookup learnt, so they are cheap.
    /// With [`Fanout::All`], the names not needed are still looked up and asked in the
    /// background, so the trace can show every server; that work never ends the trace early.
    async fn via_ns_lookups(
        self: Arc<Self>,
        step: usize,
        zone: &Name,
        qname: &Name,
        qtype: RecordType,
        unresolved: Vec<Name>,
        ctx: &Ctx,
    ) -> Result<(Verdict, Duration), End> {
        if unresolved.is_empty() {
            let detail = format!("{zone} has no name server with an address");
            return Err(End::Failed {
                zone: zone.clone(),
                failure: Failure::NoAddress,
                detail,
            });
        }
        if let Some(from) = ctx.zones.iter().position(|z| z == zone) {
            // zones[k] needed the address of stack[k], which lies in zones[k + 1] (or in
            // `zone` for the last one): spell the loop out.
            let links: Vec<String> = ctx.zones[from..]
                .iter()
                .zip(&ctx.stack[from..])
                .map(|(z, ns)| format!("{z} is served by {ns}"))
                .collect();
            return Err(End::Failed {
                zone: zone.clone(),
                failure: Failure::GluelessCycle,
                detail: format!(
                    "cycle: {}, which is in {zone} again: no address can ever be found",
                    links.join(", which is in a zone where ")
                ),
            });
        }
        if ctx.depth + 1 > self.opts.max_depth {
            let detail = format!(
                "looking up the servers of {zone} would nest glueless lookups more than {} deep",
                self.opts.max_depth
            );
            return Err(End::Limit {
                limit: Limit::Depth(self.opts.max_depth),
                detail,
            });
        }
        let take = unresolved.len().min(self.opts.max_ns_lookups);
        let (names, rest) = unresolved.split_at(take);
        let rest = rest.to_vec();
        self.with_step(step, |s| s.unresolved = rest);
        let mut found_any = false;
        let mut all_cycles = true;
        for (i, ns) in names.iter().enumerate() {
            let slot = self.lookup_placeholder(step, ns);
            let lookup = self.clone().lookup_one(step, zone, ns, ctx).await;
            all_cycles &= matches!(&lookup.result, Err(e) if e.starts_with("cycle"));
            let targets = self.learn_lookup(&lookup);
            let cold = lookup.cold;
            self.fill_lookup(step, slot, lookup);
            if let Some((limit, detail)) = self.limit_hit() {
                return Err(End::Limit { limit, detail });
            }
            if targets.is_empty() {
                continue;
            }
            found_any = true;
            if let Some((verdict, rtt)) = self
                .clone()
                .ask(
                    &question(step, zone, qname, qtype),
                    targets,
                    Mode {
                        choose: true,
                        background: ctx.background,
                    },
                )
                .await
            {
                let later = names[i + 1..].to_vec();
                if self.opts.fanout == Fanout::All && !later.is_empty() {
                    self.clone()
                        .background_lookups(step, zone, qname, qtype, later, ctx);
                }
                return Ok((verdict, rtt + cold));
            }
        }
        if let Some((limit, detail)) = self.limit_hit() {
            return Err(End::Limit { limit, detail });
        }
        if found_any {
            let (failure, detail) = self.failure_of(step);
            return Err(End::Failed {
                zone: zone.clone(),
                failure,
                detail,
            });
        }
        let summary: Vec<String> = {
            let state = self.lock();
            state
                .steps
                .get(step)
                .map(|s| {
                    s.ns_lookups
                        .iter()
                        .map(|l| match &l.result {
                            Ok(_) => format!("{}: no usable address", l.ns),
                            Err(e) => format!("{}: {e}", l.ns),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        if all_cycles {
            // Pass the cycle itself up: it is the whole story at every level.
            let detail = {
                let state = self.lock();
                state
                    .steps
                    .get(step)
                    .and_then(|s| s.ns_lookups.first())
                    .and_then(|l| l.result.as_ref().err().cloned())
                    .unwrap_or_default()
            };
            return Err(End::Failed {
                zone: zone.clone(),
                failure: Failure::GluelessCycle,
                detail,
            });
        }
        Err(End::Failed {
            zone: zone.clone(),
            failure: Failure::NoAddress,
            detail: format!(
                "no address for any name server of {zone} ({})",
                summary.join("; ")
            ),
        })
    }

    /// Resolve one NS name's address as a nested resolution under `step`.
    async fn lookup_one(
        self: Arc<Self>,
        step: usize,
        zone: &Name,
        ns: &Name,
        ctx: &Ctx,
    ) -> NsLookup {
        if ctx.stack.contains(ns) {
            let from = ctx.stack.iter().position(|n| n == ns).unwrap_or(0);
            let path: Vec<String> = ctx.stack[from..].iter().map(ToString::to_string).collect();
            let text = match path.split_first() {
                Some((first, rest)) if !rest.is_empty() => format!(
                    "cycle: the address of {first} needs {}, which needs {ns} again",
                    rest.join(", then ")
                ),
                _ => format!("cycle: {ns} is inside the zone it serves ({zone}) and has no glue"),
            };
            return NsLookup {
                ns: ns.clone(),
                result: Err(text),
                elapsed: Duration::ZERO,
                cold: Duration::ZERO,
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
        if !self.opts.ipv4 {
            let r = self.resolve(ns.clone(), RecordType::AAAA, child).await;
            return ns_lookup(ns.clone(), &r, t.elapsed());
        }
        let r = self
            .clone()
            .resolve(ns.clone(), RecordType::A, child.clone())
            .await;
        let found = ns_lookup(ns.clone(), &r, t.elapsed());
        // A server with IPv6 only: try AAAA when A gave nothing.
        if found.result.is_err() && self.opts.ipv6 && matches!(r.end, End::NoData(_)) {
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
    fn lookup_placeholder(&self, step: usize, ns: &Name) -> usize {
        let mut index = 0;
        self.with_step(step, |s| {
            s.ns_lookups.push(NsLookup {
                ns: ns.clone(),
                result: Err("unfinished: the trace ended first".to_string()),
                elapsed: Duration::ZERO,
                cold: Duration::ZERO,
            });
            index = s.ns_lookups.len() - 1;
        });
        index
    }

    fn fill_lookup(&self, step: usize, slot: usize, lookup: NsLookup) {
        self.with_step(step, |s| {
            if let Some(l) = s.ns_lookups.get_mut(slot) {
                *l = lookup;
            }
        });
    }

    /// Remember a lookup's addresses; return them as targets to ask.
    fn learn_lookup(&self, lookup: &NsLookup) -> Vec<(Option<Name>, SocketAddr)> {
        let Ok(ips) = &lookup.result else {
            return Vec::new();
        };
        let mut state = self.lock();
        let list = state.addrs.entry(lookup.ns.clone()).or_default();
        let mut targets = Vec::new();
        for ip in ips {
            if !list.contains(ip) {
                list.push(*ip);
            }
            let addr = SocketAddr::new(*ip, self.opts.port);
            if self.family_ok(ip) && !targets.iter().any(|(_, a)| *a == addr) {
                targets.push((Some(lookup.ns.clone()), addr));
            }
        }
        targets
    }

    /// Look up and ask the remaining glueless servers of a step after it was decided, only to
    /// show their outcome.
    fn background_lookups(
        self: Arc<Self>,
        step: usize,
        zone: &Name,
        qname: &Name,
        qtype: RecordType,
        names: Vec<Name>,
        ctx: &Ctx,
    ) {
        let mut ctx = ctx.clone();
        ctx.background = true;
        let (zone, qname) = (zone.clone(), qname.clone());
        self.lock().background += 1;
        let walker = self.clone();
        let handle = tokio::spawn(async move {
            let this = walker;
            for ns in names {
                let slot = this.lookup_placeholder(step, &ns);
                let lookup = this.clone().lookup_one(step, &zone, &ns, &ctx).await;
                let targets = this.learn_lookup(&lookup);
                this.fill_lookup(step, slot, lookup);
                if !targets.is_empty() {
                    let _ = this
                        .clone()
                        .ask(
                            &question(step, &zone, &qname, qtype),
                            targets,
                            Mode {
                                choose: false,
                                background: true,
                            },
                        )
                        .await;
                }
            }
            let mut state = this.lock();
            state.background = state.background.saturating_sub(1);
        });
        self.lock().spawned.push(handle.abort_handle());
    }

    /// Ask the targets; return the first usable verdict and its RTT.
    async fn ask(
        self: Arc<Self>,
        q: &Question,
        targets: Vec<(Option<Name>, SocketAddr)>,
        mode: Mode,
    ) -> Option<(Verdict, Duration)> {
        let Question {
            step,
            zone,
            qname,
            qtype,
        } = q.clone();
        let (zone, qname) = (&zone, &qname);
        let mut opts = self.opts.query.clone();
        opts.recursion_desired = false;
        let what = format!("asking {zone} for {qname} {}", rtype_name(qtype));
        let mut tasks = JoinSet::new();
        let mut any_sent = false;
        let count = targets.len();
        for (n, (server, addr)) in targets.into_iter().enumerate() {
            // The last target may not be dropped softly if nothing was sent before it.
            let targets_left_empty = n + 1 == count && !any_sent;
            // With every server asked at once, the budget running out part-way only drops
            // the extra servers; the trace stops when a step cannot ask anyone (below).
            let soft = mode.background || (self.opts.fanout == Fanout::All && !targets_left_empty);
            let sent = self.take_budget(&what, soft);
            any_sent |= sent;
            let index = {
                let mut state = self.lock();
                let s = state.steps.get_mut(step)?;
                s.attempts.push(Attempt {
                    server,
                    addr,
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
            if !sent {
                continue;
            }
            let message = build_query(qname, qtype, &opts);
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
    fn record(
        &self,
        q: &Question,
        index: usize,
        result: Result<Exchange, WireError>,
        choose: bool,
    ) -> Option<(Verdict, Duration)> {
        let step = q.step;
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
        let mut state = self.lock();
        if tcp_retry {
            state.queries += 1;
        }
        let s = state.steps.get_mut(step)?;
        let attempt = s.attempts.get_mut(index)?;
        attempt.status = AttemptStatus::Done(result);
        attempt.verdict = verdict.clone();
        let verdict = verdict?;
        if choose && verdict.is_good() && s.chosen.is_none() {
            s.chosen = Some(index);
            return Some((verdict, rtt.unwrap_or_default()));
        }
        None
    }

    /// A step that failed while the budget kept some of its servers from being asked ended
    /// because of the budget, not because of the servers.
    fn budget_left_servers_out(&self, step: usize, zone: &Name, qname: &Name, qtype: RecordType) {
        let mut state = self.lock();
        let skipped = state.steps.get(step).is_some_and(|s| {
            s.attempts
                .iter()
                .any(|a| matches!(a.status, AttemptStatus::NotSent))
        });
        if skipped && state.limit.is_none() {
            state.limit = Some((
                Limit::Budget(self.opts.budget),
                format!(
                    "the budget of {} queries was spent before every server of {zone} could be asked for {qname} {}",
                    self.opts.budget,
                    rtype_name(qtype)
                ),
            ));
        }
    }

    /// Why no attempt of a step was usable: no reply at all, or replies that were no use.
    fn failure_of(&self, step: usize) -> (Failure, String) {
        let state = self.lock();
        let Some(s) = state.steps.get(step) else {
            return (Failure::NoReply, "no servers".to_string());
        };
        let replied = s
            .attempts
            .iter()
            .any(|a| matches!(a.status, AttemptStatus::Done(Ok(_))));
        let parts: Vec<String> = s
            .attempts
            .iter()
            .map(|a| {
                let who = match &a.server {
                    Some(n) => format!("{n} ({})", a.addr.ip()),
                    None => a.addr.to_string(),
                };
                format!("{who}: {}", attempt_summary(a))
            })
            .collect();
        let failure = if replied {
            Failure::Unusable
        } else {
            Failure::NoReply
        };
        (failure, parts.join("; "))
    }
}

fn question(step: usize, zone: &Name, qname: &Name, qtype: RecordType) -> Question {
    Question {
        step,
        zone: zone.clone(),
        qname: qname.clone(),
        qtype,
    }
}

fn ns_lookup(ns: Name, r: &Resolution, elapsed: Duration) -> NsLookup {
    let ips: Vec<IpAddr> = r
        .answer
        .iter()
        .filter_map(|rec| match &rec.data {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect();
    let result = match &r.end {
        End::Answer if !ips.is_empty() => Ok(ips),
        End::Answer => Err("the answer holds no address".to_string()),
        End::NxDomain(_) => Err("NXDOMAIN: the name server's name does not exist".to_string()),
        End::NoData(_) => Err("NODATA: the name has no address record".to_string()),
        End::Failed {
            failure: Failure::GluelessCycle,
            detail,
            ..
        } => Err(detail.clone()),
        End::Failed { zone, detail, .. } => Err(format!("failed at {zone}: {detail}")),
        End::Limit { detail, .. } => Err(format!("limit: {detail}")),
    };
    NsLookup {
        ns,
        result,
        elapsed,
        cold: r.cold,
    }
}

/// One line about an attempt, for failure summaries.
pub(super) fn attempt_summary(a: &Attempt) -> String {
    match (&a.status, &a.verdict) {
        (AttemptStatus::Pending, _) => "no reply yet".to_string(),
        (AttemptStatus::NotSent, _) => "not asked (query budget spent)".to_string(),
        (AttemptStatus::Abandoned(w), _) => format!("no reply in {} ms", w.as_millis()),
        (AttemptStatus::Done(Err(e)), _) => match e {
            WireError::Timeout { .. } => "timeout".to_string(),
            WireError::Refused { .. } => "unreachable (nothing listens)".to_string(),
            other => other.to_string(),
        },
        (AttemptStatus::Done(Ok(_)), Some(v)) => match v {
            Verdict::Refused => "REFUSED (lame)".to_string(),
            Verdict::ServFail => "SERVFAIL".to_string(),
            Verdict::Lame(why) => format!("lame: {why}"),
            Verdict::Bad(why) => format!("bad response: {why}"),
            Verdict::Referral(r) => format!("referral to {}", r.zone),
            Verdict::Answer { .. } => "answer".to_string(),
            Verdict::Cname { target, .. } => format!("CNAME to {target}"),
            Verdict::NxDomain(_) => "NXDOMAIN".to_string(),
            Verdict::NoData(_) => "NODATA".to_string(),
        },
        (AttemptStatus::Done(Ok(_)), None) => "response".to_string(),
    }
}
