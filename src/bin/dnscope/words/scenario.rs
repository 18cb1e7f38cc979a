//! A lab scenario's narration: what was done before the comparison, and what is still due.

use dnscope::lab::scenario::{Event, Pending, Primed};
use dnscope::present;
use dnscope::present::Shown;
use dnscope::wire::rtype_name;

/// One event in words.
pub fn event(e: &Event) -> String {
    match e {
        Event::SecondaryLags { secondary } => format!(
            "{} is a secondary that will lag behind the primary",
            secondary.wire()
        ),
        Event::Primed {
            resolver,
            qname,
            rtype,
            got,
        } => format!(
            "{} was asked for {} {} and cached the answer it got ({})",
            // A resolver is called by its label, as in the table (no trailing dot).
            present::name(resolver).trim_end_matches('.'),
            qname.wire(),
            rtype_name(*rtype),
            primed(got)
        ),
        Event::Changed {
            qname,
            rtype,
            data,
            created,
            serial,
            secondary,
        } => {
            let data: Vec<String> = data.iter().map(present::rdata).collect();
            format!(
                "on the primary, {} {} was {} {} (serial {serial}); {} did not get the change",
                qname.wire(),
                rtype_name(*rtype),
                if *created { "created as" } else { "changed to" },
                data.join(", "),
                secondary.wire()
            )
        }
    }
}

fn primed(got: &Primed) -> String {
    match got {
        Primed::Answer(records) => {
            let data: Vec<String> = records.iter().map(|r| present::rdata(&r.data)).collect();
            let ttl = records.iter().map(|r| r.ttl).min().unwrap_or(0);
            format!("{}, TTL {ttl} s", data.join(", "))
        }
        Primed::NxDomain { ttl: Some(ttl) } => {
            format!("NXDOMAIN, cached for the zone's negative TTL of {ttl} s")
        }
        Primed::NxDomain { ttl: None } => "NXDOMAIN, with no SOA to say for how long".to_string(),
        Primed::Other(Some(rcode)) => format!("{} with no answer", present::rcode(*rcode)),
        Primed::Other(None) => "no reply".to_string(),
    }
}

/// Something still due, in words.
pub fn pending(p: &Pending) -> String {
    match p {
        Pending::CatchUp { secondary, after } => format!(
            "{} catches up {} s after the change (the zone's SOA refresh)",
            secondary.wire(),
            after.as_secs()
        ),
    }
}
