//! Checking the RRSIGs over one RRset (RFC 4035 §5.3), within a budget of signature
//! verifications (KeyTrap: a hostile zone can ask for thousands).
//!
//! hickory's `Verifier::verify_rrsig` checks the signature bytes only; the rest of §5.3.1 is
//! here: the signer is the zone, the labels field fits the owner, the validity window holds,
//! the key tag and algorithm name a zone key that is not revoked, the algorithm is one we
//! implement (hickory panics in debug builds on one it does not).

// A bogus reason holds names (a few hundred bytes); it is the cold path, taken once.
#![allow(clippy::result_large_err)]

use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, RRSIG};
use hickory_proto::dnssec::{PublicKey, Verifier};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType, SerialNumber};

use super::{BogusWhy, Limits, RrsetId, SigResult, SigSeen, Work};

/// The signature checks left, and the work done.
#[derive(Debug)]
pub(super) struct Budget {
    pub(super) limits: Limits,
    pub(super) work: Work,
}

impl Budget {
    pub(super) fn new(limits: Limits) -> Self {
        Self {
            limits,
            work: Work::default(),
        }
    }

    /// Take one signature check; false once the resolution's allowance is spent.
    fn take(&mut self) -> bool {
        if self.work.checks >= self.limits.per_resolution {
            return false;
        }
        self.work.checks += 1;
        true
    }

    /// Why validation stopped: the RRset's allowance (`on_rrset` checks done on it) or the
    /// resolution's.
    pub(super) fn too_much(&self, on_rrset: usize) -> BogusWhy {
        if on_rrset >= self.limits.per_rrset {
            BogusWhy::TooMuchWork {
                checks: on_rrset,
                limit: self.limits.per_rrset,
                per_rrset: true,
            }
        } else {
            BogusWhy::TooMuchWork {
                checks: self.work.checks,
                limit: self.limits.per_resolution,
                per_rrset: false,
            }
        }
    }
}

/// The RRSIGs in `records` over `owner`/`rtype`.
pub(super) fn rrsigs<'a>(records: &'a [Record], owner: &Name, rtype: RecordType) -> Vec<&'a RRSIG> {
    records
        .iter()
        .filter(|r| r.name.to_lowercase() == owner.to_lowercase())
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::RRSIG(sig)) if sig.input().type_covered == rtype => {
                Some(sig)
            }
            _ => None,
        })
        .collect()
}

/// The records of one RRset in `records` (RRSIGs excluded), without duplicates (RFC 4034
/// §6.3).
pub(super) fn rrset(records: &[Record], owner: &Name, rtype: RecordType) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    for r in records {
        if r.record_type() == rtype
            && r.name.to_lowercase() == owner.to_lowercase()
            && !out.iter().any(|o| o.data == r.data)
        {
            out.push(r.clone());
        }
    }
    out
}

/// Whether `now` lies in the RRSIG's validity window: Less before it, Greater after it
/// (RFC 1982 arithmetic, as RFC 4034 §3.1.5 asks; values 2^31 apart count as outside).
fn window(sig: &RRSIG, now: u32) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let now = SerialNumber::new(now);
    let input = sig.input();
    match now.partial_cmp(&input.sig_inception) {
        Some(Ordering::Less) | None => return Ordering::Less,
        _ => {}
    }
    match now.partial_cmp(&input.sig_expiration) {
        Some(Ordering::Greater) | None => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// A zone key that may sign: the zone bit set, not revoked.
pub(super) fn usable(key: &DNSKEY) -> bool {
    key.zone_key() && !key.revoke()
}

/// Verify one signature with one key (the RRset's TTLs set to the original TTL first, so that
/// the canonical order does not depend on them).
pub(super) fn verifies(key: &DNSKEY, owner: &Name, sig: &RRSIG, records: &[Record]) -> bool {
    if !key.algorithm().is_supported() || !sig.input().algorithm.is_supported() {
        return false;
    }
    let original = sig.input().original_ttl;
    let records: Vec<Record> = records
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.ttl = original;
            r
        })
        .collect();
    key.verify_rrsig(owner, DNSClass::IN, sig, records.iter())
        .is_ok()
}

/// The key tag of a DNSKEY (0 when it cannot be computed: an unknown algorithm).
pub(super) fn tag(key: &DNSKEY) -> u16 {
    key.calculate_key_tag().unwrap_or(0)
}

