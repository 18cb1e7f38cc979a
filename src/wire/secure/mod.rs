//! Encrypted transports: DNS over TLS (RFC 7858), over HTTPS (RFC 8484) and over QUIC
//! (RFC 9250), with the evidence an explorer shows: TLS version, ALPN, the certificate, the
//! connection set-up apart from the question's round trip, the HTTP status, and whether a
//! connection was reused.
//!
//! [`Secure`] wraps a plain transport: questions sent [`Via::Plain`], `Udp` or `Tcp` go to it,
//! the encrypted ones to a pool of connections kept for the run, one per (server, transport),
//! so that a second question to the same server rides the connection the first one opened.

mod doh;
mod doq;
mod dot;
mod pool;
mod tls;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_proto::op::Message;
use serde::Serialize;

pub use tls::{CaFileError, TlsSettings, read_pem_certificates, system_roots};

use super::{Exchange, Protocol, QueryOptions, Transport, WireError, millis};

/// The default DoH path (RFC 8484 §4.1's example, what every public resolver uses).
pub const DOH_PATH: &str = "/dns-query";

/// How a question reaches its server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Via {
    /// UDP, and TCP when the answer is truncated (or as [`QueryOptions`] say).
    #[default]
    Plain,
    /// UDP only: a truncated answer is shown as it came (`udp://`).
    Udp,
    /// TCP only (`tcp://`).
    Tcp,
    /// DNS over TLS; `name` is the name the certificate must carry.
    Tls { name: String },
    /// DNS over HTTPS (HTTP/2): the URL's host name, its path, and GET instead of POST.
    Https {
        name: String,
        path: String,
        get: bool,
    },
    /// DNS over QUIC.
    Quic { name: String },
}

impl Via {
    /// The name the server's certificate is checked against, for the encrypted ones.
    pub fn tls_name(&self) -> Option<&str> {
        match self {
            Via::Tls { name } | Via::Https { name, .. } | Via::Quic { name } => Some(name),
            _ => None,
        }
    }

    /// The protocol questions sent this way travel over (the plain way's depends on the
    /// answer: UDP, or TCP after truncation).
    pub fn protocol(&self) -> Protocol {
        match self {
            Via::Plain | Via::Udp => Protocol::Udp,
            Via::Tcp => Protocol::Tcp,
            Via::Tls { .. } => Protocol::Tls,
            Via::Https { .. } => Protocol::Https,
            Via::Quic { .. } => Protocol::Quic,
        }
    }

    /// The usual port of this transport.
    pub fn default_port(&self) -> u16 {
        match self {
            Via::Tls { .. } | Via::Quic { .. } => 853,
            Via::Https { .. } => 443,
            _ => 53,
        }
    }
}

/// What a server's certificate says about it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// Its subject (distinguished name).
    pub subject: String,
    /// Who signed it.
    pub issuer: String,
    /// Valid from (Unix seconds).
    pub not_before: i64,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// The names and addresses it is valid for (subject alternative names).
    pub names: Vec<String>,
}

/// The HTTP side of a DoH exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpSeen {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path asked.
    pub path: String,
    /// The status the server sent.
    pub status: u16,
}

/// The encrypted connection a question travelled over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The name the certificate was checked against.
    pub tls_name: String,
    /// The TLS version negotiated (`TLSv1_3`, `TLSv1_2`).
    pub tls_version: Option<String>,
    /// The application protocol negotiated (ALPN: `dot`, `h2`, `doq`), if any.
    pub alpn: Option<String>,
    /// The cipher suite.
    pub cipher: Option<String>,
    /// The server's certificate.
    pub certificate: Option<Certificate>,
    /// False under `--insecure`: the certificate was not checked.
    pub verified: bool,
    /// The connection set-up this question paid (TCP + TLS (+ HTTP/2), or the QUIC
    /// handshake); `None` when it rode a connection opened earlier.
    pub setup: Option<Duration>,
    /// Whether an earlier question's connection was reused.
    pub reused: bool,
    /// For DoH: method, path and status.
    pub http: Option<HttpSeen>,
}

/// Why an encrypted exchange failed, beyond the plain transports' reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecureFailure {
    /// The certificate is not valid for the name we checked.
    CertificateName {
        expected: String,
        presented: Vec<String>,
    },
    /// The certificate's validity ended.
    CertificateExpired { subject: String, not_after: i64 },
    /// The certificate's validity has not begun.
    CertificateNotYetValid { not_before: i64 },
    /// No trusted authority signed it.
    CertificateUnknownIssuer { issuer: String },
    /// Another certificate problem.
    CertificateInvalid { reason: String },
    /// Nothing is trusted: no system CA bundle was found and no `--ca-file` given.
    NoTrustRoots,
    /// The server ended the handshake with a TLS alert.
    TlsAlert { alert: String },
    /// The handshake failed otherwise.
    Handshake { reason: String },
    /// The connection was accepted but the TLS or QUIC handshake did not complete in time.
    HandshakeTimeout { timeout_ms: u64 },
    /// DoH: the server answered with an HTTP status other than 2xx.
    HttpStatus { status: u16 },
    /// DoH: a 2xx answer whose body is not a DNS message.
    NotDns {
        content_type: Option<String>,
        reason: String,
    },
    /// The connection broke after the handshake (reset, closed, protocol error).
    Broken { reason: String },
}

