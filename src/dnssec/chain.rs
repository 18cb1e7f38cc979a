//! The chain of trust over a finished trace: each zone of its main paths, from the top, gets a
//! status from its parent's (the DS the parent handed down, or its proof that there is none)
//! and its own DNSKEY RRset; then what each zone answered is checked with that zone's keys.

// A bogus reason holds names (a few hundred bytes); it is the cold path, taken once.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::time::Instant;

use hickory_proto::dnssec::Verifier;
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::anchor::{Anchor, Anchors};
use super::denial::{self, Nsec3Set, Proven};
use super::sig::{self, Budget};
use super::{
    Bogus, BogusWhy, DsSeen, Indeterminate, Insecure, InsecureWhy, KeySeen, Limits, Report, Status,
    ZoneCheck,
};
use crate::trace::{KeyFetch, Trace, Verdict};

/// Validate a trace's answer against `anchors`, at time `now` (Unix seconds), within
/// `limits`. Pure: it reads what the trace gathered and sends nothing.
pub fn validate(t: &Trace, anchors: &Anchors, now: u32, limits: Limits) -> Report {
    let started = Instant::now();
    let mut v = Validator {
        t,
        anchors,
        now,
        budget: Budget::new(limits),
        zones: Vec::new(),
        keys: HashMap::new(),
    };
    for path in t.cut_paths() {
        for (i, zone) in path.zones.iter().enumerate() {
            if v.zones.iter().any(|z| z.zone == *zone) {
                continue;
            }
            let parent = i.checked_sub(1).and_then(|p| path.zones.get(p));
            v.zone(zone, parent);
        }
    }
    let status = v.answer();
    let mut work = v.budget.work;
    work.cpu = started.elapsed();
    Report {
        status,
        zones: v.zones,
        work,
        now,
        anchors: anchors.source.clone(),
    }
}

pub(super) struct Validator<'a> {
    pub(super) t: &'a Trace,
    pub(super) anchors: &'a Anchors,
    pub(super) now: u32,
    pub(super) budget: Budget,
    pub(super) zones: Vec<ZoneCheck>,
    /// The validated zone keys of every secure zone.
    pub(super) keys: HashMap<Name, Vec<DNSKEY>>,
}

/// What the zone's servers said to "DNSKEY?".
enum Keys {
    /// The RRset and its RRSIGs (the whole answer section).
    Got(Vec<Record>),
    /// A usable answer without any DNSKEY.
    None,
    /// No server gave a usable answer.
    Unreachable,
}

