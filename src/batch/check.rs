//! Each server's answer against the intended state (the zone file's RRset, or the
//! authoritative reference when there is no file), and the row's status.

use hickory_proto::rr::Record;

use super::Intended;
use crate::compare::{AnswerKey, Comparison, Kind, ServerView};

/// How one server's answer compares with the intended data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The same records.
    Matches,
    /// Every intended record and more: the server serves records the file does not have
    /// (or data for a name the file says should not exist).
    Extra,
    /// Some or all intended records are not served (NXDOMAIN or NODATA included).
    Missing,
    /// Other records: some intended ones missing and others there instead; or, at an
    /// authoritative server, the intended records with another TTL.
    Differs,
    /// No usable answer (timeout, SERVFAIL, REFUSED, not authoritative).
    Error,
}

/// One server's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ServerCheck {
    /// The verdict; None when there is nothing to compare with (no authoritative server
    /// answered and there is no zone file).
    pub check: Option<Check>,
    /// An authoritative server serves the intended records with another TTL: (intended,
    /// served).
    pub ttl: Option<(u32, u32)>,
}

/// The intended data as an answer key, if there is any to compare with.
pub fn intended_key(intended: &Intended, c: &Comparison) -> Option<AnswerKey> {
    match intended {
        Intended::Records(records) => Some(AnswerKey::of_records(records)),
        Intended::Absent => Some(AnswerKey::NoData),
        Intended::Reference => c
            .reference
            .and_then(|g| c.groups.get(g))
            .map(|g| g.key.clone()),
    }
}

/// Check one server's answer against `want`.
pub fn check(intended: &Intended, want: Option<&AnswerKey>, s: &ServerView) -> ServerCheck {
    let none = ServerCheck {
        check: None,
        ttl: None,
    };
    let Some(got) = &s.key else {
        return ServerCheck {
            check: Some(Check::Error),
            ..none
        };
    };
    let Some(want) = want else {
        return none;
    };
    let check = compare_keys(want, got);
    // The TTL is data at the source; resolvers count it down, so only authoritative servers
    // are held to it.
    let ttl = match (intended, check, s.kind, s.ttl) {
        (Intended::Records(records), Check::Matches, Kind::Authoritative, Some(served)) => {
            intended_ttl(records)
                .filter(|t| *t != served)
                .map(|t| (t, served))
        }
        _ => None,
    };
    ServerCheck {
        check: Some(if ttl.is_some() { Check::Differs } else { check }),
        ttl,
    }
}

fn intended_ttl(records: &[Record]) -> Option<u32> {
    records.iter().map(|r| r.ttl).min()
}

/// Set semantics: equal, a superset (extra), a subset or nothing (missing), or neither.
pub fn compare_keys(want: &AnswerKey, got: &AnswerKey) -> Check {
    let negative = |k: &AnswerKey| matches!(k, AnswerKey::NxDomain | AnswerKey::NoData);
    match (want, got) {
        (w, g) if negative(w) && negative(g) => Check::Matches,
        (w, AnswerKey::Data(_)) if negative(w) => Check::Extra,
        (AnswerKey::Data(_), g) if negative(g) => Check::Missing,
        (AnswerKey::Data(w), AnswerKey::Data(g)) => {
            let all_there = w.iter().all(|l| g.contains(l));
            let nothing_else = g.iter().all(|l| w.contains(l));
            match (all_there, nothing_else) {
                (true, true) => Check::Matches,
                (true, false) => Check::Extra,
                (false, true) => Check::Missing,
                (false, false) => Check::Differs,
            }
        }
        _ => Check::Differs,
    }
}

/// A row's status: matches when every server that could be checked matches; otherwise the
/// most telling of the servers' verdicts (differs, then missing, extra, error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Every server serves the intended data.
    Matches,
    /// Some server serves other data.
    Differs,
    /// Some server lacks intended data.
    Missing,
    /// Some server serves more than intended.
    Extra,
    /// Some server gave no usable answer, or nothing could be compared.
    Error,
}

impl RowStatus {
    /// Every status, in the order summaries count them.
    pub const ALL: [RowStatus; 5] = [
        RowStatus::Matches,
        RowStatus::Differs,
        RowStatus::Missing,
        RowStatus::Extra,
        RowStatus::Error,
    ];
}

/// The row's status from its servers' checks.
pub fn row_status(checks: &[ServerCheck]) -> RowStatus {
    let has = |c: Check| checks.iter().any(|s| s.check == Some(c));
    if checks.iter().any(|s| s.check.is_none()) || checks.is_empty() {
        return RowStatus::Error;
    }
    if has(Check::Differs) {
        RowStatus::Differs
    } else if has(Check::Missing) {
        RowStatus::Missing
    } else if has(Check::Extra) {
        RowStatus::Extra
    } else if has(Check::Error) {
        RowStatus::Error
    } else {
        RowStatus::Matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(lines: &[&str]) -> AnswerKey {
        AnswerKey::Data(lines.iter().map(|s| (*s).to_string()).collect())
    }

    #[test]
    fn sets_compare_as_sets() {
        let want = data(&["a A 1", "a A 2"]);
        assert_eq!(
            compare_keys(&want, &data(&["a A 2", "a A 1"])),
            Check::Matches
        );
        assert_eq!(
            compare_keys(&want, &data(&["a A 1", "a A 2", "a A 3"])),
            Check::Extra
        );
        assert_eq!(compare_keys(&want, &data(&["a A 1"])), Check::Missing);
        assert_eq!(
            compare_keys(&want, &data(&["a A 1", "a A 3"])),
            Check::Differs
        );
        assert_eq!(compare_keys(&want, &AnswerKey::NxDomain), Check::Missing);
        assert_eq!(
            compare_keys(&AnswerKey::NoData, &AnswerKey::NxDomain),
            Check::Matches
        );
        assert_eq!(compare_keys(&AnswerKey::NoData, &want), Check::Extra);
    }

    #[test]
    fn a_row_is_as_bad_as_its_worst_server() {
        let s = |c| ServerCheck {
            check: Some(c),
            ttl: None,
        };
        assert_eq!(
            row_status(&[s(Check::Matches), s(Check::Matches)]),
            RowStatus::Matches
        );
        assert_eq!(
            row_status(&[s(Check::Error), s(Check::Extra)]),
            RowStatus::Extra
        );
        assert_eq!(
            row_status(&[s(Check::Missing), s(Check::Differs)]),
            RowStatus::Differs
        );
        assert_eq!(
            row_status(&[s(Check::Matches), s(Check::Error)]),
            RowStatus::Error
        );
        let unknown = ServerCheck {
            check: None,
            ttl: None,
        };
        assert_eq!(row_status(&[s(Check::Matches), unknown]), RowStatus::Error);
        assert_eq!(row_status(&[]), RowStatus::Error);
    }
}
