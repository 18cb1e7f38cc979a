//! Encrypted transports in words: the connection (TLS version, ALPN, certificate, set-up
//! time, reuse, HTTP status) and each way it can fail, with its machine kind.

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
