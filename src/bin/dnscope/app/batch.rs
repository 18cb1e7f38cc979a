//! `compare --zone/--names` and `trace --names`: read the input (a zone file whole, a names
//! list as it comes), run the batch engine, and render each row as it is done (JSON Lines)
//! or the summary at the end (text), with a progress note on a terminal's stderr.

use std::io::{BufRead, IsTerminal};
use std::time::{Duration, Instant};

use anyhow::anyhow;
use dnscope::batch::{
    self, CompareBatch, Event, Names, Skipped, TraceBatch, TraceEvent, ZoneInput, input,
};
use dnscope::compare::Authoritative;
use dnscope::exit;
use dnscope::trace::TraceOptions;
use dnscope::wire::QueryOptions;
use hickory_proto::rr::{RData, RecordType};
use tokio::sync::mpsc;

use super::{Failure, start_lab, stop_lab, transport};
use crate::output::{clear_progress, emit, note, progress};
use crate::plan::{CompareBatchJob, NamesSource, Output, TraceBatchJob, ZoneSource, servers};
use crate::render;
use crate::words::batch as said;

/// Rows kept for `trace --names`' table; the rest are counted (JSON has them all).
const TRACE_TABLE: usize = 500;

pub async fn compare(job: CompareBatchJob, out: Output) -> Result<u8, Failure> {
    // The input first: a bad zone file or list is bad input, said before any lab starts.
    let zone = job.input.zone.as_ref().map(read_zone).transpose()?;
    let names = job.input.names.as_ref().map(open_names).transpose()?;
    let total = count(zone.as_ref(), job.input.names.as_ref());
    let what = describe(
        zone.as_ref(),
        job.input.zone.as_ref(),
        job.input.names.as_ref(),
    );
    let skipped: Option<Skipped> = zone.as_ref().map(|z| z.skipped);
    let file_serial = zone.as_ref().and_then(|z| z.serial);
    let lab = start_lab(job.servers.start.lab.as_ref()).await?;
    let port = job.servers.start.port;
    let resolvers =
        servers::compare_resolvers(&job.servers.resolvers, lab.as_deref(), port).await?;
    let authoritative = if job.servers.auth.is_empty() {
        let settings = TraceOptions {
            query: QueryOptions {
                recursion_desired: false,
                ..job.servers.query.clone()
            },
            ..TraceOptions::default()
        };
        let mut options = job.servers.start.options(lab.as_deref(), settings);
        // Finding a zone's servers does not need its chain of trust.
        options.dnssec = None;
        Authoritative::Discover(options)
    } else {
        Authoritative::Given(servers::auth_targets(&job.servers.auth, lab.as_deref(), port).await?)
    };
    if !out.json {
        let text = format!(
            "{what} at {} and {} resolver{}",
            if job.servers.auth.is_empty() {
                "every authoritative server of the zone".to_string()
            } else {
                format!(
                    "{} given authoritative server{}",
                    job.servers.auth.len(),
                    crate::words::plural(job.servers.auth.len())
                )
            },
            resolvers.len(),
            crate::words::plural(resolvers.len())
        );
        emit(|w| render::batch::header(w, &out, &text))?;
    }
    let plan = CompareBatch {
        resolvers,
        authoritative,
        query: job.servers.query,
        limits: job.limits,
        file_serial,
    };
    let items = input::items(zone.map(|z| z.input), names);
    let rx = input::spawn(items, job.limits.concurrency);
    let (tx, mut events) = mpsc::channel(64);
    let engine = tokio::spawn(batch::run(
        transport(lab.as_deref(), &job.servers.tls),
        plan,
        rx,
        tx,
    ));
    let mut note_line = Progress::new(total, "RRsets", !out.json);
    while let Some(event) = events.recv().await {
        match event {
            Event::Row(row) => {
                note_line.tick();
                if out.json {
                    emit(|w| {
                        render::json::write_line(w, &render::json::batch::row(&row, out.explain))
                    })?;
                }
            }
            Event::BadLine(bad) => {
                note_line.clear();
                note(&bad.to_string());
            }
            Event::Duplicate(_) => {}
        }
    }
    let summary = finish(engine, note_line, lab).await?;
    if summary.rows() == 0 && summary.bad_count == 0 {
        return Err(nothing("check", &what));
    }
    if out.json {
        emit(|w| render::json::write_line(w, &render::json::batch::summary(&summary)))?;
    } else {
        emit(|w| render::batch::summary(w, &out, &summary, skipped.as_ref()))?;
    }
    Ok(summary.exit_code())
}

pub async fn trace(job: TraceBatchJob, out: Output) -> Result<u8, Failure> {
    let names = open_names(&job.names)?;
    let total = count(None, Some(&job.names));
    let (start, settings) = job.trace;
    let lab = start_lab(start.lab.as_ref()).await?;
    let options = start.options(lab.as_deref(), settings);
    if !out.json {
        let text = format!(
            "the names of {}, each traced from the root",
            job.names.describe()
        );
        emit(|w| render::batch::header(w, &out, &text))?;
    }
    let plan = TraceBatch {
        options,
        limits: job.limits,
    };
    let items = input::items(None, Some(names));
    let rx = input::spawn(items, job.limits.concurrency);
    let (tx, mut events) = mpsc::channel(64);
    let engine = tokio::spawn(batch::run_traces(
        transport(lab.as_deref(), &Default::default()),
        plan,
        rx,
        tx,
    ));
    let mut note_line = Progress::new(total, "names", !out.json);
    let mut lines = Vec::new();
    let mut left_out = 0usize;
    while let Some(event) = events.recv().await {
        match event {
            TraceEvent::Done(row) => {
                note_line.tick();
                if out.json {
                    emit(|w| {
                        render::json::write_line(
                            w,
                            &render::json::trace::document(&row.trace, out.explain),
                        )
                    })?;
                } else if lines.len() < TRACE_TABLE {
                    lines.push(render::batch::trace_line(&row));
                } else {
                    left_out += 1;
                }
            }
            TraceEvent::BadLine(bad) => {
                note_line.clear();
                note(&bad.to_string());
            }
            TraceEvent::Duplicate(_) => {}
        }
    }
    let summary = finish(engine, note_line, lab).await?;
    if summary.rows() == 0 && summary.bad_count == 0 {
        return Err(nothing("trace", &job.names.describe()));
    }
    if out.json {
        emit(|w| render::json::write_line(w, &render::json::batch::trace_summary(&summary)))?;
    } else {
        emit(|w| render::batch::trace_summary(w, &out, &mut lines, left_out, &summary))?;
    }
    Ok(summary.exit_code())
}

