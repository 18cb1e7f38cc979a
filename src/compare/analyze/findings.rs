//! Statuses, cache ages and findings: why each server says what it says.

use hickory_proto::op::ResponseCode;

use super::{
    AnswerKey, Context, Finding, Group, PrimaryBy, Problem, ServerView, Status,
    TransportDifference, TtlSource, WorstSource, negative_ttl,
};
use crate::compare::{Kind, Soa};

/// What `derive` adds besides the servers' statuses.
pub(super) struct Derived {
    pub(super) findings: Vec<Finding>,
    pub(super) authoritative_ttl: Option<u32>,
}

/// What the earlier stages established.
pub(super) struct Facts<'a> {
    pub(super) primary: Option<usize>,
    pub(super) reference: Option<usize>,
    pub(super) alias_only: bool,
    pub(super) context: &'a Context,
    /// When the questions were asked (Unix seconds).
    pub(super) at: u64,
}

/// The TTL that governs the primary's answer: the RRset's, or for a negative answer
/// min(SOA TTL, MINIMUM).
fn authoritative_ttl(p: &ServerView) -> Option<u32> {
    match &p.key {
        Some(AnswerKey::Data(_)) => p.ttl,
        Some(_) => p.negative_soa.as_ref().and_then(negative_ttl),
        None => None,
    }
}

/// Why the primary is the primary.
fn primary_by(servers: &[ServerView], p: &ServerView) -> PrimaryBy {
    let answering = servers
        .iter()
        .filter(|s| s.kind == Kind::Authoritative && s.key.is_some())
        .count();
    if answering <= 1 {
        return PrimaryBy::Only;
    }
    let named = p.soa.as_ref().is_some_and(|soa| {
        let mname = crate::present::name(&soa.mname);
        mname == p.label || mname.trim_end_matches('.') == p.label.trim_end_matches('.')
    });
    if named {
        PrimaryBy::Mname
    } else {
        PrimaryBy::HighestSerial
    }
}

/// The longest life of old data seen so far, and where it comes from.
#[derive(Default)]
struct Worst(Option<(u32, WorstSource)>);

impl Worst {
    fn consider(&mut self, ttl: u32, source: WorstSource) {
        if self.0.as_ref().is_none_or(|(w, _)| ttl > *w) {
            self.0 = Some((ttl, source));
        }
    }
}

