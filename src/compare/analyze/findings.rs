//! Statuses, cache ages and findings: why each server says what it says.

use super::{AnswerKey, Finding, Group, ServerView, Status, WorstSource, negative_ttl};
use crate::compare::{Kind, Soa};

/// What `derive` adds besides the servers' statuses.
pub(super) struct Derived {
    pub(super) findings: Vec<Finding>,
    pub(super) authoritative_ttl: Option<u32>,
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

/// Set every server's status, cache age and expiry, and list the findings in reading order.
pub(super) fn derive(
    servers: &mut [ServerView],
    groups: &[Group],
    primary: Option<usize>,
    reference: Option<usize>,
    alias_only: bool,
) -> Derived {
    let primary_view = primary.and_then(|i| servers.get(i)).cloned();
    let auth_ttl = primary_view.as_ref().and_then(authoritative_ttl);
    let primary_soa = primary_view.as_ref().and_then(|p| p.soa);
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

    // Old data still served by an authoritative server tells its original TTL.
    let snapshot: Vec<ServerView> = servers.to_vec();
    let original_ttl_of = |group: Option<usize>| -> Option<(u32, String)> {
        group?;
        snapshot
            .iter()
            .filter(|s| s.kind == Kind::Authoritative && s.group == group)
            .find_map(|s| s.ttl.map(|t| (t, s.label.clone())))
    };
    let mut worst: Option<(u32, WorstSource)> = None;
    let mut consider = |ttl: u32, source: WorstSource| {
        if worst.as_ref().is_none_or(|(w, _)| ttl > *w) {
            worst = Some((ttl, source));
        }
    };
    for s in servers.iter_mut() {
        let Some(key) = s.key.clone() else {
            s.status = Status::Error;
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
        match s.kind {
            Kind::Authoritative => {
                if agrees {
                    s.status = Status::Agrees;
                } else if let (Some(mine), Some(top)) = (s.serial(), max_serial)
                    && mine != top
                {
                    s.status = Status::Stale;
                    findings.push(stale_secondary(s, mine, &primary_view, top, primary_soa));
                } else {
                    s.status = Status::Differs;
                }
            }
            Kind::Resolver => {
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
                s.status = Status::Stale;
                if matches!(key, AnswerKey::NxDomain | AnswerKey::NoData) {
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
                    if let Some(n) = negative {
                        consider(n, WorstSource::NegativeTtl);
                    }
                } else {
                    let original = original_ttl_of(s.group);
                    if let Some((orig, _)) = &original
                        && ttl <= *orig
                    {
                        s.cache_age = Some(orig - ttl);
                    }
                    findings.push(Finding::StaleCache {
                        server: s.label.clone(),
                        group: s.group,
                        served: key,
                        ttl,
                        expires_at,
                        original_ttl: original.as_ref().map(|(t, _)| *t),
                    });
                    match original {
                        Some((t, server)) => {
                            consider(t, WorstSource::StillServed { server, ttl: t })
                        }
                        None => consider(
                            ttl,
                            WorstSource::ResolverLeft {
                                server: s.label.clone(),
                                ttl,
                            },
                        ),
                    }
                }
            }
        }
    }
    if let Some((old_ttl, source)) = worst {
        // While a secondary still serves the old data, any resolver may fetch it afresh there:
        // the bound grows by the time that secondary needs to catch up.
        let secondary_refresh = findings
            .iter()
            .filter_map(|f| match f {
                Finding::StaleSecondary { refresh, .. } => Some(*refresh),
                _ => None,
            })
            .max();
        findings.push(Finding::WorstCase {
            old_ttl,
            source,
            secondary_refresh,
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
    Derived {
        findings,
        authoritative_ttl: auth_ttl,
    }
}

fn stale_secondary(
    s: &ServerView,
    serial: u32,
    primary: &Option<ServerView>,
    primary_serial: u32,
    soa: Option<Soa>,
) -> Finding {
    Finding::StaleSecondary {
        server: s.label.clone(),
        serial,
        primary: primary
            .as_ref()
            .map(|p| p.label.clone())
            .unwrap_or_default(),
        primary_serial,
        refresh: soa.map_or(0, |x| x.refresh),
        retry: soa.map_or(0, |x| x.retry),
        expire: soa.map_or(0, |x| x.expire),
    }
}
