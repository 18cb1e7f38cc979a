//! The lab's caching recursive resolvers: hickory's own `Recursor`, run in-process on a lab
//! address and the lab's port, loopback only.
//!
//! Two adjustments make it fit the lab (see ../shared/NOTES-hickory.md §4): the recursor dials
//! every server on port 53, so [`PortMap`] rewrites the port to the lab's (and refuses any
//! address outside loopback); and its default server filter denies 127.0.0.0/8, so the lab
//! allows exactly that and denies everything else. Its cache keeps answers for their TTL and
//! hands them out with the remaining TTL, as any caching resolver does: that is what
//! `compare` reads cache ages from.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use hickory_proto::op::{Metadata, Query, ResponseCode};
use hickory_proto::rr::rdata::opt::EdnsOption;
use hickory_proto::rr::{Name, Record};
use hickory_resolver::config::ConnectionConfig;
use hickory_resolver::net::DnsError;
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::recursor::{
    DnssecConfig, DnssecPolicy, Recursor, RecursorError, RecursorOptions,
};
use hickory_resolver::{ConnectionProvider, PoolContext};
use hickory_server::net::runtime::Time;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};

use std::future::Future;
use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use hickory_resolver::net::xfer::DnsHandle;
use hickory_resolver::proto::op::{DnsRequest, DnsResponse};

use super::LabError;

/// Connections for the recursor: the lab's port for every server, loopback only.
#[derive(Clone)]
pub(super) struct PortMap {
    inner: TokioRuntimeProvider,
    port: u16,
}

/// How long the lab's resolvers wait for one server before trying the next. hickory's
/// recursor waits its stub default (5 s) for a server that never answers, where Unbound starts
/// at about 376 ms and BIND at 800 ms for a server it has not measured; with 5 s a zone with a
/// black-holed server (flaky.test) cannot be resolved in the time a client waits.
const SERVER_WAIT: Duration = Duration::from_millis(400);

type Inner = <TokioRuntimeProvider as ConnectionProvider>::Conn;

/// A connection to one server that gives up after [`SERVER_WAIT`], so that the recursor's
/// server pool moves on to the next server as a real resolver does.
#[derive(Clone)]
pub(super) struct Quick(Inner);

impl DnsHandle for Quick {
    type Response = Pin<Box<dyn Stream<Item = Result<DnsResponse, NetError>> + Send>>;
    type Runtime = TokioRuntimeProvider;

    fn send(&self, request: DnsRequest) -> Self::Response {
        let mut answers = self.0.send(request);
        Box::pin(futures_util::stream::once(async move {
            match tokio::time::timeout(SERVER_WAIT, answers.next()).await {
                Ok(Some(answer)) => answer,
                Ok(None) | Err(_) => Err(NetError::Timeout),
            }
        }))
    }
}

impl ConnectionProvider for PortMap {
    type Conn = Quick;
    type FutureConn = Pin<Box<dyn Future<Output = Result<Quick, NetError>> + Send>>;
    type RuntimeProvider = TokioRuntimeProvider;

    fn new_connection(
        &self,
        ip: IpAddr,
        config: &ConnectionConfig,
        cx: &PoolContext,
    ) -> Result<Self::FutureConn, NetError> {
        if !ip.is_loopback() {
            return Err(NetError::Message(
                "lab resolver: refusing a server outside loopback",
            ));
        }
        let mut config = config.clone();
        config.port = self.port;
        let connecting = self.inner.new_connection(ip, &config, cx)?;
        Ok(Box::pin(async move { connecting.await.map(Quick) }))
    }

    fn runtime_provider(&self) -> &TokioRuntimeProvider {
        &self.inner
    }
}

/// A caching recursive resolver serving the lab.
pub(super) struct ResolverHandler {
    recursor: Recursor<PortMap>,
    latency: Duration,
    /// Its name: its NSID and its answer to `hostname.bind CH TXT`.
    identity: Name,
    /// It validates DNSSEC (from the lab's root key).
    validating: bool,
}