/// Set every server's status, cache age and expiry, and list the findings in reading order.
pub(super) fn derive(servers: &mut [ServerView], groups: &[Group], facts: Facts<'_>) -> Derived {
    let Facts {
        primary,
        reference,
        alias_only,
        context,
        at,
    } = facts;
    let primary_view = primary.and_then(|i| servers.get(i)).cloned();
    let auth_ttl = primary_view.as_ref().and_then(authoritative_ttl);
    let primary_soa = primary_view.as_ref().and_then(|p| p.soa.clone());
    // The highest serial among the authoritative servers that answered (RFC 1982); None when
    // they are too far apart for one to be newer than all the others.
    let max_serial = super::serial::newest(
        servers
            .iter()
            .filter(|s| s.kind == Kind::Authoritative && s.key.is_some())
            .filter_map(ServerView::serial),
    );
    let mut findings = Vec::new();
    if alias_only {
        findings.push(Finding::AliasOnly);
    }
    match (&primary_view, reference) {
        (Some(p), Some(_)) => findings.push(Finding::Reference {
            server: p.label.clone(),
            by: primary_by(servers, p),
            serial: p.serial(),
            ttl: auth_ttl,
        }),
        _ => findings.push(Finding::NoReference),
    }
    if let Some(p) = &primary_view
        && matches!(p.key, Some(AnswerKey::NxDomain | AnswerKey::NoData))
        && let Some(ttl) = p.negative_soa.as_ref().and_then(negative_ttl)
    {
        findings.push(Finding::NegativeAtSource { negative_ttl: ttl });
    }

    let reached = |label: &str| !context.hidden.iter().any(|h| h == label);
    // Old data still served by an authoritative server tells its original TTL; one that
    // resolvers are sent to is also where a resolver can fetch it again.
    let snapshot: Vec<ServerView> = servers.to_vec();
    // When several serve it (with different TTLs), the copy a cache could have come from: one
    // with the cache's whole TTL that resolvers are sent to, else the smallest TTL not below
    // what is left (the youngest the cached copy can be), else the largest; ties by label, so
    // the order the servers were asked in changes nothing.
    let still_served = |group: Option<usize>, left: u32| -> Option<(u32, String)> {
        group?;
        snapshot
            .iter()
            .filter(|s| s.kind == Kind::Authoritative && s.group == group)
            .filter_map(|s| s.ttl.map(|t| (t, s.label.clone())))
            .min_by_key(|(t, label)| {
                let fit = if *t == left && reached(label) {
                    (0, 0)
                } else if *t >= left {
                    (1, *t)
                } else {
                    (2, u32::MAX - *t)
                };
                (fit, label.clone())
            })
    };
    let mut worst = Worst::default();
    let bogus = matches!(context.dnssec, Some(crate::dnssec::Status::Bogus(_)));
    for s in servers.iter_mut() {
        let Some(key) = s.key.clone() else {
            s.status = Status::Error;
            // A validating resolver that refuses bogus data does its job: one finding says
            // why, for all of them (below).
            if bogus
                && s.kind == Kind::Resolver
                && matches!(s.problem, Some(Problem::Rcode(ResponseCode::ServFail)))
            {
                s.status = Status::Rejected;
                continue;
            }
            if let Some(problem) = s.problem.clone() {
                findings.push(Finding::Failed {
                    server: s.label.clone(),
                    kind: s.kind,
                    problem,
                });
            }
            continue;
        };
        let agrees = reference.is_none() || s.group == reference;
        if s.kind == Kind::Authoritative {
            if agrees {
                s.status = Status::Agrees;
            } else if let (Some(mine), Some(top)) = (s.serial(), max_serial)
                && mine != top
            {
                s.status = Status::Lagging;
                // Resolvers sent to it can fetch its old data at any moment, whether or not
                // one of those asked happened to: that bounds the worst case by itself.
                if reached(&s.label)
                    && let Some(ttl) = s.ttl
                {
                    worst.consider(
                        ttl,
                        WorstSource::StillServed {
                            server: s.label.clone(),
                            ttl,
                        },
                    );
                }
                findings.push(lagging(
                    s,
                    mine,
                    primary_view.as_ref(),
                    top,
                    primary_soa.as_ref(),
                    reached(&s.label),
                ));
            } else {
                s.status = Status::Differs;
            }
            continue;
        }
        let Some(ttl) = s.ttl else {
            s.status = if agrees {
                Status::Agrees
            } else {
                Status::Differs
            };
            continue;
        };
        s.expires_in = Some(ttl);
        let expires_at = s.asked_at + u64::from(ttl);
        if agrees {
            s.status = Status::Agrees;
            match auth_ttl {
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
        s.status = Status::Cached;
        if matches!(key, AnswerKey::NxDomain | AnswerKey::NoData) {
            let negative = primary_soa.as_ref().map(|soa| soa.ttl.min(soa.minimum));
            if let Some(n) = negative
                && ttl <= n
            {
                // Assumes the zone's negative TTL was the same when it was cached.
                s.cache_age = Some(n - ttl);
                s.cache_age_inferred = true;
            }
            findings.push(Finding::NegativeCache {
                server: s.label.clone(),
                ttl,
                expires_at,
                negative_ttl: negative,
            });
            if let Some(n) = negative {
                worst.consider(n, WorstSource::NegativeTtl);
            }
            continue;
        }
        match still_served(s.group, ttl) {
            // Its whole TTL left, and a secondary that resolvers are sent to serves that
            // data: it has just fetched it there, not held it for a while.
            Some((orig, secondary)) if orig == ttl && reached(&secondary) => {
                s.status = Status::FromLagging;
                s.cache_age = Some(0);
                s.cache_age_inferred = true;
                findings.push(Finding::FreshFromLagging {
                    server: s.label.clone(),
                    group: s.group,
                    served: key,
                    secondary: secondary.clone(),
                    ttl,
                    expires_at,
                });
                worst.consider(
                    orig,
                    WorstSource::StillServed {
                        server: secondary,
                        ttl: orig,
                    },
                );
            }
            Some((orig, server)) => {
                // Assumes it was cached with the TTL the lagging secondary serves.
                if ttl <= orig {
                    s.cache_age = Some(orig - ttl);
                    s.cache_age_inferred = true;
                }
                findings.push(Finding::CachedOld {
                    server: s.label.clone(),
                    group: s.group,
                    served: key,
                    ttl,
                    expires_at,
                    original: Some((
                        orig,
                        TtlSource::StillServed {
                            server: server.clone(),
                        },
                    )),
                });
                worst.consider(orig, WorstSource::StillServed { server, ttl: orig });
            }
            None => {
                // Nobody serves the old record any more: assume it had the TTL the RRset
                // has now, and say so.
                let assumed = auth_ttl.filter(|&a| ttl <= a);
                if let Some(a) = assumed {
                    s.cache_age = Some(a - ttl);
                    s.cache_age_inferred = true;
                    worst.consider(a, WorstSource::Assumed { ttl: a });
                } else {
                    worst.consider(
                        ttl,
                        WorstSource::ResolverLeft {
                            server: s.label.clone(),
                            ttl,
                        },
                    );
                }
                findings.push(Finding::CachedOld {
                    server: s.label.clone(),
                    group: s.group,
                    served: key,
                    ttl,
                    expires_at,
                    original: assumed.map(|a| (a, TtlSource::Assumed)),
                });
            }
        }
    }
    if let Some(f) = dnssec(servers, context) {
        findings.push(f);
    }
    if let Some((old_ttl, source)) = worst.0 {
        // While a secondary that resolvers are sent to still serves the old data, any of them
        // may fetch it afresh there: the bound grows by the time it needs to catch up.
        let secondary_refresh = findings
            .iter()
            .filter_map(|f| match f {
                Finding::LaggingSecondary {
                    refresh,
                    in_delegation: true,
                    ..
                } => Some(*refresh),
                _ => None,
            })
            .max();
        findings.push(Finding::WorstCase {
            old_ttl,
            source,
            secondary_refresh,
            changed_at: context.changed_at,
            now: at,
        });
    }
    // Same data, different TTLs: not a disagreement.
    if let Some(g) = reference.and_then(|r| groups.get(r)) {
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
                    && s.serial() == Some(top)
            })
            .map(|s| s.label.clone())
            .collect();
        if !conflicting.is_empty() {
            findings.push(Finding::AuthoritativeConflict {
                servers: conflicting,
            });
        }
    }
    findings.extend(transports(servers));
    Derived {
        findings,
        authoritative_ttl: auth_ttl,
    }
}

