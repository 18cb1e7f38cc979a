//! The question and the other plain values on a command line: NAME [TYPE], `-x ADDR`, `-t`,
//! durations.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use dnscope::wire::{parse_name, parse_rtype, reverse_name};
use hickory_proto::rr::{Name, RecordType};

/// The question: `NAME [TYPE]`, or with `-x ADDR` the reverse name and `[TYPE]` (PTR by
/// default); `type_flag` is `-t TYPE` where the command has it. `usage` names the command's
/// form for the "no name given" message.
///
/// # Errors
/// A one-line message: no name, a bad name, address or type, the type given twice, or a
/// word left over.
pub fn question(
    usage: &str,
    words: &[&str],
    reverse: Option<&str>,
    type_flag: Option<&str>,
) -> Result<(Name, RecordType)> {
    let (name, rest, default) = match reverse {
        Some(addr) => {
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| anyhow!("-x {addr:?}: not an IPv4 or IPv6 address"))?;
            (reverse_name(ip), words, RecordType::PTR)
        }
        None => {
            let Some(first) = words.first() else {
                bail!("no name given: {usage}");
            };
            (parse_name(first)?, &words[1..], RecordType::A)
        }
    };
    let rtype = match (rest.first().copied(), type_flag) {
        (Some(_), Some(_)) => bail!("the type is given twice (positional and -t)"),
        (Some(t), None) | (None, Some(t)) => parse_rtype(t)?,
        (None, None) => default,
    };
    if let Some(extra) = rest.get(1) {
        bail!("unexpected argument {extra:?}");
    }
    Ok((name, rtype))
}

/// dig's order, the type before the name (`query MX shop.test`), turned round when it is
/// unambiguous: the first word is a type and the second is not.
pub fn type_first(mut words: Vec<&str>) -> Vec<&str> {
    if words.len() >= 2 && parse_rtype(words[0]).is_ok() && parse_rtype(words[1]).is_err() {
        words.swap(0, 1);
    }
    words
}

/// `2s`, `500ms`, `1.5` (seconds), `1m`.
///
/// # Errors
/// When it does not parse, or is not more than 0 and at most an hour.
pub fn duration(text: &str) -> Result<Duration> {
    let t = text.trim();
    let (num, unit) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let value: f64 = num
        .trim()
        .parse()
        .map_err(|_| anyhow!("duration {text:?}: use e.g. 2s, 500ms or 1.5"))?;
    let secs = value * unit;
    if !secs.is_finite() || secs <= 0.0 || secs > 3600.0 {
        bail!("duration {text:?} must be more than 0 and at most an hour");
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions() {
        let q =
            |w: &[&str], x, t| question("dnscope x NAME", w, x, t).map(|(n, t)| (n.to_string(), t));
        assert_eq!(
            q(&["shop.test"], None, None).ok(),
            Some(("shop.test.".into(), RecordType::A))
        );
        assert_eq!(
            q(&["shop.test", "mx"], None, None).ok(),
            Some(("shop.test.".into(), RecordType::MX))
        );
        assert_eq!(
            q(&["shop.test"], None, Some("TXT")).ok(),
            Some(("shop.test.".into(), RecordType::TXT))
        );
        assert!(q(&["shop.test", "A"], None, Some("MX")).is_err());
        assert!(q(&["shop.test", "A", "extra"], None, None).is_err());
        assert!(q(&[], None, None).is_err());
        let (n, t) = q(&[], Some("192.0.2.80"), None).expect("reverse");
        assert_eq!(
            (n.as_str(), t),
            ("80.2.0.192.in-addr.arpa.", RecordType::PTR)
        );
        assert_eq!(
            q(&["TXT"], Some("192.0.2.80"), None).map(|(_, t)| t).ok(),
            Some(RecordType::TXT)
        );
        assert!(q(&[], Some("not-an-ip"), None).is_err());
    }

    #[test]
    fn the_type_may_come_first_when_that_is_clear() {
        // See: issue 11, item 15 (dig habits).
        assert_eq!(type_first(vec!["MX", "shop.test"]), ["shop.test", "MX"]);
        assert_eq!(type_first(vec!["shop.test", "MX"]), ["shop.test", "MX"]);
        assert_eq!(
            type_first(vec!["a", "mx"]),
            ["a", "mx"],
            "both could be types: as typed"
        );
        assert_eq!(type_first(vec!["MX"]), ["MX"]);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("2s").ok(), Some(Duration::from_secs(2)));
        assert_eq!(duration("500ms").ok(), Some(Duration::from_millis(500)));
        assert_eq!(duration("1.5").ok(), Some(Duration::from_millis(1500)));
        assert!(duration("0").is_err());
        assert!(duration("soon").is_err());
    }
}
