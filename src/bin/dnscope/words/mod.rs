//! The one vocabulary: every fact the engine returns, turned into its stable machine `kind`
//! (what `--json` carries) and its sentence (what the text output, `--explain` and the
//! exercises' solutions print). Nothing else in dnscope builds a user-facing sentence about
//! DNS; the renderers only lay these out, so two wordings of one fact cannot drift apart, and
//! tests can assert kinds instead of prose (STYLE.md habit 16).
//!
//! - [`trace`]: each server's outcome in a trace, how a trace ended, each step in words;
//! - [`idn`]: internationalised names: the Unicode form beside the A-label, homographs;
//! - [`query`]: a `query` block: server sources, missing responses, truncation;
//! - [`record`]: a plain-words reading of any record and of a whole response (`--explain`);
//! - [`compare`]: findings, statuses, problems and answer groups of a comparison;
//! - [`dnssec`]: DNSSEC verdicts, their reasons and codes; [`chain`]: each zone's link of the
//!   chain of trust, RRSIGs read out, EDE names;
//! - [`batch`]: many names at once: row statuses, causes said once for many rows, the cost;
//! - [`scenario`]: the narration of a lab scenario;
//! - [`secure`]: encrypted transports: the connection, the certificate, each failure;
//! - [`exercises`]: the class exercises and their solutions, worded from the same pieces;
//! - [`catalog`]: `dnscope explain`'s pages (record types and concepts).
//!
//! Error messages (bad input, a lab that cannot start) are the `Display` of the library's
//! error types, printed on one line by `main`; they are not repeated here.

pub mod batch;
pub mod catalog;
mod cause;
pub mod chain;
pub mod compare;
pub mod dnssec;
mod ending;
pub mod exercises;
pub mod idn;
pub mod query;
mod reading;
pub mod record;
pub mod scenario;
pub mod secure;
pub mod trace;

/// How a worded fact reads: good news, a warning, a failure, or a side note. The renderer
/// picks colours from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mood {
    /// It worked.
    Good,
    /// Worth a look; not a failure by itself.
    Warn,
    /// A failure.
    Bad,
    /// A side note.
    Quiet,
}

/// A fact in words: its stable machine kind, its sentence, and its mood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The stable machine name (JSON `kind`/`outcome`), snake_case.
    pub kind: &'static str,
    /// The words.
    pub text: String,
    /// Good, warning, bad or quiet.
    pub mood: Mood,
}

impl Said {
    pub fn new(kind: &'static str, text: impl Into<String>, mood: Mood) -> Self {
        Self {
            kind,
            text: text.into(),
            mood,
        }
    }
}

/// "s" for counts other than one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Seconds as a short human duration: 300 → "5m", 86400 → "1d", 5400 → "1h30m".
pub fn human_ttl(secs: u32) -> String {
    if secs < 60 {
        return format!("{secs}s");
    }
    let units = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut rest = secs;
    let mut out = String::new();
    let mut parts = 0;
    for (size, unit) in units {
        if rest >= size && parts < 2 {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
            parts += 1;
        } else if parts > 0 {
            // Two largest units only: "1d2h", not "1d2h3m4s".
            parts = 2;
        }
    }
    out
}

/// Seconds in words: "45 s", or "300 s (5m)".
pub fn secs(n: u32) -> String {
    if n < 60 {
        format!("{n} s")
    } else {
        format!("{n} s ({})", human_ttl(n))
    }
}

/// Milliseconds with a precision that suits the size.
pub fn ms(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `HH:MM:SS UTC` of a Unix time.
pub fn clock(unix: u64) -> String {
    let s = unix % 86_400;
    format!("{:02}:{:02}:{:02} UTC", s / 3600, (s / 60) % 60, s % 60)
}

/// Names in presentation form, joined with ", ".
pub fn names(items: &[hickory_proto::rr::Name]) -> String {
    items
        .iter()
        .map(dnscope::present::name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_read_as_durations() {
        assert_eq!(human_ttl(30), "30s");
        assert_eq!(human_ttl(300), "5m");
        assert_eq!(human_ttl(5400), "1h30m");
        assert_eq!(human_ttl(86_400), "1d");
        assert_eq!(human_ttl(90_061), "1d1h");
        assert_eq!(human_ttl(172_800), "2d");
        assert_eq!(secs(45), "45 s");
        assert_eq!(secs(300), "300 s (5m)");
        assert_eq!(clock(3_661), "01:01:01 UTC");
    }
}
