//! Many names in one run: `compare --zone/--names` and `trace --names`, validated. The files
//! themselves are read when the job runs (a zone file's errors name its line then).

use std::path::PathBuf;

use anyhow::{Result, bail};
use dnscope::batch::ZoneOptions;
use dnscope::wire::SharedLimits;
use hickory_proto::rr::Name;

use dnscope::trace::TraceOptions;

use super::{CompareServers, Start};
use crate::cli::{BatchFlags, CompareArgs, TraceArgs, TraceFormat};

/// Where a names list comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamesSource {
    /// `-`: standard input.
    Stdin,
    /// A file.
    File(PathBuf),
}

impl NamesSource {
    fn of(path: &std::path::Path) -> Self {
        if path.as_os_str() == "-" {
            NamesSource::Stdin
        } else {
            NamesSource::File(path.to_path_buf())
        }
    }

    /// How errors name it.
    pub fn describe(&self) -> String {
        match self {
            NamesSource::Stdin => "standard input".to_string(),
            NamesSource::File(p) => p.display().to_string(),
        }
    }
}

/// A zone file to check.
#[derive(Debug, Clone)]
pub struct ZoneSource {
    pub path: PathBuf,
    /// `--origin`, for a file without `$ORIGIN`.
    pub origin: Option<Name>,
    pub options: ZoneOptions,
}

/// What a batch reads.
#[derive(Debug, Clone)]
pub struct BatchInput {
    pub zone: Option<ZoneSource>,
    pub names: Option<NamesSource>,
}

/// A validated `compare --zone/--names`: the servers and patience of a one-name compare,
/// and the input.
#[derive(Debug)]
pub struct CompareBatchJob {
    pub servers: CompareServers,
    pub input: BatchInput,
    pub limits: SharedLimits,
}

/// A validated `trace --names`: where the traces start and how they run.
#[derive(Debug)]
pub struct TraceBatchJob {
    pub trace: (Start, TraceOptions),
    pub names: NamesSource,
    pub limits: SharedLimits,
}

fn limits(b: &BatchFlags) -> Result<SharedLimits> {
    if b.concurrency == 0 {
        bail!("--concurrency 0: at least one question must be in flight");
    }
    if b.per_server == 0 {
        bail!("--per-server 0: at least one question per server must be in flight");
    }
    Ok(SharedLimits {
        concurrency: b.concurrency,
        per_server: b.per_server,
        ..SharedLimits::default()
    })
}

/// The batch input of `compare`, if its flags ask for a batch.
pub fn compare_input(a: &CompareArgs) -> Result<Option<(BatchInput, SharedLimits)>> {
    if a.zone.is_none() && a.batch.names.is_none() {
        return Ok(None);
    }
    if a.short {
        bail!("--short shows one name's answers; with --zone/--names use --json for every row");
    }
    let origin = match &a.origin {
        Some(o) => {
            Some(dnscope::wire::parse_name(o).map_err(|e| anyhow::anyhow!("--origin: {e}"))?)
        }
        None => None,
    };
    let zone = a.zone.as_ref().map(|path| ZoneSource {
        path: path.clone(),
        origin,
        options: ZoneOptions {
            dnssec: a.with_dnssec,
            glue: a.with_glue,
        },
    });
    Ok(Some((
        BatchInput {
            zone,
            names: a.batch.names.as_deref().map(NamesSource::of),
        },
        limits(&a.batch)?,
    )))
}

/// The names list of `trace`, if its flags ask for a batch.
pub fn trace_names(a: &TraceArgs) -> Result<Option<(NamesSource, SharedLimits)>> {
    let Some(names) = &a.batch.names else {
        return Ok(None);
    };
    if a.reverse.is_some() {
        bail!("-x traces one address; with --names put each reverse name in the list");
    }
    if a.format != TraceFormat::Text {
        bail!("--format draws one trace; --names shows a table of many (--json for every trace)");
    }
    if a.short {
        bail!("--short prints one trace's answer; --names shows a table of many");
    }
    Ok(Some((NamesSource::of(names), limits(&a.batch)?)))
}
