//! Zone files (RFC 1035 §5): hickory's parser, with what it lacks for people: the file and the
//! line named when a record is wrong, and owner names with an underscore inside a label.
//! The lab reads its zones with it, and `compare --zone` the intended state of a zone.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hickory_proto::rr::{Name, RecordSet, RrKey};
use hickory_proto::serialize::txt::Parser;

/// A zone file that does not parse: the file, and the line and record where it went wrong
/// when they can be found.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}{}: {reason}{}", .line.map(|l| format!(" line {l}")).unwrap_or_default(), .record.as_ref().map(|r| format!(" (in `{r}`)")).unwrap_or_default())]
pub struct ZoneFileError {
    /// The file, as the user named it.
    pub file: String,
    /// The first line at which the file fails.
    pub line: Option<usize>,
    /// That line's text.
    pub record: Option<String>,
    /// The parser's reason.
    pub reason: String,
}

/// Parse a zone file's `text`. `file` names it in errors; `origin` is the origin when the file
/// sets none (`$ORIGIN`); `path` is where it lives, for relative `$INCLUDE`s.
///
/// hickory's errors carry no position: on failure, the first line at which a prefix of the
/// file fails the same way is found (a binary search: the parser stops at its first error, so
/// every longer prefix fails the same way) and named.
///
/// # Errors
/// [`ZoneFileError`] when the file does not parse.
pub fn parse(
    text: &str,
    file: &str,
    origin: Option<Name>,
    path: Option<PathBuf>,
) -> Result<(Name, BTreeMap<RrKey, RecordSet>), ZoneFileError> {
    let hidden = hide_underscores(text);
    let run = |t: &str| Parser::new(t, path.clone(), origin.clone()).parse();
    match run(hidden.as_str()) {
        Ok((origin, records)) => Ok((origin, restore_underscores(records))),
        Err(e) => {
            let reason = e.to_string();
            let lines: Vec<&str> = hidden.lines().collect();
            let fails_here = |k: usize| {
                run(lines[..k].join("\n").as_str()).is_err_and(|pe| pe.to_string() == reason)
            };
            // The smallest k whose k-line prefix fails with the same reason.
            let (mut lo, mut hi) = (1, lines.len());
            let mut at = None;
            if hi > 0 && fails_here(hi) {
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if fails_here(mid) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                let original = text.lines().nth(lo - 1).unwrap_or_default();
                at = Some((lo, original.trim().to_string()));
            }
            Err(ZoneFileError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_record_is_named_with_its_line() {
        let text = "$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nwww IN A 300.1.1.1\n";
        let e = parse(text, "t.zone", None, None).expect_err("bad address");
        assert_eq!(e.line, Some(4));
        assert_eq!(e.record.as_deref(), Some("www IN A 300.1.1.1"));
        assert!(e.to_string().starts_with("t.zone line 4: "), "{e}");
    }

    #[test]
    fn the_line_is_found_in_a_long_file_past_multi_line_records() {
        let mut text = String::from("$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. (\n 1 2 3\n 4 5 )\n");
        for i in 0..5000 {
            text.push_str(&format!("h{i} IN A 192.0.2.{}\n", i % 250));
        }
        text.push_str("bad IN MX not-a-number mail\n");
        let e = parse(&text, "t.zone", None, None).expect_err("bad MX");
        assert_eq!(e.line, Some(5006));
    }

    #[test]
    fn an_origin_given_from_outside_and_underscores_inside_labels() {
        let text = "$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\ns1_2024._domainkey IN TXT \"v=DKIM1\"\n";
        let origin = Name::from_ascii("t.").expect("name");
        let (o, records) = parse(text, "t.zone", Some(origin.clone()), None).expect("parses");
        assert_eq!(o, origin);
        assert!(
            records
                .keys()
                .any(|k| Name::from(k.name.clone()).to_ascii() == "s1_2024._domainkey.t.")
        );
        assert!(parse(text, "t.zone", None, None).is_err());
    }
}
