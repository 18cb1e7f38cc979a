//! What the zones answered, checked with their keys once the chain has told which zones are
//! secure: each answering step's RRsets, wildcard expansions and negative proofs; and
//! `query --validate`, the same for one response against its zone's own keys.

// A bogus reason holds names (a few hundred bytes); it is the cold path, taken once.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::time::Instant;

use hickory_proto::dnssec::rdata::DNSKEY;
use hickory_proto::op::Message;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use super::anchor::Anchors;
use super::chain::{Validator, bogus, dnskeys, key_list, mark_trusted};
use super::denial::{self, Nsec3Set, Proven};
use super::sig::{self, Budget};
use super::{
    BogusWhy, DenialProblem, Indeterminate, Insecure, InsecureWhy, Limits, Report, Status,
    ZoneCheck,
};
use crate::trace::{Trace, Verdict};

/// `query --validate`: check one response against the DNSKEY RRset of `zone` as the same
/// server serves it (`keys`: its answer to "DNSKEY?", None when it gave none). The DNSKEY
/// RRset must be signed by one of its own keys; the chain above the zone is not checked
/// (`trace` does that), so Secure here means "the signatures verify with the zone's keys".
pub fn validate_response(
    response: &Message,
    qname: &Name,
    qtype: RecordType,
    zone: &Name,
    keys: Option<&Message>,
    now: u32,
    limits: Limits,
) -> Report {
    let started = Instant::now();
    let none = Anchors::default();
    let empty = Trace::empty(qname.clone(), qtype);
    let mut v = Validator {
        t: &empty,
        anchors: &none,
        now,
        budget: Budget::new(limits),
        zones: Vec::new(),
        keys: HashMap::new(),
    };
    let mut check = ZoneCheck {
        zone: zone.clone(),
        status: Status::Secure,
        anchored: false,
        ds: Vec::new(),
        keys: Vec::new(),
        sigs: Vec::new(),
        no_ds: None,
    };
    let signed = response
        .answers
        .iter()
        .chain(&response.authorities)
        .any(|r| r.record_type() == RecordType::RRSIG);
    let key_records = keys.map(|m| m.answers.clone()).unwrap_or_default();
    let set = sig::rrset(&key_records, zone, RecordType::DNSKEY);
    check.status = if keys.is_none() {
        Status::Indeterminate(Indeterminate::Unreachable {
            zone: zone.clone(),
            rtype: RecordType::DNSKEY,
        })
    } else if set.is_empty() && !signed {
        Status::Insecure(Insecure {
            zone: zone.clone(),
            why: InsecureWhy::Unsigned,
        })
    } else if set.is_empty() {
        bogus(zone, BogusWhy::DnskeyMissing)
    } else {
        let all = dnskeys(&set);
        check.keys = key_list(&set);
        // The keys that sign the DNSKEY RRset are taken as given (no DS is checked here).
        let sep: Vec<DNSKEY> = all.iter().filter(|k| k.flags() & 1 == 1).cloned().collect();
        let trusted = if sep.is_empty() { all.clone() } else { sep };
        mark_trusted(&mut check, &trusted);
        v.self_signed(zone, &key_records, &set, &trusted, &all, &mut check)
    };
    let keys_ok = check.status == Status::Secure;
    v.zones.push(check);
    let status = if keys_ok {
        let nxdomain = response.metadata.response_code == hickory_proto::op::ResponseCode::NXDomain;
        let has_data = response
            .answers
            .iter()
            .any(|r| r.record_type() == qtype || r.record_type() == RecordType::CNAME);
        let negative = if nxdomain {
            Some(true)
        } else if has_data {
            None
        } else {
            Some(false)
        };
        v.message(zone, qname, qtype, response, negative)
    } else {
        v.zones[0].status.clone()
    };
    let mut work = v.budget.work;
    work.cpu = started.elapsed();
    Report {
        status,
        zones: v.zones,
        work,
        now,
        anchors: "the zone's own DNSKEY RRset (the chain above it is not checked)".to_string(),
    }
}

