//! Encrypted transports in words: the connection (TLS version, ALPN, certificate, set-up
//! time, reuse, HTTP status) and each way it can fail, with its machine kind.

use dnscope::compare::{Comparison, TransportDifference};
use dnscope::present::for_tty;
use dnscope::wire::{Protocol, SecureFailure, Session};

use super::dnssec::{date, relative};
use super::{Mood, Said, ms};

fn unix(t: i64) -> u32 {
    u32::try_from(t.max(0)).unwrap_or(u32::MAX)
}

/// A failure of an encrypted exchange: its kind and a short sentence.
pub fn failure(f: &SecureFailure, protocol: Protocol) -> Said {
    let now = dnscope::dnssec::unix_now();
    let (kind, text) = match f {
        SecureFailure::CertificateName {
            expected,
            presented,
        } => (
            "certificate_name_mismatch",
            if presented.is_empty() {
                format!("certificate not valid for {expected}")
            } else {
                format!(
                    "certificate is for {}, not {expected}",
                    presented.join(", ")
                )
            },
        ),
        SecureFailure::CertificateExpired { not_after, .. } => (
            "certificate_expired",
            format!(
                "certificate expired {} ({})",
                date(unix(*not_after)),
                relative(unix(*not_after), now)
            ),
        ),
        SecureFailure::CertificateNotYetValid { not_before } => (
            "certificate_not_yet_valid",
            format!("certificate not valid before {}", date(unix(*not_before))),
        ),
        SecureFailure::CertificateUnknownIssuer { issuer } => (
            "certificate_unknown_issuer",
            if issuer.is_empty() {
                "certificate signed by an authority we do not trust".to_string()
            } else {
                format!("certificate signed by {issuer}, an authority we do not trust")
            },
        ),
        SecureFailure::CertificateInvalid { reason } => {
            ("certificate_invalid", format!("bad certificate: {reason}"))
        }
        SecureFailure::NoTrustRoots => (
            "no_trust_roots",
            "no certificate could be checked: no trusted authority is loaded (no system CA bundle found; give --ca-file FILE, or --insecure)".to_string(),
        ),
        SecureFailure::TlsAlert { alert } => (
            "tls_alert",
            format!("the server ended the TLS handshake: alert {alert}"),
        ),
        SecureFailure::Handshake { reason } => (
            "handshake_failed",
            format!("{} handshake failed: {reason}", handshake_of(protocol)),
        ),
        SecureFailure::HandshakeTimeout { timeout_ms } => (
            "handshake_timeout",
            format!(
                "{} handshake not done after {timeout_ms} ms",
                handshake_of(protocol)
            ),
        ),
        SecureFailure::HttpStatus { status } => (
            "http_status",
            format!("HTTP {status} {}", reason_phrase(*status)),
        ),
        SecureFailure::NotDns {
            content_type,
            reason,
        } => (
            "not_dns",
            match content_type {
                Some(c) => format!("HTTP 200 but not a DNS answer ({c}: {reason})"),
                None => format!("not a DNS answer ({reason})"),
            },
        ),
        SecureFailure::Broken { reason } => {
            ("connection_broken", format!("connection broken: {reason}"))
        }
    };
    Said::new(kind, text, Mood::Bad)
}

fn handshake_of(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Quic => "QUIC",
        _ => "TLS",
    }
}

fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// The connection in one line: "TLS 1.3, ALPN dot, set-up 4 ms" or "reused connection".
pub fn connection(s: &Session) -> String {
    let mut parts = Vec::new();
    if let Some(v) = &s.tls_version {
        parts.push(v.clone());
    }
    parts.push(match &s.alpn {
        Some(a) => format!("ALPN {a}"),
        None => "no ALPN".to_string(),
    });
    if let Some(h) = &s.http {
        parts.push(format!("{} {} → {}", h.method, h.path, h.status));
    }
    parts.push(match s.setup {
        Some(d) => format!("set-up {}", ms(d)),
        None => "reused connection".to_string(),
    });
    if !s.verified {
        parts.push("NOT VERIFIED (--insecure)".to_string());
    }
    parts.join(", ")
}

