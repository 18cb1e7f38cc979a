//! Signing lab zones in memory (DNSSEC), and breaking some of them on purpose.
//!
//! Each signed zone has a KSK (flags 257, signs the DNSKEY RRset) and a ZSK (256, signs the
//! rest), Ed25519 (algorithm 15) keys derived from the zone's name, so that key tags, DS
//! records and the lab's trust anchor are the same on every run. Every authoritative RRset is
//! signed (not the delegation NS RRsets, nor glue: RFC 4035 §2.2), the denial chain is NSEC
//! or NSEC3 (RFC 4034 §4, RFC 5155 §7.1), and the parent publishes the DS of the KSK. The
//! faults make a zone fail the way real zones do: expired or not-yet-valid signatures, a DS
//! that matches no key (a botched rollover), a DS for a zone that is not signed, a signature
//! that does not verify, and a KeyTrap-style zone that asks a validator for endless work.

use std::collections::BTreeMap;

use hickory_proto::dnssec::crypto::Ed25519SigningKey;
use hickory_proto::dnssec::rdata::{
    DNSKEY, DNSSECRData, DS, NSEC, NSEC3, NSEC3PARAM, RRSIG, SigInput,
};
use hickory_proto::dnssec::{
    Algorithm, DigestType, Nsec3HashAlgorithm, PublicKeyBuf, SigningKey, TBS,
};
use hickory_proto::rr::{
    DNSClass, Name, RData, Record, RecordSet, RecordType, RrKey, SerialNumber,
};
use serde::Deserialize;

use crate::dnssec::{Anchors, nsec3_hash};

/// How a lab zone is signed: a `[[signed]]` table of `lab.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignSpec {
    /// The zone (its origin).
    pub zone: String,
    /// `nsec` (the default) or `nsec3`.
    #[serde(default)]
    pub denial: DenialKind,
    /// NSEC3 iterations (RFC 9276 recommends 0).
    #[serde(default)]
    pub iterations: u16,
    /// NSEC3 salt, in hex (RFC 9276 recommends none).
    #[serde(default)]
    pub salt: String,
    /// How the zone is broken, if it is.
    #[serde(default)]
    pub fault: Option<SignFault>,
}

/// NSEC or NSEC3.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DenialKind {
    /// Plain NSEC (RFC 4034 §4).
    #[default]
    Nsec,
    /// Hashed NSEC3 (RFC 5155).
    Nsec3,
}

/// How a signed lab zone is broken.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignFault {
    /// Every RRSIG expired two days ago.
    Expired,
    /// Every RRSIG starts in two days.
    NotYetValid,
    /// The parent's DS is for an old key the zone no longer has (a botched rollover).
    DsMismatch,
    /// The parent has a DS, but the zone is served unsigned.
    Unsigned,
    /// The data's signatures do not verify (the DNSKEY RRset's do).
    BadSignature,
    /// Keys, DS and signatures carry algorithm 253 (PRIVATEDNS), which no validator
    /// implements: the zone is treated as unsigned (insecure), not bogus (RFC 4035 §5.2).
    UnsupportedAlgorithm,
    /// Thirty keys share one key tag and every RRset has thirty RRSIGs naming it, none valid:
    /// a validator without limits would try 900 signatures per RRset (CVE-2023-50387).
    Keytrap,
}

impl std::fmt::Display for SignFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignFault::Expired => "signatures expired",
            SignFault::NotYetValid => "signatures not yet valid",
            SignFault::DsMismatch => "DS matches no key: a botched rollover",
            SignFault::Unsigned => "DS in the parent, zone unsigned",
            SignFault::BadSignature => "signatures do not verify",
            SignFault::Keytrap => "KeyTrap: colliding keys, floods of RRSIGs",
            SignFault::UnsupportedAlgorithm => "an algorithm no validator implements",
        })
    }
}

/// The `[[signed]]` tables, with their zones as names.
pub(super) fn zones(
    specs: &[SignSpec],
    file: &str,
) -> Result<Vec<(Name, SignSpec)>, super::LabError> {
    specs
        .iter()
        .map(|spec| {
            Name::from_ascii(&spec.zone)
                .map(|mut n| {
                    n.set_fqdn(true);
                    (n.to_lowercase(), spec.clone())
                })
                .map_err(|e| super::LabError::Manifest {
                    file: file.to_string(),
                    reason: format!("signed zone {:?}: {e}", spec.zone),
                    line: None,
                })
        })
        .collect()
}

