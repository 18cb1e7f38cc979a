//! `--json` documents, one file per schema. Each schema is a contract, documented in
//! `docs/json.md` and versioned by its `schema` field: a change that removes or renames a
//! field, or changes what a value means, bumps the version. Kinds and sentences come from
//! `words/`, the same as the text output's.

pub mod batch;
pub mod compare;
pub mod dnssec;
pub mod exercises;
pub mod explain;
pub mod lab;
pub mod query;
pub mod secure;
pub mod trace;

use std::io::{self, Write};

use dnscope::present;
use hickory_proto::rr::Record;
use serde::Serialize;

use crate::words::Said;

/// One document, pretty-printed, and a newline.
pub fn write(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc).map_err(io_error)?;
    writeln!(out)
}

/// One document on one line (JSON Lines).
pub fn write_line(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, doc).map_err(io_error)?;
    writeln!(out)
}

/// serde_json wraps the writer's errors: give them back their kind, so that a closed pipe is
/// still a closed pipe (and ends quietly) rather than an internal error.
// See: issue 11, defect 3 (`--json | head` exited 10).
fn io_error(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}

/// One resource record, as in every dnscope JSON document.
#[derive(Serialize)]
pub struct RecordDoc {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    class: String,
    ttl: u32,
    data: String,
    /// With `--explain`: the record in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
}

impl RecordDoc {
    pub fn from_record(r: &Record) -> Self {
        Self {
            name: dnscope::present::name(&r.name),
            rtype: present::rtype(r),
            class: present::class(r.dns_class),
            ttl: r.ttl,
            data: present::rdata(&r.data),
            explanation: None,
        }
    }
}

/// Records as documents.
pub fn records(rs: &[Record]) -> Vec<RecordDoc> {
    rs.iter().map(RecordDoc::from_record).collect()
}

/// Records as documents, each with its plain-words reading when `explain` (`--explain`).
pub fn explained(rs: &[Record], explain: bool) -> Vec<RecordDoc> {
    rs.iter()
        .map(|r| RecordDoc {
            explanation: explain.then(|| crate::words::record::reading(r)),
            ..RecordDoc::from_record(r)
        })
        .collect()
}

/// A worded fact: `{"kind", "text"}`.
#[derive(Serialize)]
pub struct SaidDoc {
    kind: &'static str,
    text: String,
}

impl From<Said> for SaidDoc {
    fn from(s: Said) -> Self {
        Self {
            kind: s.kind,
            text: s.text,
        }
    }
}

/// Milliseconds with microsecond precision.
pub fn millis(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}
