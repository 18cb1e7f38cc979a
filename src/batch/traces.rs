//! `trace --names`: many traces in one run, sharing what a resolver would keep between them
//! (the delegations learnt, each zone's keys), a bounded number at a time.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::rr::{Name, RecordType};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::input::{BadLine, Item};
use super::summary::EXAMPLES;
use crate::trace::{self, End, Failure, Trace, TraceOptions};
use crate::wire::{Metered, Shared, SharedLimits, SharedStats, Transport};

/// A `trace` batch.
#[derive(Debug, Clone)]
pub struct TraceBatch {
    /// How each trace runs (its roots, patience, DNSSEC).
    pub options: TraceOptions,
    /// Questions in flight, in all and per server.
    pub limits: SharedLimits,
}

/// One name traced.
#[derive(Debug)]
pub struct TraceRow {
    /// The question.
    pub item: Item,
    /// The trace, whole (steps from the run's cache are marked in their exchanges).
    pub trace: Trace,
    /// Questions this trace sent (what the run's cache answered is not counted).
    pub sent: usize,
}

/// What the trace batch reports while it runs.
#[derive(Debug)]
pub enum TraceEvent {
    /// A trace is done.
    Done(Box<TraceRow>),
    /// An input line could not be read; the rest goes on.
    BadLine(BadLine),
    /// An input line repeats a name and type already traced: traced once.
    Duplicate(Item),
}

/// How traces ended, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Endings {
    pub answer: usize,
    pub nxdomain: usize,
    pub nodata: usize,
    pub failed: usize,
    pub limit: usize,
}

/// DNSSEC verdicts, counted (when validation is on).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Verdicts {
    pub secure: usize,
    pub insecure: usize,
    pub bogus: usize,
    pub indeterminate: usize,
}

/// Traces that failed the same way at the same zone.
#[derive(Debug, Clone)]
pub struct FailureTally {
    /// Where they stopped.
    pub zone: Name,
    /// How (the first one's failure; the others failed the same way).
    pub end: End,
    /// Traces.
    pub rows: usize,
    /// The first few, in input order.
    pub examples: Vec<(usize, Name, RecordType)>,
}

/// Everything a trace batch found, folded.
#[derive(Debug, Default)]
pub struct TraceSummary {
    pub endings: Endings,
    /// None when validation was off.
    pub dnssec: Option<Verdicts>,
    pub failures: Vec<FailureTally>,
    /// Zones that gave the final answers, with how many each gave.
    pub zones: Vec<(Name, usize)>,
    pub bad_lines: Vec<BadLine>,
    pub bad_count: usize,
    pub duplicates: usize,
    /// Questions the traces asked, counting what the cache answered (what a loop of
    /// independent traces would have sent).
    pub asked: usize,
    pub transport: SharedStats,
    /// The slowest trace.
    pub slowest: Option<(Name, Duration)>,
    pub elapsed: Duration,
    /// The worst exit code of a single trace.
    worst: u8,
}

impl TraceSummary {
    /// Traces done.
    pub fn rows(&self) -> usize {
        let e = &self.endings;
        e.answer + e.nxdomain + e.nodata + e.failed + e.limit
    }

