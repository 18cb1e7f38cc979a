//! The analysis: from observations to groups, statuses and findings.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{Kind, Observation, Soa, unix_secs};
use crate::present;

/// What a server said, reduced to what must agree: the data, not the TTLs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnswerKey {
    /// Records (CNAME links included), as sorted `name TYPE data` lines.
    Data(Vec<String>),
    /// NXDOMAIN.
    NxDomain,
    /// NOERROR without data of the type.
    NoData,
}

impl AnswerKey {
    /// A short human form.
    pub fn describe(&self) -> String {
        match self {
            AnswerKey::Data(lines) => lines
                .iter()
                .map(|l| {
                    l.split_once(' ')
                        .map_or(l.as_str(), |(_, rest)| rest)
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join(", "),
            AnswerKey::NxDomain => "NXDOMAIN (no such name)".to_string(),
            AnswerKey::NoData => "NODATA (the name has no record of this type)".to_string(),
        }
    }
}

/// How a server compares with the authoritative answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Same data as the authoritative reference.
    Agrees,
    /// Different data that will go away by itself: a cached copy with a remaining TTL, or a
    /// secondary behind the primary's serial.
    Stale,
    /// Different data with no such explanation.
    Differs,
    /// No usable answer (timeout, refusal, SERVFAIL, REFUSED, not authoritative).
    Error,
}

/// One server in the comparison.
#[derive(Debug, Clone)]
pub struct ServerView {
    /// Label.
    pub label: String,
    /// Address.
    pub addr: std::net::SocketAddr,
    /// Resolver or authoritative.
    pub kind: Kind,
    /// The rcode, when a response came.
    pub rcode: Option<ResponseCode>,
    /// AA flag of the response.
    pub aa: bool,
    /// The answer section.
    pub answer: Vec<Record>,
    /// The SOA in a negative answer's authority section.
    pub negative_soa: Option<Record>,
    /// The reduced answer, when usable.
    pub key: Option<AnswerKey>,
    /// Index into [`Comparison::groups`].
    pub group: Option<usize>,
    /// The TTL the server gave: of the answer RRset, or of the SOA in a negative answer.
    pub ttl: Option<u32>,
    /// Round-trip time in ms.
    pub rtt_ms: Option<f64>,
    /// The zone's SOA from this server (authoritative servers).
    pub soa: Option<Soa>,
    /// The verdict.
    pub status: Status,
    /// Estimated seconds the answer has been in this resolver's cache.
    pub cache_age: Option<u32>,
    /// Seconds until this resolver must drop the answer.
    pub expires_in: Option<u32>,
    /// When it was asked (Unix seconds).
    pub asked_at: u64,
    /// Why it failed, for `Error`.
    pub error: Option<String>,
}

/// Servers that gave the same answer.
#[derive(Debug, Clone)]
pub struct Group {
    /// A, B, C...
    pub letter: char,
    /// The shared answer.
    pub key: AnswerKey,
    /// Indexes into [`Comparison::servers`].
    pub members: Vec<usize>,
}

/// A fact the analysis established, with its evidence. The renderer words it.
#[derive(Debug, Clone)]
pub enum Finding {
    /// The authoritative answer, from the server with the highest serial.
    Reference {
        /// The group holding it.
        group: char,
        /// The server it was taken from.
        server: String,
        /// Its serial, if known.
        serial: Option<u32>,
        /// Its TTL at the source.
        ttl: Option<u32>,
    },
    /// A resolver agrees; its remaining TTL tells how long it has had the answer.
    CacheAge {
        server: String,
        ttl: u32,
        authoritative_ttl: u32,
        age: u32,
        expires_at: u64,
    },
    /// A resolver's TTL is above the authoritative TTL: its age cannot be told.
    TtlAboveAuthoritative {
        server: String,
        ttl: u32,
        authoritative_ttl: u32,
    },
    /// A resolver serves other (older) data from its cache.
    StaleCache {
        server: String,
        served: String,
        ttl: u32,
        expires_at: u64,
        /// The original TTL of that data, if an authoritative server still serves it.
        original_ttl: Option<u32>,
    },
    /// A resolver serves a cached NXDOMAIN/NODATA for a name that now has data.
    NegativeCache {
        server: String,
        ttl: u32,
        expires_at: u64,
        /// min(SOA TTL, MINIMUM) at the primary: how long any resolver may cache it.
        negative_ttl: Option<u32>,
    },
    /// The longest any cache anywhere may still hold old data.
    WorstCase {
        old_ttl: u32,
        from: String,
        /// The REFRESH of a stale secondary that still hands the old data out, if any.
        secondary_refresh: Option<u32>,
    },
    /// An authoritative server is behind the primary.
    StaleSecondary {
        server: String,
        serial: u32,
        primary: String,
        primary_serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
    },
    /// Authoritative servers with the same serial give different data.
    AuthoritativeConflict { servers: Vec<String> },
    /// The answer is negative at the source: resolvers may cache it.
    NegativeAtSource { negative_ttl: u32 },
    /// Several servers agree on the data but show different TTLs: cache age only.
    TtlOnly { min: u32, max: u32, servers: usize },
    /// A server gave no usable answer.
    Failed {
        server: String,
        kind: Kind,
        detail: String,
    },
    /// No authoritative server gave a usable answer: nothing to compare against.
    NoReference,
    /// The zone's servers answer with an alias into another zone; only the alias is compared.
    AliasOnly,
}

/// The whole comparison.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The name compared.
    pub name: Name,
    /// The type compared.
    pub rtype: RecordType,
    /// Every server, in the order asked (resolvers first).
    pub servers: Vec<ServerView>,
    /// Identical answers, A first (A is the authoritative one when there is one).
    pub groups: Vec<Group>,
    /// The reference group's index.
    pub reference: Option<usize>,
    /// The TTL of the answer at the primary.
    pub authoritative_ttl: Option<u32>,
    /// Every server that answered agrees with the reference.
    pub consistent: bool,
    /// What the analysis found, in reading order.
    pub findings: Vec<Finding>,
    /// When the questions were asked (Unix seconds).
    pub at: u64,
}

