//! DNS over QUIC (RFC 9250): hickory's QUIC client stream (quinn underneath) with our
//! recording verifier, so that the certificate and the reason for a refusal are known even
//! though the QUIC connection does not expose its TLS session.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_net::quic::QuicClientStream;
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::xfer::DnsExchange;
use hickory_proto::op::Message;

use super::{Established, Protocol, SecureFailure, WireError, tls};

/// A DoQ connection: hickory's exchange handle over one QUIC connection (one stream per
/// question).
pub(super) type Handle = DnsExchange<TokioRuntimeProvider>;

/// RFC 9250 §4.1.1's ALPN token.
const ALPN: &[u8] = b"doq";

pub(super) async fn connect(
    configs: &tls::Configs,
    server: SocketAddr,
    name: &str,
    wait: Duration,
) -> Result<(super::Conn, Established), WireError> {
    let fail = |failure| WireError::Secure {
        server,
        protocol: Protocol::Quic,
        failure,
    };
    // QUIC is TLS 1.3 only (RFC 9001 §4.2).
    let (config, seen) = configs.client(ALPN, true).map_err(fail)?;
    let started = std::time::Instant::now();
    let stream = QuicClientStream::builder()
        .crypto_config(config)
        .request_timeout(wait)
        .build(server, Arc::from(name))
        .await
        .map_err(|e| {
            let text = e.to_string();
            let failure = match tls::failure(&seen, None, text.clone()) {
                // hickory gives a QUIC handshake 5 s at most, whatever --timeout says: report
                // the time it really waited.
                SecureFailure::Handshake { .. } if text.contains("timed out") => {
                    SecureFailure::HandshakeTimeout {
                        timeout_ms: super::millis(started.elapsed().min(wait)),
                    }
                }
                other => other,
            };
            fail(failure)
        })?;
    let certificate = seen
        .lock()
        .ok()
        .and_then(|s| s.presented.as_ref().and_then(tls::summary));
    let (exchange, background) = DnsExchange::<TokioRuntimeProvider>::from_stream(stream);
    tokio::spawn(background);
    Ok((
        super::Conn::Doq(exchange),
        Established {
            tls_version: Some("TLS 1.3".to_string()),
            // rustls ends a QUIC handshake in which the server picked no protocol, and we
            // offer only this one: a connection means the server agreed to it.
            alpn: Some("doq".to_string()),
            cipher: None,
            certificate,
        },
    ))
}

pub(super) async fn ask(
    handle: &Handle,
    server: SocketAddr,
    query: &Message,
) -> Result<(Message, usize), WireError> {
    // RFC 9250 §4.2.1: the message ID is 0 on the wire; hickory's stream sets it.
    super::dot::exchange(handle, server, query, Protocol::Quic).await
}
