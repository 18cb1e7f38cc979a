//! Human output of `compare`: the side-by-side table, the answers grouped (A, B, ...), and the
//! explanation in plain words. The same wording goes into `--json`'s `explanation`.

use std::io::{self, Write};
use std::time::Duration;

use dnscope::compare::{Comparison, Discovery, Finding, Kind, Status};
use dnscope::lab::scenario::Played;
use dnscope::present;
use dnscope::wire::rtype_name;
use hickory_proto::rr::Name;

use super::sanitize::for_tty;
use super::{Palette, Tone, human_ttl, ms};

/// What the comparison came with, beyond the comparison itself.
pub struct Context<'a> {
    /// Add plain-words readings of the answers.
    pub explain: bool,
    pub discovery: Option<&'a Discovery>,
    pub discovery_error: Option<&'a str>,
    pub zone: Option<&'a Name>,
    pub played: Option<&'a Played>,
    pub elapsed: Duration,
    /// The round number in `--watch`.
    pub round: Option<u32>,
}

/// `HH:MM:SS UTC` of a Unix time.
pub fn clock(unix: u64) -> String {
    let s = unix % 86_400;
    format!("{:02}:{:02}:{:02} UTC", s / 3600, (s / 60) % 60, s % 60)
}

fn secs(n: u32) -> String {
    if n < 60 {
        format!("{n} s")
    } else {
        format!("{n} s ({})", human_ttl(n))
    }
}

