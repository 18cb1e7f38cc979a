//! Trust anchors: the keys validation starts from. Built in, the IANA root KSKs (KSK-2017,
//! key tag 20326, and KSK-2024, key tag 38696) as DS records, the form Debian's
//! `dns-root-data` and Unbound's `unbound-anchor` carry them; or a file of DS or DNSKEY records
//! in zone-file form with any owner name, as `delv -a` and Unbound's `trust-anchor-file` take
//! them (a private hierarchy such as the lab, or a test bed).

use data_encoding::{BASE64, HEXUPPER_PERMISSIVE};
use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf};
use hickory_proto::rr::Name;

/// The IANA root zone's KSKs as DS records (owner `.`): KSK-2017 and KSK-2024.
/// Source: <https://data.iana.org/root-anchors/root-anchors.xml>, the same digests as
/// Unbound's `unbound-anchor.c` and hickory's embedded keys (checked by a test below).
const ROOT_DS: [(u16, &str); 2] = [
    (
        20326,
        "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ),
    (
        38696,
        "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
    ),
];

/// One trust anchor: a DS or a DNSKEY for a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// A DS record: the zone's key must hash to it.
    Ds(Name, DS),
    /// A DNSKEY record: the zone's key must be this one.
    Key(Name, DNSKEY),
}

impl Anchor {
    /// The zone it vouches for.
    pub fn zone(&self) -> &Name {
        match self {
            Anchor::Ds(z, _) | Anchor::Key(z, _) => z,
        }
    }
}

/// A set of trust anchors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    /// Every anchor, in the order read.
    pub anchors: Vec<Anchor>,
    /// Where they came from, for the output ("built in", a file name, "the lab").
    pub source: String,
}

/// Why a trust-anchor file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {reason}")]
pub struct AnchorError {
    /// The file.
    pub file: String,
    /// The line (1-based) where the record starts.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

impl Anchors {
    /// The IANA root anchors.
    pub fn iana_root() -> Self {
        let anchors = ROOT_DS
            .iter()
            .filter_map(|(tag, hex)| {
                let digest = HEXUPPER_PERMISSIVE.decode(hex.as_bytes()).ok()?;
                Some(Anchor::Ds(
                    Name::root(),
                    DS::new(*tag, Algorithm::RSASHA256, DigestType::SHA256, digest),
                ))
            })
            .collect();
        Self {
            anchors,
            source: "built in: the IANA root KSKs 20326 and 38696".to_string(),
        }
    }

    /// Anchors from text in zone-file form (DS and DNSKEY records; `;` comments, parentheses
    /// across lines, an optional TTL and class). Other record types are skipped, as Unbound
    /// does.
    ///
    /// # Errors
    /// [`AnchorError`] naming the line of the first record that does not parse, or saying
    /// that the text holds no DS or DNSKEY at all.
    pub fn parse(text: &str, source: &str) -> Result<Self, AnchorError> {
        let mut anchors = Vec::new();
        for (line, record) in records(text) {
            let fail = |reason: String| AnchorError {
                file: source.to_string(),
                line,
                reason,
            };
            let mut words = record.split_whitespace();
            let owner = words.next().ok_or_else(|| fail("empty record".into()))?;
            let zone = Name::from_ascii(owner)
                .map(|n| n.to_lowercase())
                .map_err(|e| fail(format!("{owner:?} is not a domain name: {e}")))?;
            if !owner.ends_with('.') {
                return Err(fail(format!(
                    "{owner:?} must be fully qualified (end with a dot)"
                )));
            }
            // [TTL] [CLASS] TYPE, in either order for TTL and class (RFC 1035 §5.1).
            let mut rtype = None;
            for w in words.by_ref() {
                let upper = w.to_ascii_uppercase();
                if w.bytes().all(|b| b.is_ascii_digit()) || upper == "IN" {
                    continue;
                }
                rtype = Some(upper);
                break;
            }
            let rest: Vec<&str> = words.collect();
            match rtype.as_deref() {
                Some("DS") => anchors.push(Anchor::Ds(zone, ds(&rest).map_err(fail)?)),
                Some("DNSKEY") => anchors.push(Anchor::Key(zone, dnskey(&rest).map_err(fail)?)),
                Some(_) => {}
                None => return Err(fail("no record type".into())),
            }
        }
        if anchors.is_empty() {
            return Err(AnchorError {
                file: source.to_string(),
                line: 1,
                reason: "no DS or DNSKEY record in it".into(),
            });
        }
        Ok(Self {
            anchors,
            source: source.to_string(),
        })
    }

    /// The deepest anchored zone at or above `name`, if any.
    pub fn closest(&self, name: &Name) -> Option<&Name> {
        self.anchors
            .iter()
            .map(Anchor::zone)
            .filter(|z| z.zone_of(name))
            .max_by_key(|z| z.num_labels())
    }

    /// The anchors for one zone.
    pub fn for_zone<'a>(&'a self, zone: &'a Name) -> impl Iterator<Item = &'a Anchor> + 'a {
        self.anchors.iter().filter(move |a| a.zone() == zone)
    }

    /// Zone-file lines of the anchors (for `dnscope lab` and a `delv -a` file).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for a in &self.anchors {
            match a {
                Anchor::Ds(z, ds) => out.push_str(&format!(
                    "{} IN DS {} {} {} {}\n",
                    z,
                    ds.key_tag(),
                    u8::from(ds.algorithm()),
                    u8::from(ds.digest_type()),
                    HEXUPPER_PERMISSIVE.encode(ds.digest())
                )),
                Anchor::Key(z, key) => out.push_str(&format!(
                    "{} IN DNSKEY {} 3 {} {}\n",
                    z,
                    key.flags(),
                    u8::from(hickory_proto::dnssec::PublicKey::algorithm(
                        key.public_key()
                    )),
                    BASE64.encode(hickory_proto::dnssec::PublicKey::public_bytes(
                        key.public_key()
                    ))
                )),
            }
        }
        out
    }
}

