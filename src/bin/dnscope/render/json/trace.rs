//! `trace --json`: schema `dnscope.trace/1`.

use dnscope::present;
use dnscope::trace::{End, Referral, Trace, Verdict};
use dnscope::wire::{Protocol, rtype_name};
use serde::Serialize;

use super::{RecordDoc, explained, millis, records};
use crate::words::trace as said;

/// Schema name and version of `trace --json`.
pub const SCHEMA: &str = "dnscope.trace/1";

#[derive(Serialize)]
pub struct TraceDoc {
    schema: &'static str,
    name: String,
    /// The Unicode form of an internationalised name, when it has one.
    name_unicode: Option<String>,
    /// A warning when the name is a likely homograph.
    homograph: Option<String>,
    #[serde(rename = "type")]
    rtype: String,
    start: StartDoc,
    /// What a resolver would answer; null when the trace could not run on this machine.
    rcode: Option<String>,
    result: &'static str,
    failure: Option<FailureDoc>,
    answer: Vec<RecordDoc>,
    cnames: Vec<RecordDoc>,
    negative: Option<NegativeDoc>,
    zone_cuts: Vec<String>,
    steps: Vec<StepDoc>,
    hops: Vec<HopDoc>,
    /// One zone-cut path per name of the CNAME chain.
    cut_paths: Vec<CutPathDoc>,
    /// The delegations crossed (zone cuts below the root), per top-level domain.
    delegations: DelegationsDoc,
    /// The smallest TTL along the chain: how long the whole answer can stay cached.
    governing_ttl: Option<GoverningDoc>,
    /// The DNSSEC verdict of the answer; null with --no-dnssec.
    dnssec: Option<super::dnssec::DnssecDoc>,
    queries: usize,
    /// Queries sent only to check each zone's own NS set.
    check_queries: usize,
    /// Until the outcome was known: the critical path.
    elapsed_ms: f64,
    /// Until the trace returned, the short wait for servers that lost the race included.
    wall_ms: f64,
    cold_best_path_ms: f64,
}

#[derive(Serialize)]
struct StartDoc {
    from: &'static str,
    hints_date: Option<&'static str>,
    hints_file: Option<String>,
    roots: Vec<RootDoc>,
}

#[derive(Serialize)]
struct RootDoc {
    name: Option<String>,
    address: String,
    port: u16,
}

#[derive(Serialize)]
struct FailureDoc {
    kind: &'static str,
    zone: Option<String>,
    detail: String,
}

#[derive(Serialize)]
struct NegativeDoc {
    soa: Option<RecordDoc>,
    ttl: Option<u32>,
}

#[derive(Serialize)]
struct NsDoc {
    name: String,
    ttl: u32,
    glue: Vec<RecordDoc>,
}

#[derive(Serialize)]
struct ReferralDoc {
    zone: String,
    ns: Vec<NsDoc>,
    ignored_glue: Vec<RecordDoc>,
}

#[derive(Serialize)]
struct NsLookupDoc {
    ns: String,
    addresses: Vec<String>,
    error: Option<String>,
    elapsed_ms: f64,
    /// The step waited for this lookup; false: done after the step was decided, only to
    /// show that server too.
    needed: bool,
}

#[derive(Serialize)]
struct StepDoc {
    index: usize,
    parent: Option<usize>,
    depth: usize,
    purpose: &'static str,
    for_zone: Option<String>,
    zone: String,
    qname: String,
    qtype: String,
    result: &'static str,
    chosen_hop: Option<usize>,
    started_ms: f64,
    elapsed_ms: f64,
    referral: Option<ReferralDoc>,
    ns_lookups: Vec<NsLookupDoc>,
    unresolved_ns: Vec<String>,
    /// With `--explain`: the step in plain words.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
    /// At a zone cut of the main resolution: the zone's own NS set as each server gave it.
    zone_ns: Vec<ZoneNsDoc>,
    /// Where that disagrees with the parent's delegation (or the servers among themselves).
    ns_mismatch: Option<super::SaidDoc>,
    /// The DNSSEC link of the zone asked: its DS from the parent, its DNSKEYs, the RRSIGs
    /// checked; null with --no-dnssec.
    dnssec: Option<super::dnssec::ZoneDoc>,
}

#[derive(Serialize)]
struct CutPathDoc {
    name: String,
    zones: Vec<String>,
    /// How many leading zones were known from an earlier name and not asked again.
    known: usize,
}