impl ResolverHandler {
    /// A resolver that starts from `roots` (the lab's root servers) on `port`; it validates
    /// DNSSEC when given the lab's root key (`anchor`).
    pub(super) fn new(
        roots: &[IpAddr],
        port: u16,
        latency: Duration,
        identity: Name,
        anchor: Option<hickory_proto::dnssec::PublicKeyBuf>,
    ) -> Result<Self, LabError> {
        let mut options = RecursorOptions::default();
        let nets =
            |list: &[&str]| -> Vec<_> { list.iter().filter_map(|n| n.parse().ok()).collect() };
        options.deny_server = nets(&["0.0.0.0/0", "::/0"]);
        options.allow_server = nets(&["127.0.0.0/8", "::1/128"]);
        let provider = PortMap {
            inner: TokioRuntimeProvider::new(),
            port,
        };
        let validating = anchor.is_some();
        let policy = match anchor {
            Some(key) => {
                let mut anchors = hickory_proto::dnssec::TrustAnchors::empty();
                anchors.insert(&key);
                let mut config = DnssecConfig::default();
                config.trust_anchor = Some(std::sync::Arc::new(anchors));
                DnssecPolicy::ValidateWithStaticKey(config)
            }
            // Not validating, but DNSSEC-aware: it asks with DO and passes the signatures on,
            // as a resolver with validation turned off does (so delv can validate through it).
            None => DnssecPolicy::ValidationDisabled,
        };
        let recursor = Recursor::new(roots, policy, None, options, provider)
            .map_err(|e| LabError::Net(format!("lab resolver: {e}")))?;
        Ok(Self {
            recursor,
            latency,
            identity,
            validating,
        })
    }
}

/// An Extended DNS Error (RFC 8914) option: INFO-CODE then EXTRA-TEXT.
fn ede(code: u16, text: &str) -> EdnsOption {
    EdnsOption::Unknown(15, [&code.to_be_bytes()[..], text.as_bytes()].concat())
}

/// What a validating resolver makes of the proofs hickory's validator put on the records:
/// any bogus record means SERVFAIL (RFC 4035 §5.5), all secure means AD.
fn proofs<'a>(records: impl Iterator<Item = &'a Record>) -> (bool, bool) {
    let mut any = false;
    let mut secure = true;
    let mut bogus = false;
    for r in records {
        if r.record_type() == hickory_proto::rr::RecordType::RRSIG {
            continue;
        }
        any = true;
        bogus |= r.proof.is_bogus();
        secure &= r.proof.is_secure();
    }
    (any && secure, bogus)
}