/// Check the RRSIGs over one RRset of `zone` with the zone's `keys`; record each RRSIG in
/// `seen`. Ok when one verifies; otherwise why the RRset is bogus.
#[allow(clippy::too_many_arguments)]
pub(super) fn check(
    owner: &Name,
    rtype: RecordType,
    records: &[Record],
    sigs: &[&RRSIG],
    zone: &Name,
    keys: &[DNSKEY],
    now: u32,
    budget: &mut Budget,
    seen: &mut Vec<SigSeen>,
) -> Result<(), BogusWhy> {
    let id = RrsetId {
        name: owner.clone(),
        rtype,
    };
    if sigs.is_empty() {
        return Err(BogusWhy::RrsigMissing { rrset: id });
    }
    let mut results: Vec<(SigResult, &RRSIG)> = Vec::new();
    let mut tried_on_rrset = 0usize;
    for sig in sigs {
        let input = sig.input();
        let mut note = |result: SigResult| {
            seen.push(SigSeen {
                rrset: id.clone(),
                key_tag: input.key_tag,
                algorithm: u8::from(input.algorithm),
                signer: input.signer_name.clone(),
                inception: input.sig_inception.get(),
                expiration: input.sig_expiration.get(),
                result,
            });
            result
        };
        let result = if input.signer_name.to_lowercase() != zone.to_lowercase()
            || !input.signer_name.zone_of(owner)
        {
            note(SigResult::WrongSigner)
        } else if u32::from(input.num_labels) > u32::from(owner.num_labels()) {
            note(SigResult::BadSignature)
        } else if !input.algorithm.is_supported() {
            note(SigResult::UnsupportedAlgorithm)
        } else {
            match window(sig, now) {
                std::cmp::Ordering::Less => note(SigResult::NotYetValid),
                std::cmp::Ordering::Greater => note(SigResult::Expired),
                std::cmp::Ordering::Equal => {
                    let candidates: Vec<&DNSKEY> = keys
                        .iter()
                        .filter(|k| usable(k))
                        .filter(|k| k.algorithm() == input.algorithm)
                        .filter(|k| tag(k) == input.key_tag)
                        .take(budget.limits.keys_per_tag)
                        .collect();
                    if candidates.is_empty() {
                        note(SigResult::NoKey)
                    } else {
                        let mut outcome = SigResult::BadSignature;
                        for key in candidates {
                            if tried_on_rrset >= budget.limits.per_rrset || !budget.take() {
                                note(SigResult::NotChecked);
                                return Err(budget.too_much(tried_on_rrset));
                            }
                            tried_on_rrset += 1;
                            if verifies(key, owner, sig, records) {
                                outcome = SigResult::Valid;
                                break;
                            }
                        }
                        note(outcome)
                    }
                }
            }
        };
        if result == SigResult::Valid {
            return Ok(());
        }
        results.push((result, sig));
    }
    Err(explain(id, &results))
}