impl Validator<'_> {
    pub(super) fn status_of(&self, zone: &Name) -> Option<&Status> {
        self.zones
            .iter()
            .find(|z| z.zone == *zone)
            .map(|z| &z.status)
    }

    pub(super) fn check_mut(&mut self, zone: &Name) -> Option<&mut ZoneCheck> {
        self.zones.iter_mut().find(|z| z.zone == *zone)
    }

    /// Work out one zone's status, its parent's being known.
    fn zone(&mut self, zone: &Name, parent: Option<&Name>) {
        let mut check = ZoneCheck {
            zone: zone.clone(),
            status: Status::Indeterminate(Indeterminate::NoAnchor),
            anchored: false,
            ds: Vec::new(),
            keys: Vec::new(),
            sigs: Vec::new(),
            no_ds: None,
        };
        let keys = self.fetched_keys(zone);
        if let Keys::Got(records) = &keys {
            check.keys = key_list(&sig::rrset(records, zone, RecordType::DNSKEY));
        }
        let anchored = self.anchors.for_zone(zone).next().is_some();
        let inherited = parent.and_then(|p| self.status_of(p)).cloned();
        check.status = if anchored {
            check.anchored = true;
            self.by_anchor(zone, &keys, &mut check)
        } else {
            match (inherited, parent) {
                (Some(Status::Secure), Some(p)) => self.by_parent(zone, p, &keys, &mut check),
                (Some(other), _) => other,
                (None, _) => Status::Indeterminate(Indeterminate::NoAnchor),
            }
        };
        self.zones.push(check);
    }

    /// The zone's DNSKEY RRset as its servers gave it (the first usable answer).
    fn fetched_keys(&self, zone: &Name) -> Keys {
        let mut any_reply = false;
        for f in fetches(self.t, zone, RecordType::DNSKEY) {
            let Ok(x) = &f.result else { continue };
            let m = &x.response;
            if m.metadata.response_code != hickory_proto::op::ResponseCode::NoError {
                continue;
            }
            any_reply = true;
            if m.answers
                .iter()
                .any(|r| r.record_type() == RecordType::DNSKEY)
            {
                return Keys::Got(m.answers.clone());
            }
        }
        if any_reply {
            Keys::None
        } else {
            Keys::Unreachable
        }
    }

    /// A zone with a trust anchor: its DNSKEY RRset must hold the anchored key and be signed
    /// by it.
    fn by_anchor(&mut self, zone: &Name, keys: &Keys, check: &mut ZoneCheck) -> Status {
        let records = match keys {
            Keys::Got(r) => r,
            Keys::None => return bogus(zone, BogusWhy::DnskeyMissing),
            Keys::Unreachable => {
                return Status::Indeterminate(Indeterminate::Unreachable {
                    zone: zone.clone(),
                    rtype: RecordType::DNSKEY,
                });
            }
        };
        let set = sig::rrset(records, zone, RecordType::DNSKEY);
        let dnskeys = dnskeys(&set);
        let trusted: Vec<DNSKEY> = dnskeys
            .iter()
            .filter(|k| {
                self.anchors.for_zone(zone).any(|a| match a {
                    Anchor::Ds(_, ds) => ds_matches(ds, zone, k),
                    Anchor::Key(_, key) => {
                        sig::key_bytes(key) == sig::key_bytes(k) && key.algorithm() == k.algorithm()
                    }
                })
            })
            .cloned()
            .collect();
        mark_trusted(check, &trusted);
        if trusted.is_empty() {
            let anchor_tags = self
                .anchors
                .for_zone(zone)
                .map(|a| match a {
                    Anchor::Ds(_, ds) => ds.key_tag(),
                    Anchor::Key(_, k) => sig::tag(k),
                })
                .collect();
            return bogus(
                zone,
                BogusWhy::AnchorMismatch {
                    anchor_tags,
                    key_tags: dnskeys.iter().map(sig::tag).collect(),
                },
            );
        }
        self.self_signed(zone, records, &set, &trusted, &dnskeys, check)
    }

    /// A zone under a secure parent: the DS the parent vouches for (or its proof that there
    /// is none), then the zone's own keys.
    fn by_parent(
        &mut self,
        zone: &Name,
        parent: &Name,
        keys: &Keys,
        check: &mut ZoneCheck,
    ) -> Status {
        let parent_keys = self.keys.get(parent).cloned().unwrap_or_default();
        let Some(evidence) = delegation(self.t, parent, zone) else {
            return Status::Indeterminate(Indeterminate::Unreachable {
                zone: parent.clone(),
                rtype: RecordType::DS,
            });
        };
        let ds_records = sig::rrset(&evidence, zone, RecordType::DS);
        if ds_records.is_empty() {
            return self.no_ds(zone, parent, &evidence, &parent_keys, check);
        }
        let sigs = sig::rrsigs(&evidence, zone, RecordType::DS);
        let mut seen = Vec::new();
        let verified = sig::check(
            zone,
            RecordType::DS,
            &ds_records,
            &sigs,
            parent,
            &parent_keys,
            self.now,
            &mut self.budget,
            &mut seen,
        );
        if let Some(p) = self.check_mut(parent) {
            p.sigs.extend(seen);
        }
        if let Err(why) = verified {
            return bogus(parent, why);
        }
        let ds_set: Vec<DS> = ds_records
            .iter()
            .filter_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds.clone()),
                _ => None,
            })
            .collect();
        let usable: Vec<&DS> = ds_set
            .iter()
            .filter(|d| d.digest_type().is_supported() && d.algorithm().is_supported())
            .collect();
        if usable.is_empty() {
            check.ds = ds_set.iter().map(|d| ds_seen(d, false)).collect();
            let algorithms: Vec<u8> = ds_set.iter().map(|d| u8::from(d.algorithm())).collect();
            let why = if ds_set.iter().all(|d| d.algorithm().is_supported()) {
                InsecureWhy::UnsupportedDigest {
                    digests: ds_set.iter().map(|d| u8::from(d.digest_type())).collect(),
                }
            } else {
                InsecureWhy::UnsupportedAlgorithm { algorithms }
            };
            return Status::Insecure(Insecure {
                zone: zone.clone(),
                why,
            });
        }
        let records = match keys {
            Keys::Got(r) => r,
            Keys::None => {
                check.ds = ds_set.iter().map(|d| ds_seen(d, false)).collect();
                return bogus(zone, BogusWhy::DnskeyMissing);
            }
            Keys::Unreachable => {
                check.ds = ds_set.iter().map(|d| ds_seen(d, false)).collect();
                return Status::Indeterminate(Indeterminate::Unreachable {
                    zone: zone.clone(),
                    rtype: RecordType::DNSKEY,
                });
            }
        };
        let set = sig::rrset(records, zone, RecordType::DNSKEY);
        let dnskeys = dnskeys(&set);
        let trusted: Vec<DNSKEY> = dnskeys
            .iter()
            .filter(|k| usable.iter().any(|d| ds_matches(d, zone, k)))
            .cloned()
            .collect();
        check.ds = ds_set
            .iter()
            .map(|d| ds_seen(d, trusted.iter().any(|k| ds_matches(d, zone, k))))
            .collect();
        mark_trusted(check, &trusted);
        if trusted.is_empty() {
            return bogus(
                zone,
                BogusWhy::DsMismatch {
                    ds_tags: ds_set.iter().map(DS::key_tag).collect(),
                    key_tags: dnskeys.iter().map(sig::tag).collect(),
                },
            );
        }
        self.self_signed(zone, records, &set, &trusted, &dnskeys, check)
    }

    /// The DNSKEY RRset must be signed by one of the trusted keys; then every zone key in it
    /// may sign the zone's data.
    pub(super) fn self_signed(
        &mut self,
        zone: &Name,
        records: &[Record],
        set: &[Record],
        trusted: &[DNSKEY],
        all: &[DNSKEY],
        check: &mut ZoneCheck,
    ) -> Status {
        let sigs = sig::rrsigs(records, zone, RecordType::DNSKEY);
        let verified = sig::check(
            zone,
            RecordType::DNSKEY,
            set,
            &sigs,
            zone,
            trusted,
            self.now,
            &mut self.budget,
            &mut check.sigs,
        );
        if let Err(why) = verified {
            return bogus(zone, why);
        }
        let signing: Vec<DNSKEY> = all
            .iter()
            .filter(|k| sig::usable(k) && k.algorithm().is_supported())
            .cloned()
            .collect();
        if signing.is_empty() {
            return Status::Insecure(Insecure {
                zone: zone.clone(),
                why: InsecureWhy::UnsupportedAlgorithm {
                    algorithms: all.iter().map(|k| u8::from(k.algorithm())).collect(),
                },
            });
        }
        self.keys.insert(zone.clone(), signing);
        Status::Secure
    }

    /// No DS in the referral: the parent must prove there is none (NSEC/NSEC3), signed.
    fn no_ds(
        &mut self,
        zone: &Name,
        parent: &Name,
        evidence: &[Record],
        parent_keys: &[DNSKEY],
        check: &mut ZoneCheck,
    ) -> Status {
        if let Err(why) = self.denial_signed(parent, evidence, parent_keys) {
            return bogus(parent, why);
        }
        let proven = match Nsec3Set::new(evidence, parent, self.budget.limits.nsec3_iterations) {
            Err(why) => Proven::Insecure(why),
            Ok(Some(set)) => set.no_ds(zone, parent, &mut self.budget.work),
            Ok(None) => denial::nsec_no_ds(evidence, zone),
        };
        match proven {
            Proven::Insecure(why) => {
                check.no_ds = Some(why.clone());
                Status::Insecure(Insecure {
                    zone: zone.clone(),
                    why,
                })
            }
            Proven::Yes => Status::Insecure(Insecure {
                zone: zone.clone(),
                why: InsecureWhy::NoDs { nsec3: false },
            }),
            Proven::No(_)
                if denial::nsecs(evidence).is_empty() && denial::nsec3s(evidence).is_empty() =>
            {
                bogus(parent, BogusWhy::NoDsProof)
            }
            Proven::No(problem) => bogus(
                parent,
                BogusWhy::DenialInvalid {
                    nxdomain: false,
                    problem,
                },
            ),
        }
    }

    /// Every NSEC and NSEC3 RRset in `records` must verify with the zone's keys.
    pub(super) fn denial_signed(
        &mut self,
        zone: &Name,
        records: &[Record],
        keys: &[DNSKEY],
    ) -> Result<(), BogusWhy> {
        let mut owners: Vec<(Name, RecordType)> = records
            .iter()
            .filter(|r| matches!(r.record_type(), RecordType::NSEC | RecordType::NSEC3))
            .map(|r| (r.name.to_lowercase(), r.record_type()))
            .collect();
        owners.sort();
        owners.dedup();
        let mut seen = Vec::new();
        for (owner, rtype) in owners {
            let set = sig::rrset(records, &owner, rtype);
            let sigs = sig::rrsigs(records, &owner, rtype);
            let out = sig::check(
                &owner,
                rtype,
                &set,
                &sigs,
                zone,
                keys,
                self.now,
                &mut self.budget,
                &mut seen,
            );
            if let Err(why) = out {
                if let Some(c) = self.check_mut(zone) {
                    c.sigs.extend(seen);
                }
                return Err(why);
            }
        }
        if let Some(c) = self.check_mut(zone) {
            c.sigs.extend(seen);
        }
        Ok(())
    }
}

