//! DNS over HTTPS (RFC 8484) on HTTP/2: our rustls handshake offering `h2`, then the h2
//! crate (the one hickory uses) for the framing. We drive h2 ourselves because hickory's DoH
//! client only POSTs and reports an HTTP status as text; here GET and POST both work, the
//! status is a number, and clones of the request handle multiplex on one connection.

use std::net::SocketAddr;

use bytes::Bytes;
use hickory_proto::op::Message;

use super::{Established, HttpSeen, Protocol, SecureFailure, WireError, tls};

/// A DoH connection: h2's request handle (clones share the connection).
pub(super) type Handle = h2::client::SendRequest<Bytes>;

/// RFC 8484 §5.1's media type.
const DNS_MESSAGE: &str = "application/dns-message";

/// The largest body we read: a DNS message cannot be longer.
const MAX_BODY: usize = 65_535;

pub(super) async fn connect(
    configs: &tls::Configs,
    server: SocketAddr,
    name: &str,
) -> Result<(super::Conn, Established), WireError> {
    let fail = |failure| WireError::Secure {
        server,
        protocol: Protocol::Https,
        failure,
    };
    let stream = super::tls_connect(configs, server, name, b"h2", Protocol::Https).await?;
    let established = super::established(stream.get_ref().1);
    if established.alpn.as_deref() != Some("h2") {
        // RFC 8484 §5.2: DoH is HTTP/2 or later; without ALPN h2 the server would not
        // understand our frames.
        return Err(fail(SecureFailure::Handshake {
            reason: "the server did not agree to HTTP/2 (ALPN h2)".to_string(),
        }));
    }
    let (send, connection) = h2::client::Builder::new()
        .enable_push(false)
        .handshake::<_, Bytes>(stream)
        .await
        .map_err(|e| fail(broken(&e)))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((super::Conn::Doh(send), established))
}

pub(super) async fn ask(
    handle: &Handle,
    server: SocketAddr,
    name: &str,
    path: &str,
    get: bool,
    query: &Message,
    wire: &[u8],
) -> Result<((Message, usize), HttpSeen), WireError> {
    let fail = |failure| WireError::Secure {
        server,
        protocol: Protocol::Https,
        failure,
    };
    // An IPv6 address as the host goes in brackets (RFC 3986 §3.2.2).
    let host = if name.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[{name}]")
    } else {
        name.to_string()
    };
    let authority = if server.port() == 443 {
        host
    } else {
        format!("{host}:{}", server.port())
    };
    let method = if get { "GET" } else { "POST" };
    let uri = if get {
        let sep = if path.contains('?') { '&' } else { '?' };
        let dns = data_encoding::BASE64URL_NOPAD.encode(wire);
        format!("https://{authority}{path}{sep}dns={dns}")
    } else {
        format!("https://{authority}{path}")
    };
    let mut request = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("accept", DNS_MESSAGE);
    if !get {
        request = request
            .header("content-type", DNS_MESSAGE)
            .header("content-length", wire.len());
    }
    let request = request
        .body(())
        .map_err(|e| WireError::Encode(format!("DoH request: {e}")))?;
    let mut send = handle.clone().ready().await.map_err(|e| fail(broken(&e)))?;
    let (response, mut body_out) = send
        .send_request(request, get)
        .map_err(|e| fail(broken(&e)))?;
    if !get {
        body_out
            .send_data(Bytes::copy_from_slice(wire), true)
            .map_err(|e| fail(broken(&e)))?;
    }
    let response = response.await.map_err(|e| fail(broken(&e)))?;
    let status = response.status().as_u16();
    let seen = HttpSeen {
        method,
        path: path.to_string(),
        status,
    };
    if !response.status().is_success() {
        return Err(fail(SecureFailure::HttpStatus { status }));
    }
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| fail(broken(&e)))?;
        let _ = body.flow_control().release_capacity(chunk.len());
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_BODY {
            return Err(fail(SecureFailure::NotDns {
                content_type,
                reason: format!("a body longer than {MAX_BODY} bytes"),
            }));
        }
    }
    let mime = content_type
        .as_deref()
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if mime.is_some_and(|m| !m.eq_ignore_ascii_case(DNS_MESSAGE)) {
        return Err(fail(SecureFailure::NotDns {
            content_type,
            reason: format!("content type is not {DNS_MESSAGE}"),
        }));
    }
    let message = super::check_answer(query, &bytes).map_err(|reason| {
        fail(SecureFailure::NotDns {
            content_type: content_type.clone(),
            reason,
        })
    })?;
    Ok(((message, bytes.len()), seen))
}

fn broken(e: &h2::Error) -> SecureFailure {
    SecureFailure::Broken {
        reason: e.to_string(),
    }
}
