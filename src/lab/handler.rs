//! The request handler in front of hickory's `Catalog`.
//!
//! hickory-server 0.26.3 answers a query below a zone cut with the delegation's NS records,
//! but with AA=1 and no glue (upstream issues hickory-dns#2810 and #3571). A real
//! authoritative server sends a referral instead (RFC 1034 §4.3.2 step 3b): AA=0, the NS
//! RRset in the authority section, and the addresses of in-bailiwick name servers (glue) in
//! the additional section. [`LabHandler`] builds those referrals itself and hands every other
//! question to the catalog. It also applies the server's injected latency.

use std::sync::Arc;
use std::time::Duration;

use hickory_proto::op::{Edns, Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::rdata::TXT;
use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption, NSIDPayload};
use hickory_proto::rr::{DNSClass, LowerName, Name, RData, Record, RecordType, RrKey};
use hickory_server::net::runtime::{Time, TokioRuntimeProvider};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{Catalog, MessageResponseBuilder, ZoneHandler};

/// A zone served by a lab server.
pub(super) type Zone = Arc<InMemoryZoneHandler<TokioRuntimeProvider>>;

pub(super) struct LabHandler {
    pub(super) catalog: Catalog,
    pub(super) zones: Vec<Zone>,
    pub(super) latency: Duration,
    /// The server's host name: its NSID and its answer to `hostname.bind CH TXT`.
    pub(super) identity: Name,
}

impl LabHandler {
    /// If `qname` is at or below a zone cut inside the deepest zone this server holds for it,
    /// return the delegation's NS records and in-bailiwick glue.
    async fn referral(
        &self,
        qname: &LowerName,
        qtype: RecordType,
        dnssec_ok: bool,
    ) -> Option<(Vec<Record>, Vec<Record>)> {
        let zone = self
            .zones
            .iter()
            .filter(|z| z.origin().zone_of(qname))
            .max_by_key(|z| z.origin().num_labels())?;
        let records = zone.records().await;
        let mut name = qname.clone();
        let mut cut = None;
        // Walk up towards the apex; the highest cut wins, as everything below it belongs to
        // the delegated zone. A DS question at the cut itself is the parent's to answer
        // (RFC 4035 §3.1.4.1), so it is not a referral.
        while name != *zone.origin() && name.num_labels() > zone.origin().num_labels() {
            let at_cut = records.contains_key(&RrKey::new(name.clone(), RecordType::NS));
            if at_cut && !(qtype == RecordType::DS && name == *qname) {
                cut = Some(name.clone());
            }
            name = name.base_name();
        }
        let cut = cut?;
        let ns = records.get(&RrKey::new(cut.clone(), RecordType::NS))?;
        let mut glue = Vec::new();
        for record in ns.records_without_rrsigs() {
            let RData::NS(target) = &record.data else {
                continue;
            };
            let target = LowerName::from(&target.0);
            // Only in-bailiwick glue (RFC 2181 §5.4.1): addresses this zone is entitled to.
            if !zone.origin().zone_of(&target) {
                continue;
            }
            for rtype in [RecordType::A, RecordType::AAAA] {
                if let Some(set) = records.get(&RrKey::new(target.clone(), rtype)) {
                    glue.extend(set.records_without_rrsigs().cloned());
                }
            }
        }
        let mut authority: Vec<Record> = ns.records_without_rrsigs().cloned().collect();
        // A signed zone vouches for the child's DS, or proves it has none (RFC 4035 §3.1.4).
        if dnssec_ok && super::proofs::signed(zone.origin(), &records) {
            authority.extend(super::proofs::delegation(zone.origin(), &records, &cut));
        }
        Some((authority, glue))
    }

    /// The negative answer of a signed zone with its NSEC/NSEC3 proof (DO=1 only), or None
    /// when the catalog should answer.
    async fn signed_negative(
        &self,
        qname: &LowerName,
        qtype: RecordType,
    ) -> Option<(bool, Vec<Record>)> {
        let zone = self
            .zones
            .iter()
            .filter(|z| z.origin().zone_of(qname))
            .max_by_key(|z| z.origin().num_labels())?;
        let records = zone.records().await;
        if !super::proofs::signed(zone.origin(), &records) {
            return None;
        }
        let n = super::proofs::negative(zone.origin(), &records, qname, qtype)?;
        Some((n.nxdomain, n.authority))
    }
}

/// The identity software: what `version.bind CH TXT` answers.
const VERSION: &str = concat!(
    "dnscope lab ",
    env!("CARGO_PKG_VERSION"),
    " (hickory-server 0.26.3)"
);

