//! DNS over TCP (RFC 7766): connect, send the question with its two-byte length prefix, read
//! one answer. The round-trip time includes the connection set-up, as a resolver pays it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::udp::{check, classify_for};
use super::{Protocol, WireError};

pub(super) struct TcpAnswer {
    pub(super) message: Message,
    pub(super) rtt: Duration,
    pub(super) bytes: usize,
}

pub(super) async fn ask(
    server: SocketAddr,
    query: &Message,
    bytes: &[u8],
    wait: Duration,
) -> Result<TcpAnswer, WireError> {
    let io_err = |e: std::io::Error| classify_for(server, Protocol::Tcp, e);
    let len = u16::try_from(bytes.len())
        .map_err(|_| WireError::Encode(format!("question of {} bytes", bytes.len())))?;
    let start = Instant::now();
    let exchange = async {
        let mut stream = TcpStream::connect(server).await.map_err(io_err)?;
        let mut out = Vec::with_capacity(bytes.len() + 2);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(bytes);
        stream.write_all(&out).await.map_err(io_err)?;
        let n = match stream.read_u16().await {
            Ok(n) => usize::from(n),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(bad(server, "connection closed before any answer"));
            }
            Err(e) => return Err(io_err(e)),
        };
        let mut body = vec![0u8; n];
        stream.read_exact(&mut body).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                bad(
                    server,
                    &format!("answer cut short (length prefix said {n} bytes)"),
                )
            } else {
                io_err(e)
            }
        })?;
        Ok(body)
    };
    let body = timeout(wait, exchange)
        .await
        .map_err(|_| WireError::Timeout {
            server,
            protocol: Protocol::Tcp,
            attempts: 1,
            timeout_ms: super::millis(wait),
            ignored: Vec::new(),
        })??;
    let rtt = start.elapsed();
    // On a connection of our own there is nobody else to hear from: a mismatch is an error.
    let message = check(query, &body).map_err(|why| bad(server, &why.to_string()))?;
    Ok(TcpAnswer {
        message,
        rtt,
        bytes: body.len(),
    })
}

fn bad(server: SocketAddr, reason: &str) -> WireError {
    WireError::BadResponse {
        server,
        protocol: Protocol::Tcp,
        reason: reason.to_string(),
    }
}
