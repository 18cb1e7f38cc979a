//! The connections of a run: one per (server, transport), opened by the first question and
//! ridden by the later ones, and what happens when one cannot be opened or breaks.
//!
//! - Questions that arrive while a connection is being opened wait for it (at most their own
//!   `--timeout`) and ride it.
//! - When opening fails, questions asked within `--timeout` of the failure share it instead of
//!   each paying another handshake timeout; later ones (a `--watch` round) try again.
//! - A kept connection the server has closed meanwhile (an idle timeout, HTTP/2 GOAWAY) is
//!   replaced once, transparently: the question is asked again on a new connection.
//! - A failure resets only the connection it happened on (each has a generation number), never
//!   a newer one another question has just opened.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use hickory_proto::op::Message;

use super::{
    Conn, Established, Exchange, QueryOptions, Secure, SecureFailure, Session, Via, WireError, doh,
    doq, dot, millis,
};

/// One server's connection for one transport: none yet, open (with its generation), or the
/// last attempt's failure and when it happened.
#[derive(Default)]
pub(super) enum Held {
    #[default]
    None,
    Open(Conn, Established, u64),
    Failed(Instant, WireError),
}

pub(super) type Slot = Arc<tokio::sync::Mutex<Held>>;

/// A connection checked out for one question.
struct Checkout {
    conn: Conn,
    established: Established,
    generation: u64,
    /// The set-up this question paid; `None` when it rode an open connection.
    setup: Option<Duration>,
}

impl<T> Secure<T> {
    fn slot(&self, server: SocketAddr, via: &Via) -> Slot {
        match self.pool.lock() {
            Ok(mut pool) => pool.entry((server, via.clone())).or_default().clone(),
            // A poisoned pool (a panic elsewhere) only costs the reuse.
            Err(_) => Slot::default(),
        }
    }

    async fn connect(
        &self,
        server: SocketAddr,
        via: &Via,
        wait: Duration,
    ) -> Result<(Conn, Established), WireError> {
        let connecting = async {
            match via {
                Via::Tls { name } => dot::connect(&self.configs, server, name, wait).await,
                Via::Https { name, .. } => doh::connect(&self.configs, server, name).await,
                Via::Quic { name } => doq::connect(&self.configs, server, name, wait).await,
                _ => Err(WireError::Encode("not an encrypted transport".to_string())),
            }
        };
        tokio::time::timeout(wait, connecting)
            .await
            .map_err(|_| handshake_timeout(server, via, wait))?
    }

    /// The open connection, or a new one; `stale` is a connection known to be broken.
    async fn checkout(
        &self,
        slot: &Slot,
        server: SocketAddr,
        via: &Via,
        opts: &QueryOptions,
        asked: Instant,
        stale: Option<u64>,
    ) -> Result<Checkout, WireError> {
        // Waiting for another question's handshake is bounded by this question's patience.
        let mut held = tokio::time::timeout(opts.timeout, slot.lock())
            .await
            .map_err(|_| handshake_timeout(server, via, opts.timeout))?;
        match &*held {
            Held::Open(conn, established, generation) if Some(*generation) != stale => {
                return Ok(Checkout {
                    conn: conn.clone(),
                    established: established.clone(),
                    generation: *generation,
                    setup: None,
                });
            }
            // Asked while (or just after) an attempt failed: it would only fail the same way.
            Held::Failed(at, e) if asked.saturating_duration_since(*at) < opts.timeout => {
                return Err(e.clone());
            }
            _ => {}
        }
        let start = Instant::now();
        match self.connect(server, via, opts.timeout).await {
            Ok((conn, established)) => {
                let generation = self.generation.fetch_add(1, Ordering::Relaxed);
                *held = Held::Open(conn.clone(), established.clone(), generation);
                Ok(Checkout {
                    conn,
                    established,
                    generation,
                    setup: Some(start.elapsed()),
                })
            }
            Err(e) => {
                *held = Held::Failed(Instant::now(), e.clone());
                Err(e)
            }
        }
    }

    /// Drop a broken connection from the pool, unless a newer one has replaced it (or its slot
    /// is busy opening one: then that one will replace it).
    fn forget(slot: &Slot, generation: u64) {
        if let Ok(mut held) = slot.try_lock()
            && matches!(&*held, Held::Open(_, _, g) if *g == generation)
        {
            *held = Held::None;
        }
    }