/// The same address asked over several transports: say when they answer differently, or
/// from caches of their own (the same data with TTLs more than a second apart, asked at the
/// same moment).
fn transports(servers: &[ServerView]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<std::net::IpAddr> = Vec::new();
    for s in servers {
        let ip = s.addr.ip();
        if seen.contains(&ip) {
            continue;
        }
        seen.push(ip);
        let rows: Vec<&ServerView> = servers
            .iter()
            .filter(|o| o.addr.ip() == ip && o.kind == s.kind)
            .collect();
        let mut kinds: Vec<crate::wire::Protocol> = rows.iter().map(|r| r.transport).collect();
        kinds.sort_by_key(|p| *p as u8);
        kinds.dedup();
        if rows.len() < 2 || kinds.len() < 2 {
            continue;
        }
        let labels = rows.iter().map(|r| r.label.clone()).collect();
        let keys: Vec<Option<&AnswerKey>> = rows.iter().map(|r| r.key.as_ref()).collect();
        let difference = if keys.iter().any(|k| *k != keys[0]) {
            Some(TransportDifference::Answers)
        } else {
            let ttls: Vec<(String, u32)> = rows
                .iter()
                .filter_map(|r| r.ttl.map(|t| (r.label.clone(), t)))
                .collect();
            let min = ttls.iter().map(|t| t.1).min();
            let max = ttls.iter().map(|t| t.1).max();
            match (min, max) {
                (Some(lo), Some(hi)) if hi - lo > 1 => Some(TransportDifference::Caches(ttls)),
                _ => None,
            }
        };
        if let Some(difference) = difference {
            out.push(Finding::Transports {
                address: ip,
                servers: labels,
                difference,
            });
        }
    }
    out
}

fn lagging(
    s: &ServerView,
    serial: u32,
    primary: Option<&ServerView>,
    primary_serial: u32,
    soa: Option<&Soa>,
    in_delegation: bool,
) -> Finding {
    Finding::LaggingSecondary {
        server: s.label.clone(),
        serial,
        primary: primary.map(|p| p.label.clone()).unwrap_or_default(),
        primary_serial,
        refresh: soa.map_or(0, |x| x.refresh),
        retry: soa.map_or(0, |x| x.retry),
        expire: soa.map_or(0, |x| x.expire),
        in_delegation,
    }
}

/// What DNSSEC explains: resolvers that rejected bogus data, and which resolvers vouched for
/// the data with AD. None when DNSSEC has nothing to say (no chain checked, or an insecure
/// answer every resolver passed on alike).
fn dnssec(servers: &[ServerView], context: &Context) -> Option<Finding> {
    let status = context.dnssec.clone()?;
    let resolvers = || servers.iter().filter(|s| s.kind == Kind::Resolver);
    let labels = |pred: &dyn Fn(&ServerView) -> bool| -> Vec<String> {
        resolvers()
            .filter(|s| pred(s))
            .map(|s| s.label.clone())
            .collect()
    };
    let rejected = labels(&|s| s.status == Status::Rejected);
    let validated = labels(&|s| s.key.is_some() && s.ad);
    let passed = labels(&|s| s.key.is_some() && !s.ad);
    let bogus = matches!(status, crate::dnssec::Status::Bogus(_));
    let secure = status == crate::dnssec::Status::Secure;
    let worth_saying = bogus || (secure && !validated.is_empty() && !passed.is_empty());
    worth_saying.then_some(Finding::Dnssec {
        status: Box::new(status),
        rejected,
        validated,
        passed,
    })
}
