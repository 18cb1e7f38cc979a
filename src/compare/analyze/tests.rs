//! `analyze` on made-up observations: every status and finding from data alone, no network.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, SOA};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::*;
use crate::compare::{Kind, Observation, Server, Soa};
use crate::target::{Target, TargetSource};
use crate::wire::{Exchange, Protocol, WireError};

fn n(s: &str) -> Name {
    Name::from_ascii(s).expect("name")
}

fn www() -> Name {
    n("www.z.test.")
}

fn a(ip: u8, ttl: u32) -> Record {
    Record::from_rdata(www(), ttl, RData::A(A::new(192, 0, 2, ip)))
}

fn soa_record(ttl: u32, minimum: u32) -> Record {
    Record::from_rdata(
        n("z.test."),
        ttl,
        RData::SOA(SOA::new(
            n("ns1.z.test."),
            n("h.z.test."),
            1,
            4,
            2,
            60,
            minimum,
        )),
    )
}

fn soa(serial: u32) -> Soa {
    Soa {
        mname: n("ns1."),
        serial,
        refresh: 4,
        retry: 2,
        expire: 60,
        minimum: 5,
        ttl: 5,
    }
}

/// What one server sends back.
struct Reply {
    rcode: ResponseCode,
    aa: bool,
    ra: bool,
    answers: Vec<Record>,
    authorities: Vec<Record>,
}

fn answer(records: Vec<Record>, aa: bool) -> Reply {
    Reply {
        rcode: ResponseCode::NoError,
        aa,
        ra: !aa,
        answers: records,
        authorities: Vec::new(),
    }
}

fn nxdomain(aa: bool, soa_ttl: u32) -> Reply {
    Reply {
        rcode: ResponseCode::NXDomain,
        aa,
        ra: !aa,
        answers: Vec::new(),
        authorities: vec![soa_record(soa_ttl, 5)],
    }
}

fn server(label: &str, last: u8, kind: Kind) -> Server {
    Server {
        target: Target {
            label: label.to_string(),
            addr: SocketAddr::from(([127, 0, 0, last], 53)),
            via: crate::wire::Via::Plain,
            source: TargetSource::User,
        },
        kind,
    }
}

fn observed(server: Server, reply: Option<Reply>, serial: Option<u32>) -> Observation {
    let addr = server.target.addr;
    let result = match reply {
        None => Err(WireError::Unreachable {
            server: addr,
            protocol: Protocol::Udp,
        }),
        Some(r) => {
            let mut m = Message::new(1, MessageType::Response, OpCode::Query);
            m.metadata.response_code = r.rcode;
            m.metadata.authoritative = r.aa;
            m.metadata.recursion_available = r.ra;
            m.answers = r.answers;
            m.authorities = r.authorities;
            Ok(Exchange {
                server: addr,
                protocol: Protocol::Udp,
                query: Message::new(1, MessageType::Query, OpCode::Query),
                response: m,
                rtt: Duration::from_millis(1),
                request_bytes: 40,
                response_bytes: 80,
                udp_attempts: 1,
                truncated: None,
                ignored: Vec::new(),
                from_cache: false,
                session: None,
            })
        }
    };
    Observation {
        server,
        result,
        soa: serial.map(soa),
        at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_000),
    }
}

fn resolver(label: &str, last: u8, reply: Option<Reply>) -> Observation {
    observed(server(label, last, Kind::Resolver), reply, None)
}

fn auth(label: &str, last: u8, reply: Reply, serial: u32) -> Observation {
    observed(
        server(label, last, Kind::Authoritative),
        Some(reply),
        Some(serial),
    )
}

fn find<'a>(c: &'a Comparison, label: &str) -> &'a ServerView {
    c.servers
        .iter()
        .find(|s| s.label == label)
        .unwrap_or_else(|| panic!("no {label}"))
}

