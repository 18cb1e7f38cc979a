//! The class exercises: their questions, and their solutions worded from the evidence the lab
//! gave (`dnscope::exercises::solve`), with the same words as `trace` and `compare`.

use dnscope::compare::{Finding, Kind};
use dnscope::exercises::{Exercise, Solution, servers_of};
use dnscope::present;
use dnscope::present::Shown;
use dnscope::trace::{End, Trace, Verdict};
use hickory_proto::rr::RData;

use super::{compare, record, trace};

/// An exercise's text.
pub struct Text {
    /// Its title.
    pub title: &'static str,
    /// The question for the students.
    pub question: &'static str,
    /// The commands that answer it.
    pub commands: &'static [&'static str],
}

/// The text of an exercise.
pub fn text(e: Exercise) -> Text {
    match e {
        Exercise::FollowDelegation => Text {
            title: "Follow a delegation",
            question: "Which zones does the lookup of www.shop.test pass through, which servers answer at each step, and what is the final answer and its TTL?",
            commands: &["dnscope trace www.shop.test --lab --explain"],
        },
        Exercise::Glueless => Text {
            title: "Trace a glueless delegation",
            question: "The example. servers delegate cdn.example without glue. Which names must be looked up first, where do their addresses come from, and how many queries does the whole resolution cost?",
            commands: &["dnscope trace www.cdn.example --lab --explain"],
        },
        Exercise::LaggingSecondary => Text {
            title: "Find the lagging secondary",
            question: "Two servers answer for news.example. Do they agree? Which one is behind, how can you tell, and how long can that last?",
            commands: &["dnscope compare www.news.example --lab"],
        },
        Exercise::CacheExpiry => Text {
            title: "Work out when a cache expires",
            question: "A record was changed a moment ago. Which resolver still gives the old address, how long has it held it, and at what time will it give the new one?",
            commands: &["dnscope compare --lab --scenario propagation"],
        },
        Exercise::ReadSoa => Text {
            title: "Read an SOA",
            question: "Read the SOA record of shop.test: who is the primary, whom do you write to, what version is the zone, and how long may a resolver remember that a name does not exist?",
            commands: &[
                "dnscope query shop.test SOA --lab --explain",
                "dnscope explain SOA",
            ],
        },
        Exercise::MailFails => Text {
            title: "Why does mail fail?",
            question: "Mail to anyone@promo.shop.test bounces. Find out why.",
            commands: &[
                "dnscope query promo.shop.test MX --lab --explain",
                "dnscope trace <the MX target> --lab",
            ],
        },
        Exercise::LameServer => Text {
            title: "Spot the lame server",
            question: "lame.test has two name servers. Does it resolve? Which server is lame, what does it answer, and what does that cost a resolver?",
            commands: &["dnscope trace www.lame.test --lab"],
        },
        Exercise::DnssecServfail => Text {
            title: "The resolvers say SERVFAIL, but the server answers: why?",
            question: "Users of isp-a and isp-b cannot reach www.rollover.test; users of campus can, and the zone's server answers. What is wrong, where in the chain of trust, and what would fix it?",
            commands: &[
                "dnscope compare www.rollover.test --lab",
                "dnscope trace www.rollover.test --lab --explain",
                "dnscope explain key-rollover",
            ],
        },
    }
}

fn answer_lines(t: &Trace) -> Vec<String> {
    t.cnames
        .iter()
        .chain(t.answer.iter())
        .map(|r| {
            format!(
                "{} {} {} {}",
                r.name.wire(),
                r.ttl,
                present::rtype(r),
                present::rdata(&r.data)
            )
        })
        .collect()
}

/// A solution, one sentence a line.
pub fn solution(s: &Solution) -> Vec<String> {
    sentences(s)
        .into_iter()
        // A sentence that ends on a name would end in "..".
        .map(|l| {
            l.strip_suffix("..")
                .map_or_else(|| l.clone(), |t| format!("{t}."))
        })
        .collect()
}

