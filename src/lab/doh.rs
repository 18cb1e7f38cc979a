//! The lab's DoH front (RFC 8484 over HTTP/2): GET and POST on [`DOH_PATH`], each question
//! relayed to the same server's own DNS port (UDP, TCP when truncated), and the HTTP errors a real DoH
//! server sends (404 for another path, 405, 415, 400, 502).
//!
//! hickory-server has a DoH listener, but it answers POST only and resets the stream instead
//! of sending any 4xx/5xx; a class (and our tests) need to see GET work and a 404 come back.
//! rustls does the TLS and the h2 crate the HTTP/2: nothing here is hand-written protocol.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::secure::DOH_PATH;

const DNS_MESSAGE: &str = "application/dns-message";
const MAX_BODY: usize = 65_535;

/// At most this many questions at once on one connection (h2's default is no limit).
const MAX_STREAMS: u32 = 100;

/// Accept DoH connections on `listener` until the task is aborted, relaying to `backend`. A
/// connection is closed after `idle` without a request (not after `idle` in all), so that
/// `compare --watch` keeps riding it.
pub(super) async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    backend: SocketAddr,
    idle: Duration,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                // HTTP/2 writes a response's HEADERS and DATA frames apart: without
                // TCP_NODELAY, Nagle holds the second until the client's delayed ACK (40 ms).
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                connections.spawn(connection(acceptor, tcp, backend, idle));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn connection(
    acceptor: tokio_rustls::TlsAcceptor,
    tcp: TcpStream,
    backend: SocketAddr,
    idle: Duration,
) {
    let Ok(Ok(tls)) = tokio::time::timeout(idle, acceptor.accept(tcp)).await else {
        return;
    };
    let handshake = h2::server::Builder::new()
        .max_concurrent_streams(MAX_STREAMS)
        .max_header_list_size(16 * 1024)
        .handshake(tls);
    let Ok(Ok(mut h2)) = tokio::time::timeout(idle, handshake).await else {
        return;
    };
    // The requests of this connection end with it (and with the lab).
    let mut requests = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            next = tokio::time::timeout(idle, h2.accept()) => {
                let Ok(Some(Ok((request, respond)))) = next else { break };
                requests.spawn(async move {
                    let (status, body) = answer(request, backend).await;
                    reply(respond, status, body);
                });
            }
            Some(_) = requests.join_next(), if !requests.is_empty() => {}
        }
    }
}

fn reply(mut respond: h2::server::SendResponse<Bytes>, status: http::StatusCode, body: Vec<u8>) {
    let content_type = if status.is_success() {
        DNS_MESSAGE
    } else {
        "text/plain"
    };
    let Ok(response) = http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("content-length", body.len())
        .body(())
    else {
        return;
    };
    if let Ok(mut stream) = respond.send_response(response, false) {
        let _ = stream.send_data(Bytes::from(body), true);
    }
}

/// The status and body for one request.
async fn answer(
    request: http::Request<h2::RecvStream>,
    backend: SocketAddr,
) -> (http::StatusCode, Vec<u8>) {
    let text = |s: http::StatusCode, why: &str| (s, format!("{why}\n").into_bytes());
    if request.uri().path() != DOH_PATH {
        return text(
            http::StatusCode::NOT_FOUND,
            &format!("DNS queries go to {DOH_PATH}"),
        );
    }
    let question = match *request.method() {
        http::Method::GET => {
            let dns = request
                .uri()
                .query()
                .unwrap_or("")
                .split('&')
                .find_map(|kv| kv.strip_prefix("dns="));
            match dns.map(|d| data_encoding::BASE64URL_NOPAD.decode(d.as_bytes())) {
                Some(Ok(q)) => q,
                Some(Err(_)) => {
                    return text(http::StatusCode::BAD_REQUEST, "dns= is not base64url");
                }
                None => return text(http::StatusCode::BAD_REQUEST, "no dns= parameter"),
            }
        }
        http::Method::POST => {
            let mime = request
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !mime.eq_ignore_ascii_case(DNS_MESSAGE) {
                return text(
                    http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    &format!("content-type must be {DNS_MESSAGE}"),
                );
            }
            let mut body = request.into_body();
            let mut q = Vec::new();
            while let Some(chunk) = body.data().await {
                let Ok(chunk) = chunk else {
                    return text(http::StatusCode::BAD_REQUEST, "body cut short");
                };
                let _ = body.flow_control().release_capacity(chunk.len());
                q.extend_from_slice(&chunk);
                if q.len() > MAX_BODY {
                    return text(http::StatusCode::PAYLOAD_TOO_LARGE, "too long for DNS");
                }
            }
            q
        }
        _ => return text(http::StatusCode::METHOD_NOT_ALLOWED, "GET or POST"),
    };
    if question.len() < 12 {
        return text(http::StatusCode::BAD_REQUEST, "not a DNS message");
    }
    match relay(&question, backend).await {
        Some(answer) => (http::StatusCode::OK, answer),
        None => text(
            http::StatusCode::BAD_GATEWAY,
            "the DNS server did not answer",
        ),
    }
}

/// Ask the server itself on its DNS port: over UDP (one datagram each way, no connection to
/// set up per request), and again over TCP (RFC 7766 framing) when the answer is truncated.
async fn relay(question: &[u8], backend: SocketAddr) -> Option<Vec<u8>> {
    let exchange = async {
        let udp = tokio::net::UdpSocket::bind((std::net::Ipv4Addr::LOCALHOST, 0))
            .await
            .ok()?;
        udp.connect(backend).await.ok()?;
        udp.send(question).await.ok()?;
        let mut buf = vec![0; MAX_BODY];
        let n = udp.recv(&mut buf).await.ok()?;
        buf.truncate(n);
        // TC is bit 1 of the third header byte.
        let truncated = buf.get(2).is_some_and(|b| b & 0x02 != 0);
        if !truncated {
            return Some(buf);
        }
        let len = u16::try_from(question.len()).ok()?;
        let mut tcp = TcpStream::connect(backend).await.ok()?;
        let _ = tcp.set_nodelay(true);
        let mut out = len.to_be_bytes().to_vec();
        out.extend_from_slice(question);
        tcp.write_all(&out).await.ok()?;
        let n = tcp.read_u16().await.ok()?;
        let mut answer = vec![0; usize::from(n)];
        tcp.read_exact(&mut answer).await.ok()?;
        Some(answer)
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .ok()
        .flatten()
}