#[test]
fn everyone_agrees_and_cache_ages_come_from_the_ttls() {
    let obs = [
        resolver("fresh", 1, Some(answer(vec![a(10, 300)], false))),
        resolver("aged", 2, Some(answer(vec![a(10, 200)], false))),
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.consistent);
    assert_eq!(c.groups.len(), 1);
    assert_eq!(c.authoritative_ttl, Some(300));
    assert_eq!(find(&c, "aged").cache_age, Some(100));
    assert_eq!(find(&c, "fresh").cache_age, Some(0));
    assert_eq!(find(&c, "aged").expires_in, Some(200));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::TtlOnly {
            min: 200,
            max: 300,
            servers: 3
        }
    )));
    assert!(matches!(
        c.findings[0],
        Finding::Reference {
            serial: Some(7),
            ttl: Some(300),
            ..
        }
    ));
    assert_eq!(c.exit_code(), crate::exit::OK);
    assert!(!c.waiting_helps());
}

#[test]
fn a_stale_cache_and_a_lagging_secondary_with_the_worst_case() {
    let obs = [
        resolver("isp-a", 1, Some(answer(vec![a(10, 6)], false))),
        resolver("isp-b", 2, Some(answer(vec![a(20, 8)], false))),
        auth("ns1", 10, answer(vec![a(20, 8)], true), 2),
        auth("ns2", 11, answer(vec![a(10, 8)], true), 1),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(!c.consistent);
    assert_eq!(c.primary.map(|p| c.servers[p].label.as_str()), Some("ns1"));
    let isp_a = find(&c, "isp-a");
    assert_eq!(isp_a.status, Status::Cached);
    assert_eq!(isp_a.group, Some(1));
    assert_eq!(isp_a.cache_age, Some(2), "the old record's TTL at ns2 is 8");
    assert!(isp_a.cache_age_inferred, "the old TTL is the secondary's");
    assert_eq!(find(&c, "ns2").status, Status::Lagging);
    assert!(matches!(
        c.findings[0],
        Finding::Reference {
            by: PrimaryBy::Mname,
            ..
        }
    ));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::LaggingSecondary { server, serial: 1, primary_serial: 2, refresh: 4, .. } if server == "ns2"
    )));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::CachedOld { server, original: Some((8, TtlSource::StillServed { .. })), ttl: 6, .. } if server == "isp-a"
    )));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::WorstCase {
            old_ttl: 8,
            source: WorstSource::StillServed { .. },
            secondary_refresh: Some(4),
            ..
        }
    )));
    assert!(c.waiting_helps());
    assert_eq!(c.exit_code(), crate::exit::FAILED);
}

#[test]
fn a_cached_nxdomain_for_a_name_that_now_exists() {
    let obs = [
        resolver("campus", 1, Some(nxdomain(false, 3))),
        auth("ns1", 10, answer(vec![a(30, 8)], true), 2),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    let campus = find(&c, "campus");
    assert_eq!(campus.status, Status::Cached);
    assert_eq!(
        campus.cache_age,
        Some(2),
        "negative TTL min(5, 5) minus 3 left"
    );
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::NegativeCache {
            ttl: 3,
            negative_ttl: Some(5),
            ..
        }
    )));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::WorstCase {
            source: WorstSource::NegativeTtl,
            ..
        }
    )));
}

#[test]
fn failures_are_problems_not_groups() {
    let mut lame = answer(vec![a(10, 300)], false);
    lame.ra = false;
    let obs = [
        resolver("dead", 1, None),
        resolver(
            "norec",
            2,
            Some(Reply {
                rcode: ResponseCode::Refused,
                aa: false,
                ra: false,
                answers: Vec::new(),
                authorities: Vec::new(),
            }),
        ),
        auth("lame", 9, lame, 7),
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(matches!(
        find(&c, "dead").problem,
        Some(Problem::NoResponse(WireError::Unreachable { .. }))
    ));
    assert!(matches!(
        find(&c, "norec").problem,
        Some(Problem::Rcode(ResponseCode::Refused))
    ));
    assert!(matches!(
        find(&c, "lame").problem,
        Some(Problem::NotAuthoritative)
    ));
    assert_eq!(c.groups.len(), 1);
    assert_eq!(
        c.findings
            .iter()
            .filter(|f| matches!(f, Finding::Failed { .. }))
            .count(),
        3
    );
    assert!(!c.consistent);
    assert!(!c.waiting_helps(), "a dead server does not heal by itself");
}

#[test]
fn nothing_authoritative_means_no_reference() {
    let obs = [resolver("isp", 1, Some(answer(vec![a(10, 300)], false)))];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.reference.is_none());
    assert!(c.findings.iter().any(|f| matches!(f, Finding::NoReference)));
    assert!(!c.consistent);
}

