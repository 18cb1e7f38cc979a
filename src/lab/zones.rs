//! Reading zone files for the lab: from the embedded copies or a directory, moved to the
//! configured /24, parsed with hickory's RFC 1035 parser, with the file and the line named when
//! something is wrong.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hickory_proto::rr::{Name, RecordSet, RrKey};
use hickory_proto::serialize::txt::Parser;

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

/// Parse one zone file. hickory's errors carry no position, so on failure we find the first
/// line at which a prefix of the file fails the same way and name it.
pub(super) fn parse(
    text: &str,
    file: &str,
) -> Result<(Name, BTreeMap<RrKey, RecordSet>), LabError> {
    let hidden = hide_underscores(text);
    match Parser::new(hidden.as_str(), None, None).parse() {
        Ok((origin, records)) => Ok((origin, restore_underscores(records))),
        Err(e) => {
            let reason = e.to_string();
            let lines: Vec<&str> = text.lines().collect();
            let mut at = None;
            for k in 1..=lines.len() {
                let prefix = lines[..k].join("\n");
                if let Err(pe) = Parser::new(prefix.as_str(), None, None).parse()
                    && pe.to_string() == reason
                {
                    at = Some((k, lines[k - 1].trim().to_string()));
                    break;
                }
            }
            Err(LabError::Zone {
                file: file.to_string(),
                line: at.as_ref().map(|(k, _)| *k),
                record: at.map(|(_, l)| l),
                reason,
            })
        }
    }
}

/// What stands for an underscore inside a label while hickory's parser reads the file.
const UNDERSCORE: &str = "x-u5f-x";

/// hickory 0.26.3's zone parser sends every label that does not start with `_` through IDNA,
/// which refuses an underscore inside a label (`s1_2024._domainkey`, a DKIM selector). Such
/// owner names are valid DNS names (RFC 2181 §11): hide their underscores from the parser
/// behind a marker, and put them back in [`restore_underscores`].
fn hide_underscores(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let owner_end = line.find(char::is_whitespace).unwrap_or(line.len());
        let (owner, rest) = line.split_at(owner_end);
        let inner = owner
            .split('.')
            .any(|l| l.len() > 1 && l[1..].contains('_'));
        if owner.starts_with(';') || owner.starts_with('$') || !inner {
            out.push_str(line);
            continue;
        }
        let relabelled: Vec<String> = owner
            .split('.')
            .map(|l| match l.char_indices().nth(1) {
                Some((i, _)) => format!("{}{}", &l[..i], l[i..].replace('_', UNDERSCORE)),
                None => l.to_string(),
            })
            .collect();
        out.push_str(&relabelled.join("."));
        out.push_str(rest);
    }
    out
}

/// Undo [`hide_underscores`] in the owner names of the parsed records.
fn restore_underscores(records: BTreeMap<RrKey, RecordSet>) -> BTreeMap<RrKey, RecordSet> {
    records
        .into_iter()
        .map(|(key, set)| {
            if !Name::from(key.name.clone()).to_ascii().contains(UNDERSCORE) {
                return (key, set);
            }
            let name = restore(&Name::from(key.name.clone()));
            let mut fixed = RecordSet::new(name.clone(), set.record_type(), 0);
            for r in set.records_without_rrsigs() {
                let mut r = r.clone();
                r.name = name.clone();
                fixed.insert(r, 0);
            }
            (RrKey::new(name.into(), key.record_type), fixed)
        })
        .collect()
}

fn restore(name: &Name) -> Name {
    let labels: Vec<Vec<u8>> = name
        .iter()
        .map(|l| {
            String::from_utf8_lossy(l)
                .replace(UNDERSCORE, "_")
                .into_bytes()
        })
        .collect();
    Name::from_labels(labels.iter().map(Vec::as_slice)).unwrap_or_else(|_| name.clone())
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

    #[test]
    fn a_bad_record_is_named_with_its_line() {
        let text = "$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 300.1.1.1\n";
        match parse(text, "t.zone") {
            Err(LabError::Zone { line, record, .. }) => {
                assert_eq!(line, Some(4));
                assert_eq!(record.as_deref(), Some("www IN A 300.1.1.1"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
