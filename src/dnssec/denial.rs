//! Proofs of non-existence: NSEC (RFC 4035 §5.4) and NSEC3 (RFC 5155 §8), for NXDOMAIN,
//! NODATA and "this delegation has no DS" (an insecure child). The records' signatures are
//! checked by the caller; here, only whether the records prove what is claimed.

use data_encoding::BASE32_DNSSEC;
use hickory_proto::dnssec::Nsec3HashAlgorithm;
use hickory_proto::dnssec::rdata::{DNSSECRData, NSEC, NSEC3};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::{DenialProblem, InsecureWhy, Work};

/// The NSEC records of a section, with their owners.
pub(super) fn nsecs(records: &[Record]) -> Vec<(Name, &NSEC)> {
    records
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC(n)) => Some((r.name.to_lowercase(), n)),
            _ => None,
        })
        .collect()
}

/// The NSEC3 records of a section, with their owners.
pub(super) fn nsec3s(records: &[Record]) -> Vec<(Name, &NSEC3)> {
    records
        .iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC3(n)) => Some((r.name.to_lowercase(), n)),
            _ => None,
        })
        .collect()
}

/// Whether the NSEC at `owner` pointing to `next` covers `name`: owner < name < next in the
/// canonical order (RFC 4034 §6.1), the last NSEC of a zone wrapping round to the apex.
pub(crate) fn nsec_covers(owner: &Name, next: &Name, name: &Name) -> bool {
    let name = name.to_lowercase();
    let next = next.to_lowercase();
    if owner < &next {
        owner < &name && name < next
    } else {
        // The last NSEC: it covers everything after its owner (inside the zone).
        owner < &name || name < next
    }
}

/// The outcome of a denial check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Proven {
    /// What was claimed is proven.
    Yes,
    /// It is proven that the child has no DS: the delegation is insecure.
    Insecure(InsecureWhy),
    /// Not proven.
    No(DenialProblem),
}

/// The longest ancestor of `name` (itself excluded) that `a` is also under or equal to.
fn common(name: &Name, a: &Name) -> Name {
    let mut cur = name.base_name();
    while !cur.is_root() && !cur.zone_of(a) {
        cur = cur.base_name();
    }
    cur
}

/// NSEC: prove that `qname` does not exist in `zone`, nor a wildcard that could answer it.
pub(super) fn nsec_nxdomain(records: &[Record], qname: &Name, zone: &Name) -> Proven {
    let all = nsecs(records);
    let qname = qname.to_lowercase();
    let Some((owner, nsec)) = all.iter().find(|(o, n)| {
        nsec_covers(o, n.next_domain_name(), &qname) && !delegation_above(o, n, &qname)
    }) else {
        return Proven::No(DenialProblem::NameNotCovered);
    };
    // The closest encloser: the longest ancestor shared with either end of the span.
    let a = common(&qname, owner);
    let b = common(&qname, &nsec.next_domain_name().to_lowercase());
    let mut encloser = if a.num_labels() >= b.num_labels() {
        a
    } else {
        b
    };
    if !zone.zone_of(&encloser) {
        encloser = zone.to_lowercase();
    }
    let Ok(wildcard) = encloser.prepend_label("*") else {
        return Proven::No(DenialProblem::WildcardNotCovered);
    };
    let wildcard_denied = all
        .iter()
        .any(|(o, n)| nsec_covers(o, n.next_domain_name(), &wildcard));
    if wildcard_denied {
        Proven::Yes
    } else {
        Proven::No(DenialProblem::WildcardNotCovered)
    }
}

/// An NSEC from above a zone cut (NS without SOA at an ancestor of the name) proves nothing
/// about names below the cut (RFC 4035 §5.4 and RFC 6840 §4.1).
fn delegation_above(owner: &Name, nsec: &NSEC, name: &Name) -> bool {
    owner != name
        && owner.zone_of(name)
        && nsec.type_set().contains(RecordType::NS)
        && !nsec.type_set().contains(RecordType::SOA)
}

/// NSEC: prove that `qname` exists without `qtype` (nor a CNAME), or is an empty
/// non-terminal.
pub(super) fn nsec_nodata(records: &[Record], qname: &Name, qtype: RecordType) -> Proven {
    let all = nsecs(records);
    let qname = qname.to_lowercase();
    if let Some((_, nsec)) = all.iter().find(|(o, _)| *o == qname) {
        let types = nsec.type_set();
        if types.contains(qtype) || types.contains(RecordType::CNAME) {
            return Proven::No(DenialProblem::TypeExists);
        }
        // A DS question answered from the child side of a cut would be the wrong zone.
        return Proven::Yes;
    }
    // An empty non-terminal: an NSEC covers it and the next name lies below it.
    let ent = all.iter().any(|(o, n)| {
        nsec_covers(o, n.next_domain_name(), &qname)
            && qname.zone_of(&n.next_domain_name().to_lowercase())
    });
    if ent {
        Proven::Yes
    } else {
        Proven::No(DenialProblem::NameNotCovered)
    }
}

