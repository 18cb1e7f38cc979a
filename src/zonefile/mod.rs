//! Zone files (RFC 1035 §5): hickory's parser, with what it lacks for people: the file and the
//! line named when a record is wrong, owner names with an underscore inside a label, and
//! signed zones. The lab reads its zones with it, and `compare --zone` the intended state of
//! a zone.
//!
//! hickory 0.26.3's parser refuses every DNSSEC record ("DNSKEY should be dynamically
//! generated"), so a signed zone file would not parse at all. Those records are set aside
//! before it reads the file (each replaced by a marker record that keeps its owner, TTL and
//! class as the file resolves them) and read here afterwards: DS, CDS, DNSKEY and CDNSKEY
//! into records; RRSIG, NSEC, NSEC3, NSEC3PARAM, KEY and SIG only counted (signatures and
//! denial records change with every signing).
//!
//! `\DDD` escapes are decimal (RFC 1035 §5.1); hickory reads them otherwise, so they are
//! rewritten first (`zonefile/escapes.rs`).

mod escapes;

use std::collections::BTreeMap;
use std::path::PathBuf;

use hickory_proto::dnssec::PublicKey;
use hickory_proto::dnssec::rdata::{CDNSKEY, CDS, DNSSECRData};
use hickory_proto::rr::{Name, RData, Record, RecordSet, RecordType, RrKey};
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

/// A zone file read.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Its origin.
    pub origin: Name,
    /// Its RRsets (DS, CDS, DNSKEY and CDNSKEY included).
    pub records: BTreeMap<RrKey, RecordSet>,
    /// DNSSEC records read but not kept: RRSIG, NSEC, NSEC3, NSEC3PARAM, KEY, SIG.
    pub unread: usize,
}

/// Parse a zone file's `text` (see [`parse_zone`]), its RRsets only.
///
/// # Errors
/// [`ZoneFileError`] when the file does not parse.
pub fn parse(
    text: &str,
    file: &str,
    origin: Option<Name>,
    path: Option<PathBuf>,
) -> Result<(Name, BTreeMap<RrKey, RecordSet>), ZoneFileError> {
    parse_zone(text, file, origin, path).map(|z| (z.origin, z.records))
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
pub fn parse_zone(
    text: &str,
    file: &str,
    origin: Option<Name>,
    path: Option<PathBuf>,
) -> Result<Zone, ZoneFileError> {
    let text = escapes::decimal_escapes(text).map_err(|e| ZoneFileError {
        file: file.to_string(),
        line: Some(e.line),
        record: text.lines().nth(e.line - 1).map(|l| l.trim().to_string()),
        reason: e.reason,
    })?;
    let (text, aside) = set_aside(&text);
    let text = text.as_str();
    let hidden = hide_underscores(text);
    let run = |t: &str| Parser::new(t, path.clone(), origin.clone()).parse();
    match run(hidden.as_str()) {
        Ok((origin, records)) => {
            let records = restore_underscores(records);
            let (records, unread) = take_back(records, &aside, file)?;
            Ok(Zone {
                origin,
                records,
                unread,
            })
        }
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

/// The owner HINFO of a marker record: the CPU string says it is one, the OS string which
/// record it stands for.
const MARK: &str = "dnscope-set-aside";

/// Record types hickory's parser refuses.
const SET_ASIDE: &[&str] = &[
    "DNSKEY",
    "CDNSKEY",
    "KEY",
    "DS",
    "CDS",
    "NSEC",
    "NSEC3",
    "NSEC3PARAM",
    "RRSIG",
    "SIG",
];

/// A record set aside: where it was, its type and its RDATA words.
#[derive(Debug)]
struct Aside {
    line: usize,
    rtype: String,
    rdata: Vec<String>,
}

/// One physical line in words: each word with its byte offset, comments left out, and the
/// parenthesis depth after it (quotes respected).
fn words(line: &str, depth: &mut i32) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        if quoted {
            word.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
            continue;
        }
        match c {
            ';' => break,
            '"' => {
                if word.is_empty() {
                    start = i;
                }
                word.push(c);
                quoted = true;
            }
            '(' | ')' => {
                if !word.is_empty() {
                    out.push((start, std::mem::take(&mut word)));
                }
                *depth += if c == '(' { 1 } else { -1 };
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push((start, std::mem::take(&mut word)));
                }
            }
            c => {
                if word.is_empty() {
                    start = i;
                }
                word.push(c);
            }
        }
    }
    if !word.is_empty() {
        out.push((start, word));
    }
    out
}