/// The explanation, one paragraph per finding, in reading order.
pub fn explain(c: &Comparison, ctx: &Context<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(e) = ctx.discovery_error {
        out.push(format!(
            "The authoritative servers could not be asked: {e}."
        ));
    }
    if let Some(d) = ctx.discovery {
        for ns in &d.child_only {
            out.push(format!(
                "{ns} is in {}'s own NS set but not in the delegation from the parent: resolvers starting from the root are not sent there, so they can miss what only it serves (a parent/child NS mismatch).",
                d.zone
            ));
        }
        for ns in &d.parent_only {
            out.push(format!(
                "{ns} is in the delegation from the parent but not in {}'s own NS set (a parent/child NS mismatch).",
                d.zone
            ));
        }
    }
    let letter = |label: &str| -> String {
        c.servers
            .iter()
            .find(|s| s.label == label)
            .and_then(|s| s.group)
            .and_then(|g| c.groups.get(g))
            .map(|g| g.letter.to_string())
            .unwrap_or_else(|| "?".into())
    };
    let stale_secondary = c
        .findings
        .iter()
        .any(|f| matches!(f, Finding::StaleSecondary { .. }));
    for f in &c.findings {
        let text = match f {
            Finding::Reference { group, server, serial, ttl } => format!(
                "The authoritative answer is {group}, from {server}{}{}.",
                serial.map(|s| format!(" (serial {s}, the highest)")).unwrap_or_default(),
                ttl.map(|t| format!("; at the source it carries a TTL of {}", secs(t))).unwrap_or_default()
            ),
            Finding::AliasOnly => "The name is an alias (CNAME) into another zone: its own servers answer with the alias only, so only the alias is compared here; compare the target to see its data.".to_string(),
            Finding::NoReference => "No authoritative server gave a usable answer, so the resolvers cannot be checked against the source.".to_string(),
            Finding::CacheAge { server, ttl, authoritative_ttl, age, expires_at } => {
                if *age == 0 {
                    format!("{server} agrees and has just fetched the answer (TTL {ttl}, as at the source); it will keep it until {}.", clock(*expires_at))
                } else {
                    format!(
                        "{server} agrees, from its cache: it has held the answer for about {} (TTL {authoritative_ttl} at the source, {ttl} left) and will drop it in {}, at {}, then ask again.",
                        secs(*age), secs(*ttl), clock(*expires_at)
                    )
                }
            }
            Finding::TtlAboveAuthoritative { server, ttl, authoritative_ttl } => format!(
                "{server} gives TTL {ttl}, more than the {authoritative_ttl} at the source: it raises TTLs (a minimum-TTL policy) or fetched the record while its TTL was higher, so its cache age cannot be told."
            ),
            Finding::StaleCache { server, served, ttl, expires_at, original_ttl } => format!(
                "{server} still serves {} ({}) from its cache{}; it must drop it within {}, by {}, and will then ask again{}.",
                letter(server),
                for_tty(served),
                original_ttl
                    .map(|o| if o >= *ttl { format!(", fetched about {} ago (TTL {o} when it was fetched)", secs(o - ttl)) } else { String::new() })
                    .unwrap_or_default(),
                secs(*ttl),
                clock(*expires_at),
                if stale_secondary {
                    " (and may get the old data again from the secondary that lags)".to_string()
                } else {
                    format!(
                        " and get {}",
                        c.groups.first().map(|g| g.letter.to_string()).unwrap_or_else(|| "the new answer".into())
                    )
                }
            ),
            Finding::NegativeCache { server, ttl, expires_at, negative_ttl } => format!(
                "{server} cached that the name did not exist and keeps serving that for {} more, until {}{}. A name created after a resolver cached its absence stays invisible there for up to the negative TTL.",
                secs(*ttl),
                clock(*expires_at),
                negative_ttl
                    .map(|n| format!(" (the zone allows {}: min(SOA TTL, SOA MINIMUM), RFC 2308 §5)", secs(n)))
                    .unwrap_or_default()
            ),
            Finding::WorstCase {
                old_ttl,
                from,
                secondary_refresh,
            } => match secondary_refresh {
                None => format!(
                    "Worst case for any cache in the world: a resolver that fetched the old data just before the change keeps it up to {} after the change ({}).",
                    secs(*old_ttl),
                    for_tty(from)
                ),
                Some(refresh) => format!(
                    "Worst case for any cache in the world: while a secondary still hands out the old data (up to about {} until it catches up), a resolver can fetch it there and keep it for {} more ({}): about {} after the change.",
                    secs(*refresh),
                    secs(*old_ttl),
                    for_tty(from),
                    secs(refresh.saturating_add(*old_ttl))
                ),
            },
            Finding::StaleSecondary { server, serial, primary, primary_serial, refresh, retry, expire } => format!(
                "{server} serves serial {serial}, behind {primary}'s {primary_serial}: a secondary that has not caught up yet. Secondaries check the primary's serial every {} (the SOA REFRESH; sooner when the primary sends NOTIFY), retry every {} when that fails, and stop answering for the zone after {} without contact (EXPIRE): so this lasts about {} if transfers work, {} at worst.",
                secs(*refresh), secs(*retry), secs(*expire), secs(*refresh), secs(*expire)
            ),
            Finding::AuthoritativeConflict { servers } => format!(
                "{} serve different data with the same serial: the zone was edited without a serial change, or the servers are fed from different sources.",
                servers.join(", ")
            ),
            Finding::NegativeAtSource { negative_ttl } => format!(
                "At the source the answer is negative; resolvers may cache it for {} (RFC 2308).",
                secs(*negative_ttl)
            ),
            Finding::TtlOnly { min, max, servers } => format!(
                "{servers} servers give the same data with TTLs from {min} to {max}: that is only how long each has had it cached, not a disagreement."
            ),
            Finding::Failed { server, kind, detail } => format!(
                "{server} ({}) gave no usable answer: {}.",
                match kind {
                    Kind::Resolver => "resolver",
                    Kind::Authoritative => "authoritative",
                },
                for_tty(detail)
            ),
        };
        out.push(text);
    }
    out
}

