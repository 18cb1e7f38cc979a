//! A `query` block in words: where the server came from, why no response came, truncation,
//! stray packets, and the closing count.

use dnscope::query::QueryReport;
use dnscope::target::TargetSource;
use dnscope::wire::{Ignored, Truncated, WireError};

use super::{Said, ms, trace};

/// Why this server was asked, after its name (empty when the user named it).
pub fn source(s: TargetSource) -> &'static str {
    match s {
        TargetSource::User => "",
        TargetSource::System => "[from resolv.conf]",
        TargetSource::Lab => "[the lab's authoritative server for this name]",
        TargetSource::Public => "[a public resolver]",
        TargetSource::Discovered => "[an authoritative server of the zone]",
    }
}

/// The machine name of where a server came from.
pub fn source_kind(s: TargetSource) -> &'static str {
    match s {
        TargetSource::User => "user",
        TargetSource::System => "system",
        TargetSource::Lab => "lab",
        TargetSource::Public => "public",
        TargetSource::Discovered => "discovered",
    }
}

/// No response at all: the kind (as in a trace) and the whole story.
pub fn no_response(e: &WireError) -> Said {
    let short = trace::wire_error(e);
    match e {
        // The encrypted transports' failures have their own sentences (the error's own
        // message is terse); the address is in the block's heading.
        WireError::Secure { protocol, .. } => Said::new(
            short.kind,
            format!("{protocol}: {}", short.text),
            short.mood,
        ),
        _ => Said::new(short.kind, e.to_string(), short.mood),
    }
}

/// A UDP answer with TC=1 that was asked again over TCP.
pub fn truncated(t: &Truncated) -> String {
    format!(
        "the UDP answer was truncated (TC): it did not fit in the {} bytes dnscope offered, so dnscope asked again over TCP (the truncated reply: {} bytes, {} records, {})",
        t.offered,
        t.bytes,
        t.records,
        ms(t.rtt)
    )
}

/// With `--explain`: what each header flag that is set means.
pub fn flags_reading(m: &hickory_proto::op::Message) -> String {
    let h = &m.metadata;
    let mut out = Vec::new();
    if h.message_type == hickory_proto::op::MessageType::Response {
        out.push("qr = this is a response");
    }
    for (on, text) in [
        (
            h.authoritative,
            "aa = authoritative answer: the server holds the zone itself",
        ),
        (
            h.truncation,
            "tc = truncated: the reply did not fit and records are missing",
        ),
        (
            h.recursion_desired,
            "rd = recursion desired: the question asked the server to resolve it fully (copied back)",
        ),
        (
            h.recursion_available,
            "ra = recursion available: the server resolves names for its clients",
        ),
        (
            h.authentic_data,
            "ad = authenticated data: the server validated the answer with DNSSEC",
        ),
        (
            h.checking_disabled,
            "cd = checking disabled: DNSSEC validation was not asked for",
        ),
    ] {
        if on {
            out.push(text);
        }
    }
    if !h.recursion_available && h.message_type == hickory_proto::op::MessageType::Response {
        out.push("no ra: the server does not resolve names for you (an authoritative-only server)");
    }
    format!("flags: {}.", out.join("; "))
}

/// A TC=1 answer shown as it came (`--no-tcp-fallback`).
pub fn truncated_kept() -> &'static str {
    "TC=1: the answer did not fit; records may be missing (try without --no-tcp-fallback)"
}

/// A packet that arrived but was not the answer.
pub fn ignored(i: &Ignored) -> String {
    i.to_string()
}

/// The line after several servers' blocks.
pub fn summary(r: &QueryReport) -> String {
    format!(
        "{} of {} servers replied, in {} overall",
        r.replied(),
        r.outcomes.len(),
        ms(r.elapsed)
    )
}

/// A server's NSID (RFC 5001): its text when printable, else hex.
pub fn nsid(id: &[u8]) -> String {
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    match std::str::from_utf8(id) {
        Ok(text) if !text.is_empty() && text.chars().all(|c| !c.is_control()) => {
            format!("{text:?} (hex {hex})")
        }
        _ if id.is_empty() => "(empty)".to_string(),
        _ => format!("hex {hex}"),
    }
}

/// A server's NSID in a table cell: the text, or the hex.
pub fn nsid_short(id: &[u8]) -> String {
    match std::str::from_utf8(id) {
        Ok(text) if !text.is_empty() && text.chars().all(|c| !c.is_control()) => text.to_string(),
        _ => id.iter().map(|b| format!("{b:02x}")).collect(),
    }
}