#[async_trait::async_trait]
impl RequestHandler for ResolverHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let mut metadata = Metadata::response_from_request(&request.metadata);
        metadata.authoritative = false;
        metadata.recursion_available = true;
        if let Some(query) = request.queries.queries().first().map(|q| q.original())
            && let Some(answer) = super::handler::chaos(query, &self.identity)
        {
            metadata.response_code = ResponseCode::NoError;
            return super::handler::send(
                request,
                response_handle,
                metadata,
                [&answer, &[], &[]],
                &self.identity,
            )
            .await;
        }
        let mut extra: Vec<EdnsOption> = Vec::new();
        let (answers, authorities, additionals): (Vec<Record>, Vec<Record>, Vec<Record>) =
            match request.request_info() {
                Err(_) => {
                    metadata.response_code = ResponseCode::FormErr;
                    (Vec::new(), Vec::new(), Vec::new())
                }
                Ok(info) => {
                    let query = Query::query(info.query.name().into(), info.query.query_type());
                    let dnssec_ok = request.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
                    match self
                        .recursor
                        .resolve(query, Instant::now(), dnssec_ok)
                        .await
                    {
                        Ok(message) if self.validating => {
                            let (secure, bogus) = proofs(message.answers.iter());
                            if bogus && !request.metadata.checking_disabled {
                                metadata.response_code = ResponseCode::ServFail;
                                extra.push(ede(6, "validation failed"));
                                (Vec::new(), Vec::new(), Vec::new())
                            } else {
                                metadata.response_code = message.metadata.response_code;
                                metadata.authentic_data = secure;
                                (message.answers, message.authorities, message.additionals)
                            }
                        }
                        Ok(message) => {
                            metadata.response_code = message.metadata.response_code;
                            (message.answers, message.authorities, message.additionals)
                        }
                        // A validating recursor's negative answers: NXDOMAIN or NODATA, with
                        // the proof's status on the authority records.
                        Err(RecursorError::Net(NetError::Dns(DnsError::NoRecordsFound(no)))) => {
                            let authorities: Vec<Record> = no
                                .soa
                                .map(|soa| (*soa).into_record_of_rdata())
                                .into_iter()
                                .chain(no.authorities.iter().flat_map(|a| a.iter().cloned()))
                                .collect();
                            let (secure, bogus) = proofs(authorities.iter());
                            if bogus && !request.metadata.checking_disabled {
                                metadata.response_code = ResponseCode::ServFail;
                                extra.push(ede(6, "validation of the denial failed"));
                                (Vec::new(), Vec::new(), Vec::new())
                            } else {
                                metadata.response_code = no.response_code;
                                metadata.authentic_data = secure;
                                let shown = if dnssec_ok {
                                    authorities
                                } else {
                                    authorities
                                        .into_iter()
                                        .filter(|r| {
                                            r.record_type() == hickory_proto::rr::RecordType::SOA
                                        })
                                        .collect()
                                };
                                (Vec::new(), shown, Vec::new())
                            }
                        }
                        Err(RecursorError::Net(NetError::Dns(DnsError::Nsec {
                            proof,
                            response,
                            ..
                        }))) if proof.is_insecure() => {
                            metadata.response_code = response.response_code;
                            (Vec::new(), response.authorities.clone(), Vec::new())
                        }
                        Err(RecursorError::Net(NetError::Dns(DnsError::Nsec { .. }))) => {
                            metadata.response_code = ResponseCode::ServFail;
                            extra.push(ede(6, "validation of the denial failed"));
                            (Vec::new(), Vec::new(), Vec::new())
                        }
                        // Negative answers come back as errors; send them as a resolver
                        // does: NXDOMAIN or NODATA with the SOA (RFC 2308).
                        Err(RecursorError::Negative(data)) => {
                            metadata.response_code = if data.is_nx_domain() {
                                ResponseCode::NXDomain
                            } else {
                                ResponseCode::NoError
                            };
                            let soa = data
                                .soa
                                .map(|soa| vec![(*soa).into_record_of_rdata()])
                                .unwrap_or_default();
                            (Vec::new(), soa, Vec::new())
                        }
                        Err(_) => {
                            metadata.response_code = ResponseCode::ServFail;
                            (Vec::new(), Vec::new(), Vec::new())
                        }
                    }
                }
            };
        // DNSSEC records only for a client that set DO (RFC 3225 §3), the type asked aside.
        let dnssec_ok = request.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
        let asked = request
            .queries
            .queries()
            .first()
            .map(|q| q.original().query_type());
        let keep = |r: &Record| {
            dnssec_ok || Some(r.record_type()) == asked || !r.record_type().is_dnssec()
        };
        let answers: Vec<Record> = answers.into_iter().filter(keep).collect();
        let authorities: Vec<Record> = authorities.into_iter().filter(keep).collect();
        let additionals: Vec<Record> = additionals.into_iter().filter(keep).collect();
        super::handler::send_with(
            request,
            response_handle,
            metadata,
            [&answers, &authorities, &additionals],
            &self.identity,
            extra,
        )
        .await
    }
}