impl Validator<'_> {
    /// The status of what the zones answered: each answering step's RRsets (and negative
    /// proofs) checked with its zone's keys; the worst of them.
    pub(super) fn answer(&mut self) -> Status {
        let mut status = Status::Secure;
        let mut any = false;
        let steps: Vec<(usize, Name)> = self
            .t
            .main_steps()
            .filter(|(_, s)| {
                matches!(
                    s.verdict(),
                    Some(
                        Verdict::Answer { .. }
                            | Verdict::Cname { .. }
                            | Verdict::NxDomain(_)
                            | Verdict::NoData(_)
                    )
                )
            })
            .map(|(i, s)| (i, s.zone.clone()))
            .collect();
        for (index, zone) in steps {
            any = true;
            let zone_status = self
                .status_of(&zone)
                .cloned()
                .unwrap_or(Status::Indeterminate(Indeterminate::NoAnchor));
            let here = if zone_status == Status::Secure {
                self.data(index, &zone)
            } else {
                zone_status
            };
            status = status.worst(here);
        }
        if any {
            status
        } else {
            Status::Indeterminate(Indeterminate::NoAnchor)
        }
    }

    /// Check one answering step's response with its (secure) zone's keys.
    fn data(&mut self, index: usize, zone: &Name) -> Status {
        let Some(step) = self.t.steps.get(index) else {
            return Status::Secure;
        };
        let Some(x) = step.chosen_attempt().and_then(|a| a.exchange()) else {
            return Status::Secure;
        };
        let negative = match step.verdict() {
            Some(Verdict::NxDomain(_)) => Some(true),
            Some(Verdict::NoData(_)) => Some(false),
            _ => None,
        };
        self.message(zone, &step.qname, step.qtype, &x.response, negative)
    }

    /// Check a response of a (secure) zone with its keys: every RRset of the answer section
    /// in the zone, and, for a negative answer (`Some(nxdomain)`), the NSEC/NSEC3 proof.
    fn message(
        &mut self,
        zone: &Name,
        qname: &Name,
        qtype: RecordType,
        m: &Message,
        negative: Option<bool>,
    ) -> Status {
        let keys = self.keys.get(zone).cloned().unwrap_or_default();
        let mut seen = Vec::new();
        let mut result = Ok(());
        // Every RRset of the answer section that belongs to this zone.
        let mut rrsets: Vec<(Name, RecordType)> = m
            .answers
            .iter()
            .filter(|r| r.record_type() != RecordType::RRSIG && zone.zone_of(&r.name))
            .map(|r| (r.name.to_lowercase(), r.record_type()))
            .collect();
        rrsets.dedup();
        for (owner, rtype) in &rrsets {
            let set = sig::rrset(&m.answers, owner, *rtype);
            let sigs = sig::rrsigs(&m.answers, owner, *rtype);
            result = sig::check(
                owner,
                *rtype,
                &set,
                &sigs,
                zone,
                &keys,
                self.now,
                &mut self.budget,
                &mut seen,
            );
            if result.is_err() {
                break;
            }
            // A wildcard expansion (fewer labels signed than the owner has): the authority
            // section must prove that the name itself does not exist (RFC 4035 §5.3.4).
            let expanded = sigs
                .iter()
                .any(|s| u32::from(s.input().num_labels) < u32::from(owner.num_labels()));
            if expanded {
                result = self.wildcard_proof(owner, zone, &m.authorities, &keys);
                if result.is_err() {
                    break;
                }
            }
        }
        if let Some(c) = self.check_mut(zone) {
            c.sigs.extend(seen);
        }
        if let Err(why) = result {
            return bogus(zone, why);
        }
        match negative {
            Some(nxdomain) => self.negative(zone, qname, qtype, m, &keys, nxdomain),
            None => Status::Secure,
        }
    }

    /// The proof that a wildcard answered `owner` because the name itself does not exist.
    fn wildcard_proof(
        &mut self,
        owner: &Name,
        zone: &Name,
        authority: &[Record],
        keys: &[DNSKEY],
    ) -> Result<(), BogusWhy> {
        self.denial_signed(zone, authority, keys)?;
        let limit = self.budget.limits.nsec3_iterations;
        let covered = match Nsec3Set::new(authority, zone, limit) {
            Ok(Some(set)) => !matches!(
                set.nxdomain(owner, zone, &mut self.budget.work),
                Proven::No(DenialProblem::NoClosestEncloser)
            ),
            Ok(None) => !matches!(
                denial::nsec_nxdomain(authority, owner, zone),
                Proven::No(DenialProblem::NameNotCovered)
            ),
            Err(_) => true,
        };
        if covered {
            Ok(())
        } else {
            Err(BogusWhy::DenialInvalid {
                nxdomain: true,
                problem: DenialProblem::NameNotCovered,
            })
        }
    }

    /// NXDOMAIN or NODATA from a secure zone: signed NSEC/NSEC3 records must prove it.
    fn negative(
        &mut self,
        zone: &Name,
        qname: &Name,
        qtype: RecordType,
        m: &Message,
        keys: &[DNSKEY],
        nxdomain: bool,
    ) -> Status {
        // A negative answer after an in-zone CNAME is about the CNAME's target.
        let target = m
            .answers
            .iter()
            .filter_map(|r| match &r.data {
                RData::CNAME(c) => Some(c.0.to_lowercase()),
                _ => None,
            })
            .next_back()
            .unwrap_or_else(|| qname.to_lowercase());
        let authority = &m.authorities;
        if denial::nsecs(authority).is_empty() && denial::nsec3s(authority).is_empty() {
            return bogus(zone, BogusWhy::DenialMissing { nxdomain });
        }
        if let Err(why) = self.denial_signed(zone, authority, keys) {
            return bogus(zone, why);
        }
        let proven = match Nsec3Set::new(authority, zone, self.budget.limits.nsec3_iterations) {
            Err(why) => Proven::Insecure(why),
            Ok(Some(set)) if nxdomain => set.nxdomain(&target, zone, &mut self.budget.work),
            Ok(Some(set)) => set.nodata(&target, qtype, zone, &mut self.budget.work),
            Ok(None) if nxdomain => denial::nsec_nxdomain(authority, &target, zone),
            Ok(None) => denial::nsec_nodata(authority, &target, qtype),
        };
        match proven {
            Proven::Yes => Status::Secure,
            Proven::Insecure(why) => Status::Insecure(Insecure {
                zone: zone.clone(),
                why,
            }),
            Proven::No(problem) => bogus(zone, BogusWhy::DenialInvalid { nxdomain, problem }),
        }
    }
}