/// NSEC: prove that the delegation `child` has no DS (an NSEC at the child with NS and
/// without DS or SOA).
pub(super) fn nsec_no_ds(records: &[Record], child: &Name) -> Proven {
    let child = child.to_lowercase();
    match nsecs(records).iter().find(|(o, _)| *o == child) {
        Some((_, n)) => {
            let t = n.type_set();
            if t.contains(RecordType::DS) || t.contains(RecordType::SOA) {
                Proven::No(DenialProblem::TypeExists)
            } else if t.contains(RecordType::NS) {
                Proven::Insecure(InsecureWhy::NoDs { nsec3: false })
            } else {
                Proven::No(DenialProblem::NameNotCovered)
            }
        }
        None => Proven::No(DenialProblem::NameNotCovered),
    }
}

/// The NSEC3 hash of `name` with `salt` and `iterations`, as the owner label spells it
/// (lower-case base32hex, RFC 5155 §3.3).
pub fn nsec3_hash(name: &Name, salt: &[u8], iterations: u16) -> Option<String> {
    Nsec3HashAlgorithm::SHA1
        .hash(salt, &name.to_lowercase(), iterations)
        .ok()
        .map(|d| BASE32_DNSSEC.encode(d.as_ref()))
}

/// NSEC3 proofs over one section: the records, their parameters, and the hashes computed.
pub(super) struct Nsec3Set<'a> {
    records: Vec<(Vec<u8>, &'a NSEC3)>,
    salt: Vec<u8>,
    iterations: u16,
}

impl<'a> Nsec3Set<'a> {
    /// The NSEC3 records of `records` that belong to `zone`, if any; Err when their iteration
    /// count is above `limit` (nothing is hashed then).
    pub(super) fn new(
        records: &'a [Record],
        zone: &Name,
        limit: u16,
    ) -> Result<Option<Self>, InsecureWhy> {
        let all: Vec<(Name, &NSEC3)> = nsec3s(records)
            .into_iter()
            .filter(|(o, _)| o.base_name() == zone.to_lowercase())
            .collect();
        let Some((_, first)) = all.first() else {
            return Ok(None);
        };
        let (salt, iterations) = (first.salt().to_vec(), first.iterations());
        if iterations > limit {
            return Err(InsecureWhy::Nsec3Iterations { iterations, limit });
        }
        let records = all
            .iter()
            .filter(|(_, n)| n.salt() == salt.as_slice() && n.iterations() == iterations)
            .filter_map(|(o, n)| {
                let label = o.iter().next()?;
                let hash = BASE32_DNSSEC.decode(label).ok()?;
                Some((hash, *n))
            })
            .collect();
        Ok(Some(Self {
            records,
            salt,
            iterations,
        }))
    }

    fn hash(&self, name: &Name, work: &mut Work) -> Option<Vec<u8>> {
        work.nsec3_hashes += 1;
        Nsec3HashAlgorithm::SHA1
            .hash(&self.salt, &name.to_lowercase(), self.iterations)
            .ok()
            .map(|d| d.as_ref().to_vec())
    }

