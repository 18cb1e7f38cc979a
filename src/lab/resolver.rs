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
use hickory_proto::rr::{Name, Record};
use hickory_resolver::config::ConnectionConfig;
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::recursor::{Recursor, RecursorError, RecursorOptions};
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
}

impl ResolverHandler {
    /// A resolver that starts from `roots` (the lab's root servers) on `port`.
    pub(super) fn new(
        roots: &[IpAddr],
        port: u16,
        latency: Duration,
        identity: Name,
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
        let recursor = Recursor::with_options(roots, options, provider)
            .map_err(|e| LabError::Net(format!("lab resolver: {e}")))?;
        Ok(Self {
            recursor,
            latency,
            identity,
        })
    }
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
                        Ok(message) => {
                            metadata.response_code = message.metadata.response_code;
                            (message.answers, message.authorities, message.additionals)
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
        super::handler::send(
            request,
            response_handle,
            metadata,
            [&answers, &authorities, &additionals],
            &self.identity,
        )
        .await
    }
}
