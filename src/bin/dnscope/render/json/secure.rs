//! The encrypted connection of a response, as `query --json` and `compare --json` carry it.

use dnscope::wire::secure::{Certificate, HttpSeen};
use dnscope::wire::{SecureFailure, Session, WireError};
use serde::Serialize;

use super::millis;

#[derive(Serialize)]
pub struct SessionDoc {
    /// The name the certificate was checked against.
    tls_name: String,
    tls_version: Option<String>,
    alpn: Option<String>,
    cipher: Option<String>,
    certificate: Option<Certificate>,
    /// False under `--insecure`.
    verified: bool,
    /// The connection set-up this question paid; null when it reused a connection.
    setup_ms: Option<f64>,
    reused: bool,
    http: Option<HttpSeen>,
}

pub fn session(s: &Session) -> SessionDoc {
    SessionDoc {
        tls_name: s.tls_name.clone(),
        tls_version: s.tls_version.clone(),
        alpn: s.alpn.clone(),
        cipher: s.cipher.clone(),
        certificate: s.certificate.clone(),
        verified: s.verified,
        setup_ms: s.setup.map(millis),
        reused: s.reused,
        http: s.http.clone(),
    }
}

/// The typed detail of an encrypted transport's failure (certificate names, HTTP status…).
pub fn failure(e: &WireError) -> Option<SecureFailure> {
    match e {
        WireError::Secure { failure, .. } => Some(failure.clone()),
        _ => None,
    }
}