/// The records of a zone-file text, each joined onto one line (parentheses span lines), with
/// the line it starts on; comments and blank lines dropped.
fn records(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut depth = 0i32;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(';').next().unwrap_or("");
        if line.trim().is_empty() && depth == 0 {
            continue;
        }
        if depth == 0 {
            start = i + 1;
        }
        for c in line.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => current.push(c),
            }
        }
        current.push(' ');
        if depth <= 0 {
            depth = 0;
            if !current.trim().is_empty() {
                out.push((start, current.trim().to_string()));
            }
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push((start, current.trim().to_string()));
    }
    out
}

fn number<T: std::str::FromStr>(w: Option<&&str>, what: &str) -> Result<T, String> {
    let w = w.ok_or_else(|| format!("the {what} is missing"))?;
    w.parse()
        .map_err(|_| format!("the {what} {w:?} is not a number in range"))
}

/// A DS RDATA from its presentation words (key tag, algorithm, digest type, digest).
pub(crate) fn ds(words: &[&str]) -> Result<DS, String> {
    let tag: u16 = number(words.first(), "DS key tag")?;
    let alg: u8 = number(words.get(1), "DS algorithm")?;
    let dt: u8 = number(words.get(2), "DS digest type")?;
    let hex: String = words.iter().skip(3).copied().collect();
    if hex.is_empty() {
        return Err("the DS digest is missing".into());
    }
    let digest = HEXUPPER_PERMISSIVE
        .decode(hex.as_bytes())
        .map_err(|e| format!("the DS digest is not hexadecimal: {e}"))?;
    Ok(DS::new(
        tag,
        Algorithm::from_u8(alg),
        DigestType::from(dt),
        digest,
    ))
}

/// A DNSKEY RDATA from its presentation words (flags, protocol, algorithm, key).
pub(crate) fn dnskey(words: &[&str]) -> Result<DNSKEY, String> {
    let flags: u16 = number(words.first(), "DNSKEY flags")?;
    let protocol: u8 = number(words.get(1), "DNSKEY protocol")?;
    if protocol != 3 {
        return Err(format!(
            "the DNSKEY protocol is {protocol}, not 3 (RFC 4034 §2.1.2)"
        ));
    }
    let alg: u8 = number(words.get(2), "DNSKEY algorithm")?;
    let b64: String = words.iter().skip(3).copied().collect();
    if b64.is_empty() {
        return Err("the DNSKEY public key is missing".into());
    }
    let key = BASE64
        .decode(b64.as_bytes())
        .map_err(|e| format!("the DNSKEY public key is not base64: {e}"))?;
    Ok(DNSKEY::with_flags(
        flags,
        PublicKeyBuf::new(key, Algorithm::from_u8(alg)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::dnssec::TrustAnchors;
    use hickory_proto::dnssec::rdata::DNSKEY;

    #[test]
    fn the_built_in_root_ds_match_hickorys_root_keys() {
        // hickory embeds the same two keys as DNSKEY bytes: each must hash to our DS.
        let keys = TrustAnchors::default();
        let root = Name::root();
        let anchors = Anchors::iana_root();
        let mut matched = 0;
        for a in &anchors.anchors {
            let Anchor::Ds(_, ds) = a else { continue };
            for pk in (0..keys.len()).filter_map(|i| keys.get(i)) {
                let key = DNSKEY::new(true, true, false, pk.clone());
                if key.calculate_key_tag().ok() == Some(ds.key_tag())
                    && ds.covers(&root, &key).unwrap_or(false)
                {
                    matched += 1;
                }
            }
        }
        assert_eq!(matched, 2);
    }

    #[test]
    fn files_of_ds_and_dnskey_in_zone_file_form() {
        let text = "; the lab\n. 3600 IN DS 20326 8 2 (\n  E06D44B80B8F1D39A95C0B0D7C65D084\n  58E880409BBC683457104237C7F8EC8D )\nshop.test. IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=\nexample. IN NS ns.example.\n";
        let a = Anchors::parse(text, "anchors.txt").expect("parses");
        assert_eq!(a.anchors.len(), 2);
        assert!(matches!(&a.anchors[0], Anchor::Ds(z, ds) if z.is_root() && ds.key_tag() == 20326));
        assert_eq!(
            a.closest(&Name::from_ascii("www.shop.test.").expect("name")),
            Some(&Name::from_ascii("shop.test.").expect("name"))
        );
        let again = Anchors::parse(&a.to_text(), "round trip").expect("round trip");
        assert_eq!(again.anchors, a.anchors);
    }

    #[test]
    fn a_bad_file_names_its_line() {
        let e = Anchors::parse("; c\n\n. IN DS 20326 8 2 XYZ\n", "f").expect_err("bad");
        assert_eq!(e.line, 3);
        assert!(e.reason.contains("not hexadecimal"), "{e}");
        let e = Anchors::parse("shop.test IN DS 1 8 2 AB\n", "f").expect_err("relative");
        assert!(e.reason.contains("fully qualified"), "{e}");
        let e = Anchors::parse("; nothing\n", "f").expect_err("empty");
        assert!(e.reason.contains("no DS or DNSKEY"), "{e}");
        let e = Anchors::parse(". IN DNSKEY 257 2 8 AAAA\n", "f").expect_err("protocol");
        assert!(e.reason.contains("protocol is 2"), "{e}");
    }
}