    pub(super) async fn ask(
        &self,
        server: SocketAddr,
        via: &Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let slot = self.slot(server, via);
        let asked = Instant::now();
        let first = self.checkout(&slot, server, via, opts, asked, None).await?;
        let generation = first.generation;
        let reused = first.setup.is_none();
        match self.ask_on(first, server, via, query, opts).await {
            // The server closed the connection we kept: once, on a new one.
            Err(WireError::Secure {
                failure: SecureFailure::Broken { .. },
                ..
            }) if reused => {
                Self::forget(&slot, generation);
                let fresh = self
                    .checkout(&slot, server, via, opts, Instant::now(), Some(generation))
                    .await?;
                let generation = fresh.generation;
                let result = self.ask_on(fresh, server, via, query, opts).await;
                if result.is_err() {
                    Self::forget(&slot, generation);
                }
                result
            }
            Err(e) => {
                Self::forget(&slot, generation);
                Err(e)
            }
            ok => ok,
        }
    }

    /// One question on one checked-out connection.
    async fn ask_on(
        &self,
        out: Checkout,
        server: SocketAddr,
        via: &Via,
        query: &Message,
        opts: &QueryOptions,
    ) -> Result<Exchange, WireError> {
        let protocol = via.protocol();
        // RFC 8484 §4.1: DoH questions carry ID 0, so that HTTP caches can share answers.
        let mut query = query.clone();
        if matches!(via, Via::Https { .. }) {
            query.metadata.id = 0;
        }
        let bytes = query
            .to_vec()
            .map_err(|e| WireError::Encode(e.to_string()))?;
        let watch = match &out.conn {
            Conn::Dot(h) => Some(h.watch()),
            _ => None,
        };
        let start = Instant::now();
        let sent = async {
            match (&out.conn, via) {
                (Conn::Dot(h), _) => dot::ask(h, server, &query).await.map(|m| (m, None)),
                (Conn::Doq(h), _) => doq::ask(h, server, &query).await.map(|m| (m, None)),
                (Conn::Doh(h), Via::Https { name, path, get }) => {
                    doh::ask(h, server, name, path, *get, &query, &bytes)
                        .await
                        .map(|(m, http)| (m, Some(http)))
                }
                (Conn::Doh(_), _) => {
                    Err(WireError::Encode("DoH connection for another way".into()))
                }
            }
        };
        let timed_out = || WireError::Timeout {
            server,
            protocol,
            attempts: 1,
            timeout_ms: millis(opts.timeout),
            ignored: Vec::new(),
        };
        let answered = tokio::time::timeout(opts.timeout, sent)
            .await
            .unwrap_or_else(|_| Err(timed_out()));
        let ((response, response_bytes), http) = match answered {
            Ok(answer) => answer,
            // Ours or the connection's own limit (which is --timeout too). On DoT, bytes that
            // came while this was the only question on the connection, and were dropped, mean
            // the server did answer, with something that is not DNS.
            Err(WireError::Timeout { .. }) => {
                let garbage = watch.and_then(|w| w.unanswered_bytes());
                return Err(match garbage {
                    Some(received) => WireError::Secure {
                        server,
                        protocol,
                        failure: SecureFailure::NotDns {
                            content_type: None,
                            reason: format!(
                                "{received} bytes arrived on the connection, none of them a DNS answer to the question"
                            ),
                        },
                    },
                    None => timed_out(),
                });
            }
            Err(e) => return Err(e),
        };
        let rtt = start.elapsed();
        Ok(Exchange {
            server,
            protocol,
            query,
            response,
            rtt,
            request_bytes: bytes.len(),
            response_bytes,
            udp_attempts: 0,
            truncated: None,
            ignored: Vec::new(),
            from_cache: false,
            session: Some(Box::new(Session {
                tls_name: via.tls_name().unwrap_or_default().to_string(),
                tls_version: out.established.tls_version,
                alpn: out.established.alpn,
                cipher: out.established.cipher,
                certificate: out.established.certificate,
                verified: !self.configs.insecure,
                setup: out.setup,
                reused: out.setup.is_none(),
                http,
            })),
        })
    }
}

fn handshake_timeout(server: SocketAddr, via: &Via, wait: Duration) -> WireError {
    WireError::Secure {
        server,
        protocol: via.protocol(),
        failure: SecureFailure::HandshakeTimeout {
            timeout_ms: millis(wait),
        },
    }
}