pub(super) fn bogus(zone: &Name, why: BogusWhy) -> Status {
    Status::Bogus(Bogus {
        zone: zone.clone(),
        why,
    })
}

/// The fetches of `rtype` for `zone`.
fn fetches<'a>(
    t: &'a Trace,
    zone: &'a Name,
    rtype: RecordType,
) -> impl Iterator<Item = &'a KeyFetch> + 'a {
    t.fetches
        .iter()
        .filter(move |f| f.zone == *zone && f.rtype == rtype)
}

/// What the parent said about the delegation to `zone`: the authority section of the
/// referral it sent (DS and RRSIG, or NSEC/NSEC3), or, when that held neither, the answer to
/// an explicit DS question.
fn delegation(t: &Trace, parent: &Name, zone: &Name) -> Option<Vec<Record>> {
    let referral = t.main_steps().find_map(|(_, s)| {
        if s.zone != *parent {
            return None;
        }
        match s.verdict() {
            Some(Verdict::Referral(r)) if r.zone == *zone => s
                .chosen_attempt()
                .and_then(|a| a.exchange())
                .map(|x| x.response.authorities.clone()),
            _ => None,
        }
    });
    let has_evidence = |records: &[Record]| {
        records.iter().any(|r| {
            matches!(
                r.record_type(),
                RecordType::DS | RecordType::NSEC | RecordType::NSEC3
            )
        })
    };
    if let Some(r) = &referral
        && has_evidence(r)
    {
        return referral;
    }
    for f in fetches(t, zone, RecordType::DS) {
        let Ok(x) = &f.result else { continue };
        let m = &x.response;
        let mut all = m.answers.clone();
        all.extend(m.authorities.iter().cloned());
        if has_evidence(&all) {
            return Some(all);
        }
    }
    // A referral with neither: the caller says so (no proof of no DS).
    referral
}