    fn add(&mut self, row: &TraceRow) {
        let t = &row.trace;
        self.asked += t.queries + t.checks + t.dnssec_queries;
        match &t.end {
            End::Answer => self.endings.answer += 1,
            End::NxDomain(_) => self.endings.nxdomain += 1,
            End::NoData(_) => self.endings.nodata += 1,
            End::Failed { .. } => self.endings.failed += 1,
            End::Limit(_) => self.endings.limit += 1,
        }
        if let Some(report) = &t.dnssec {
            let v = self.dnssec.get_or_insert_with(Verdicts::default);
            match report.status {
                crate::dnssec::Status::Secure => v.secure += 1,
                crate::dnssec::Status::Insecure(_) => v.insecure += 1,
                crate::dnssec::Status::Bogus(_) => v.bogus += 1,
                crate::dnssec::Status::Indeterminate(_) => v.indeterminate += 1,
            }
        }
        let example = (row.item.index, row.item.name.clone(), row.item.rtype);
        if let End::Failed { zone, failure } = &t.end {
            let same = |f: &FailureTally| {
                f.zone == *zone
                    && matches!(&f.end, End::Failed { failure: g, .. } if same_failure(g, failure))
            };
            match self.failures.iter_mut().find(|f| same(f)) {
                Some(f) => {
                    f.rows += 1;
                    if f.examples.len() < EXAMPLES {
                        f.examples.push(example);
                    }
                }
                None => self.failures.push(FailureTally {
                    zone: zone.clone(),
                    end: t.end.clone(),
                    rows: 1,
                    examples: vec![example],
                }),
            }
        }
        if t.end.is_success()
            && let Some((_, step)) = t.answering_step()
        {
            match self.zones.iter_mut().find(|(z, _)| *z == step.zone) {
                Some((_, n)) => *n += 1,
                None => self.zones.push((step.zone.clone(), 1)),
            }
        }
        if self.slowest.as_ref().is_none_or(|(_, d)| t.wall > *d) {
            self.slowest = Some((t.name.clone(), t.wall));
        }
        self.worst = self.worst.max(t.exit_code());
    }

    /// The exit code: bad input (or none) first, then 0 when every trace reached an answer or
    /// a proper negative answer and none was bogus, else 1.
    pub fn exit_code(&self) -> u8 {
        if self.bad_count > 0 || self.rows() == 0 {
            crate::exit::USAGE
        } else if self.worst == crate::exit::OK {
            crate::exit::OK
        } else {
            crate::exit::FAILED
        }
    }
}

/// The same kind of failure (a step index differs from trace to trace).
fn same_failure(a: &Failure, b: &Failure) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// Trace every item from `input`, a bounded number at a time, sending each trace to
/// `events` as it ends; return the summary.
pub async fn run_traces(
    transport: Arc<dyn Transport>,
    plan: TraceBatch,
    mut input: mpsc::Receiver<Result<Item, BadLine>>,
    events: mpsc::Sender<TraceEvent>,
) -> TraceSummary {
    let started = Instant::now();
    let shared = Arc::new(Shared::new(transport, plan.limits));
    let mut summary = TraceSummary::default();
    let mut seen: HashSet<(Name, RecordType)> = HashSet::new();
    let mut tasks: JoinSet<TraceRow> = JoinSet::new();
    let window = plan.limits.concurrency.max(1);
    let options = Arc::new(plan.options);
    let mut input_done = false;
    // The first trace runs alone: it fills the cache with the upper zones, so the traces
    // after it do not all ask the root at once.
    let mut first = true;
    loop {
        let room = if first {
            tasks.is_empty()
        } else {
            tasks.len() < window
        };
        tokio::select! {
            next = input.recv(), if !input_done && room => match next {
                None => input_done = true,
                Some(Err(bad)) => {
                    summary.bad_count += 1;
                    if summary.bad_lines.len() < 100 {
                        summary.bad_lines.push(bad.clone());
                    }
                    let _ = events.send(TraceEvent::BadLine(bad)).await;
                }
                Some(Ok(item)) => {
                    if !seen.insert((item.name.clone(), item.rtype)) {
                        summary.duplicates += 1;
                        let _ = events.send(TraceEvent::Duplicate(item)).await;
                        continue;
                    }
                    let metered = Arc::new(Metered::new(shared.clone()));
                    let options = options.clone();
                    tasks.spawn(async move {
                        let t = trace::run(
                            metered.clone(),
                            (*options).clone(),
                            item.name.clone(),
                            item.rtype,
                        )
                        .await;
                        TraceRow { item, trace: t, sent: metered.sent() }
                    });
                }
            },
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                first = false;
                if let Ok(row) = joined {
                    summary.add(&row);
                    let _ = events.send(TraceEvent::Done(Box::new(row))).await;
                }
            },
            else => break,
        }
    }
    summary.transport = shared.stats();
    summary.elapsed = started.elapsed();
    summary
}
