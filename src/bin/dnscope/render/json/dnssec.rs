//! The `dnssec` objects of `trace --json` (and of `compare --json`'s chain check): the
//! verdict with its stable code, and each zone's evidence (DS, DNSKEY, RRSIGs).

use dnscope::dnssec::{Report, ZoneCheck};
use dnscope::present;
use dnscope::wire::rtype_name;
use serde::Serialize;

use crate::words::dnssec as said;

/// The verdict of a whole resolution.
#[derive(Serialize)]
pub struct DnssecDoc {
    /// `secure`, `insecure`, `bogus` or `indeterminate`.
    verdict: &'static str,
    /// A stable kebab-case reason (`signature-expired`, `ds-mismatch`, `no-ds` …); null
    /// when secure.
    code: Option<&'static str>,
    /// The reason in words.
    reason: String,
    /// Where the chain broke or became insecure.
    zone: Option<String>,
    /// The RFC 8914 Extended DNS Error a validating resolver would attach.
    ede: Option<u16>,
    /// Where the trust anchors came from.
    anchors: String,
    /// The work validation did (bounded against hostile data).
    work: WorkDoc,
}

#[derive(Serialize)]
struct WorkDoc {
    signature_checks: usize,
    nsec3_hashes: usize,
    cpu_ms: f64,
    /// DNSKEY and DS questions asked for validation.
    queries: usize,
    /// How long after the outcome the trace waited for them.
    wait_ms: f64,
}

/// One zone's link of the chain.
#[derive(Serialize)]
pub struct ZoneDoc {
    zone: String,
    status: &'static str,
    code: Option<&'static str>,
    anchored: bool,
    ds: Vec<DsDoc>,
    /// The parent's proof that there is no DS (`nsec`, `nsec3`, `opt-out`), when insecure.
    no_ds_proof: Option<&'static str>,
    dnskey: Vec<KeyDoc>,
    rrsigs: Vec<SigDoc>,
}

#[derive(Serialize)]
struct DsDoc {
    key_tag: u16,
    algorithm: u8,
    digest_type: u8,
    matches_dnskey: bool,
}

#[derive(Serialize)]
struct KeyDoc {
    key_tag: u16,
    flags: u16,
    algorithm: u8,
    supported: bool,
    /// A DS or trust anchor vouches for it.
    trusted: bool,
}

#[derive(Serialize)]
struct SigDoc {
    name: String,
    #[serde(rename = "type")]
    rtype: String,
    key_tag: u16,
    algorithm: u8,
    signer: String,
    inception: u32,
    expiration: u32,
    inception_utc: String,
    expiration_utc: String,
    /// `valid`, `expired`, `not_yet_valid`, `bad_signature`, `no_key`,
    /// `unsupported_algorithm`, `wrong_signer`, `not_checked`.
    result: &'static str,
    /// The result in words, with the time relative to now.
    detail: String,
}

pub fn report(r: &Report, queries: usize, wait: std::time::Duration) -> DnssecDoc {
    DnssecDoc {
        verdict: said::verdict_kind(&r.status),
        code: said::code(&r.status),
        reason: said::verdict(&r.status, r.now).text,
        zone: said::zone(&r.status),
        ede: r.status.ede(),
        anchors: r.anchors.clone(),
        work: WorkDoc {
            signature_checks: r.work.checks,
            nsec3_hashes: r.work.nsec3_hashes,
            cpu_ms: (r.work.cpu.as_secs_f64() * 1e6).round() / 1e3,
            queries,
            wait_ms: (wait.as_secs_f64() * 1e6).round() / 1e3,
        },
    }
}

pub fn zone(z: &ZoneCheck, now: u32) -> ZoneDoc {
    ZoneDoc {
        zone: present::name(&z.zone),
        status: said::verdict_kind(&z.status),
        code: said::code(&z.status),
        anchored: z.anchored,
        ds: z
            .ds
            .iter()
            .map(|d| DsDoc {
                key_tag: d.key_tag,
                algorithm: d.algorithm,
                digest_type: d.digest_type,
                matches_dnskey: d.matched,
            })
            .collect(),
        no_ds_proof: z.no_ds.as_ref().map(|w| match w {
            dnscope::dnssec::InsecureWhy::NoDs { nsec3: true } => "nsec3",
            dnscope::dnssec::InsecureWhy::OptOut => "opt-out",
            _ => "nsec",
        }),
        dnskey: z
            .keys
            .iter()
            .map(|k| KeyDoc {
                key_tag: k.key_tag,
                flags: k.flags,
                algorithm: k.algorithm,
                supported: k.supported,
                trusted: k.trusted,
            })
            .collect(),
        rrsigs: z
            .sigs
            .iter()
            .map(|s| {
                let r = crate::words::chain::sig_result(s, now);
                SigDoc {
                    name: present::name(&s.rrset.name),
                    rtype: rtype_name(s.rrset.rtype),
                    key_tag: s.key_tag,
                    algorithm: s.algorithm,
                    signer: present::name(&s.signer),
                    inception: s.inception,
                    expiration: s.expiration,
                    inception_utc: said::date(s.inception),
                    expiration_utc: said::date(s.expiration),
                    result: r.kind,
                    detail: r.text,
                }
            })
            .collect(),
    }
}