#[test]
fn same_serial_different_data_is_a_conflict() {
    let obs = [
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
        auth("ns2", 11, answer(vec![a(11, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert_eq!(find(&c, "ns2").status, Status::Differs);
    assert!(
        c.findings.iter().any(
            |f| matches!(f, Finding::AuthoritativeConflict { servers } if servers == &["ns2"])
        )
    );
}

#[test]
fn an_alias_into_another_zone_compares_only_the_alias() {
    let link = Record::from_rdata(www(), 60, RData::CNAME(CNAME(n("web.other.test."))));
    let target = Record::from_rdata(n("web.other.test."), 30, RData::A(A::new(192, 0, 2, 1)));
    let obs = [
        resolver("isp", 1, Some(answer(vec![link.clone(), target], false))),
        auth("ns1", 10, answer(vec![link], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.findings.iter().any(|f| matches!(f, Finding::AliasOnly)));
    assert!(
        c.consistent,
        "the resolver's chain starts with the same alias"
    );
    assert_eq!(find(&c, "isp").ttl, Some(60));
}

#[test]
fn the_order_of_the_servers_does_not_change_the_groups() {
    let make = || {
        vec![
            resolver("isp-a", 1, Some(answer(vec![a(10, 6)], false))),
            resolver("isp-b", 2, Some(answer(vec![a(20, 8)], false))),
            auth("ns1", 10, answer(vec![a(20, 8)], true), 2),
            auth("ns2", 11, answer(vec![a(10, 8)], true), 1),
        ]
    };
    let forward = analyze(&www(), RecordType::A, &make(), &Context::default());
    let mut backward = make();
    backward.reverse();
    let backward = analyze(&www(), RecordType::A, &backward, &Context::default());
    let groups = |c: &Comparison| -> Vec<(AnswerKey, Vec<String>)> {
        c.groups
            .iter()
            .map(|g| {
                let mut who: Vec<String> = g
                    .members
                    .iter()
                    .map(|&i| c.servers[i].label.clone())
                    .collect();
                who.sort();
                (g.key.clone(), who)
            })
            .collect()
    };
    assert_eq!(groups(&forward), groups(&backward));
}

#[test]
fn serials_too_far_apart_name_no_stale_secondary() {
    // See: review of the architecture change: 1 and 2^31 + 1 are not comparable (RFC 1982).
    let obs = [
        auth("ns1", 10, answer(vec![a(10, 300)], true), 1),
        auth("ns2", 11, answer(vec![a(11, 300)], true), 2_147_483_649),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(
        !c.findings
            .iter()
            .any(|f| matches!(f, Finding::LaggingSecondary { .. }))
    );
    assert!(!c.waiting_helps());
}

#[test]
fn a_fresh_copy_from_a_lagging_secondary_is_not_an_old_cache() {
    // See: issue 12, item 15: "fetched about 0 s ago" read as a stale cache.
    let obs = [
        resolver("isp-b", 2, Some(answer(vec![a(10, 8)], false))),
        auth("ns1", 10, answer(vec![a(20, 8)], true), 2),
        auth("ns2", 11, answer(vec![a(10, 8)], true), 1),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::FreshFromLagging { server, secondary, .. } if server == "isp-b" && secondary == "ns2"
    )));
    assert_eq!(find(&c, "isp-b").cache_age, Some(0));
    assert_eq!(find(&c, "isp-b").status, Status::FromLagging);
}

#[test]
fn a_lagging_secondary_resolvers_reach_bounds_the_worst_case_even_when_none_was_sent_there() {
    // Every resolver asked happened to pick the primary: the old data is still out there.
    let obs = [
        resolver("isp-a", 1, Some(answer(vec![a(20, 300)], false))),
        auth("ns1", 10, answer(vec![a(20, 300)], true), 2),
        auth("ns2", 11, answer(vec![a(10, 300)], true), 1),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::WorstCase {
            old_ttl: 300,
            secondary_refresh: Some(_),
            ..
        }
    )));
    // Hidden from resolvers, the same secondary bounds nothing.
    let context = Context {
        changed_at: None,
        hidden: vec!["ns2".to_string()],
        dnssec: None,
    };
    let c = analyze(&www(), RecordType::A, &obs, &context);
    assert!(
        !c.findings
            .iter()
            .any(|f| matches!(f, Finding::WorstCase { .. }))
    );
}

#[test]
fn a_secondary_resolvers_never_reach_does_not_prolong_old_answers() {
    // See: issue 12, item 16: ns2 is only in the zone's own NS set.
    let obs = [
        resolver("isp-a", 1, Some(answer(vec![a(10, 6)], false))),
        auth("ns1", 10, answer(vec![a(20, 8)], true), 2),
        auth("ns2", 11, answer(vec![a(10, 8)], true), 1),
    ];
    let context = Context {
        changed_at: None,
        hidden: vec!["ns2".to_string()],
        dnssec: None,
    };
    let c = analyze(&www(), RecordType::A, &obs, &context);
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::LaggingSecondary {
            in_delegation: false,
            ..
        }
    )));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::WorstCase {
            secondary_refresh: None,
            ..
        }
    )));
}