/// A TTL (`3600`, `1h30m`) or a class: the words that may stand between owner and type.
fn ttl_or_class(w: &str) -> bool {
    let upper = w.to_ascii_uppercase();
    matches!(upper.as_str(), "IN" | "CH" | "CS" | "HS")
        || upper.starts_with("CLASS")
        || (w.starts_with(|c: char| c.is_ascii_digit())
            && w.chars()
                .all(|c| c.is_ascii_digit() || "smhdwSMHDW".contains(c)))
}

/// Replace each record hickory refuses by a marker HINFO with the same owner, TTL and class
/// words, keeping every line where it was (errors still name the right line).
fn set_aside(text: &str) -> (String, Vec<Aside>) {
    let mut out: Vec<String> = Vec::new();
    let mut aside: Vec<Aside> = Vec::new();
    let mut depth = 0i32;
    // Set while the lines of a record being set aside go on.
    let mut taking: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let starts_record = depth <= 0;
        let before = depth;
        let ws = words(line, &mut depth);
        if let Some(idx) = taking {
            if let Some(a) = aside.get_mut(idx) {
                a.rdata.extend(ws.into_iter().map(|(_, w)| w));
            }
            out.push(String::new());
            if depth <= 0 {
                depth = 0;
                taking = None;
            }
            continue;
        }
        if !starts_record || ws.is_empty() || ws[0].1.starts_with('$') {
            out.push(line.to_string());
            continue;
        }
        let owner = !line.starts_with(char::is_whitespace);
        let rest = &ws[usize::from(owner)..];
        let at = rest.iter().position(|(_, w)| !ttl_or_class(w));
        let Some(at) = at else {
            out.push(line.to_string());
            continue;
        };
        let (offset, rtype) = &rest[at];
        let upper = rtype.to_ascii_uppercase();
        if !SET_ASIDE.contains(&upper.as_str()) {
            out.push(line.to_string());
            continue;
        }
        let idx = aside.len();
        aside.push(Aside {
            line: i + 1,
            rtype: upper,
            rdata: rest[at + 1..].iter().map(|(_, w)| w.clone()).collect(),
        });
        out.push(format!("{}HINFO \"{MARK}\" \"{idx}\"", &line[..*offset]));
        // The record goes on below: its other lines are taken too.
        if depth > 0 && before <= 0 {
            taking = Some(idx);
        } else {
            depth = depth.max(0);
        }
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    (joined, aside)
}

