//! What a signed lab zone adds to an answer when the client set DO: the DS of a delegation
//! (or the NSEC/NSEC3 proving it has none) in a referral, and the NSEC/NSEC3 proving a
//! negative answer (RFC 4035 §3.1.3, RFC 5155 §7.2). hickory-server's own proofs are
//! approximate (and its NSEC3 mode adds records to positive answers), so the lab builds them.

use std::collections::BTreeMap;
use std::sync::Arc;

use data_encoding::BASE32_DNSSEC;
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::rr::{LowerName, Name, RData, Record, RecordSet, RecordType, RrKey};

use crate::dnssec::{nsec_covers, nsec3_hash};

type Records = BTreeMap<RrKey, Arc<RecordSet>>;

/// Whether the zone is signed (it has a DNSKEY RRset at its apex).
pub(super) fn signed(origin: &LowerName, records: &Records) -> bool {
    records.contains_key(&RrKey::new(origin.clone(), RecordType::DNSKEY))
}

/// A negative answer of a signed zone: NXDOMAIN (true) or NODATA, and its authority section.
pub(super) struct Negative {
    pub(super) nxdomain: bool,
    pub(super) authority: Vec<Record>,
}

/// The negative answer to `qname`/`qtype` in the signed zone `origin`, or None when the data
/// exists (or a CNAME does): the catalog answers that.
pub(super) fn negative(
    origin: &LowerName,
    records: &Records,
    qname: &LowerName,
    qtype: RecordType,
) -> Option<Negative> {
    let here = |t: RecordType| records.contains_key(&RrKey::new(qname.clone(), t));
    if here(qtype) || here(RecordType::CNAME) || qtype == RecordType::ANY {
        return None;
    }
    let exists = records
        .keys()
        .any(|k| k.name == *qname || qname.zone_of(&k.name));
    let origin_name = Name::from(origin.clone());
    let qname_name = Name::from(qname.clone());
    let mut authority = with_sigs(records, origin, RecordType::SOA);
    let nsec3 = params(records, origin);
    if exists {
        match &nsec3 {
            Some((salt, iterations)) => authority.extend(nsec3_matching(
                records,
                &origin_name,
                &qname_name,
                salt,
                *iterations,
            )),
            None => match records.get(&RrKey::new(qname.clone(), RecordType::NSEC)) {
                Some(set) => authority.extend(set.records_with_rrsigs().cloned()),
                // An empty non-terminal: the NSEC whose span holds it.
                None => authority.extend(nsec_covering(records, &qname_name)),
            },
        }
        return Some(Negative {
            nxdomain: false,
            authority,
        });
    }
    let encloser = closest_encloser(records, &origin_name, &qname_name);
    let wildcard = encloser.prepend_label("*").ok()?;
    match &nsec3 {
        Some((salt, iterations)) => {
            let next_closer = qname_name.trim_to(encloser.num_labels() as usize + 1);
            authority.extend(nsec3_matching(
                records,
                &origin_name,
                &encloser,
                salt,
                *iterations,
            ));
            authority.extend(nsec3_covering(
                records,
                &origin_name,
                &next_closer,
                salt,
                *iterations,
            ));
            authority.extend(nsec3_covering(
                records,
                &origin_name,
                &wildcard,
                salt,
                *iterations,
            ));
        }
        None => {
            authority.extend(nsec_covering(records, &qname_name));
            authority.extend(nsec_covering(records, &wildcard));
        }
    }
    dedup(&mut authority);
    Some(Negative {
        nxdomain: true,
        authority,
    })
}

/// For a referral to `cut` from a signed zone: the DS RRset with its RRSIG, or the
/// NSEC/NSEC3 proving there is none.
pub(super) fn delegation(origin: &LowerName, records: &Records, cut: &LowerName) -> Vec<Record> {
    let ds = with_sigs(records, cut, RecordType::DS);
    if !ds.is_empty() {
        return ds;
    }
    match params(records, origin) {
        Some((salt, iterations)) => nsec3_matching(
            records,
            &Name::from(origin.clone()),
            &Name::from(cut.clone()),
            &salt,
            iterations,
        ),
        None => with_sigs(records, cut, RecordType::NSEC),
    }
}