pub fn render(
    out: &mut dyn Write,
    c: &Comparison,
    ctx: &Context<'_>,
    pal: &Palette,
    next: Option<Duration>,
) -> io::Result<()> {
    if let Some(round) = ctx.round {
        if round > 1 {
            // Redraw in place on a terminal; one round after the other elsewhere.
            if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                write!(out, "\x1b[2J\x1b[H")?;
            } else {
                writeln!(out)?;
            }
        }
        writeln!(
            out,
            "{}",
            pal.paint(&format!("── round {round} at {}", clock(c.at)), Tone::Dim)
        )?;
    }
    if let Some(p) = ctx.played
        && ctx.round.is_none_or(|r| r == 1)
    {
        writeln!(
            out,
            "{} {}",
            pal.paint("Scenario:", Tone::Strong),
            p.scenario.name()
        )?;
        for e in &p.events {
            writeln!(out, "  t+{:.1} s  {}", e.at, e.what)?;
        }
        for p in &p.pending {
            writeln!(out, "  later   {p}")?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} {} {} — {} servers asked at {}, in {}{}",
        pal.paint("Comparing", Tone::Strong),
        pal.paint(&for_tty(&c.name.to_string()), Tone::Name),
        rtype_name(c.rtype),
        c.servers.len(),
        clock(c.at),
        ms(ctx.elapsed),
        ctx.zone.map(|z| format!(" (zone {z})")).unwrap_or_default()
    )?;
    let mut table = pal.table(&[
        "SERVER", "ADDRESS", "KIND", "RCODE", "ANSWER", "TTL", "SERIAL", "RTT", "STATUS",
    ]);
    for s in &c.servers {
        let group = s
            .group
            .and_then(|g| c.groups.get(g))
            .map(|g| g.letter.to_string())
            .unwrap_or_else(|| "-".into());
        let (status, tone) = match s.status {
            Status::Agrees => ("agrees".to_string(), Tone::Good),
            Status::Stale => (
                match (s.kind, s.expires_in) {
                    (Kind::Resolver, Some(t)) => format!("stale, {t} s left"),
                    (Kind::Authoritative, _) => "stale secondary".to_string(),
                    _ => "stale".to_string(),
                },
                Tone::Warn,
            ),
            Status::Differs => ("differs".to_string(), Tone::Bad),
            Status::Error => ("error".to_string(), Tone::Bad),
        };
        let status = match (s.status, s.cache_age) {
            (Status::Agrees, Some(age)) if age > 0 => format!("{status} (cached {age} s)"),
            _ => status,
        };
        table.add_row(vec![
            pal.cell(&for_tty(&s.label), Some(Tone::Name)),
            pal.cell(&s.addr.ip().to_string(), None),
            pal.cell(
                match s.kind {
                    Kind::Resolver => "resolver",
                    Kind::Authoritative => "authoritative",
                },
                None,
            ),
            pal.cell(
                &s.rcode.map(present::rcode).unwrap_or_else(|| "-".into()),
                None,
            ),
            pal.cell(&group, Some(Tone::Strong)),
            pal.cell(
                &s.ttl.map(|t| t.to_string()).unwrap_or_else(|| "-".into()),
                None,
            ),
            pal.cell(
                &s.soa
                    .map(|x| x.serial.to_string())
                    .unwrap_or_else(|| "-".into()),
                None,
            ),
            pal.cell(
                &s.rtt_ms
                    .map(|r| ms(Duration::from_secs_f64(r / 1000.0)))
                    .unwrap_or_else(|| "-".into()),
                None,
            ),
            pal.cell(&status, Some(tone)),
        ]);
    }
    writeln!(out, "{table}")?;
    if !c.groups.is_empty() {
        writeln!(out, "{}", pal.paint("Answers:", Tone::Strong))?;
        for g in &c.groups {
            let who: Vec<&str> = g
                .members
                .iter()
                .filter_map(|&i| c.servers.get(i))
                .map(|s| s.label.as_str())
                .collect();
            writeln!(
                out,
                "  {}  {}   ({})",
                pal.paint(&g.letter.to_string(), Tone::Strong),
                for_tty(&g.key.describe()),
                for_tty(&who.join(", "))
            )?;
            if ctx.explain
                && let Some(first) = g.members.first().and_then(|&i| c.servers.get(i))
            {
                super::query::readings(out, &first.answer, pal)?;
            }
        }
    }
    writeln!(
        out,
        "{}",
        pal.paint(
            if c.consistent {
                "All servers agree:"
            } else {
                "Why they differ:"
            },
            Tone::Strong
        )
    )?;
    for line in explain(c, ctx) {
        writeln!(out, "  - {line}")?;
    }
    let agreeing = c
        .servers
        .iter()
        .filter(|s| s.status == Status::Agrees)
        .count();
    let verdict = if c.consistent {
        pal.paint(
            &format!(
                "Consistent: all {} servers agree with the authoritative answer.",
                c.servers.len()
            ),
            Tone::Good,
        )
    } else {
        pal.paint(
            &format!(
                "Not consistent: {agreeing} of {} servers agree with the authoritative answer.",
                c.servers.len()
            ),
            Tone::Warn,
        )
    };
    writeln!(out, "{verdict}")?;
    if let Some(every) = next {
        let longest = c
            .servers
            .iter()
            .filter(|s| s.status == Status::Stale)
            .filter_map(|s| s.expires_in)
            .max();
        writeln!(
            out,
            "{}",
            pal.paint(
                &format!(
                    "Asking again in {} s{}",
                    every.as_secs_f64(),
                    longest
                        .map(|t| format!(
                            "; the longest stale cache expires in {t} s, at {}",
                            clock(c.at + u64::from(t))
                        ))
                        .unwrap_or_default()
                ),
                Tone::Dim
            )
        )?;
    }
    Ok(())
}