impl std::fmt::Display for SecureFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only for `WireError`'s message; the binary words each kind itself.
        match self {
            SecureFailure::CertificateName { expected, .. } => {
                write!(f, "certificate not valid for {expected}")
            }
            SecureFailure::CertificateExpired { .. } => f.write_str("certificate expired"),
            SecureFailure::CertificateNotYetValid { .. } => {
                f.write_str("certificate not yet valid")
            }
            SecureFailure::CertificateUnknownIssuer { issuer } => {
                write!(f, "certificate issuer not trusted ({issuer})")
            }
            SecureFailure::CertificateInvalid { reason } => write!(f, "bad certificate ({reason})"),
            SecureFailure::NoTrustRoots => f.write_str("no trusted certificate authority loaded"),
            SecureFailure::TlsAlert { alert } => write!(f, "TLS alert {alert}"),
            SecureFailure::Handshake { reason } => write!(f, "handshake failed ({reason})"),
            SecureFailure::HandshakeTimeout { timeout_ms } => {
                write!(f, "handshake not done after {timeout_ms} ms")
            }
            SecureFailure::HttpStatus { status } => write!(f, "HTTP status {status}"),
            SecureFailure::NotDns { reason, .. } => write!(f, "not a DNS answer ({reason})"),
            SecureFailure::Broken { reason } => write!(f, "connection broken ({reason})"),
        }
    }
}

/// An open connection, cheap to clone (the clones share it).
#[derive(Clone)]
enum Conn {
    Dot(dot::Handle),
    Doh(doh::Handle),
    Doq(doq::Handle),
}

/// What a connection's handshake established, shown with every question it carries.
#[derive(Debug, Clone)]
struct Established {
    tls_version: Option<String>,
    alpn: Option<String>,
    cipher: Option<String>,
    certificate: Option<Certificate>,
}

/// A transport that speaks DoT, DoH and DoQ itself and hands the rest to `T`.
pub struct Secure<T> {
    inner: T,
    configs: tls::Configs,
    pool: Mutex<HashMap<(SocketAddr, Via), pool::Slot>>,
    /// Numbers each connection opened, so that a failure resets only its own.
    generation: std::sync::atomic::AtomicU64,
}

impl<T> Secure<T> {
    /// Wrap `inner`, trusting what `settings` say.
    pub fn new(inner: T, settings: &TlsSettings) -> Self {
        Self {
            inner,
            configs: tls::Configs::new(settings),
            pool: Mutex::new(HashMap::new()),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

#[async_trait::async_trait]
impl<T: Transport> Transport for Secure<T> {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        self.inner.exchange(server, query, opts).await
    }

    async fn exchange_via(
        &self,
        server: SocketAddr,
        via: &Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        match via {
            Via::Tls { .. } | Via::Https { .. } | Via::Quic { .. } => {
                self.ask(server, via, query, opts).await
            }
            _ => self.inner.exchange_via(server, via, query, opts).await,
        }
    }
}

/// Check that a decoded answer is a response to our question (its ID was matched by the
/// connection's own multiplexing).
fn check_answer(query: &Message, bytes: &[u8]) -> Result<Message, String> {
    let message =
        Message::from_vec(bytes).map_err(|e| format!("{} undecodable bytes ({e})", bytes.len()))?;
    super::udp::answers(query, &message).map_err(|why| why.to_string())?;
    Ok(message)
}

/// The established facts of a rustls client connection.
fn established(conn: &rustls::ClientConnection) -> Established {
    Established {
        tls_version: conn.protocol_version().map(version_text),
        alpn: conn
            .alpn_protocol()
            .map(|a| String::from_utf8_lossy(a).into_owned()),
        cipher: conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite())),
        certificate: conn
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(tls::summary),
    }
}

fn version_text(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLS 1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLS 1.2".to_string(),
        other => format!("{other:?}"),
    }
}

/// TCP connect, then the TLS handshake offering `alpn`: the shared first half of DoT and DoH.
async fn tls_connect(
    configs: &tls::Configs,
    server: SocketAddr,
    name: &str,
    alpn: &[u8],
    protocol: Protocol,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, WireError> {
    let fail = |failure| WireError::Secure {
        server,
        protocol,
        failure,
    };
    let (config, seen) = configs.client(alpn, false).map_err(fail)?;
    let server_name = tls::server_name(name).map_err(fail)?;
    let tcp = tokio::net::TcpStream::connect(server)
        .await
        .map_err(|e| super::udp::classify_for(server, protocol, e))?;
    let _ = tcp.set_nodelay(true);
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server_name, tcp)
        .await
        .map_err(|e| {
            let failure = match tls::rustls_error(&e) {
                Some(r) => tls::failure(&seen, Some(r), e.to_string()),
                None if e.kind() == std::io::ErrorKind::UnexpectedEof => SecureFailure::Handshake {
                    reason: "the server closed the connection during the handshake".to_string(),
                },
                None => tls::failure(&seen, None, e.to_string()),
            };
            fail(failure)
        })
}

#[cfg(test)]
mod tests;