/// A key of a lab zone.
struct Key {
    signing: Ed25519SigningKey,
    dnskey: DNSKEY,
    tag: u16,
}

/// The deterministic key of `zone` for `role` ("ksk", "zsk", "old-ksk").
fn key(zone: &Name, role: &str, flags: u16, algorithm: Algorithm) -> Option<Key> {
    let seed = ring::digest::digest(
        &ring::digest::SHA256,
        format!("dnscope lab {} {role}", zone.to_lowercase()).as_bytes(),
    );
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_ref()).ok()?;
    let signing = Ed25519SigningKey::from_ed25519(pair);
    let public = signing.to_public_key().ok()?;
    let dnskey = DNSKEY::with_flags(
        flags,
        PublicKeyBuf::new(
            hickory_proto::dnssec::PublicKey::public_bytes(&public).to_vec(),
            algorithm,
        ),
    );
    let tag = dnskey.calculate_key_tag().ok()?;
    Some(Key {
        signing,
        dnskey,
        tag,
    })
}

/// The algorithm a zone's keys and signatures carry: Ed25519 (15), or for the
/// unsupported-algorithm fault 253 (PRIVATEDNS), which no validator implements; the bytes
/// are still Ed25519's.
fn algorithm(spec: &SignSpec) -> Algorithm {
    if spec.fault == Some(SignFault::UnsupportedAlgorithm) {
        Algorithm::Unknown(253)
    } else {
        Algorithm::ED25519
    }
}

/// The DS records a parent publishes for a signed child (none for an unsigned one).
pub(super) fn ds_records(spec: &SignSpec, child: &Name, ttl: u32) -> Vec<Record> {
    let role = if spec.fault == Some(SignFault::DsMismatch) {
        "old-ksk"
    } else {
        "ksk"
    };
    let Some(k) = key(child, role, 257, algorithm(spec)) else {
        return Vec::new();
    };
    let Ok(digest) = k.dnskey.to_digest(child, DigestType::SHA256) else {
        return Vec::new();
    };
    let ds = DS::new(
        k.tag,
        algorithm(spec),
        DigestType::SHA256,
        digest.as_ref().to_vec(),
    );
    vec![Record::from_rdata(
        child.clone(),
        ttl,
        RData::DNSSEC(DNSSECRData::DS(ds)),
    )]
}

/// The public key of the root's KSK (what the lab's validating resolvers trust).
pub(super) fn root_key() -> Option<PublicKeyBuf> {
    key(&Name::root(), "ksk", 257, Algorithm::ED25519).map(|k| k.dnskey.public_key().clone())
}

/// The lab's trust anchor: the DS of the root's KSK.
pub(super) fn anchors(root_spec: &SignSpec) -> Anchors {
    let mut a = Anchors::default();
    for r in ds_records(root_spec, &Name::root(), 0) {
        if let RData::DNSSEC(DNSSECRData::DS(ds)) = r.data {
            a.anchors.push(crate::dnssec::Anchor::Ds(Name::root(), ds));
        }
    }
    a.source = "the lab's root KSK".to_string();
    a
}

type Records = BTreeMap<RrKey, RecordSet>;

/// The time signatures are made at (Unix seconds, as RRSIG's 32-bit serial arithmetic).
pub(super) fn now() -> u32 {
    crate::dnssec::unix_now()
}

/// Prepare one server's copy of the zone `origin`: publish the DS of every signed child it
/// delegates to, then sign it if it is signed itself.
pub(super) fn apply(origin: &Name, records: &mut Records, signed: &[(Name, SignSpec)], now: u32) {
    let origin = origin.to_lowercase();
    for (child, spec) in signed {
        if *child == origin || !origin.zone_of(child) {
            continue;
        }
        let at_cut = records.contains_key(&RrKey::new(child.clone().into(), RecordType::NS));
        if !at_cut {
            continue;
        }
        let ttl = records
            .get(&RrKey::new(child.clone().into(), RecordType::NS))
            .map_or(3600, RecordSet::ttl);
        let set = records
            .entry(RrKey::new(child.clone().into(), RecordType::DS))
            .or_insert_with(|| RecordSet::new(child.clone(), RecordType::DS, 0));
        for ds in ds_records(spec, child, ttl) {
            set.insert(ds, 0);
        }
    }
    if let Some((_, spec)) = signed.iter().find(|(z, _)| *z == origin) {
        sign(&origin, records, spec, now);
    }
}