pub(super) fn dnskeys(set: &[Record]) -> Vec<DNSKEY> {
    set.iter()
        .filter_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .collect()
}

pub(super) fn key_list(set: &[Record]) -> Vec<KeySeen> {
    dnskeys(set)
        .iter()
        .map(|k| KeySeen {
            key_tag: sig::tag(k),
            flags: k.flags(),
            algorithm: u8::from(k.algorithm()),
            supported: k.algorithm().is_supported(),
            trusted: false,
        })
        .collect()
}

pub(super) fn mark_trusted(check: &mut ZoneCheck, trusted: &[DNSKEY]) {
    for k in &mut check.keys {
        k.trusted = trusted
            .iter()
            .any(|t| sig::tag(t) == k.key_tag && u8::from(t.algorithm()) == k.algorithm);
    }
}

/// Whether a DS names this key: same tag and algorithm, and the digest matches.
fn ds_matches(ds: &DS, zone: &Name, key: &DNSKEY) -> bool {
    ds.key_tag() == sig::tag(key)
        && ds.algorithm() == key.algorithm()
        && ds.digest_type().is_supported()
        && ds.covers(zone, key).unwrap_or(false)
}

fn ds_seen(ds: &DS, matched: bool) -> DsSeen {
    DsSeen {
        key_tag: ds.key_tag(),
        algorithm: u8::from(ds.algorithm()),
        digest_type: u8::from(ds.digest_type()),
        matched,
    }
}