/// Put the set-aside records back where their markers are: DS, CDS, DNSKEY and CDNSKEY as
/// records, the others counted.
fn take_back(
    mut records: BTreeMap<RrKey, RecordSet>,
    aside: &[Aside],
    file: &str,
) -> Result<(BTreeMap<RrKey, RecordSet>, usize), ZoneFileError> {
    if aside.is_empty() {
        return Ok((records, 0));
    }
    let mut markers: Vec<(Record, usize)> = Vec::new();
    let hinfo: Vec<RrKey> = records
        .keys()
        .filter(|k| k.record_type == RecordType::HINFO)
        .cloned()
        .collect();
    for key in hinfo {
        let Some(set) = records.remove(&key) else {
            continue;
        };
        let mut kept = RecordSet::new(Name::from(key.name.clone()), RecordType::HINFO, 0);
        for r in set.records_without_rrsigs() {
            match &r.data {
                RData::HINFO(h) if &*h.cpu == MARK.as_bytes() => {
                    let idx = std::str::from_utf8(&h.os)
                        .ok()
                        .and_then(|s| s.parse::<usize>().ok());
                    if let Some(idx) = idx {
                        markers.push((r.clone(), idx));
                    }
                }
                _ => {
                    kept.insert(r.clone(), 0);
                }
            }
        }
        if !kept.is_empty() {
            records.insert(key, kept);
        }
    }
    let mut unread = 0;
    for (marker, idx) in markers {
        let Some(a) = aside.get(idx) else { continue };
        let fail = |reason: String| ZoneFileError {
            file: file.to_string(),
            line: Some(a.line),
            record: Some(format!("{} {}", a.rtype, a.rdata.join(" "))),
            reason,
        };
        let words: Vec<&str> = a.rdata.iter().map(String::as_str).collect();
        let data = match a.rtype.as_str() {
            "DS" => RData::DNSSEC(DNSSECRData::DS(
                crate::dnssec::parse_ds(&words).map_err(fail)?,
            )),
            "DNSKEY" => RData::DNSSEC(DNSSECRData::DNSKEY(
                crate::dnssec::parse_dnskey(&words).map_err(fail)?,
            )),
            "CDS" => {
                let ds = crate::dnssec::parse_ds(&words).map_err(fail)?;
                let alg = u8::from(ds.algorithm());
                RData::DNSSEC(DNSSECRData::CDS(CDS::new(
                    ds.key_tag(),
                    (alg != 0).then(|| ds.algorithm()),
                    ds.digest_type(),
                    ds.digest().to_vec(),
                )))
            }
            "CDNSKEY" => {
                let key = crate::dnssec::parse_dnskey(&words).map_err(fail)?;
                let alg = key.public_key().algorithm();
                RData::DNSSEC(DNSSECRData::CDNSKEY(CDNSKEY::with_flags(
                    key.flags(),
                    (u8::from(alg) != 0).then_some(alg),
                    key.public_key().public_bytes().to_vec(),
                )))
            }
            _ => {
                unread += 1;
                continue;
            }
        };
        let record = Record::from_rdata(marker.name.clone(), marker.ttl, data);
        let rtype = record.record_type();
        records
            .entry(RrKey::new(marker.name.clone().into(), rtype))
            .or_insert_with(|| RecordSet::new(marker.name.clone(), rtype, 0))
            .insert(record, 0);
    }
    Ok((records, unread))
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
        let inner = owner.split('.').any(|l| {
            l.char_indices()
                .nth(1)
                .is_some_and(|(i, _)| l[i..].contains('_'))
        });
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
    fn a_signed_zone_file_parses_with_its_keys_and_ds_kept() {
        let text = "$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\n@ 3600 IN DNSKEY 257 3 15 (\n    l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= ) ; KSK\n@ IN RRSIG DNSKEY 15 1 3600 (\n    20261230000000 20261130000000 6745 t.\n    AAAA ) \n    IN NSEC www.t. SOA RRSIG NSEC DNSKEY\nsub IN DS 6745 15 2 (\n  194AFE38 )\nwww IN A 192.0.2.1\n  IN TXT \"after; a \\\" quote (\"\nbad IN A 300.1.1.1\n";
        let e = parse_zone(text, "t.zone", None, None).expect_err("bad address");
        assert_eq!(e.line, Some(14), "{e}");
        let good = text.replace("300.1.1.1", "192.0.2.2");
        let z = parse_zone(&good, "t.zone", None, None).expect("parses");
        let types = |owner: &str| -> Vec<RecordType> {
            z.records
                .keys()
                .filter(|k| Name::from(k.name.clone()).to_ascii() == owner)
                .map(|k| k.record_type)
                .collect()
        };
        assert!(
            types("t.").contains(&RecordType::DNSKEY),
            "{:?}",
            types("t.")
        );
        assert!(!types("t.").contains(&RecordType::HINFO));
        assert_eq!(types("sub.t."), [RecordType::DS]);
        // The TXT after the NSEC kept its owner (www), the NSEC's continuation lines did not
        // swallow it.
        assert_eq!(types("www.t."), [RecordType::A, RecordType::TXT]);
        assert_eq!(z.unread, 2, "the RRSIG and the NSEC");
        let key = z
            .records
            .get(&RrKey::new(
                Name::from_ascii("t.").expect("name").into(),
                RecordType::DNSKEY,
            ))
            .and_then(|s| s.records_without_rrsigs().next().cloned())
            .expect("the DNSKEY");
        assert_eq!(key.ttl, 3600);
    }

    #[test]
    fn a_bad_ds_names_its_line() {
        let text = "$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\nsub IN DS 1 15 2 NOTHEX\n";
        let e = parse_zone(text, "t.zone", None, None).expect_err("bad digest");
        assert_eq!(e.line, Some(4));
        assert!(e.reason.contains("hexadecimal"), "{e}");
    }

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

    /// Found by fuzzing (fuzz target `parsers`): an owner whose label began with a character
    /// of more than one byte was sliced inside that character while looking for underscores.
    #[test]
    fn owner_label_starting_with_multibyte_character_is_an_error_not_a_panic() {
        for owner in ["\u{ce}x_y", "é_x", "ü._a_b"] {
            let text =
                format!("$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\n{owner} IN A 192.0.2.1\n");
            let _ = parse(&text, "t.zone", None, None);
        }
        assert_eq!(
            hide_underscores("é_x IN A 1.2.3.4\n"),
            format!("é{UNDERSCORE}x IN A 1.2.3.4\n")
        );
    }

    /// hickory read `\065` as octal in names (`a5b`; `\049` was an error) and as U+0605 in
    /// quoted strings; RFC 1035 §5.1 makes them the bytes 65 (`A`) and 49 (`1`).
    #[test]
    fn decimal_escapes_are_read_as_decimal_bytes() {
        let text = "$ORIGIN t.\n$TTL 60\n@ IN SOA a. b. 1 2 3 4 5\na\\049b IN A 192.0.2.1\nx IN TXT \"a\\065b\\032c\"\ny IN CNAME q\\065r.t.\nz\\046dot IN A 192.0.2.2\n";
        let z = parse_zone(text, "t.zone", None, None).expect("parses");
        let owners: Vec<Vec<Vec<u8>>> = z
            .records
            .keys()
            .map(|k| {
                Name::from(k.name.clone())
                    .iter()
                    .map(<[u8]>::to_vec)
                    .collect()
            })
            .collect();
        assert!(
            owners.contains(&vec![b"a1b".to_vec(), b"t".to_vec()]),
            "{owners:?}"
        );
        assert!(
            owners.contains(&vec![b"z.dot".to_vec(), b"t".to_vec()]),
            "{owners:?}"
        );
        let data = |owner: &str, rtype| {
            let key = RrKey::new(Name::from_ascii(owner).expect("name").into(), rtype);
            z.records[&key]
                .records_without_rrsigs()
                .next()
                .map(|r| r.data.clone())
        };
        match data("x.t.", RecordType::TXT) {
            Some(RData::TXT(t)) => {
                assert_eq!(
                    t.txt_data.to_vec(),
                    vec![b"aAb c".to_vec().into_boxed_slice()]
                )
            }
            other => panic!("{other:?}"),
        }
        match data("y.t.", RecordType::CNAME) {
            Some(RData::CNAME(c)) => assert_eq!(c.0, Name::from_ascii("qar.t.").expect("name")),
            other => panic!("{other:?}"),
        }
        let e = parse_zone(
            &text.replace("\\049b IN A", "\\200b IN A"),
            "t.zone",
            None,
            None,
        )
        .expect_err("a byte above 127");
        assert_eq!(e.line, Some(4), "{e}");
    }
}