/// Sign `records` (the zone `origin`) per `spec`, at time `now` (Unix seconds). Any earlier
/// signature, DNSKEY or denial record is removed first, so a zone can be signed again after a
/// change.
pub(super) fn sign(origin: &Name, records: &mut Records, spec: &SignSpec, now: u32) {
    unsign(records);
    if spec.fault == Some(SignFault::Unsigned) {
        return;
    }
    let alg = algorithm(spec);
    let (Some(ksk), Some(zsk)) = (key(origin, "ksk", 257, alg), key(origin, "zsk", 256, alg))
    else {
        return;
    };
    let soa_ttl = soa_minimum(origin, records).unwrap_or(3600);
    let mut keys = vec![ksk.dnskey.clone(), zsk.dnskey.clone()];
    let fakes = if spec.fault == Some(SignFault::Keytrap) {
        colliding_keys(zsk.tag, 30)
    } else {
        Vec::new()
    };
    keys.extend(fakes.iter().cloned());
    let dnskey_set = records
        .entry(RrKey::new(origin.clone().into(), RecordType::DNSKEY))
        .or_insert_with(|| RecordSet::new(origin.clone(), RecordType::DNSKEY, 0));
    for k in keys {
        dnskey_set.insert(
            Record::from_rdata(origin.clone(), 3600, RData::DNSSEC(DNSSECRData::DNSKEY(k))),
            0,
        );
    }
    let cuts = cuts(origin, records);
    match spec.denial {
        DenialKind::Nsec => nsec_chain(origin, records, &cuts, soa_ttl),
        DenialKind::Nsec3 => nsec3_chain(origin, records, &cuts, soa_ttl, spec),
    }
    const DAY: u32 = 86400;
    let (inception, expiration) = match spec.fault {
        Some(SignFault::Expired) => (now.wrapping_sub(30 * DAY), now.wrapping_sub(2 * DAY)),
        Some(SignFault::NotYetValid) => (now.wrapping_add(2 * DAY), now.wrapping_add(32 * DAY)),
        _ => (now.wrapping_sub(3600), now.wrapping_add(30 * DAY)),
    };
    let keys_to_sign: Vec<RrKey> = records.keys().cloned().collect();
    for rr_key in keys_to_sign {
        let Some(set) = records.get_mut(&rr_key) else {
            continue;
        };
        let owner = set.name().clone();
        let rtype = set.record_type();
        // Delegation NS RRsets and glue belong to the child: not signed (RFC 4035 §2.2).
        // At the cut itself the parent signs only what is its own: the DS and the NSEC.
        let own_at_cut = matches!(rtype, RecordType::DS | RecordType::NSEC);
        let below_cut = cuts
            .iter()
            .any(|c| c.zone_of(&owner) && (*c != owner || !own_at_cut));
        if below_cut {
            continue;
        }
        let signer = if rtype == RecordType::DNSKEY {
            &ksk
        } else {
            &zsk
        };
        let records_now: Vec<Record> = set.records_without_rrsigs().cloned().collect();
        let input = SigInput {
            type_covered: rtype,
            algorithm: alg,
            num_labels: owner.num_labels(),
            original_ttl: set.ttl(),
            sig_expiration: SerialNumber::new(expiration),
            sig_inception: SerialNumber::new(inception),
            key_tag: signer.tag,
            signer_name: origin.clone(),
        };
        let Ok(tbs) = TBS::from_input(&owner, DNSClass::IN, &input, records_now.iter()) else {
            continue;
        };
        let Ok(mut signature) = signer.signing.sign(&tbs) else {
            continue;
        };
        if spec.fault == Some(SignFault::Keytrap) && rtype != RecordType::DNSKEY {
            // No valid signature: thirty that name the colliding tag, each a different forgery.
            for i in 0..30u8 {
                let mut forged = signature.clone();
                forged[0] ^= i.wrapping_add(1);
                set.insert_rrsig(rrsig(&owner, set.ttl(), input.clone(), forged));
            }
            continue;
        }
        if spec.fault == Some(SignFault::BadSignature) && rtype != RecordType::DNSKEY {
            signature[0] ^= 0xff;
        }
        set.insert_rrsig(rrsig(&owner, set.ttl(), input, signature));
    }
}

fn rrsig(owner: &Name, ttl: u32, input: SigInput, signature: Vec<u8>) -> Record {
    Record::from_rdata(
        owner.clone(),
        ttl,
        RData::DNSSEC(DNSSECRData::RRSIG(RRSIG::from_sig(input, signature))),
    )
}