#[derive(Serialize)]
struct DelegationsDoc {
    count: usize,
    per_tld: Vec<TldDoc>,
}

#[derive(Serialize)]
struct TldDoc {
    tld: String,
    below: Vec<String>,
}

#[derive(Serialize)]
struct GoverningDoc {
    ttl: u32,
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    /// How many RRsets along the chain were considered.
    of: usize,
}

#[derive(Serialize)]
struct ZoneNsDoc {
    server: Option<String>,
    address: String,
    /// The NS names, or null when no usable answer came.
    ns: Option<Vec<String>>,
}

#[derive(Serialize)]
struct HopDoc {
    step: usize,
    depth: usize,
    zone: String,
    qname: String,
    qtype: String,
    server: Option<String>,
    address: String,
    port: u16,
    sent_at_ms: f64,
    rtt_ms: Option<f64>,
    rcode: Option<String>,
    outcome: &'static str,
    detail: String,
    chosen: bool,
    aa: Option<bool>,
    tc: bool,
    transport: Option<Protocol>,
    /// The server's identity (NSID), when it sent one: as text when printable, else hex.
    nsid: Option<String>,
    ns: Option<Vec<NsDoc>>,
    glue: Option<Vec<RecordDoc>>,
}

fn ns_docs(r: &Referral) -> Vec<NsDoc> {
    r.ns.iter()
        .map(|(name, ttl)| NsDoc {
            name: dnscope::present::name(name),
            ttl: *ttl,
            glue: r
                .glue
                .iter()
                .filter(|g| g.name.to_lowercase() == *name)
                .map(RecordDoc::from_record)
                .collect(),
        })
        .collect()
}

fn failure(t: &Trace) -> Option<FailureDoc> {
    match &t.end {
        End::Failed { zone, failure } => Some(FailureDoc {
            kind: said::failure_kind(failure),
            zone: Some(dnscope::present::name(zone)),
            detail: said::failure_detail(t, zone, failure),
        }),
        End::Limit(limit) => {
            let l = said::limit(limit);
            Some(FailureDoc {
                kind: l.kind,
                zone: None,
                detail: l.text,
            })
        }
        _ => None,
    }
}