/// Why none of the RRSIGs verified, from what happened to each: expiry and the validity
/// window first (the usual cause, and what resolvers' EDE say), then bad signatures, then
/// keys that are not there, then signers that are not the zone.
fn explain(rrset: RrsetId, results: &[(SigResult, &RRSIG)]) -> BogusWhy {
    let any = |r: SigResult| results.iter().any(|(x, _)| *x == r);
    if any(SigResult::Expired) {
        let expired_at = results
            .iter()
            .filter(|(x, _)| *x == SigResult::Expired)
            .map(|(_, s)| s.input().sig_expiration.get())
            .max()
            .unwrap_or(0);
        return BogusWhy::SignatureExpired { rrset, expired_at };
    }
    if any(SigResult::NotYetValid) {
        let valid_from = results
            .iter()
            .filter(|(x, _)| *x == SigResult::NotYetValid)
            .map(|(_, s)| s.input().sig_inception.get())
            .min()
            .unwrap_or(0);
        return BogusWhy::SignatureNotYetValid { rrset, valid_from };
    }
    let tags = |r: SigResult| -> Vec<u16> {
        let mut t: Vec<u16> = results
            .iter()
            .filter(|(x, _)| *x == r)
            .map(|(_, s)| s.input().key_tag)
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    if any(SigResult::BadSignature) {
        return BogusWhy::BadSignature {
            key_tags: tags(SigResult::BadSignature),
            rrset,
        };
    }
    if any(SigResult::NoKey) || any(SigResult::UnsupportedAlgorithm) {
        let mut key_tags = tags(SigResult::NoKey);
        key_tags.extend(tags(SigResult::UnsupportedAlgorithm));
        return BogusWhy::NoMatchingKey { rrset, key_tags };
    }
    let signer = results
        .first()
        .map(|(_, s)| s.input().signer_name.clone())
        .unwrap_or_else(Name::root);
    BogusWhy::SignerNotApex { rrset, signer }
}

/// The public key bytes of a DNSKEY (for comparing with a trust anchor).
pub(super) fn key_bytes(key: &DNSKEY) -> &[u8] {
    key.public_key().public_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::dnssec::crypto::Ed25519SigningKey;
    use hickory_proto::dnssec::rdata::SigInput;
    use hickory_proto::dnssec::{Algorithm, SigningKey, TBS};
    use hickory_proto::rr::rdata::A;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    fn key() -> (Ed25519SigningKey, DNSKEY) {
        let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).expect("seed");
        let signing = Ed25519SigningKey::from_ed25519(pair);
        let dnskey = DNSKEY::new(true, false, false, signing.to_public_key().expect("public"));
        (signing, dnskey)
    }

    fn signed(inception: u32, expiration: u32) -> (Vec<Record>, RRSIG, DNSKEY) {
        let (signing, dnskey) = key();
        let owner = n("www.shop.test.");
        let records = vec![Record::from_rdata(
            owner.clone(),
            300,
            RData::A(A::new(192, 0, 2, 80)),
        )];
        let input = SigInput {
            type_covered: RecordType::A,
            algorithm: Algorithm::ED25519,
            num_labels: 3,
            original_ttl: 300,
            sig_expiration: SerialNumber::new(expiration),
            sig_inception: SerialNumber::new(inception),
            key_tag: tag(&dnskey),
            signer_name: n("shop.test."),
        };
        let tbs = TBS::from_input(&owner, DNSClass::IN, &input, records.iter()).expect("tbs");
        let sig = RRSIG::from_sig(input, signing.sign(&tbs).expect("sign"));
        (records, sig, dnskey)
    }

    fn run(records: &[Record], sig: &RRSIG, keys: &[DNSKEY], now: u32) -> Result<(), BogusWhy> {
        let mut budget = Budget::new(Limits::default());
        let mut seen = Vec::new();
        check(
            &n("www.shop.test."),
            RecordType::A,
            records,
            &[sig],
            &n("shop.test."),
            keys,
            now,
            &mut budget,
            &mut seen,
        )
    }

    #[test]
    fn a_good_signature_verifies_and_its_window_is_checked() {
        let (records, sig, key) = signed(1000, 2000);
        assert_eq!(
            run(&records, &sig, std::slice::from_ref(&key), 1500),
            Ok(())
        );
        assert!(matches!(
            run(&records, &sig, std::slice::from_ref(&key), 2500),
            Err(BogusWhy::SignatureExpired {
                expired_at: 2000,
                ..
            })
        ));
        assert!(matches!(
            run(&records, &sig, std::slice::from_ref(&key), 500),
            Err(BogusWhy::SignatureNotYetValid {
                valid_from: 1000,
                ..
            })
        ));
        // The TTL the record arrives with does not matter (the RRSIG's original TTL does).
        let mut aged = records.clone();
        aged[0].ttl = 17;
        assert_eq!(run(&aged, &sig, std::slice::from_ref(&key), 1500), Ok(()));
    }

    #[test]
    fn tampered_data_a_missing_key_and_no_rrsig_are_bogus() {
        let (mut records, sig, key) = signed(1000, 2000);
        records[0].data = RData::A(A::new(192, 0, 2, 81));
        assert!(matches!(
            run(&records, &sig, std::slice::from_ref(&key), 1500),
            Err(BogusWhy::BadSignature { .. })
        ));
        assert!(matches!(
            run(&records, &sig, &[], 1500),
            Err(BogusWhy::NoMatchingKey { .. })
        ));
        let mut budget = Budget::new(Limits::default());
        let mut seen = Vec::new();
        let none = check(
            &n("www.shop.test."),
            RecordType::A,
            &records,
            &[],
            &n("shop.test."),
            &[key],
            1500,
            &mut budget,
            &mut seen,
        );
        assert!(matches!(none, Err(BogusWhy::RrsigMissing { .. })));
    }

    #[test]
    fn the_budget_stops_a_flood_of_signatures() {
        // KeyTrap: 40 RRSIGs naming the same key tag, every one bad.
        let (records, sig, key) = signed(1000, 2000);
        let mut bad = sig.clone();
        let mut bytes = bad.sig().to_vec();
        bytes[0] ^= 0xff;
        bad = RRSIG::from_sig(bad.input().clone(), bytes);
        let flood: Vec<&RRSIG> = std::iter::repeat_n(&bad, 40).collect();
        let mut budget = Budget::new(Limits::default());
        let mut seen = Vec::new();
        let out = check(
            &n("www.shop.test."),
            RecordType::A,
            &records,
            &flood,
            &n("shop.test."),
            &[key],
            1500,
            &mut budget,
            &mut seen,
        );
        assert!(matches!(out, Err(BogusWhy::TooMuchWork { .. })), "{out:?}");
        assert_eq!(budget.work.checks, Limits::default().per_rrset);
    }
}
