//! Reading zone files for the lab: from the embedded copies or a directory, moved to the
//! configured /24, parsed by [`crate::zonefile`] (the file and the line named when something is
//! wrong).

use std::collections::BTreeMap;
use std::path::PathBuf;

use hickory_proto::rr::{Name, RecordSet, RrKey};

use crate::zonefile::{self, ZoneFileError};

use super::{LabError, fixtures};

/// Where the lab's manifest and zone files come from.
#[derive(Debug, Clone, Default)]
pub enum LabSource {
    /// The copies compiled into the binary (the default).
    #[default]
    Embedded,
    /// A directory holding `lab.toml` and `zones/`.
    Dir(PathBuf),
}

impl LabSource {
    /// A human name for a file, for error messages.
    pub(super) fn describe(&self, rel: &str) -> String {
        match self {
            LabSource::Embedded => format!("fixtures/lab/{rel} (embedded)"),
            LabSource::Dir(d) => d.join(rel).display().to_string(),
        }
    }

    pub(super) fn read(&self, rel: &str) -> Result<String, LabError> {
        match self {
            LabSource::Embedded => fixtures::FILES
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, text)| (*text).to_string())
                .ok_or_else(|| LabError::Read {
                    file: self.describe(rel),
                    reason: "no such embedded file".to_string(),
                }),
            LabSource::Dir(d) => std::fs::read_to_string(d.join(rel)).map_err(|e| LabError::Read {
                file: self.describe(rel),
                reason: e.to_string(),
            }),
        }
    }
}

/// Replace the fixture /24 prefix (e.g. `127.77.0.`) with the configured one wherever it
/// starts an address, so glue follows the lab when it moves.
pub(super) fn relocate(text: &str, from: [u8; 3], to: [u8; 3]) -> String {
    if from == to {
        return text.to_string();
    }
    let old = format!("{}.{}.{}.", from[0], from[1], from[2]);
    let new = format!("{}.{}.{}.", to[0], to[1], to[2]);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(&old) {
        let before = &rest[..pos];
        let prev = before.chars().last().or_else(|| out.chars().last());
        let starts_address = prev.is_none_or(|c| !c.is_ascii_digit() && c != '.');
        out.push_str(before);
        out.push_str(if starts_address { &new } else { &old });
        rest = &rest[pos + old.len()..];
    }
    out.push_str(rest);
    out
}

/// Parse one zone file of the lab.
pub(super) fn parse(
    text: &str,
    file: &str,
) -> Result<(Name, BTreeMap<RrKey, RecordSet>), LabError> {
    zonefile::parse(text, file, None, None).map_err(|e: ZoneFileError| LabError::Zone {
        file: e.file,
        line: e.line,
        record: e.record,
        reason: e.reason,
    })
}

/// The NS names at a zone's apex, lower-cased.
pub(super) fn apex_ns(origin: &Name, records: &BTreeMap<RrKey, RecordSet>) -> Vec<Name> {
    let key = RrKey::new(origin.clone().into(), hickory_proto::rr::RecordType::NS);
    records
        .get(&key)
        .map(|set| {
            set.records_without_rrsigs()
                .filter_map(|r| match &r.data {
                    hickory_proto::rr::RData::NS(ns) => Some(ns.0.to_lowercase()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relocation_moves_addresses_only() {
        let text = "ns1 IN A 127.77.0.40\n; 127.77.0.2 moves too\nx IN A 10.127.77.0.1\n";
        let out = relocate(text, [127, 77, 0], [127, 88, 1]);
        assert!(out.contains("A 127.88.1.40"));
        assert!(out.contains("; 127.88.1.2 moves"));
        assert!(out.contains("10.127.77.0.1"), "{out}");
    }
}