pub fn document(t: &Trace, explain: bool) -> TraceDoc {
    let (hints_date, hints_file) = match &t.start {
        dnscope::trace::StartFrom::BuiltIn { date } => (Some(*date), None),
        dnscope::trace::StartFrom::HintsFile(p) => (None, Some(p.display().to_string())),
        _ => (None, None),
    };
    let negative = match &t.end {
        End::NxDomain(n) | End::NoData(n) => Some(NegativeDoc {
            soa: n.soa.as_ref().map(RecordDoc::from_record),
            ttl: n.ttl,
        }),
        _ => None,
    };
    let mut steps: Vec<StepDoc> = t
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepDoc {
            index: i,
            parent: s.parent,
            depth: s.depth,
            purpose: said::purpose_kind(&s.purpose),
            for_zone: match &s.purpose {
                dnscope::trace::Purpose::NsAddress { for_zone } => {
                    Some(dnscope::present::name(for_zone))
                }
                dnscope::trace::Purpose::Resolve => None,
            },
            zone: dnscope::present::name(&s.zone),
            qname: dnscope::present::name(&s.qname),
            qtype: rtype_name(s.qtype),
            result: said::step_result(s).kind,
            chosen_hop: None,
            started_ms: millis(s.started),
            elapsed_ms: millis(s.elapsed),
            referral: match s.verdict() {
                Some(Verdict::Referral(r)) => Some(ReferralDoc {
                    zone: dnscope::present::name(&r.zone),
                    ns: ns_docs(r),
                    ignored_glue: records(&r.ignored_glue),
                }),
                _ => None,
            },
            ns_lookups: s
                .ns_lookups
                .iter()
                .map(|l| NsLookupDoc {
                    ns: dnscope::present::name(&l.ns),
                    addresses: l
                        .result
                        .as_ref()
                        .map(|ips| ips.iter().map(ToString::to_string).collect())
                        .unwrap_or_default(),
                    error: l.result.as_ref().err().map(said::ns_lookup_error),
                    elapsed_ms: millis(l.elapsed),
                    needed: l.needed,
                })
                .collect(),
            unresolved_ns: s.unresolved.iter().map(dnscope::present::name).collect(),
            explanation: if explain { said::reading(t, i) } else { None },
            zone_ns: s
                .zone_ns
                .iter()
                .map(|z| ZoneNsDoc {
                    server: z.server.name.as_ref().map(present::name),
                    address: z.server.addr.ip().to_string(),
                    ns: z
                        .names
                        .as_ref()
                        .map(|n| n.iter().map(present::name).collect()),
                })
                .collect(),
            ns_mismatch: said::ns_mismatch(t, i).map(Into::into),
            dnssec: t.dnssec.as_ref().and_then(|r| {
                r.zones
                    .iter()
                    .find(|z| z.zone == s.zone && s.depth == 0)
                    .map(|z| super::dnssec::zone(z, r.now))
            }),
        })
        .collect();
    let mut hops = Vec::new();
    for (si, s) in t.steps.iter().enumerate() {
        for (ai, a) in s.attempts.iter().enumerate() {
            let x = a.exchange();
            let chosen = s.chosen == Some(ai);
            if chosen && let Some(doc) = steps.get_mut(si) {
                doc.chosen_hop = Some(hops.len());
            }
            let (ns, glue) = match &a.verdict {
                Some(Verdict::Referral(r)) => (Some(ns_docs(r)), Some(records(&r.glue))),
                _ => (None, None),
            };
            let outcome = said::attempt(a, s);
            hops.push(HopDoc {
                step: si,
                depth: s.depth,
                zone: dnscope::present::name(&s.zone),
                qname: dnscope::present::name(&s.qname),
                qtype: rtype_name(s.qtype),
                server: a.ns.name.as_ref().map(dnscope::present::name),
                address: a.ns.addr.ip().to_string(),
                port: a.ns.addr.port(),
                sent_at_ms: millis(a.sent_at),
                rtt_ms: x.map(|x| millis(x.rtt)),
                rcode: x.map(|x| present::rcode(x.response.metadata.response_code)),
                outcome: outcome.kind,
                detail: outcome.text,
                chosen,
                aa: x.map(|x| x.response.metadata.authoritative),
                tc: x.is_some_and(|x| x.truncated.is_some() || x.response.metadata.truncation),
                transport: x.map(|x| x.protocol),
                nsid: x
                    .and_then(|x| dnscope::wire::nsid(&x.response))
                    .map(|id| crate::words::query::nsid_short(&id)),
                ns,
                glue,
            });
        }
    }
    TraceDoc {
        schema: SCHEMA,
        name: dnscope::present::name(&t.name),
        name_unicode: crate::words::idn::unicode(&t.name),
        homograph: crate::words::idn::homograph(&t.name),
        rtype: rtype_name(t.rtype),
        start: StartDoc {
            from: said::start_kind(&t.start),
            hints_date,
            hints_file,
            roots: t
                .roots
                .iter()
                .map(|r| RootDoc {
                    name: r.name.as_ref().map(dnscope::present::name),
                    address: r.addr.ip().to_string(),
                    port: r.addr.port(),
                })
                .collect(),
        },
        rcode: t.end.rcode().map(present::rcode),
        result: said::end(t).kind,
        failure: failure(t),
        answer: explained(&t.answer, explain),
        cnames: explained(&t.cnames, explain),
        negative,
        zone_cuts: t.zone_cuts.iter().map(dnscope::present::name).collect(),
        steps,
        hops,
        cut_paths: t
            .cut_paths()
            .iter()
            .map(|p| CutPathDoc {
                name: present::name(&p.name),
                zones: p.zones.iter().map(present::name).collect(),
                known: p.known,
            })
            .collect(),
        delegations: {
            let cuts = t.delegations();
            DelegationsDoc {
                count: cuts.iter().map(dnscope::trace::TldCuts::count).sum(),
                per_tld: cuts
                    .iter()
                    .map(|c| TldDoc {
                        tld: present::name(&c.tld),
                        below: c.below.iter().map(present::name).collect(),
                    })
                    .collect(),
            }
        },
        governing_ttl: t.governing_ttl().map(|g| GoverningDoc {
            ttl: g.ttl,
            name: present::name(&g.name),
            rtype: rtype_name(g.rtype),
            of: g.of,
        }),
        dnssec: t
            .dnssec
            .as_ref()
            .map(|r| super::dnssec::report(r, t.dnssec_queries, t.keys_wait)),
        queries: t.queries,
        check_queries: t.checks,
        elapsed_ms: millis(t.elapsed),
        wall_ms: millis(t.wall),
        cold_best_path_ms: millis(t.cold_best_path),
    }
}