/// The answer to a question about the server itself (class CHAOS, RFC 4892): `version.bind`,
/// `version.server`, `hostname.bind` and `id.server` TXT, as BIND, NSD, Knot and Unbound give
/// them. None for any other question.
pub(super) fn chaos(query: &hickory_proto::op::Query, identity: &Name) -> Option<Vec<Record>> {
    if query.query_class() != DNSClass::CH
        || !matches!(query.query_type(), RecordType::TXT | RecordType::ANY)
    {
        return None;
    }
    let text = match query.name().to_ascii().to_ascii_lowercase().as_str() {
        "version.bind." | "version.server." => VERSION.to_string(),
        "hostname.bind." | "id.server." => identity.to_ascii(),
        _ => return None,
    };
    let mut record = Record::from_rdata(query.name().clone(), 0, RData::TXT(TXT::new(vec![text])));
    record.dns_class = DNSClass::CH;
    Some(vec![record])
}

/// Send a response made of the given sections, echoing the client's EDNS (our payload at
/// least 512, DO as asked, and our identity when the client asked for the NSID, RFC 5001);
/// if it cannot be sent, report SERVFAIL to the server loop.
pub(super) async fn send<R: ResponseHandler>(
    request: &Request,
    handle: R,
    metadata: Metadata,
    sections: [&[Record]; 3],
    identity: &Name,
) -> ResponseInfo {
    send_with(request, handle, metadata, sections, identity, Vec::new()).await
}

/// As [`send`], with extra EDNS options (an Extended DNS Error) when the client sent EDNS.
pub(super) async fn send_with<R: ResponseHandler>(
    request: &Request,
    mut handle: R,
    metadata: Metadata,
    sections: [&[Record]; 3],
    identity: &Name,
    extra: Vec<EdnsOption>,
) -> ResponseInfo {
    let [answers, authorities, additionals] = sections;
    let edns = request.edns.as_ref().map(|e| {
        let mut ours = Edns::new();
        ours.set_max_payload(e.max_payload().max(512))
            .set_dnssec_ok(e.flags().dnssec_ok);
        if e.options().get(EdnsCode::NSID).is_some()
            && let Ok(id) = NSIDPayload::new(identity.to_ascii().into_bytes())
        {
            ours.options_mut().insert(EdnsOption::NSID(id));
        }
        for option in extra {
            ours.options_mut().insert(option);
        }
        ours
    });
    let mut builder = MessageResponseBuilder::new(&request.queries, None);
    if let Some(e) = &edns {
        builder.edns(e);
    }
    let response = builder.build(metadata, answers, authorities, &[], additionals);
    match handle.send_response(response).await {
        Ok(info) => info,
        Err(_) => {
            let mut m = Metadata::response_from_request(&request.metadata);
            m.response_code = ResponseCode::ServFail;
            ResponseInfo::from(Header {
                metadata: m,
                counts: HeaderCounts::default(),
            })
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for LabHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        if let Some(query) = request.queries.queries().first().map(|q| q.original())
            && let Some(answer) = chaos(query, &self.identity)
        {
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.authoritative = true;
            metadata.response_code = ResponseCode::NoError;
            return send(
                request,
                response_handle,
                metadata,
                [&answer, &[], &[]],
                &self.identity,
            )
            .await;
        }
        let dnssec_ok = request.edns.as_ref().is_some_and(|e| e.flags().dnssec_ok);
        if let Ok(info) = request.request_info() {
            let referral = self
                .referral(info.query.name(), info.query.query_type(), dnssec_ok)
                .await;
            if let Some((ns, glue)) = referral {
                let mut metadata = Metadata::response_from_request(&request.metadata);
                metadata.authoritative = false;
                metadata.recursion_available = false;
                metadata.response_code = ResponseCode::NoError;
                return send(
                    request,
                    response_handle,
                    metadata,
                    [&[], &ns, &glue],
                    &self.identity,
                )
                .await;
            }
        }
        if dnssec_ok
            && let Ok(info) = request.request_info()
            && info.query.query_class() == DNSClass::IN
            && let Some((nxdomain, authority)) = self
                .signed_negative(info.query.name(), info.query.query_type())
                .await
        {
            let mut metadata = Metadata::response_from_request(&request.metadata);
            metadata.authoritative = true;
            metadata.recursion_available = false;
            metadata.response_code = if nxdomain {
                ResponseCode::NXDomain
            } else {
                ResponseCode::NoError
            };
            return send(
                request,
                response_handle,
                metadata,
                [&[], &authority, &[]],
                &self.identity,
            )
            .await;
        }
        // The catalog answers everything else (its NSID is set to the server's name).
        self.catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}
