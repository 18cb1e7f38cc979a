//! What a batch checks: names from a list (`NAME [TYPE]` a line, `#` comments), or the RRsets
//! of a zone file as the intended state of the zone.
//!
//! A names list is read as it comes (a pipe of a million names costs one line of memory at a
//! time); a bad line is reported with its number and the rest goes on. A zone file is parsed
//! whole (its records are the intended state), then handed out RRset by RRset.

use std::io::BufRead;

use hickory_proto::rr::{Name, Record, RecordType};

use crate::wire::{parse_name, parse_rtype};

/// One question of a batch.
#[derive(Debug, Clone)]
pub struct Item {
    /// Its place in the input, from 0 (rows can be put back in input order).
    pub index: usize,
    /// The line of the input it came from (1-based), when it came from a line.
    pub line: Option<usize>,
    /// The name.
    pub name: Name,
    /// The type.
    pub rtype: RecordType,
    /// What the servers should serve.
    pub intended: Intended,
}

/// What the servers should serve for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intended {
    /// No zone file: the authoritative answer (the primary's) is the reference.
    Reference,
    /// The zone file's RRset.
    Records(Vec<Record>),
    /// The zone file has no such RRset: the name or type should not exist.
    Absent,
}

/// A line of a names list that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name} line {line}: {reason} (in `{text}`)")]
pub struct BadLine {
    /// The list, as the user named it.
    pub source_name: String,
    /// The line number (1-based).
    pub line: usize,
    /// The line as written (trimmed).
    pub text: String,
    /// Why it is bad.
    pub reason: String,
}

/// One line of a names list: a question, or why not.
pub type Entry = Result<(usize, Name, RecordType), BadLine>;

/// Read one line: `NAME [TYPE]`, `#` starts a comment; None for a blank or comment line.
///
/// # Errors
/// The reason, when the name or type is not valid or there is more on the line.
pub fn parse_line(text: &str) -> Result<Option<(Name, RecordType)>, String> {
    let text = text.split('#').next().unwrap_or_default();
    let mut words = text.split_whitespace();
    let Some(name) = words.next() else {
        return Ok(None);
    };
    let name = parse_name(name).map_err(|e| e.to_string())?;
    let rtype = match words.next() {
        Some(t) => parse_rtype(t).map_err(|e| e.to_string())?,
        None => RecordType::A,
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected `{extra}`: a line is NAME [TYPE]"));
    }
    Ok(Some((name, rtype)))
}

/// The questions of a names list, line by line, as they are read.
pub struct Names<R> {
    reader: R,
    source_name: String,
    line: usize,
    buf: String,
    /// The stream broke: the list ends here.
    broken: bool,
}

impl<R: BufRead> Names<R> {
    /// Read `reader`, named `source_name` in errors (`-` for standard input).
    pub fn new(reader: R, source_name: &str) -> Self {
        Self {
            reader,
            source_name: source_name.to_string(),
            line: 0,
            buf: String::new(),
            broken: false,
        }
    }
}

impl<R: BufRead> Iterator for Names<R> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        if self.broken {
            return None;
        }
        loop {
            self.buf.clear();
            self.line += 1;
            let bad = |line, text: &str, reason: String| BadLine {
                source_name: self.source_name.clone(),
                line,
                text: text.trim().chars().take(200).collect(),
                reason,
            };
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                // Not UTF-8, or the stream broke: say so for this line and stop at a broken
                // stream (reading on would repeat the error).
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    return Some(Err(bad(self.line, "", "not UTF-8 text".to_string())));
                }
                Err(e) => {
                    self.broken = true;
                    return Some(Err(bad(self.line, "", format!("cannot read on: {e}"))));
                }
            }
            match parse_line(&self.buf) {
                Ok(None) => continue,
                Ok(Some((name, rtype))) => return Some(Ok((self.line, name, rtype))),
                Err(reason) => return Some(Err(bad(self.line, &self.buf, reason))),
            }
        }
    }
}

/// Which records of a zone file to check besides the authoritative data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneOptions {
    /// DNSSEC records too (DNSKEY, DS, RRSIG, NSEC, NSEC3, NSEC3PARAM, CDS, CDNSKEY).
    pub dnssec: bool,
    /// Delegations too (NS records below the apex) and the glue below them: each is asked of
    /// the child zone's servers.
    pub glue: bool,
}

/// A zone file as the intended state of a zone: its RRsets to check and what was left out.
#[derive(Debug, Clone)]
pub struct ZoneInput {
    /// The zone (the file's origin).
    pub origin: Name,
    /// The RRsets to check, in the file's name order (apex first).
    pub rrsets: Vec<(Name, RecordType, Vec<Record>)>,
    /// RRsets left out, and why.
    pub skipped: Skipped,
}