/// The certificate in one line: subject, issuer, expiry.
pub fn certificate(s: &Session) -> Option<String> {
    let c = s.certificate.as_ref()?;
    let now = dnscope::dnssec::unix_now();
    Some(format!(
        "{} (names {}), issued by {}, expires {} ({})",
        c.subject,
        if c.names.is_empty() {
            "none".to_string()
        } else {
            c.names.join(", ")
        },
        c.issuer,
        date(unix(c.not_after)),
        relative(unix(c.not_after), now)
    ))
}

/// With `--explain`: what the connection line means, for a newcomer.
pub fn reading(s: &Session, protocol: Protocol) -> String {
    let how = match protocol {
        Protocol::Tls => {
            "DNS over TLS: the usual two-byte-length DNS message inside a TLS connection to port 853"
        }
        Protocol::Https => {
            "DNS over HTTPS: the DNS message is the body of an HTTPS request (HTTP/2 over TLS), which looks like any web traffic"
        }
        Protocol::Quic => {
            "DNS over QUIC: each question on its own QUIC stream (TLS 1.3 built into QUIC, over UDP)"
        }
        _ => "a plain transport",
    };
    let alpn = match &s.alpn {
        Some(a) => format!("both sides agreed on the application protocol {a:?} (ALPN)"),
        None => "the server named no application protocol (no ALPN)".to_string(),
    };
    let cost = match s.setup {
        Some(d) => format!(
            "opening the connection (handshake) took {}, paid once: later questions to this server ride the same connection",
            ms(d)
        ),
        None => {
            "this question rode a connection opened earlier, so it paid no handshake".to_string()
        }
    };
    let trust = if s.verified {
        format!(
            "the certificate was checked: signed by a trusted authority, valid now, and issued for {}",
            s.tls_name
        )
    } else {
        "the certificate was NOT checked (--insecure): anyone on the path could have answered"
            .to_string()
    };
    format!("{how}; {alpn}; {cost}; {trust}.")
}

/// A `Transports` finding of compare: one address, several transports, different answers or
/// separate caches.
pub fn transports(
    address: std::net::IpAddr,
    servers: &[String],
    difference: &TransportDifference,
) -> (&'static str, Mood, String) {
    match difference {
        TransportDifference::Answers => (
            "transports_differ",
            Mood::Warn,
            format!(
                "{} are one server ({address}) asked over different transports, and they do not answer alike: its encrypted front ends and port 53 are served separately (different software, caches or policies), so a browser using DoH can see other data than a system resolver on port 53.",
                for_tty(&servers.join(", "))
            ),
        ),
        TransportDifference::Caches(ttls) => (
            "transports_separate_caches",
            Mood::Quiet,
            format!(
                "{} are one server ({address}) asked over different transports at the same moment, with the same data but different TTLs ({}): each transport answers from a cache of its own, so one can hold old data after another has refreshed.",
                for_tty(&servers.join(", ")),
                ttls.iter()
                    .map(|(l, t)| format!("{l} {t} s"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
    }
}

/// The encrypted rows' connections: which were opened for this round and which rode one an
/// earlier question opened (`compare --watch` reuses them). None without encrypted rows.
pub fn connections(c: &Comparison) -> Option<String> {
    let of = |reused: bool| -> Vec<&str> {
        c.servers
            .iter()
            .filter(|s| s.reused == Some(reused))
            .map(|s| s.label.as_str())
            .collect()
    };
    let (new, reused) = (of(false), of(true));
    if new.is_empty() && reused.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    if !new.is_empty() {
        parts.push(format!("new connection for {}", new.join(", ")));
    }
    if !reused.is_empty() {
        parts.push(format!(
            "reused the connection of an earlier question: {}",
            reused.join(", ")
        ));
    }
    let unverified: Vec<&str> = c
        .servers
        .iter()
        .filter(|s| s.unverified)
        .map(|s| s.label.as_str())
        .collect();
    if !unverified.is_empty() {
        parts.push(format!(
            "certificates NOT verified (--insecure): {}",
            unverified.join(", ")
        ));
    }
    Some(format!("Encrypted transports: {}.", parts.join("; ")))
}