fn with_sigs(records: &Records, name: &LowerName, rtype: RecordType) -> Vec<Record> {
    records
        .get(&RrKey::new(name.clone(), rtype))
        .map(|set| set.records_with_rrsigs().cloned().collect())
        .unwrap_or_default()
}

/// The zone's NSEC3 parameters (salt, iterations), if it uses NSEC3.
fn params(records: &Records, origin: &LowerName) -> Option<(Vec<u8>, u16)> {
    records
        .get(&RrKey::new(origin.clone(), RecordType::NSEC3PARAM))?
        .records_without_rrsigs()
        .find_map(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC3PARAM(p)) => Some((p.salt().to_vec(), p.iterations())),
            _ => None,
        })
}

/// The longest ancestor of `qname` that exists in the zone (as data or an empty
/// non-terminal).
fn closest_encloser(records: &Records, origin: &Name, qname: &Name) -> Name {
    let mut cur = qname.base_name();
    while cur.num_labels() > origin.num_labels() {
        let lower = LowerName::from(&cur);
        if records
            .keys()
            .any(|k| k.name == lower || lower.zone_of(&k.name))
        {
            return cur;
        }
        cur = cur.base_name();
    }
    origin.clone()
}

fn nsec_covering(records: &Records, name: &Name) -> Vec<Record> {
    for set in records
        .values()
        .filter(|s| s.record_type() == RecordType::NSEC)
    {
        let covers = set.records_without_rrsigs().any(|r| match &r.data {
            RData::DNSSEC(DNSSECRData::NSEC(n)) => {
                nsec_covers(&r.name.to_lowercase(), n.next_domain_name(), name)
            }
            _ => false,
        });
        if covers {
            return set.records_with_rrsigs().cloned().collect();
        }
    }
    Vec::new()
}

/// The NSEC3 RRsets of the zone with their owner hashes.
fn nsec3_sets<'a>(records: &'a Records, origin: &Name) -> Vec<(Vec<u8>, Vec<u8>, &'a RecordSet)> {
    records
        .values()
        .filter(|s| s.record_type() == RecordType::NSEC3)
        .filter_map(|s| {
            let owner = s.name().to_lowercase();
            if owner.base_name() != *origin {
                return None;
            }
            let hash = BASE32_DNSSEC.decode(owner.iter().next()?).ok()?;
            let next = s.records_without_rrsigs().find_map(|r| match &r.data {
                RData::DNSSEC(DNSSECRData::NSEC3(n)) => Some(n.next_hashed_owner_name().to_vec()),
                _ => None,
            })?;
            Some((hash, next, s.as_ref()))
        })
        .collect()
}

fn hash(name: &Name, salt: &[u8], iterations: u16) -> Option<Vec<u8>> {
    BASE32_DNSSEC
        .decode(nsec3_hash(name, salt, iterations)?.as_bytes())
        .ok()
}

fn nsec3_matching(
    records: &Records,
    origin: &Name,
    name: &Name,
    salt: &[u8],
    iterations: u16,
) -> Vec<Record> {
    let Some(h) = hash(name, salt, iterations) else {
        return Vec::new();
    };
    nsec3_sets(records, origin)
        .into_iter()
        .find(|(o, _, _)| *o == h)
        .map(|(_, _, s)| s.records_with_rrsigs().cloned().collect())
        .unwrap_or_default()
}

fn nsec3_covering(
    records: &Records,
    origin: &Name,
    name: &Name,
    salt: &[u8],
    iterations: u16,
) -> Vec<Record> {
    let Some(h) = hash(name, salt, iterations) else {
        return Vec::new();
    };
    nsec3_sets(records, origin)
        .into_iter()
        .find(|(o, next, _)| {
            if o < next {
                *o < h && h < *next
            } else {
                *o < h || h < *next
            }
        })
        .map(|(_, _, s)| s.records_with_rrsigs().cloned().collect())
        .unwrap_or_default()
}

fn dedup(records: &mut Vec<Record>) {
    let mut out: Vec<Record> = Vec::new();
    for r in records.drain(..) {
        if !out.contains(&r) {
            out.push(r);
        }
    }
    *records = out;
}