fn sentences(s: &Solution) -> Vec<String> {
    let mut out = Vec::new();
    match s {
        Solution::FollowDelegation(t) => {
            let cuts: Vec<String> = t.zone_cuts.iter().map(dnscope::present::name).collect();
            out.push(format!(
                "The lookup passes through {} zones: {}.",
                cuts.len(),
                cuts.join(" -> ")
            ));
            for (i, s) in t.main_steps() {
                let servers: Vec<String> = s
                    .attempts
                    .iter()
                    .filter(|a| a.is_usable())
                    .map(|a| {
                        a.ns.name
                            .as_ref()
                            .map_or_else(|| a.ns.addr.to_string(), dnscope::present::name)
                    })
                    .collect();
                out.push(format!(
                    "At {} ({} answered): {}",
                    s.zone.wire(),
                    servers.join(", "),
                    trace::reading(t, i).unwrap_or_default()
                ));
            }
            out.push(format!("The answer: {}.", answer_lines(t).join("; ")));
            for r in &t.answer {
                out.push(format!("Reading it: {}.", record::reading(r)));
            }
        }
        Solution::Glueless(t) => glueless(t, &mut out),
        Solution::LaggingSecondary(c) => {
            let mut auth: Vec<_> = servers_of(c, Kind::Authoritative).collect();
            auth.sort_by_key(|s| std::cmp::Reverse(s.serial()));
            for s in &auth {
                out.push(format!(
                    "{} serves serial {} and answers {}.",
                    s.label,
                    s.serial()
                        .map_or_else(|| "?".to_string(), |x| x.to_string()),
                    s.key
                        .as_ref()
                        .map_or_else(|| "nothing".to_string(), compare::answer)
                ));
            }
            let mut behind = false;
            for f in &c.findings {
                if matches!(f, Finding::LaggingSecondary { .. }) {
                    behind = true;
                    out.push(compare::finding(f, c).text);
                }
            }
            if !behind {
                out.push("They agree: no server is behind.".into());
            }
        }
        Solution::CacheExpiry(_, c) => {
            // The comparison's own sentences: the solution reads as `compare` does, after
            // the answers they refer to by number.
            for (i, g) in c.groups.iter().enumerate() {
                let source = if c.reference == Some(i) {
                    " (the authoritative answer)"
                } else {
                    ""
                };
                out.push(format!(
                    "Answer {}: {}{source}.",
                    compare::group_label(i),
                    compare::answer(&g.key)
                ));
            }
            for f in &c.findings {
                if matches!(
                    f,
                    Finding::CachedOld { .. }
                        | Finding::FreshFromLagging { .. }
                        | Finding::CacheAge { .. }
                        | Finding::LaggingSecondary { .. }
                        | Finding::WorstCase { .. }
                ) {
                    out.push(compare::finding(f, c).text);
                }
            }
        }
        Solution::ReadSoa(soa) => {
            if let RData::SOA(s) = &soa.data {
                out.push(format!("Primary (MNAME): {}.", s.mname));
                out.push(format!(
                    "Contact (RNAME): {} — the first label is the local part, the rest the domain.",
                    record::mailbox(&s.rname)
                ));
                out.push(format!("Version (SERIAL): {}.", s.serial));
                out.push(format!(
                    "Secondaries check every {} s (REFRESH), retry after {} s (RETRY), give up after {} s (EXPIRE).",
                    s.refresh, s.retry, s.expire
                ));
                out.push(format!(
                    "A resolver may remember that a name does not exist for min(SOA TTL {}, MINIMUM {}) = {} s (RFC 2308).",
                    soa.ttl,
                    s.minimum,
                    soa.ttl.min(s.minimum)
                ));
            }
        }
        Solution::MailFails(targets) => {
            if targets.is_empty() {
                out.push(
                    "promo.shop.test has no MX record: mail would go to its A record, if any."
                        .into(),
                );
            }
            for (pref, target, t) in targets {
                let target = target.wire();
                out.push(format!(
                    "The MX of promo.shop.test points to {target} (preference {pref})."
                ));
                out.push(match &t.end {
                    End::Answer => format!(
                        "{target} has an address ({}): mail should flow.",
                        answer_lines(t).join("; ")
                    ),
                    End::NxDomain(_) => format!(
                        "Tracing {target} ends in NXDOMAIN: the mail server's name does not exist, so no mail can be delivered. Fix: point the MX at a host that has an A/AAAA record (and is not a CNAME)."
                    ),
                    End::NoData(_) => format!(
                        "{target} exists but has no address (NODATA): mail cannot be delivered."
                    ),
                    _ => format!("Tracing {target} fails: {}.", trace::end(t).text),
                });
            }
        }
        Solution::DnssecServfail(c, t) => {
            // The comparison's and the trace's own sentences.
            for f in &c.findings {
                if matches!(f, Finding::Dnssec { .. }) {
                    out.push(compare::finding(f, c).text);
                }
            }
            if let Some(r) = &t.dnssec {
                for z in r.zones.iter().filter(
                    |z| matches!(&z.status, dnscope::dnssec::Status::Bogus(b) if b.zone == z.zone),
                ) {
                    let ds: Vec<String> = z.ds.iter().map(|d| d.key_tag.to_string()).collect();
                    let keys: Vec<String> = z.keys.iter().map(super::chain::key).collect();
                    out.push(format!(
                        "The chain breaks at {}: the parent's DS names key {}, but the zone's DNSKEY RRset holds {}.",
                        z.zone.wire(),
                        ds.join(", "),
                        keys.join(", ")
                    ));
                }
                out.push(format!(
                    "dnscope's verdict: {}.",
                    super::dnssec::verdict(&r.status, r.now).text
                ));
            }
            out.push("The fix: publish the key the DS names again (and sign with it), or have the parent replace the DS with the one of the current KSK; then wait out the old DS's TTL. Validating resolvers recover by themselves once the chain verifies.".to_string());
        }
        Solution::LameServer(t, zone) => {
            out.push(format!(
                "It resolves: {}.",
                if t.answer.is_empty() {
                    "no".to_string()
                } else {
                    answer_lines(t).join("; ")
                }
            ));
            for s in t.steps.iter().filter(|s| s.zone == *zone) {
                for a in &s.attempts {
                    let who =
                        a.ns.name
                            .as_ref()
                            .map_or_else(|| a.ns.addr.to_string(), dnscope::present::name);
                    match &a.verdict {
                        Some(Verdict::Refused) => out.push(format!(
                            "{who} is lame: it answers REFUSED — it is named in the delegation but does not serve {}. A resolver wastes a query (and a round trip) on it before using the other server.",
                            s.zone.wire()
                        )),
                        Some(v) if v.is_good() => out.push(format!("{who} serves the zone and answers.")),
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

fn glueless(t: &Trace, out: &mut Vec<String>) {
    let Some((index, step)) = t.main_steps().find(|(_, s)| !s.ns_lookups.is_empty()) else {
        return;
    };
    // The referral's own sentence, as `trace --explain` words it.
    let referral = t.main_steps().find(|(_, s)| {
        matches!(s.verdict(), Some(dnscope::trace::Verdict::Referral(r)) if r.zone == step.zone)
    });
    if let Some(sentence) = referral.and_then(|(i, _)| trace::reading(t, i)) {
        out.push(sentence);
    }
    for l in &step.ns_lookups {
        match &l.result {
            Ok(ips) => {
                let path: Vec<String> = t
                    .children(index)
                    .filter(|(_, s)| s.qname == l.ns)
                    .map(|(_, s)| dnscope::present::name(&s.zone))
                    .collect();
                out.push(format!(
                    "{} {}: {} -> {}.",
                    l.ns.wire(),
                    if l.needed {
                        "had to be looked up first"
                    } else {
                        "was looked up only to show that server too"
                    },
                    path.join(" -> "),
                    ips.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Err(e) => out.push(format!("{}: {}.", l.ns, trace::ns_lookup_error(e))),
        }
    }
    let nested = t
        .steps
        .iter()
        .filter(|s| s.parent.is_some())
        .map(|s| s.attempts.len())
        .sum::<usize>();
    out.push(format!(
        "The resolution sent {} queries in all, {nested} of them for the NS lookups; the answer: {}.",
        t.queries,
        answer_lines(t).join("; ")
    ));
}