/// RRsets of a zone file that a check leaves out unless asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// DNSSEC records (`--with-dnssec` checks them).
    pub dnssec: usize,
    /// Delegation NS sets and glue below them (`--with-glue` checks them).
    pub glue: usize,
    /// Data below a delegation that is not glue: the zone cannot serve it (occluded, RFC 2181
    /// §6); never checked.
    pub occluded: usize,
    /// Signatures and denial records (RRSIG, NSEC, NSEC3, NSEC3PARAM): they change with every
    /// signing, so they are never compared, one by one.
    pub signatures: usize,
}

fn is_dnssec(t: RecordType) -> bool {
    matches!(
        t,
        RecordType::DNSKEY
            | RecordType::DS
            | RecordType::RRSIG
            | RecordType::NSEC
            | RecordType::NSEC3
            | RecordType::NSEC3PARAM
            | RecordType::CDS
            | RecordType::CDNSKEY
    )
}

/// The RRsets of a parsed zone file to check, with `options`.
pub fn zone_input(zone: crate::zonefile::Zone, options: ZoneOptions) -> ZoneInput {
    let crate::zonefile::Zone {
        origin,
        records,
        unread,
    } = zone;
    let origin = origin.to_lowercase();
    // Delegation points: owners of NS records below the apex.
    let cuts: Vec<Name> = records
        .keys()
        .filter(|k| k.record_type == RecordType::NS)
        .map(|k| Name::from(k.name.clone()).to_lowercase())
        .filter(|n| *n != origin && origin.zone_of(n))
        .collect();
    let mut skipped = Skipped {
        signatures: unread,
        ..Skipped::default()
    };
    let mut rrsets = Vec::new();
    for (key, set) in records {
        let name = Name::from(key.name.clone()).to_lowercase();
        let rtype = key.record_type;
        let below = cuts.iter().find(|c| c.zone_of(&name));
        let keep = if is_dnssec(rtype) {
            // A DS at a cut is the parent's data: with --with-dnssec it is checked.
            let ok = options.dnssec && (below.is_none() || rtype == RecordType::DS);
            if !ok {
                skipped.dnssec += 1;
            }
            ok
        } else if let Some(cut) = below {
            let delegation_or_glue = (name == *cut && rtype == RecordType::NS)
                || matches!(rtype, RecordType::A | RecordType::AAAA);
            if !delegation_or_glue {
                skipped.occluded += 1;
                false
            } else if !options.glue {
                skipped.glue += 1;
                false
            } else {
                true
            }
        } else {
            true
        };
        if !keep {
            continue;
        }
        let mut rs: Vec<Record> = set.records_without_rrsigs().cloned().collect();
        if rtype == RecordType::RRSIG {
            rs = set.records(true).cloned().collect();
        }
        if rs.is_empty() {
            continue;
        }
        rrsets.push((name, rtype, rs));
    }
    // The apex first, then by name as DNS orders it, then by type.
    let order = |(n, t, _): &(Name, RecordType, Vec<Record>)| {
        (
            *n != origin,
            n.clone(),
            *t != RecordType::SOA,
            u16::from(*t),
        )
    };
    rrsets.sort_by_key(order);
    ZoneInput {
        origin,
        rrsets,
        skipped,
    }
}

/// Every item of a batch, in input order: the zone file's RRsets (intended: the file's
/// records), then the names list's lines (intended: the file's RRset when there is a file,
/// [`Intended::Absent`] when the file lacks it, the authoritative reference without a file).
pub fn items<N>(
    zone: Option<ZoneInput>,
    names: Option<N>,
) -> impl Iterator<Item = Result<Item, BadLine>> + Send + 'static
where
    N: Iterator<Item = Entry> + Send + 'static,
{
    let mut index = 0usize;
    let mut next_index = move || {
        index += 1;
        index - 1
    };
    let (rrsets, file) = match zone {
        Some(z) => {
            let lookup: std::collections::HashMap<(Name, RecordType), Vec<Record>> = z
                .rrsets
                .iter()
                .map(|(n, t, r)| ((n.clone(), *t), r.clone()))
                .collect();
            (z.rrsets, Some(lookup))
        }
        None => (Vec::new(), None),
    };
    let from_file: Vec<Item> = rrsets
        .into_iter()
        .map(|(name, rtype, records)| Item {
            index: next_index(),
            line: None,
            name,
            rtype,
            intended: Intended::Records(records),
        })
        .collect();
    let from_list = names.into_iter().flatten().map(move |entry| {
        entry.map(|(line, name, rtype)| {
            let name = name.to_lowercase();
            let intended = match &file {
                None => Intended::Reference,
                Some(f) => f
                    .get(&(name.clone(), rtype))
                    .map_or(Intended::Absent, |r| Intended::Records(r.clone())),
            };
            Item {
                index: next_index(),
                line: Some(line),
                name,
                rtype,
                intended,
            }
        })
    });
    from_file.into_iter().map(Ok).chain(from_list)
}