/// Whether a zone's records are signed (they hold a DNSKEY RRset).
pub(super) fn is_signed(records: &Records) -> bool {
    records.keys().any(|k| k.record_type == RecordType::DNSKEY)
}

/// Sign a served zone again after a change (its NSEC chain and signatures follow the data).
pub(super) async fn resign(zone: &super::Zone, spec: &SignSpec) {
    use hickory_server::zone_handler::ZoneHandler;
    let origin = Name::from(zone.origin().clone());
    let mut guard = zone.records_mut().await;
    let mut records: Records = guard
        .iter()
        .map(|(k, v)| (k.clone(), v.as_ref().clone()))
        .collect();
    sign(&origin, &mut records, spec, now());
    *guard = records
        .into_iter()
        .map(|(k, v)| (k, std::sync::Arc::new(v)))
        .collect();
}

/// Remove what signing added: RRSIGs, DNSKEY, NSEC, NSEC3 and NSEC3PARAM.
fn unsign(records: &mut Records) {
    records.retain(|k, _| {
        !matches!(
            k.record_type,
            RecordType::DNSKEY
                | RecordType::NSEC
                | RecordType::NSEC3
                | RecordType::NSEC3PARAM
                | RecordType::RRSIG
        )
    });
    for set in records.values_mut() {
        set.clear_rrsigs();
    }
}

/// The SOA MINIMUM (the TTL of denial records, RFC 4034 §4).
fn soa_minimum(origin: &Name, records: &Records) -> Option<u32> {
    records
        .get(&RrKey::new(origin.clone().into(), RecordType::SOA))?
        .records_without_rrsigs()
        .find_map(|r| match &r.data {
            RData::SOA(s) => Some(s.minimum.min(r.ttl)),
            _ => None,
        })
}

/// The zone cuts inside the zone: names below the apex with an NS RRset.
fn cuts(origin: &Name, records: &Records) -> Vec<Name> {
    records
        .keys()
        .filter(|k| k.record_type == RecordType::NS)
        .map(|k| Name::from(k.name.clone()))
        .filter(|n| n != origin)
        .collect()
}

/// The names the zone is authoritative for (with the cut names themselves), in canonical
/// order, each with its types; glue below a cut is left out.
fn owners(records: &Records, cuts: &[Name]) -> BTreeMap<Name, Vec<RecordType>> {
    let mut out: BTreeMap<Name, Vec<RecordType>> = BTreeMap::new();
    for k in records.keys() {
        let name = Name::from(k.name.clone()).to_lowercase();
        if cuts.iter().any(|c| c.zone_of(&name) && *c != name) {
            continue;
        }
        if cuts.contains(&name) && !matches!(k.record_type, RecordType::NS | RecordType::DS) {
            continue;
        }
        out.entry(name).or_default().push(k.record_type);
    }
    out
}

/// A type bitmap: the types given, sorted, without duplicates.
fn bitmap(mut t: Vec<RecordType>) -> Vec<RecordType> {
    t.sort_by_key(|x| u16::from(*x));
    t.dedup();
    t
}

fn nsec_chain(origin: &Name, records: &mut Records, cuts: &[Name], ttl: u32) {
    let owners = owners(records, cuts);
    let names: Vec<&Name> = owners.keys().collect();
    for (i, name) in names.iter().enumerate() {
        let next = names.get(i + 1).copied().unwrap_or(origin);
        // The NSEC RRset is signed wherever it is, so RRSIG is always in its bitmap.
        let mut types = owners[*name].clone();
        types.extend([RecordType::RRSIG, RecordType::NSEC]);
        let types = bitmap(types);
        let rec = Record::from_rdata(
            (*name).clone(),
            ttl,
            RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(next.clone(), types))),
        );
        let mut set = RecordSet::new((*name).clone(), RecordType::NSEC, 0);
        set.insert(rec, 0);
        records.insert(RrKey::new((*name).clone().into(), RecordType::NSEC), set);
    }
}

