//! DNS over UDP: one socket per question, a random source port (the kernel randomises
//! ephemeral ports), the same datagram re-sent on each retry, and every stray packet counted.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_proto::op::{Message, MessageType};
use tokio::net::UdpSocket;
use tokio::time::timeout_at;

use super::{Ignored, Protocol, QueryOptions, WireError};

/// The largest datagram we accept: the IP limit, so nothing is cut before we can count it.
const MAX_DATAGRAM: usize = 65_535;

pub(super) struct UdpAnswer {
    pub(super) message: Message,
    pub(super) rtt: Duration,
    pub(super) bytes: usize,
    pub(super) attempts: u32,
    pub(super) ignored: Vec<Ignored>,
}

pub(super) async fn ask(
    server: SocketAddr,
    query: &Message,
    bytes: &[u8],
    opts: &QueryOptions,
) -> Result<UdpAnswer, WireError> {
    let io_err = |e: io::Error| classify(server, e);
    let any: IpAddr = if server.is_ipv4() {
        Ipv4Addr::UNSPECIFIED.into()
    } else {
        Ipv6Addr::UNSPECIFIED.into()
    };
    let sock = UdpSocket::bind(SocketAddr::new(any, 0))
        .await
        .map_err(io_err)?;
    // Unconnected, so that a reply from a wrong address reaches us and can be counted; with
    // IP_RECVERR the kernel still reports an ICMP "port unreachable" as ECONNREFUSED, so a
    // server where nothing listens fails at once instead of timing out.
    recv_errors(&sock, server.is_ipv4());
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut ignored = Vec::new();
    let attempts = opts.retries.saturating_add(1);
    for attempt in 1..=attempts {
        let sent_at = Instant::now();
        sock.send_to(bytes, server).await.map_err(io_err)?;
        let deadline = tokio::time::Instant::from_std(sent_at + opts.timeout);
        loop {
            let (n, from) = match timeout_at(deadline, sock.recv_from(&mut buf)).await {
                Err(_elapsed) => break, // this attempt is over; maybe retry
                Ok(Err(e)) => return Err(io_err(e)),
                Ok(Ok(got)) => got,
            };
            let rtt = sent_at.elapsed();
            if from != server {
                ignored.push(Ignored::WrongSource { from });
                continue;
            }
            match check(query, &buf[..n]) {
                Ok(message) => {
                    return Ok(UdpAnswer {
                        message,
                        rtt,
                        bytes: n,
                        attempts: attempt,
                        ignored,
                    });
                }
                Err(why) => ignored.push(why),
            }
        }
    }
    Err(WireError::Timeout {
        server,
        protocol: Protocol::Udp,
        attempts,
        timeout_ms: super::millis(opts.timeout),
        ignored,
    })
}

/// Decode a datagram and check that it answers our question (RFC 5452 §9.1: ID, source and
/// question must all match).
pub(super) fn check(query: &Message, bytes: &[u8]) -> Result<Message, Ignored> {
    let message = Message::from_vec(bytes).map_err(|e| Ignored::Undecodable {
        bytes: bytes.len(),
        error: e.to_string(),
    })?;
    if message.metadata.id != query.metadata.id {
        return Err(Ignored::WrongId {
            id: message.metadata.id,
        });
    }
    answers(query, &message)?;
    Ok(message)
}

/// Whether a decoded message is a response to our question (QR set, the same question), its
/// ID left to the caller.
pub(super) fn answers(query: &Message, message: &Message) -> Result<(), Ignored> {
    if message.metadata.message_type != MessageType::Response {
        return Err(Ignored::NotAResponse);
    }
    // A server that cannot parse the question (FORMERR, NOTIMP) may send none back.
    let no_question_error = message.queries.is_empty()
        && message.metadata.response_code != hickory_proto::op::ResponseCode::NoError;
    if message.queries != query.queries && !no_question_error {
        let question = message
            .queries
            .iter()
            .map(|q| format!("{} {}", q.name(), q.query_type()))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Ignored::WrongQuestion { question });
    }
    Ok(())
}

pub(super) fn classify(server: SocketAddr, e: io::Error) -> WireError {
    classify_for(server, Protocol::Udp, e)
}

pub(super) fn classify_for(server: SocketAddr, protocol: Protocol, e: io::Error) -> WireError {
    match e.kind() {
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset => {
            WireError::Unreachable { server, protocol }
        }
        _ => WireError::Io {
            server,
            protocol,
            message: e.to_string(),
        },
    }
}

/// Ask the kernel to report ICMP errors on this unconnected socket (IP_RECVERR, see ip(7)).
/// Best effort: without it a dead server shows up as a timeout instead of a refusal.
#[allow(unsafe_code)]
fn recv_errors(sock: &UdpSocket, ipv4: bool) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    let (level, name) = if ipv4 {
        (libc::IPPROTO_IP, libc::IP_RECVERR)
    } else {
        (libc::IPPROTO_IPV6, libc::IPV6_RECVERR)
    };
    // SAFETY: the fd is a live socket owned by `sock` for the whole call, and we pass a
    // pointer to a c_int together with its exact size, as setsockopt(2) requires.
    let _ = unsafe {
        libc::setsockopt(
            sock.as_raw_fd(),
            level,
            name,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}
