//! Reducing each server's response to what must agree: the answer data as presentation lines
//! (TTLs left out), NXDOMAIN, NODATA, or the problem that kept it from answering.

use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::{Name, Record, RecordType};

use super::{AnswerKey, Problem, ServerView, Status, negative_ttl};
use crate::compare::{Kind, Observation, unix_secs};
use crate::present;

/// One view per observation, in the same order.
pub(super) fn views(
    name: &Name,
    rtype: RecordType,
    observations: &[Observation],
) -> Vec<ServerView> {
    observations.iter().map(|o| view(name, rtype, o)).collect()
}

fn view(name: &Name, rtype: RecordType, o: &Observation) -> ServerView {
    let base = ServerView {
        label: o.server.target.label.clone(),
        addr: o.server.target.addr,
        transport: o
            .result
            .as_ref()
            .map_or(o.server.target.via.protocol(), |x| x.protocol),
        reused: o
            .result
            .as_ref()
            .ok()
            .and_then(|x| x.session.as_ref())
            .map(|s| s.reused),
        unverified: o
            .result
            .as_ref()
            .ok()
            .and_then(|x| x.session.as_ref())
            .is_some_and(|s| !s.verified),
        kind: o.server.kind,
        rcode: None,
        aa: false,
        answer: Vec::new(),
        negative_soa: None,
        key: None,
        group: None,
        ttl: None,
        rtt_ms: None,
        soa: o.soa.clone(),
        status: Status::Error,
        cache_age: None,
        cache_age_inferred: false,
        expires_in: None,
        asked_at: unix_secs(o.at),
        problem: None,
        ad: false,
        ede: Vec::new(),
    };
    let x = match &o.result {
        Err(e) => {
            return ServerView {
                problem: Some(Problem::NoResponse(e.clone())),
                ..base
            };
        }
        Ok(x) => x,
    };
    let m = &x.response;
    let (key, ttl, negative_soa) = key_and_ttl(name, rtype, m);
    let mut view = ServerView {
        rcode: Some(m.metadata.response_code),
        aa: m.metadata.authoritative,
        answer: m.answers.clone(),
        negative_soa,
        key,
        ttl,
        rtt_ms: Some(x.rtt.as_secs_f64() * 1000.0),
        ad: m.metadata.authentic_data,
        ede: crate::wire::ede(m),
        ..base
    };
    if view.key.is_none() {
        view.problem = Some(Problem::Rcode(m.metadata.response_code));
    } else if view.kind == Kind::Authoritative && !view.aa {
        view.key = None;
        view.problem = Some(Problem::NotAuthoritative);
    } else if view.kind == Kind::Resolver && !m.metadata.recursion_available && m.answers.is_empty()
    {
        view.key = None;
        view.problem = Some(Problem::NoRecursion);
    }
    view
}

/// A record as a comparison line: `name TYPE data`, the owner lower-cased.
pub(super) fn line(r: &Record) -> String {
    format!(
        "{} {} {}",
        r.name.to_lowercase(),
        present::rtype(r),
        present::rdata(&r.data)
    )
}

/// The reduced answer, the TTL that goes with it, and the SOA of a negative answer.
fn key_and_ttl(
    name: &Name,
    rtype: RecordType,
    response: &Message,
) -> (Option<AnswerKey>, Option<u32>, Option<Record>) {
    let soa = response
        .authorities
        .iter()
        .find(|r| r.record_type() == RecordType::SOA)
        .cloned();
    match response.metadata.response_code {
        ResponseCode::NXDomain => {
            return (
                Some(AnswerKey::NxDomain),
                soa.as_ref().and_then(negative_ttl),
                soa,
            );
        }
        ResponseCode::NoError => {}
        _ => return (None, None, None),
    }
    let wanted: Vec<&Record> = response
        .answers
        .iter()
        .filter(|r| r.record_type() == rtype || rtype == RecordType::ANY)
        .collect();
    // A CNAME chain without its end is still data; an empty answer is NODATA.
    if wanted.is_empty() && response.answers.is_empty() {
        return (
            Some(AnswerKey::NoData),
            soa.as_ref().and_then(negative_ttl),
            soa,
        );
    }
    // Signatures are not data: a validating resolver that sends its RRSIGs along serves the
    // same answer as a server that does not.
    let mut lines: Vec<String> = response
        .answers
        .iter()
        .filter(|r| r.record_type() != RecordType::RRSIG || rtype == RecordType::RRSIG)
        .map(line)
        .collect();
    lines.sort();
    lines.dedup();
    let ttl = wanted.iter().map(|r| r.ttl).min().or_else(|| {
        response
            .answers
            .iter()
            .filter(|r| r.name.to_lowercase() == name.to_lowercase())
            .map(|r| r.ttl)
            .min()
    });
    (Some(AnswerKey::Data(lines)), ttl, None)
}

/// When the primary answers with an alias into another zone (CNAME only), resolvers answer
/// with the whole chain: compare only the links the zone is the source of, or every resolver
/// would look different. Returns whether that reduction was made.
pub(super) fn alias_only(
    servers: &mut [ServerView],
    primary: Option<usize>,
    rtype: RecordType,
) -> bool {
    let Some(p) = primary.and_then(|i| servers.get(i)) else {
        return false;
    };
    let only_cnames = !p.answer.is_empty()
        && p.answer
            .iter()
            .all(|r| r.record_type() == RecordType::CNAME)
        && rtype != RecordType::CNAME;
    if !only_cnames {
        return false;
    }
    let owners: Vec<Name> = p.answer.iter().map(|r| r.name.to_lowercase()).collect();
    for s in servers.iter_mut() {
        if !matches!(s.key, Some(AnswerKey::Data(_))) {
            continue;
        }
        let links: Vec<&Record> = s
            .answer
            .iter()
            .filter(|r| {
                r.record_type() == RecordType::CNAME && owners.contains(&r.name.to_lowercase())
            })
            .collect();
        let mut lines: Vec<String> = links.iter().map(|r| line(r)).collect();
        lines.sort();
        s.ttl = links.iter().map(|r| r.ttl).min();
        s.key = Some(AnswerKey::Data(lines));
    }
    true
}
