//! The wire layer: one DNS question to one server, and the evidence of what happened.
//!
//! Everything that talks to the network goes through the [`Transport`] trait, so tests and
//! later transports (DoT, DoH, DoQ) can stand in for [`NetTransport`], the plain UDP/TCP one.
//! The wire layer owns sockets, IDs, timeouts, retries and the TC → TCP fallback; it does not
//! interpret answers (that is the job of `query`, `trace` and `compare`) and never prints.

mod message;
pub mod secure;
mod shared;
mod tcp;
mod udp;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::Message;
use serde::Serialize;

pub use message::{
    ClassError, Ede, NameError, TypeError, build_query, build_query_in, ede, nsid, parse_class,
    parse_name, parse_rtype, reverse_name, rtype_name,
};
pub use secure::{Secure, SecureFailure, Session, TlsSettings, Via};
pub use shared::{Metered, Shared, SharedLimits, SharedStats};

/// The UDP payload size we advertise in EDNS0: the DNS Flag Day 2020 value, which avoids IP
/// fragmentation on practically every path.
pub const EDNS_PAYLOAD: u16 = 1232;

/// How a question travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// One datagram out, one back.
    Udp,
    /// RFC 7766: a connection, two-byte length prefix.
    Tcp,
    /// DNS over TLS (RFC 7858).
    #[serde(rename = "dot")]
    Tls,
    /// DNS over HTTPS (RFC 8484).
    #[serde(rename = "doh")]
    Https,
    /// DNS over QUIC (RFC 9250).
    #[serde(rename = "doq")]
    Quic,
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Protocol::Udp => "UDP",
            Protocol::Tcp => "TCP",
            Protocol::Tls => "DoT",
            Protocol::Https => "DoH",
            Protocol::Quic => "DoQ",
        })
    }
}

/// What to put in the question and how patient to be.
#[derive(Debug, Clone)]
pub struct QueryOptions {
    /// Recursion desired (RD). Off when asking authoritative servers.
    pub recursion_desired: bool,
    /// Send an EDNS0 OPT record (payload [`EDNS_PAYLOAD`]).
    pub edns: bool,
    /// Set the DO bit (DNSSEC OK) in the OPT record.
    pub dnssec_ok: bool,
    /// Set the CD bit (checking disabled).
    pub checking_disabled: bool,
    /// Wait this long for each UDP attempt (and for the whole TCP exchange).
    pub timeout: Duration,
    /// Send the UDP question again this many times if nothing valid came back.
    pub retries: u32,
    /// Skip UDP and ask over TCP straight away.
    pub tcp_only: bool,
    /// Retry over TCP when a UDP answer has TC=1 (RFC 7766 §5). On by default.
    pub tcp_on_truncation: bool,
    /// Ask for the server's identity (the EDNS NSID option, RFC 5001).
    pub nsid: bool,
}

impl Default for QueryOptions {
    fn default() -> Self {
        Self {
            recursion_desired: true,
            edns: true,
            dnssec_ok: false,
            checking_disabled: false,
            timeout: Duration::from_secs(2),
            retries: 1,
            tcp_only: false,
            tcp_on_truncation: true,
            nsid: false,
        }
    }
}

/// Why a datagram that arrived on our socket was not taken as the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Ignored {
    /// It came from another address or port than the one we asked.
    WrongSource { from: SocketAddr },
    /// Its ID is not the one we sent.
    WrongId { id: u16 },
    /// QR=0: it is a query, not a response.
    NotAResponse,
    /// The question section differs from ours.
    WrongQuestion { question: String },
    /// The bytes are not a DNS message.
    Undecodable { bytes: usize, error: String },
}

impl std::fmt::Display for Ignored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ignored::WrongSource { from } => write!(f, "reply from unexpected {from}"),
            Ignored::WrongId { id } => write!(f, "reply with wrong ID {id}"),
            Ignored::NotAResponse => f.write_str("packet with QR=0 (not a response)"),
            Ignored::WrongQuestion { question } => {
                write!(f, "reply to another question ({question})")
            }
            Ignored::Undecodable { bytes, error } => {
                write!(f, "{bytes} undecodable bytes ({error})")
            }
        }
    }
}

/// The UDP attempt that came back truncated before the TCP retry.
#[derive(Debug, Clone, Serialize)]
pub struct Truncated {
    /// Round-trip time of the truncated UDP answer.
    pub rtt: Duration,
    /// Its size in bytes.
    pub bytes: usize,
    /// How many records it still carried (a TC=1 answer may keep some).
    pub records: usize,
    /// The UDP size dnscope offered: its EDNS payload size, or 512 without EDNS.
    pub offered: u16,
}