fn nsec3_chain(origin: &Name, records: &mut Records, cuts: &[Name], ttl: u32, spec: &SignSpec) {
    let salt = data_encoding::HEXLOWER_PERMISSIVE
        .decode(spec.salt.as_bytes())
        .unwrap_or_default();
    // The parameters at the apex first, so that the apex's bitmap lists them.
    let param = NSEC3PARAM::new(
        Nsec3HashAlgorithm::SHA1,
        false,
        spec.iterations,
        salt.clone(),
    );
    let mut set = RecordSet::new(origin.clone(), RecordType::NSEC3PARAM, 0);
    set.insert(
        Record::from_rdata(
            origin.clone(),
            0,
            RData::DNSSEC(DNSSECRData::NSEC3PARAM(param)),
        ),
        0,
    );
    records.insert(
        RrKey::new(origin.clone().into(), RecordType::NSEC3PARAM),
        set,
    );
    let mut owners = owners(records, cuts);
    // Empty non-terminals get an NSEC3 too (RFC 5155 §7.1).
    let names: Vec<Name> = owners.keys().cloned().collect();
    for name in names {
        let mut up = name.base_name();
        while origin.zone_of(&up) && up != *origin {
            owners.entry(up.clone()).or_default();
            up = up.base_name();
        }
    }
    let mut hashed: Vec<(Vec<u8>, String, Vec<RecordType>, bool)> = owners
        .iter()
        .filter_map(|(name, types)| {
            let label = nsec3_hash(name, &salt, spec.iterations)?;
            let raw = data_encoding::BASE32_DNSSEC.decode(label.as_bytes()).ok()?;
            Some((raw, label, types.clone(), cuts.contains(name)))
        })
        .collect();
    hashed.sort();
    for (i, (_, label, types, cut)) in hashed.iter().enumerate() {
        let next = hashed
            .get(i + 1)
            .or_else(|| hashed.first())
            .map(|h| h.0.clone())
            .unwrap_or_default();
        let Ok(owner) = origin.prepend_label(label.as_str()) else {
            continue;
        };
        // RRSIG exists at the original name where something there is signed: not at an
        // empty non-terminal, nor at a delegation without DS (RFC 5155 §7.1).
        let mut types = types.clone();
        let signed = if *cut {
            types.contains(&RecordType::DS)
        } else {
            !types.is_empty()
        };
        if signed {
            types.push(RecordType::RRSIG);
        }
        let types = bitmap(types);
        let rdata = NSEC3::new(
            Nsec3HashAlgorithm::SHA1,
            false,
            spec.iterations,
            salt.clone(),
            next,
            types,
        );
        let mut set = RecordSet::new(owner.clone(), RecordType::NSEC3, 0);
        set.insert(
            Record::from_rdata(owner.clone(), ttl, RData::DNSSEC(DNSSECRData::NSEC3(rdata))),
            0,
        );
        records.insert(RrKey::new(owner.into(), RecordType::NSEC3), set);
    }
}

/// `count` made-up Ed25519 zone keys whose key tag is `tag`. The tag is a 16-bit checksum
/// of the RDATA (RFC 4034 Appendix B): the last two key bytes form one 16-bit word of it, so
/// they can be chosen to reach any tag.
fn colliding_keys(tag: u16, count: usize) -> Vec<DNSKEY> {
    let fold = |ac: u32| -> u16 { ((ac + ((ac >> 16) & 0xffff)) & 0xffff) as u16 };
    let mut out = Vec::new();
    for i in 0..count {
        let mut key = [0u8; 32];
        key[0] = u8::try_from(i % 256).unwrap_or(0);
        key[1] = 0x5a;
        // flags 256, protocol 3, algorithm 15, then the key without its last word.
        let mut rdata = vec![0x01, 0x00, 3, 15];
        rdata.extend_from_slice(&key[..30]);
        let partial: u32 = rdata
            .iter()
            .enumerate()
            .map(|(j, b)| {
                if j % 2 == 0 {
                    u32::from(*b) << 8
                } else {
                    u32::from(*b)
                }
            })
            .sum();
        let Some(word) = (0..=u16::MAX).find(|w| fold(partial + u32::from(*w)) == tag) else {
            continue;
        };
        key[30..].copy_from_slice(&word.to_be_bytes());
        out.push(DNSKEY::with_flags(
            256,
            PublicKeyBuf::new(key.to_vec(), Algorithm::ED25519),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_keys_all_carry_the_tag() {
        let keys = colliding_keys(4242, 5);
        assert_eq!(keys.len(), 5);
        for k in keys {
            assert_eq!(k.calculate_key_tag().ok(), Some(4242));
        }
    }

    #[test]
    fn keys_are_the_same_on_every_run() {
        let zone = Name::from_ascii("shop.test.").expect("name");
        let a = key(&zone, "ksk", 257, Algorithm::ED25519).map(|k| k.tag);
        let b = key(&zone, "ksk", 257, Algorithm::ED25519).map(|k| k.tag);
        assert!(a.is_some());
        assert_eq!(a, b);
    }
}
