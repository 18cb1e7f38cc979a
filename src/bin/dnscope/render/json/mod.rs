//! `--json` documents, one file per schema. Each schema is a contract, documented in
//! `docs/json.md` and versioned by its `schema` field: a change that removes or renames a
//! field, or changes what a value means, bumps the version. Kinds and sentences come from
//! `words/`, the same as the text output's.

pub mod compare;
pub mod explain;
pub mod lab;
pub mod query;
pub mod trace;

use std::io::{self, Write};

use dnscope::present;
use hickory_proto::rr::Record;
use serde::Serialize;

use crate::words::Said;

/// One document, pretty-printed, and a newline.
pub fn write(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc).map_err(io::Error::other)?;
    writeln!(out)
}

/// One document on one line (JSON Lines).
pub fn write_line(out: &mut dyn Write, doc: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, doc).map_err(io::Error::other)?;
    writeln!(out)
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
}

impl RecordDoc {
    pub fn from_record(r: &Record) -> Self {
        Self {
            name: r.name.to_string(),
            rtype: present::rtype(r),
            class: present::class(r.dns_class),
            ttl: r.ttl,
            data: present::rdata(&r.data),
        }
    }
}

/// Records as documents.
pub fn records(rs: &[Record]) -> Vec<RecordDoc> {
    rs.iter().map(RecordDoc::from_record).collect()
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