/// One question asked of one server, and everything we learnt doing it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The address we asked.
    pub server: SocketAddr,
    /// The transport of the final answer.
    pub protocol: Protocol,
    /// The question as sent.
    pub query: Message,
    /// The decoded answer.
    pub response: Message,
    /// Round-trip time of the final answer (for TCP, includes the connection set-up).
    pub rtt: Duration,
    /// Size of the question on the wire.
    pub request_bytes: usize,
    /// Size of the answer on the wire.
    pub response_bytes: usize,
    /// Datagrams sent over UDP (1 + retries used); 0 for TCP only.
    pub udp_attempts: u32,
    /// Set when a UDP answer had TC=1 and we asked again over TCP.
    pub truncated: Option<Truncated>,
    /// Packets that arrived but were not the answer.
    pub ignored: Vec<Ignored>,
    /// Taken from a batch run's cache instead of being sent again (see [`Shared`]); the
    /// other fields are those of the exchange that was sent.
    pub from_cache: bool,
    /// The encrypted connection it travelled over (DoT, DoH, DoQ); `None` for UDP and TCP.
    pub session: Option<Box<Session>>,
}

/// Why no answer came back.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WireError {
    /// Nothing valid arrived in time.
    #[error("{server}: no reply over {protocol} after {attempts} attempt(s) of {timeout_ms} ms each{}", ignored_suffix(.ignored))]
    Timeout {
        server: SocketAddr,
        protocol: Protocol,
        attempts: u32,
        timeout_ms: u64,
        ignored: Vec<Ignored>,
    },
    /// The kernel said nothing listens there (ICMP port unreachable, or TCP RST).
    #[error("{server}: connection refused over {protocol} (nothing listens there)")]
    Unreachable {
        server: SocketAddr,
        protocol: Protocol,
    },
    /// A TCP answer was cut short or did not match the question.
    #[error("{server}: bad response over {protocol}: {reason}")]
    BadResponse {
        server: SocketAddr,
        protocol: Protocol,
        reason: String,
    },
    /// A local socket error (no route, address not available, ...).
    #[error("{server}: {protocol} socket error: {message}")]
    Io {
        server: SocketAddr,
        protocol: Protocol,
        message: String,
    },
    /// The question itself could not be encoded.
    #[error("cannot encode the question: {0}")]
    Encode(String),
    /// A batch run stopped asking a server that had left its last questions unanswered.
    #[error("{server}: not asked: no reply to its last {timeouts} questions in this run")]
    GaveUp { server: SocketAddr, timeouts: u32 },
    /// An encrypted transport failed: certificate, handshake, HTTP status, or a body that
    /// is not DNS.
    #[error("{server}: {protocol}: {failure}")]
    Secure {
        server: SocketAddr,
        protocol: Protocol,
        failure: SecureFailure,
    },
    /// The address is outside loopback and this run may only use loopback.
    #[error(
        "{server}: not asked: outside loopback (this run may only send to 127.0.0.0/8 and ::1)"
    )]
    Forbidden { server: SocketAddr },
}

fn ignored_suffix(ignored: &[Ignored]) -> String {
    if ignored.is_empty() {
        String::new()
    } else {
        format!(" ({} packet(s) ignored: {})", ignored.len(), ignored[0])
    }
}

impl WireError {
    /// The packets that arrived but were not the answer (only a timeout keeps them).
    pub fn ignored(&self) -> &[Ignored] {
        match self {
            WireError::Timeout { ignored, .. } => ignored,
            _ => &[],
        }
    }
}

/// Sends one question to one server and returns the evidence.
///
/// Implementations own their sockets; they must never hang past the timeouts in
/// [`QueryOptions`].
#[async_trait::async_trait]
pub trait Transport: Send + Sync {
    /// Ask `server` the question in `query`.
    ///
    /// # Errors
    /// [`WireError`] when no acceptable answer arrived: timeout, refusal, an unusable TCP answer
    /// or a local socket error.
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError>;

    /// Ask `server` the question, sent the way `via` says. The plain ways adjust the options
    /// and call [`Transport::exchange`]; the encrypted ones need a transport that speaks them
    /// ([`Secure`]), and fail here otherwise.
    ///
    /// # Errors
    /// As [`Transport::exchange`], plus [`WireError::Secure`] for the encrypted ways.
    async fn exchange_via(
        &self,
        server: SocketAddr,
        via: &Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        plain_via(self, server, via, query, opts).await
    }
}

/// [`Transport::exchange_via`] for the plain ways.
async fn plain_via<T: Transport + ?Sized>(
    transport: &T,
    server: SocketAddr,
    via: &Via,
    query: &Message,
    opts: &QueryOptions,
) -> Result<Exchange, WireError> {
    let mut opts = opts.clone();
    match via {
        Via::Plain => {}
        Via::Udp => {
            opts.tcp_only = false;
            opts.tcp_on_truncation = false;
        }
        Via::Tcp => opts.tcp_only = true,
        Via::Tls { .. } | Via::Https { .. } | Via::Quic { .. } => {
            return Err(WireError::Secure {
                server,
                protocol: via.protocol(),
                failure: SecureFailure::Handshake {
                    reason: "this transport does not speak it".to_string(),
                },
            });
        }
    }
    transport.exchange(server, query, &opts).await
}