    fn matching(&self, h: &[u8]) -> Option<&'a NSEC3> {
        self.records.iter().find(|(o, _)| o == h).map(|(_, n)| *n)
    }

    fn covering(&self, h: &[u8]) -> Option<&'a NSEC3> {
        self.records
            .iter()
            .find(|(o, n)| {
                let next = n.next_hashed_owner_name();
                if o.as_slice() < next {
                    o.as_slice() < h && h < next
                } else {
                    o.as_slice() < h || h < next
                }
            })
            .map(|(_, n)| *n)
    }

    /// The closest encloser proof (RFC 5155 §8.3): the closest encloser (an ancestor whose
    /// hash matches) and the NSEC3 covering the next closer name.
    fn closest_encloser(
        &self,
        qname: &Name,
        zone: &Name,
        work: &mut Work,
    ) -> Option<(Name, &'a NSEC3)> {
        let mut next_closer = qname.to_lowercase();
        let mut candidate = next_closer.base_name();
        while zone.zone_of(&candidate) {
            if self.matching(&self.hash(&candidate, work)?).is_some() {
                let cover = self.covering(&self.hash(&next_closer, work)?)?;
                return Some((candidate, cover));
            }
            if candidate.is_root() {
                break;
            }
            next_closer = candidate.clone();
            candidate = candidate.base_name();
        }
        None
    }

    /// Prove that `qname` does not exist: the closest encloser proof, and no wildcard at the
    /// closest encloser.
    pub(super) fn nxdomain(&self, qname: &Name, zone: &Name, work: &mut Work) -> Proven {
        let Some((encloser, next_closer)) = self.closest_encloser(qname, zone, work) else {
            return Proven::No(DenialProblem::NoClosestEncloser);
        };
        let Ok(wildcard) = encloser.prepend_label("*") else {
            return Proven::No(DenialProblem::WildcardNotCovered);
        };
        match self.hash(&wildcard, work) {
            // An opt-out span over the next closer name may hide an unsigned delegation:
            // the answer is insecure (RFC 5155 §9.2), as Unbound and BIND treat it.
            Some(h) if self.covering(&h).is_some() && next_closer.opt_out() => {
                Proven::Insecure(InsecureWhy::OptOut)
            }
            Some(h) if self.covering(&h).is_some() => Proven::Yes,
            _ => Proven::No(DenialProblem::WildcardNotCovered),
        }
    }

    /// Prove that `qname` exists without `qtype` (nor a CNAME); for a DS question, an opt-out
    /// span covering the next closer name proves only that the delegation is insecure.
    pub(super) fn nodata(
        &self,
        qname: &Name,
        qtype: RecordType,
        zone: &Name,
        work: &mut Work,
    ) -> Proven {
        let Some(h) = self.hash(qname, work) else {
            return Proven::No(DenialProblem::NameNotCovered);
        };
        if let Some(n) = self.matching(&h) {
            let t = n.type_set();
            if t.contains(qtype) || t.contains(RecordType::CNAME) {
                return Proven::No(DenialProblem::TypeExists);
            }
            return Proven::Yes;
        }
        if qtype == RecordType::DS {
            return self.no_ds(qname, zone, work);
        }
        Proven::No(DenialProblem::NameNotCovered)
    }

    /// Prove that the delegation `child` has no DS: an NSEC3 matching it with NS and without
    /// DS or SOA, or an opt-out span covering it (RFC 5155 §8.6 and §8.9).
    pub(super) fn no_ds(&self, child: &Name, zone: &Name, work: &mut Work) -> Proven {
        let Some(h) = self.hash(child, work) else {
            return Proven::No(DenialProblem::NameNotCovered);
        };
        if let Some(n) = self.matching(&h) {
            let t = n.type_set();
            return if t.contains(RecordType::DS) || t.contains(RecordType::SOA) {
                Proven::No(DenialProblem::TypeExists)
            } else if t.contains(RecordType::NS) {
                Proven::Insecure(InsecureWhy::NoDs { nsec3: true })
            } else {
                Proven::No(DenialProblem::NameNotCovered)
            };
        }
        match self.closest_encloser(child, zone, work) {
            Some((_, cover)) if cover.opt_out() => Proven::Insecure(InsecureWhy::OptOut),
            Some(_) => Proven::No(DenialProblem::NameNotCovered),
            None => Proven::No(DenialProblem::NoClosestEncloser),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::dnssec::rdata::NSEC;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    fn nsec(owner: &str, next: &str, types: &[RecordType]) -> Record {
        Record::from_rdata(
            n(owner),
            300,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(n(next), types.iter().copied()))),
        )
    }

    #[test]
    fn canonical_order_decides_what_an_nsec_covers() {
        // RFC 4034 §6.1's example order: example < a.example < yljkjljk.a.example < Z.a.example.
        let (o, nx) = (n("a.example."), n("z.a.example."));
        assert!(nsec_covers(&o, &nx, &n("yljkjljk.a.example.")));
        assert!(!nsec_covers(&o, &nx, &n("zz.example.")));
        // The last NSEC wraps to the apex.
        assert!(nsec_covers(
            &n("z.example."),
            &n("example."),
            &n("zz.example.")
        ));
    }

    #[test]
    fn nxdomain_needs_the_name_and_the_wildcard_covered() {
        let zone = n("shop.test.");
        let records = vec![
            nsec(
                "shop.test.",
                "mail.shop.test.",
                &[RecordType::SOA, RecordType::NS],
            ),
            nsec("mail.shop.test.", "www.shop.test.", &[RecordType::A]),
        ];
        assert_eq!(
            nsec_nxdomain(&records, &n("nope.shop.test."), &zone),
            Proven::Yes
        );
        // Only the span over the name: *.shop.test. is not covered.
        let partial = vec![records[1].clone()];
        assert_eq!(
            nsec_nxdomain(&partial, &n("nope.shop.test."), &zone),
            Proven::No(DenialProblem::WildcardNotCovered)
        );
        assert_eq!(
            nsec_nxdomain(&records, &n("zzz.shop.test."), &zone),
            Proven::No(DenialProblem::NameNotCovered)
        );
    }

    #[test]
    fn nodata_and_no_ds_read_the_type_bitmap() {
        let records = vec![
            nsec(
                "www.shop.test.",
                "x.shop.test.",
                &[RecordType::A, RecordType::AAAA],
            ),
            nsec("eu.shop.test.", "mail.shop.test.", &[RecordType::NS]),
            nsec(
                "signed.shop.test.",
                "www.shop.test.",
                &[RecordType::NS, RecordType::DS],
            ),
        ];
        assert_eq!(
            nsec_nodata(&records, &n("www.shop.test."), RecordType::MX),
            Proven::Yes
        );
        assert_eq!(
            nsec_nodata(&records, &n("www.shop.test."), RecordType::A),
            Proven::No(DenialProblem::TypeExists)
        );
        assert_eq!(
            nsec_no_ds(&records, &n("eu.shop.test.")),
            Proven::Insecure(InsecureWhy::NoDs { nsec3: false })
        );
        assert_eq!(
            nsec_no_ds(&records, &n("signed.shop.test.")),
            Proven::No(DenialProblem::TypeExists)
        );
    }

    #[test]
    fn nsec3_hashes_match_rfc_5155_appendix_a() {
        // RFC 5155 Appendix A: salt aabbccdd, 12 iterations.
        let salt = [0xaa, 0xbb, 0xcc, 0xdd];
        assert_eq!(
            nsec3_hash(&n("example."), &salt, 12).as_deref(),
            Some("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom")
        );
        assert_eq!(
            nsec3_hash(&n("a.example."), &salt, 12).as_deref(),
            Some("35mthgpgcu1qg68fab165klnsnk3dpvl")
        );
    }
}