#[test]
fn without_the_old_record_the_cache_age_is_inferred_and_marked() {
    // See: issue 12, item 2.
    let obs = [
        resolver("isp-a", 1, Some(answer(vec![a(10, 24)], false))),
        auth("ns1", 10, answer(vec![a(20, 30)], true), 2),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    let isp = find(&c, "isp-a");
    assert_eq!((isp.cache_age, isp.cache_age_inferred), (Some(6), true));
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::CachedOld {
            original: Some((30, TtlSource::Assumed)),
            ..
        }
    )));
}

mod properties;

/// The same resolver address asked as `proto` (its session is not needed by the analysis).
fn over(mut o: Observation, proto: Protocol) -> Observation {
    if let Ok(x) = &mut o.result {
        x.protocol = proto;
    }
    o.server.target.via = match proto {
        Protocol::Https => crate::wire::Via::Https {
            name: "r".into(),
            path: "/dns-query".into(),
            get: false,
        },
        _ => crate::wire::Via::Plain,
    };
    o
}

#[test]
fn one_address_over_two_transports_with_other_data_or_other_caches() {
    // DoH's front end has other data than port 53 (same address, .1).
    let obs = [
        resolver("r", 1, Some(answer(vec![a(10, 300)], false))),
        over(
            resolver("https://r", 1, Some(answer(vec![a(20, 300)], false))),
            Protocol::Https,
        ),
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert_eq!(find(&c, "https://r").transport, Protocol::Https);
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::Transports { servers, difference: TransportDifference::Answers, .. }
            if servers == &["r".to_string(), "https://r".to_string()]
    )));
    // The same data, asked at once, with TTLs 250 and 120: two caches.
    let obs = [
        resolver("r", 1, Some(answer(vec![a(10, 250)], false))),
        over(
            resolver("https://r", 1, Some(answer(vec![a(10, 120)], false))),
            Protocol::Https,
        ),
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(c.findings.iter().any(|f| matches!(
        f,
        Finding::Transports { difference: TransportDifference::Caches(t), .. }
            if t == &[("r".to_string(), 250), ("https://r".to_string(), 120)]
    )));
    // A second apart is the questions' spread, not two caches; other addresses are not
    // compared with each other.
    let obs = [
        resolver("r", 1, Some(answer(vec![a(10, 250)], false))),
        over(
            resolver("https://r", 1, Some(answer(vec![a(10, 249)], false))),
            Protocol::Https,
        ),
        resolver("other", 2, Some(answer(vec![a(10, 100)], false))),
        auth("ns1", 10, answer(vec![a(10, 300)], true), 7),
    ];
    let c = analyze(&www(), RecordType::A, &obs, &Context::default());
    assert!(
        !c.findings
            .iter()
            .any(|f| matches!(f, Finding::Transports { .. }))
    );
}