/// Read `items` on a blocking thread (a names list may be a slow pipe) into a channel that
/// holds at most `window` items ahead of the checks.
pub fn spawn<I>(items: I, window: usize) -> tokio::sync::mpsc::Receiver<Result<Item, BadLine>>
where
    I: Iterator<Item = Result<Item, BadLine>> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(window.max(1));
    tokio::task::spawn_blocking(move || {
        for item in items {
            if tx.blocking_send(item).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> Name {
        parse_name(s).expect("valid name")
    }

    #[test]
    fn a_line_is_a_name_and_maybe_a_type() {
        assert_eq!(parse_line("   # only a comment"), Ok(None));
        assert_eq!(parse_line(""), Ok(None));
        assert_eq!(
            parse_line("www.shop.test"),
            Ok(Some((name("www.shop.test."), RecordType::A)))
        );
        assert_eq!(
            parse_line("  shop.test  mx   # the mail"),
            Ok(Some((name("shop.test."), RecordType::MX)))
        );
        assert!(parse_line("a.test A extra").is_err_and(|e| e.contains("NAME [TYPE]")));
        assert!(parse_line("a.test NOTATYPE").is_err());
        assert!(parse_line("a..test").is_err());
    }

    #[test]
    fn a_list_goes_on_past_bad_lines_and_names_them() {
        let text = b"a.test\nbad..name\n\n# c\nb.test TXT\n\xff\xfe\nc.test\n";
        let got: Vec<Entry> = Names::new(&text[..], "list.txt").collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0].as_ref().map(|e| e.0), Ok(1));
        let bad = got[1].as_ref().expect_err("bad name");
        assert_eq!((bad.line, bad.text.as_str()), (2, "bad..name"));
        assert!(bad.to_string().starts_with("list.txt line 2: "), "{bad}");
        assert_eq!(
            got[2].as_ref().map(|e| (e.0, e.2)),
            Ok((5, RecordType::TXT))
        );
        assert_eq!(
            got[3].as_ref().map_err(|e| e.reason.as_str()),
            Err("not UTF-8 text")
        );
        assert_eq!(got[4].as_ref().map(|e| e.0), Ok(7));
    }

    fn zone(text: &str, options: ZoneOptions) -> ZoneInput {
        let z = crate::zonefile::parse_zone(text, "t.zone", None, None).expect("parses");
        zone_input(z, options)
    }

    const ZONE: &str = "$ORIGIN t.\n$TTL 60\n@ IN SOA ns.t. h.t. 1 2 3 4 5\n@ IN NS ns.t.\nns IN A 192.0.2.1\n@ IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\nsub IN NS ns.sub.t.\nsub IN DS 1 15 2 ABCD\nns.sub IN A 192.0.2.2\ntxt.sub IN TXT \"hidden\"\nwww IN A 192.0.2.3\n";

    #[test]
    fn dnssec_records_and_glue_are_left_out_unless_asked() {
        let plain = zone(ZONE, ZoneOptions::default());
        let asked: Vec<String> = plain
            .rrsets
            .iter()
            .map(|(n, t, _)| format!("{n} {t}"))
            .collect();
        assert_eq!(asked, ["t. SOA", "t. NS", "ns.t. A", "www.t. A"]);
        assert_eq!(
            plain.skipped,
            Skipped {
                dnssec: 2,
                glue: 2,
                occluded: 1,
                signatures: 0,
            }
        );
        let all = zone(
            ZONE,
            ZoneOptions {
                dnssec: true,
                glue: true,
            },
        );
        let asked: Vec<String> = all
            .rrsets
            .iter()
            .map(|(n, t, _)| format!("{n} {t}"))
            .collect();
        assert!(asked.contains(&"sub.t. NS".to_string()), "{asked:?}");
        assert!(asked.contains(&"sub.t. DS".to_string()), "{asked:?}");
        assert!(asked.contains(&"ns.sub.t. A".to_string()), "{asked:?}");
        assert!(asked.contains(&"t. DNSKEY".to_string()), "{asked:?}");
        assert_eq!(all.skipped.occluded, 1, "occluded data is never asked");
    }

    #[test]
    fn names_in_a_list_take_the_files_rrset_or_should_not_exist() {
        let z = zone(ZONE, ZoneOptions::default());
        let list = Names::new("www.t.\nnew.t.\nfree.example\n".as_bytes(), "l");
        let items: Vec<Item> = items(Some(z), Some(list))
            .map(|i| i.expect("good"))
            .collect();
        assert_eq!(items.len(), 7);
        assert!(items.iter().enumerate().all(|(i, it)| it.index == i));
        assert!(
            matches!(items[4].intended, Intended::Records(_)),
            "www.t. is in the file"
        );
        assert_eq!(items[5].intended, Intended::Absent);
        assert_eq!(items[5].line, Some(2));
        let only_list = Names::new("www.t.\n".as_bytes(), "l");
        let items: Vec<Item> = super::items(None, Some(only_list))
            .map(|i| i.expect("good"))
            .collect();
        assert_eq!(items[0].intended, Intended::Reference);
    }
}