/// Plain DNS over UDP with TCP fallback (RFC 1035 §4.2, RFC 7766).
#[derive(Debug, Default, Clone, Copy)]
pub struct NetTransport;

#[async_trait::async_trait]
impl Transport for NetTransport {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let bytes = query
            .to_vec()
            .map_err(|e| WireError::Encode(e.to_string()))?;
        let evidence =
            |protocol, response, rtt, response_bytes, udp_attempts, truncated, ignored| Exchange {
                server,
                protocol,
                query: query.clone(),
                response,
                rtt,
                request_bytes: bytes.len(),
                response_bytes,
                udp_attempts,
                truncated,
                ignored,
                from_cache: false,
                session: None,
            };
        if opts.tcp_only {
            let answer = tcp::ask(server, query, &bytes, opts.timeout).await?;
            return Ok(evidence(
                Protocol::Tcp,
                answer.message,
                answer.rtt,
                answer.bytes,
                0,
                None,
                Vec::new(),
            ));
        }
        let udp = udp::ask(server, query, &bytes, opts).await?;
        if !(udp.message.metadata.truncation && opts.tcp_on_truncation) {
            return Ok(evidence(
                Protocol::Udp,
                udp.message,
                udp.rtt,
                udp.bytes,
                udp.attempts,
                None,
                udp.ignored,
            ));
        }
        // RFC 7766 §5: a truncated answer is only a hint; discard it and ask over TCP.
        let truncated = Truncated {
            rtt: udp.rtt,
            bytes: udp.bytes,
            records: udp.message.answers.len()
                + udp.message.authorities.len()
                + udp.message.additionals.len(),
            offered: if opts.edns { EDNS_PAYLOAD } else { 512 },
        };
        let answer = tcp::ask(server, query, &bytes, opts.timeout).await?;
        Ok(evidence(
            Protocol::Tcp,
            answer.message,
            answer.rtt,
            answer.bytes,
            udp.attempts,
            Some(truncated),
            udp.ignored,
        ))
    }
}

/// One question for one server, as [`ask_all`] takes them.
#[derive(Debug, Clone)]
pub struct Job {
    /// Where to ask.
    pub server: SocketAddr,
    /// How to reach it.
    pub via: Via,
    /// The question.
    pub query: Message,
    /// How.
    pub options: QueryOptions,
}

/// Ask every job at once and wait for all of them (each bounded by its own timeouts); the
/// results come back in the order of the jobs. A task that dies (a bug) is reported as a
/// local error for its job, never as a missing entry.
pub async fn ask_all(
    transport: &Arc<dyn Transport>,
    jobs: Vec<Job>,
) -> Vec<Result<Exchange, WireError>> {
    let mut tasks = tokio::task::JoinSet::new();
    let servers: Vec<SocketAddr> = jobs.iter().map(|j| j.server).collect();
    for (i, job) in jobs.into_iter().enumerate() {
        let transport = transport.clone();
        tasks.spawn(async move {
            (
                i,
                transport
                    .exchange_via(job.server, &job.via, &job.query, &job.options)
                    .await,
            )
        });
    }
    let mut results: Vec<Option<Result<Exchange, WireError>>> =
        servers.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, result)) = joined
            && let Some(slot) = results.get_mut(i)
        {
            *slot = Some(result);
        }
    }
    results
        .into_iter()
        .zip(servers)
        .map(|(result, server)| {
            result.unwrap_or(Err(WireError::Io {
                server,
                protocol: Protocol::Udp,
                message: "the query task failed".to_string(),
            }))
        })
        .collect()
}

/// A transport that only lets questions to loopback addresses through.
///
/// Every `--lab` run uses it, so that a stray glue record or a CNAME into the real namespace
/// can never send a packet off the machine; `DNSCOPE_LOOPBACK_ONLY=1` turns it on for any run
/// (the test suite and CI set it).
pub struct LoopbackOnly<T>(pub T);

#[async_trait::async_trait]
impl<T: Transport> Transport for LoopbackOnly<T> {
    async fn exchange(
        &self,
        server: SocketAddr,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        if !server.ip().is_loopback() {
            return Err(WireError::Forbidden { server });
        }
        self.0.exchange(server, query, opts).await
    }

    async fn exchange_via(
        &self,
        server: SocketAddr,
        via: &Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        if !server.ip().is_loopback() {
            return Err(WireError::Forbidden { server });
        }
        self.0.exchange_via(server, via, query, opts).await
    }
}

/// A duration in whole milliseconds, as the errors report a timeout.
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whether `DNSCOPE_LOOPBACK_ONLY` asks for [`LoopbackOnly`] on every run.
pub fn loopback_only_from_env() -> bool {
    std::env::var_os("DNSCOPE_LOOPBACK_ONLY").is_some_and(|v| !v.is_empty() && v != "0")
}