fn key_and_ttl(
    name: &Name,
    rtype: RecordType,
    response: &hickory_proto::op::Message,
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
    if wanted.is_empty() {
        // A CNAME chain without its end is still data; otherwise NODATA.
        if response.answers.is_empty() {
            return (
                Some(AnswerKey::NoData),
                soa.as_ref().and_then(negative_ttl),
                soa,
            );
        }
    }
    let mut lines: Vec<String> = response
        .answers
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r.name.to_lowercase(),
                present::rtype(r),
                present::rdata(&r.data)
            )
        })
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

/// Compare what every server said.
pub fn analyze(name: &Name, rtype: RecordType, observations: &[Observation]) -> Comparison {
    let at = observations
        .iter()
        .map(|o| unix_secs(o.at))
        .min()
        .unwrap_or(0);
    let mut servers: Vec<ServerView> = observations
        .iter()
        .map(|o| {
            let base = ServerView {
                label: o.server.label.clone(),
                addr: o.server.addr,
                kind: o.server.kind,
                rcode: None,
                aa: false,
                answer: Vec::new(),
                negative_soa: None,
                key: None,
                group: None,
                ttl: None,
                rtt_ms: None,
                soa: o.soa,
                status: Status::Error,
                cache_age: None,
                expires_in: None,
                asked_at: unix_secs(o.at),
                error: None,
            };
            match &o.result {
                Err(e) => ServerView {
                    error: Some(e.to_string()),
                    ..base
                },
                Ok(x) => {
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
                        ..base
                    };
                    if view.key.is_none() {
                        view.error = Some(format!(
                            "answered {}",
                            present::rcode(m.metadata.response_code)
                        ));
                    } else if view.kind == Kind::Authoritative && !view.aa {
                        view.key = None;
                        view.error = Some(
                            "answered without AA: not authoritative for the zone (lame)"
                                .to_string(),
                        );
                    } else if view.kind == Kind::Resolver
                        && !m.metadata.recursion_available
                        && m.answers.is_empty()
                    {
                        view.key = None;
                        view.error = Some("RA=0: does not offer recursion to us".to_string());
                    }
                    view
                }
            }
        })
        .collect();

    // When the zone's own servers answer with an alias into another zone (CNAME only),
    // resolvers answer with the whole chain: compare only the links the zone is the source
    // of, or every resolver would look different.
    let mut alias_only = false;
    let top = newest(
        servers
            .iter()
            .filter(|s| s.kind == Kind::Authoritative && s.key.is_some())
            .filter_map(|s| s.soa.map(|x| x.serial)),
    );
    if let Some(primary) = servers
        .iter()
        .filter(|s| s.kind == Kind::Authoritative && s.key.is_some())
        .find(|s| top.is_none() || s.soa.map(|x| x.serial) == top)
        && !primary.answer.is_empty()
        && primary
            .answer
            .iter()
            .all(|r| r.record_type() == RecordType::CNAME)
        && rtype != RecordType::CNAME
    {
        let owners: Vec<Name> = primary
            .answer
            .iter()
            .map(|r| r.name.to_lowercase())
            .collect();
        alias_only = true;
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
            let mut lines: Vec<String> = links
                .iter()
                .map(|r| {
                    format!(
                        "{} {} {}",
                        r.name.to_lowercase(),
                        present::rtype(r),
                        present::rdata(&r.data)
                    )
                })
                .collect();
            lines.sort();
            s.ttl = links.iter().map(|r| r.ttl).min();
            s.key = Some(AnswerKey::Data(lines));
        }
    }

    // Groups, in order of first appearance; the reference group is moved first below.
    let mut groups: Vec<Group> = Vec::new();
    for (i, s) in servers.iter_mut().enumerate() {
        let Some(key) = &s.key else { continue };
        let g = match groups.iter().position(|g| g.key == *key) {
            Some(g) => g,
            None => {
                groups.push(Group {
                    letter: 'A',
                    key: key.clone(),
                    members: Vec::new(),
                });
                groups.len() - 1
            }
        };
        groups[g].members.push(i);
        s.group = Some(g);
    }

    // The reference: the data of the authoritative server with the highest serial.
    let auth: Vec<usize> = (0..servers.len())
        .filter(|&i| servers[i].kind == Kind::Authoritative && servers[i].key.is_some())
        .collect();
    let max_serial = newest(
        auth.iter()
            .filter_map(|&i| servers[i].soa.map(|s| s.serial)),
    );
    let primary = auth
        .iter()
        .copied()
        .filter(|&i| max_serial.is_none() || servers[i].soa.map(|s| s.serial) == max_serial)
        .min_by_key(|&i| servers[i].addr);
    let mut reference = primary.and_then(|i| servers[i].group);
    // Letters: the reference first, then the others in order.
    if let Some(r) = reference {
        let g = groups.remove(r);
        groups.insert(0, g);
        for s in servers.iter_mut() {
            s.group = s.group.map(|g| {
                if g == r {
                    0
                } else if g < r {
                    g + 1
                } else {
                    g
                }
            });
        }
        reference = Some(0);
    }
    for (n, g) in groups.iter_mut().enumerate() {
        g.letter = char::from(b'A' + u8::try_from(n.min(25)).unwrap_or(25));
    }

    let primary_view = primary.map(|i| servers[i].clone());
    let authoritative_ttl = primary_view.as_ref().and_then(|p| match &p.key {
        Some(AnswerKey::Data(_)) => p.ttl,
        Some(_) => p.negative_soa.as_ref().and_then(negative_ttl),
        None => None,
    });
    let primary_soa = primary_view.as_ref().and_then(|p| p.soa);
    let mut findings = Vec::new();
    if alias_only {
        findings.push(Finding::AliasOnly);
    }
    match (&primary_view, reference) {
        (Some(p), Some(_)) => findings.push(Finding::Reference {
            group: 'A',
            server: p.label.clone(),
            serial: p.soa.map(|s| s.serial),
            ttl: authoritative_ttl,
        }),
        _ => findings.push(Finding::NoReference),
    }
    if let (Some(p), Some(AnswerKey::NxDomain | AnswerKey::NoData)) = (
        &primary_view,
        primary_view.as_ref().and_then(|p| p.key.clone()),
    ) && let Some(ttl) = p.negative_soa.as_ref().and_then(negative_ttl)
    {
        findings.push(Finding::NegativeAtSource { negative_ttl: ttl });
    }

    // Old data still served by an authoritative server tells its original TTL.
    let original_ttl_of = |servers: &[ServerView], group: Option<usize>| -> Option<(u32, String)> {
        servers
            .iter()
            .filter(|s| s.kind == Kind::Authoritative && s.group == group && group.is_some())
            .find_map(|s| s.ttl.map(|t| (t, s.label.clone())))
    };
    let mut worst: Option<(u32, String)> = None;
    let snapshot = servers.clone();
    for s in servers.iter_mut() {
        if s.key.is_none() {
            s.status = Status::Error;
            findings.push(Finding::Failed {
                server: s.label.clone(),
                kind: s.kind,
                detail: s.error.clone().unwrap_or_default(),
            });
            continue;
        }
        let agrees = reference.is_some() && s.group == reference;
        match s.kind {
            Kind::Authoritative => {
                if agrees || reference.is_none() {
                    s.status = Status::Agrees;
                } else if let (Some(mine), Some(top)) = (s.soa.map(|x| x.serial), max_serial)
                    && mine != top
                {
                    s.status = Status::Stale;
                    let p = primary_view.as_ref();
                    findings.push(Finding::StaleSecondary {
                        server: s.label.clone(),
                        serial: mine,
                        primary: p.map(|p| p.label.clone()).unwrap_or_default(),
                        primary_serial: top,
                        refresh: primary_soa.map_or(0, |x| x.refresh),
                        retry: primary_soa.map_or(0, |x| x.retry),
                        expire: primary_soa.map_or(0, |x| x.expire),
                    });
                } else {
                    s.status = Status::Differs;
                }
            }
            Kind::Resolver => {
                let Some(ttl) = s.ttl else {
                    s.status = if agrees || reference.is_none() {
                        Status::Agrees
                    } else {
                        Status::Differs
                    };
                    continue;
                };
                s.expires_in = Some(ttl);
                let expires_at = s.asked_at + u64::from(ttl);
                if agrees || reference.is_none() {
                    s.status = Status::Agrees;
                    match authoritative_ttl {
                        Some(auth) if ttl <= auth => {
                            s.cache_age = Some(auth - ttl);
                            findings.push(Finding::CacheAge {
                                server: s.label.clone(),
                                ttl,
                                authoritative_ttl: auth,
                                age: auth - ttl,
                                expires_at,
                            });
                        }
                        Some(auth) => findings.push(Finding::TtlAboveAuthoritative {
                            server: s.label.clone(),
                            ttl,
                            authoritative_ttl: auth,
                        }),
                        None => {}
                    }
                    continue;
                }
                s.status = Status::Stale;
                match &s.key {
                    Some(AnswerKey::NxDomain | AnswerKey::NoData) => {
                        let negative = primary_soa.map(|soa| soa.ttl.min(soa.minimum));
                        if let Some(n) = negative
                            && ttl <= n
                        {
                            s.cache_age = Some(n - ttl);
                        }
                        findings.push(Finding::NegativeCache {
                            server: s.label.clone(),
                            ttl,
                            expires_at,
                            negative_ttl: negative,
                        });
                        if let Some(n) = negative
                            && worst.as_ref().is_none_or(|(w, _)| n > *w)
                        {
                            worst = Some((n, "the zone's negative-caching TTL".to_string()));
                        }
                    }
                    _ => {
                        let original = original_ttl_of(&snapshot, s.group);
                        if let Some((orig, _)) = &original
                            && ttl <= *orig
                        {
                            s.cache_age = Some(orig - ttl);
                        }
                        findings.push(Finding::StaleCache {
                            server: s.label.clone(),
                            served: s.key.as_ref().map(AnswerKey::describe).unwrap_or_default(),
                            ttl,
                            expires_at,
                            original_ttl: original.as_ref().map(|(t, _)| *t),
                        });
                        let candidate = match original {
                            Some((t, from)) => (
                                t,
                                format!("{from} still serves the old record with TTL {t}"),
                            ),
                            None => (ttl, format!("{} still has {ttl} s left on it", s.label)),
                        };
                        if worst.as_ref().is_none_or(|(w, _)| candidate.0 > *w) {
                            worst = Some(candidate);
                        }
                    }
                }
            }
        }
    }
    if let Some((old_ttl, from)) = worst {
        // While a secondary still serves the old data, any resolver may fetch it afresh there:
        // the bound grows by the time that secondary needs to catch up.
        let lagging_refresh = findings
            .iter()
            .filter_map(|f| match f {
                Finding::StaleSecondary { refresh, .. } => Some(*refresh),
                _ => None,
            })
            .max();
        findings.push(Finding::WorstCase {
            old_ttl,
            from,
            secondary_refresh: lagging_refresh,
        });
    }
    // Same data, different TTLs: not a disagreement.
    for g in groups.iter().take(usize::from(reference.is_some())) {
        let ttls: Vec<u32> = g.members.iter().filter_map(|&i| servers[i].ttl).collect();
        if let (Some(min), Some(max)) = (ttls.iter().min(), ttls.iter().max())
            && min != max
            && g.members.len() > 1
        {
            findings.push(Finding::TtlOnly {
                min: *min,
                max: *max,
                servers: g.members.len(),
            });
        }
    }
    // Authoritative servers with the top serial that disagree among themselves.
    if let Some(top) = max_serial {
        let conflicting: Vec<String> = servers
            .iter()
            .filter(|s| {
                s.kind == Kind::Authoritative
                    && s.status == Status::Differs
                    && s.soa.map(|x| x.serial) == Some(top)
            })
            .map(|s| s.label.clone())
            .collect();
        if !conflicting.is_empty() {
            findings.push(Finding::AuthoritativeConflict {
                servers: conflicting,
            });
        }
    }
    let answered: Vec<&ServerView> = servers.iter().filter(|s| s.key.is_some()).collect();
    let consistent = reference.is_some()
        && !answered.is_empty()
        && answered.iter().all(|s| s.status == Status::Agrees)
        && servers.iter().all(|s| s.status != Status::Error);
    Comparison {
        name: name.clone(),
        rtype,
        servers,
        groups,
        reference,
        authoritative_ttl,
        consistent,
        findings,
        at,
    }
}

/// RFC 1982 serial arithmetic: `a` is newer than `b`.
pub fn serial_newer(a: u32, b: u32) -> bool {
    a != b && a.wrapping_sub(b) < 1 << 31
}

/// The newest of some serials by RFC 1982 (a serial newer than every other).
fn newest(serials: impl Iterator<Item = u32> + Clone) -> Option<u32> {
    serials.clone().find(|&candidate| {
        serials
            .clone()
            .all(|other| other == candidate || serial_newer(candidate, other))
    })
}

fn negative_ttl(soa: &Record) -> Option<u32> {
    match &soa.data {
        RData::SOA(s) => Some(soa.ttl.min(s.minimum)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{newest, serial_newer};

    #[test]
    fn serials_compare_by_rfc_1982() {
        assert!(serial_newer(2, 1));
        assert!(!serial_newer(1, 2));
        assert!(serial_newer(5, u32::MAX), "a serial that wrapped is newer");
        assert_eq!(newest([u32::MAX, 3, u32::MAX - 1].into_iter()), Some(3));
        assert_eq!(newest([7, 7].into_iter()), Some(7));
    }
}