#[cfg(test)]
mod properties {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use super::*;

    /// RFC 4034 §6.1, written out: labels compared from the right, each as lower-cased bytes,
    /// a name sorting before the longer names it is a suffix of.
    fn canonical(a: &Name, b: &Name) -> Ordering {
        let key =
            |n: &Name| -> Vec<Vec<u8>> { n.iter().rev().map(|l| l.to_ascii_lowercase()).collect() };
        key(a).cmp(&key(b))
    }

    fn name() -> impl Strategy<Value = Name> {
        // A small alphabet (letters of both cases, a digit, a hyphen, a byte below 'A' and one
        // above 'z') so that names share labels and collide often.
        let label = prop::collection::vec(
            prop::sample::select(vec![b'a', b'B', b'c', b'1', b'-', b'!', b'~', 0x01]),
            1..4,
        );
        prop::collection::vec(label, 0..4).prop_map(|labels| {
            let mut n = Name::from_labels(labels.iter().map(Vec::as_slice))
                .unwrap_or_else(|_| Name::root());
            n.set_fqdn(true);
            n
        })
    }

    proptest! {
        /// hickory's order on names, which the NSEC checks use, is the canonical order.
        #[test]
        fn name_order_is_the_canonical_order(a in name(), b in name()) {
            prop_assert_eq!(a.cmp(&b), canonical(&a, &b), "{} vs {}", a, b);
        }

        /// An NSEC covers exactly the names strictly between its owner and its next name, the
        /// last one of a zone wrapping round.
        #[test]
        fn nsec_covers_what_lies_between(owner in name(), next in name(), x in name()) {
            let after_owner = canonical(&owner, &x) == Ordering::Less;
            let before_next = canonical(&x, &next) == Ordering::Less;
            let expected = if canonical(&owner, &next) == Ordering::Less {
                after_owner && before_next
            } else {
                after_owner || before_next
            };
            prop_assert_eq!(nsec_covers(&owner, &next, &x), expected);
        }

        /// NSEC3 hashes the canonical (lower-case) name: case does not change the hash, and the
        /// owner label is 32 base32hex characters.
        #[test]
        fn nsec3_hash_ignores_case(n in name(), salt in prop::collection::vec(any::<u8>(), 0..8), iterations in 0u16..5) {
            let upper = Name::from_labels(n.iter().map(<[u8]>::to_ascii_uppercase)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let h = nsec3_hash(&n, &salt, iterations);
            prop_assert_eq!(&h, &nsec3_hash(&upper, &salt, iterations));
            let h = h.unwrap_or_default();
            prop_assert_eq!(h.len(), 32);
            prop_assert!(h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)), "{}", h);
        }
    }

    /// RFC 5155 Appendix A: the hash of "example" with salt aabbccdd and 12 iterations.
    #[test]
    fn nsec3_hash_matches_rfc_5155() {
        let n = Name::from_ascii("example.").expect("name");
        assert_eq!(
            nsec3_hash(&n, &[0xaa, 0xbb, 0xcc, 0xdd], 12).as_deref(),
            Some("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom")
        );
    }
}