/// The engine's summary once every event is shown; the lab stopped.
async fn finish<T>(
    engine: tokio::task::JoinHandle<T>,
    note_line: Progress,
    lab: Option<std::sync::Arc<dnscope::lab::Lab>>,
) -> Result<T, Failure> {
    note_line.clear();
    let summary = engine
        .await
        .map_err(|e| Failure::new(exit::INTERNAL, anyhow!("the batch failed: {e}")));
    stop_lab(lab).await;
    summary
}

/// An input without a single name: bad input.
fn nothing(verb: &str, what: &str) -> Failure {
    Failure::new(
        exit::USAGE,
        anyhow!("nothing to {verb}: {what} holds no names (only blank lines and comments)"),
    )
}

/// A zone file read and parsed, as a batch checks it.
struct ZoneRead {
    input: ZoneInput,
    skipped: Skipped,
    /// The SOA serial at the file's origin.
    serial: Option<u32>,
}

fn read_zone(z: &ZoneSource) -> Result<ZoneRead, Failure> {
    let file = z.path.display().to_string();
    let text = std::fs::read_to_string(&z.path)
        .map_err(|e| Failure::new(exit::USAGE, anyhow!("cannot read {file}: {e}")))?;
    let has_origin = text
        .lines()
        .any(|l| l.trim_start().to_ascii_uppercase().starts_with("$ORIGIN"));
    if z.origin.is_none() && !has_origin {
        return Err(Failure::new(
            exit::USAGE,
            anyhow!("{file}: the file sets no $ORIGIN: say which zone it is with --origin NAME"),
        ));
    }
    let parsed =
        dnscope::zonefile::parse_zone(&text, &file, z.origin.clone(), Some(z.path.clone()))
            .map_err(|e| Failure::new(exit::USAGE, e))?;
    let input = input::zone_input(parsed, z.options);
    let serial = input
        .rrsets
        .iter()
        .find(|(n, t, _)| *t == RecordType::SOA && *n == input.origin)
        .and_then(|(_, _, rs)| {
            rs.iter().find_map(|r| match &r.data {
                RData::SOA(soa) => Some(soa.serial),
                _ => None,
            })
        });
    Ok(ZoneRead {
        skipped: input.skipped,
        input,
        serial,
    })
}

type Lines = Names<Box<dyn BufRead + Send>>;

fn open_names(source: &NamesSource) -> Result<Lines, Failure> {
    let reader: Box<dyn BufRead + Send> = match source {
        NamesSource::Stdin => Box::new(std::io::BufReader::new(std::io::stdin())),
        NamesSource::File(path) => {
            Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
                |e| Failure::new(exit::USAGE, anyhow!("cannot read {}: {e}", path.display())),
            )?))
        }
    };
    Ok(Names::new(reader, &source.describe()))
}

/// How many items there will be, when that can be known before the run (not on stdin).
fn count(zone: Option<&ZoneRead>, names: Option<&NamesSource>) -> Option<usize> {
    let from_zone = zone.map_or(0, |z| z.input.rrsets.len());
    let from_names = match names {
        None => 0,
        Some(NamesSource::Stdin) => return None,
        Some(NamesSource::File(path)) => {
            let file = std::fs::File::open(path).ok()?;
            std::io::BufReader::new(file)
                .lines()
                .map_while(Result::ok)
                .filter(|l| !matches!(input::parse_line(l), Ok(None)))
                .count()
        }
    };
    Some(from_zone + from_names)
}

fn describe(
    zone: Option<&ZoneRead>,
    source: Option<&ZoneSource>,
    names: Option<&NamesSource>,
) -> String {
    let mut parts = Vec::new();
    if let (Some(z), Some(src)) = (zone, source) {
        parts.push(format!(
            "{} of {} (the intended state in {})",
            said::rrsets(z.input.rrsets.len()),
            dnscope::present::name(&z.input.origin),
            src.path.display()
        ));
    }
    if let Some(n) = names {
        parts.push(format!("the names of {}", n.describe()));
    }
    parts.join(" and ")
}

/// The progress note on a terminal's stderr: done of total, rate, time left.
struct Progress {
    on: bool,
    total: Option<usize>,
    done: usize,
    started: Instant,
    last: Option<Instant>,
    unit: &'static str,
}

impl Progress {
    fn new(total: Option<usize>, unit: &'static str, wanted: bool) -> Self {
        Self {
            on: wanted && std::io::stderr().is_terminal(),
            total,
            done: 0,
            started: Instant::now(),
            last: None,
            unit,
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        if !self.on
            || self
                .last
                .is_some_and(|l| l.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(Instant::now());
        progress(&said::progress(
            self.done,
            self.total,
            self.started.elapsed(),
            self.unit,
        ));
    }

    fn clear(&self) {
        if self.on && self.last.is_some() {
            clear_progress();
        }
    }
}
