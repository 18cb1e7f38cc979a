//! DNS over TLS (RFC 7858): our own rustls handshake (so that its version, ALPN and
//! certificate can be read back), then hickory's TCP framing and multiplexer over it, which
//! pipelines every later question on the same connection.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use hickory_net::NetError;
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::runtime::iocompat::AsyncIoTokioAsStd;
use hickory_net::tcp::{TcpClientStream, TcpStream as DnsTcp};
use hickory_net::xfer::{DnsExchange, DnsHandle, DnsMultiplexer, FirstAnswer};
use hickory_proto::op::{DnsRequest, DnsRequestOptions, Message};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::{Established, Protocol, SecureFailure, WireError, tls};

/// A DoT connection: hickory's exchange handle (clones share the connection), and the count
/// of bytes the server has sent on it.
#[derive(Clone)]
pub(super) struct Handle {
    exchange: DnsExchange<TokioRuntimeProvider>,
    received: Arc<AtomicU64>,
    /// Questions waiting for their answer on this connection, and how many were ever sent:
    /// bytes can be blamed on one question only when it was alone.
    in_flight: Arc<AtomicU64>,
    started: Arc<AtomicU64>,
}

/// One question's view of the connection, from before it was sent until it is dropped.
pub(super) struct Watch {
    handle: Handle,
    alone: bool,
    started: u64,
    received: u64,
}

impl Handle {
    /// Start watching the connection for one question.
    pub(super) fn watch(&self) -> Watch {
        let alone = self.in_flight.fetch_add(1, Ordering::Relaxed) == 0;
        Watch {
            handle: self.clone(),
            alone,
            started: self.started.fetch_add(1, Ordering::Relaxed),
            received: self.received.load(Ordering::Relaxed),
        }
    }
}

impl Watch {
    /// The bytes that arrived while this question was the only one on the connection, when
    /// some did: they were dropped as undecodable (the multiplexer matches real answers).
    pub(super) fn unanswered_bytes(&self) -> Option<u64> {
        let h = &self.handle;
        let nobody_else = h.started.load(Ordering::Relaxed) == self.started + 1;
        let got = h
            .received
            .load(Ordering::Relaxed)
            .saturating_sub(self.received);
        (self.alone && nobody_else && got > 0).then_some(got)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.handle.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A stream that counts the bytes read from it. hickory's multiplexer drops a frame that
/// does not decode and waits on; the count lets a timeout say that the server did send
/// something, just not a DNS answer.
struct Counting<S> {
    inner: S,
    received: Arc<AtomicU64>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counting<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        self.received
            .fetch_add(u64::try_from(n).unwrap_or(0), Ordering::Relaxed);
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counting<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// RFC 7858 §3.2's ALPN token.
const ALPN: &[u8] = b"dot";

pub(super) async fn connect(
    configs: &tls::Configs,
    server: SocketAddr,
    name: &str,
    wait: std::time::Duration,
) -> Result<(super::Conn, Established), WireError> {
    let stream = super::tls_connect(configs, server, name, ALPN, Protocol::Tls).await?;
    let established = super::established(stream.get_ref().1);
    let received = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: stream,
        received: received.clone(),
    };
    let (tcp, handle) = DnsTcp::from_stream(AsyncIoTokioAsStd(counting), server);
    // The multiplexer's own per-question limit (5 s by default) follows --timeout.
    let mux = DnsMultiplexer::new(TcpClientStream::from_stream(tcp), handle).with_timeout(wait);
    let (exchange, background) = DnsExchange::<TokioRuntimeProvider>::from_stream(mux);
    tokio::spawn(background);
    let handle = Handle {
        exchange,
        received,
        in_flight: Arc::new(AtomicU64::new(0)),
        started: Arc::new(AtomicU64::new(0)),
    };
    Ok((super::Conn::Dot(handle), established))
}

pub(super) async fn ask(
    handle: &Handle,
    server: SocketAddr,
    query: &Message,
) -> Result<(Message, usize), WireError> {
    exchange(&handle.exchange, server, query, Protocol::Tls).await
}

/// Send one question through a hickory exchange and check what comes back; shared with DoQ.
pub(super) async fn exchange(
    handle: &DnsExchange<TokioRuntimeProvider>,
    server: SocketAddr,
    query: &Message,
    protocol: Protocol,
) -> Result<(Message, usize), WireError> {
    let request = DnsRequest::new(query.clone(), DnsRequestOptions::default());
    let response = handle
        .send(request)
        .first_answer()
        .await
        .map_err(|e| match e {
            NetError::Timeout => WireError::Timeout {
                server,
                protocol,
                attempts: 1,
                timeout_ms: 0,
                ignored: Vec::new(),
            },
            e => WireError::Secure {
                server,
                protocol,
                failure: SecureFailure::Broken {
                    reason: e.to_string(),
                },
            },
        })?;
    let bytes = response.into_buffer();
    let message = super::check_answer(query, &bytes).map_err(|reason| WireError::BadResponse {
        server,
        protocol,
        reason,
    })?;
    Ok((message, bytes.len()))
}
