//! The `compare` batch: every item asked of the resolvers and of its zone's authoritative
//! servers, analysed as `compare` analyses one name, checked against the intended data, and
//! sent on as a row; a bounded number of items in flight.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use hickory_proto::rr::{Name, RecordType};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::check::{self, RowStatus};
use super::input::{BadLine, Item};
use super::zones::{Zone, Zones, referral_below};
use super::{Event, Row, Summary, cause};
use crate::compare::{self, Authoritative, Context, Kind, Observation, Server};
use crate::target::Target;
use crate::wire::{Metered, QueryOptions, Shared, SharedLimits, Transport};

/// A `compare` batch.
#[derive(Debug, Clone)]
pub struct CompareBatch {
    /// The resolvers to ask.
    pub resolvers: Vec<Target>,
    /// How to find (or which are) the authoritative servers.
    pub authoritative: Authoritative,
    /// Timeouts and retries for every question.
    pub query: QueryOptions,
    /// Questions in flight, in all and per server.
    pub limits: SharedLimits,
    /// The zone file's serial, when checking a zone file.
    pub file_serial: Option<u32>,
}

/// Zone changes (referrals to a deeper zone) followed for one item, at most.
const MAX_DESCENT: usize = 8;

struct Ctx {
    transport: Arc<dyn Transport>,
    resolvers: Vec<Server>,
    zones: Zones,
    query: QueryOptions,
}

/// Check every item from `input`, sending each row (and each bad or repeated line) to
/// `events` as it is done, and return the summary. Rows come in the order they finish; each
/// carries its input index.
pub async fn run(
    transport: Arc<dyn Transport>,
    plan: CompareBatch,
    mut input: mpsc::Receiver<Result<Item, BadLine>>,
    events: mpsc::Sender<Event>,
) -> Summary {
    let started = Instant::now();
    let shared = Arc::new(Shared::new(transport, plan.limits));
    let transport: Arc<dyn Transport> = shared.clone();
    let ctx = Arc::new(Ctx {
        transport: transport.clone(),
        resolvers: plan
            .resolvers
            .into_iter()
            .map(|target| Server {
                target,
                kind: Kind::Resolver,
            })
            .collect(),
        zones: Zones::new(transport, plan.authoritative, plan.query.clone()),
        query: plan.query,
    });
    let mut summary = Summary::default();
    summary.file_serial = plan.file_serial;
    let mut seen: HashSet<(Name, RecordType)> = HashSet::new();
    let mut tasks: JoinSet<Row> = JoinSet::new();
    // Enough items in flight to keep every question slot busy.
    let window = plan.limits.concurrency.max(1);
    let mut input_done = false;
    loop {
        tokio::select! {
            next = input.recv(), if !input_done && tasks.len() < window => match next {
                None => input_done = true,
                Some(Err(bad)) => {
                    summary.bad_line(bad.clone());
                    let _ = events.send(Event::BadLine(bad)).await;
                }
                Some(Ok(item)) => {
                    if !seen.insert((item.name.clone(), item.rtype)) {
                        summary.duplicate(item.line, item.name.clone(), item.rtype);
                        let _ = events.send(Event::Duplicate(item)).await;
                        continue;
                    }
                    let ctx = ctx.clone();
                    tasks.spawn(async move { check_item(&ctx, item).await });
                }
            },
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                // A task that panicked is a bug; its item is lost, the batch goes on.
                if let Ok(row) = joined {
                    summary.add(&row);
                    let _ = events.send(Event::Row(Box::new(row))).await;
                }
            },
            else => break,
        }
    }
    summary.zones = ctx.zones.known();
    summary.transport = shared.stats();
    summary.elapsed = started.elapsed();
    summary
}

/// Ask one item's question, following referrals down to the zone that answers it.
async fn check_item(ctx: &Ctx, item: Item) -> Row {
    let started = Instant::now();
    let metered = Arc::new(Metered::new(ctx.transport.clone()));
    let transport: Arc<dyn Transport> = metered.clone();
    let mut below: Option<Name> = None;
    let mut descents = 0usize;
    loop {
        let zone = match ctx
            .zones
            .zone_for(&item.name, item.rtype, below.as_ref())
            .await
        {
            Ok(z) => z,
            Err(no_zone) => {
                return Row {
                    item,
                    zone: None,
                    comparison: None,
                    no_zone: Some(no_zone),
                    intended: None,
                    checks: Vec::new(),
                    status: RowStatus::Error,
                    causes: Vec::new(),
                    sent: metered.sent(),
                    elapsed: started.elapsed(),
                };
            }
        };
        let mut servers = ctx.resolvers.clone();
        servers.extend(zone.servers.iter().cloned());
        let mut observations = compare::observe(
            transport.clone(),
            &servers,
            &item.name,
            item.rtype,
            None,
            &ctx.query,
        )
        .await;
        // A referral: the name is in a zone below this one. Learn it and ask there (past
        // any real hierarchy's depth, what the last zone said is the row).
        let deeper = observations
            .iter()
            .filter(|o| o.server.kind == Kind::Authoritative)
            .find_map(|o| referral_below(o, &zone.name, &item.name));
        if deeper.is_some() && descents < MAX_DESCENT {
            descents += 1;
            below = Some(zone.name.clone());
            continue;
        }
        return finish(item, &zone, &mut observations, metered.sent(), started);
    }
}

fn finish(
    item: Item,
    zone: &Zone,
    observations: &mut [Observation],
    sent: usize,
    started: Instant,
) -> Row {
    // Each authoritative answer goes with the zone's version that server served when the
    // zone was learnt (asked once per server, not once per name).
    for o in observations.iter_mut() {
        if o.server.kind == Kind::Authoritative {
            o.soa = zone.soa.get(&o.server.target.addr).cloned();
        }
    }
    let context = Context {
        changed_at: None,
        hidden: zone.hidden(),
        dnssec: None,
    };
    let comparison = compare::analyze(&item.name, item.rtype, observations, &context);
    let want = check::intended_key(&item.intended, &comparison);
    let checks: Vec<_> = comparison
        .servers
        .iter()
        .map(|s| check::check(&item.intended, want.as_ref(), s))
        .collect();
    let status = check::row_status(&checks);
    let causes = cause::causes(&item.intended, &comparison, &checks);
    Row {
        zone: Some(zone.name.clone()),
        item,
        comparison: Some(comparison),
        no_zone: None,
        intended: want,
        checks,
        status,
        causes,
        sent,
        elapsed: started.elapsed(),
    }
}
