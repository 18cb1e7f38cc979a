//! DNSSEC validation of a trace (RFC 4033-4035, 5155, 6840): the chain of trust from a trust
//! anchor down every zone cut the trace crossed, the signatures over what each zone answered,
//! and the proofs of non-existence, with a verdict that says where the chain ended or broke.
//!
//! The walk only gathers evidence (DO=1 answers, each zone's DNSKEY RRset, DS RRsets a
//! referral left out); [`validate`] reads it afterwards and never sends a packet. Its work is
//! bounded against hostile data (KeyTrap, CVE-2023-50387; NSEC3 iterations, CVE-2023-50868):
//! see [`Limits`].
//!
//! `anchor.rs` reads trust anchors, `sig.rs` checks RRSIGs, `denial.rs` checks NSEC and NSEC3
//! proofs, `chain.rs` puts them together over a trace's zones, `answer.rs` checks what the
//! zones answered (and one response, for `query --validate`).

mod anchor;
mod answer;
mod chain;
mod denial;
mod sig;

use hickory_proto::rr::{Name, RecordType};

pub use anchor::{Anchor, AnchorError, Anchors};
pub(crate) use anchor::{dnskey as parse_dnskey, ds as parse_ds};
pub use answer::validate_response;
pub use chain::validate;
pub(crate) use denial::nsec_covers;
pub use denial::nsec3_hash;

/// The time validity windows are checked against: now, as RRSIG's 32-bit serial number
/// (RFC 4034 §3.1.5).
pub fn unix_now() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    (secs & u64::from(u32::MAX)) as u32
}

/// A resolution's (or a zone's) DNSSEC status, RFC 4033 §5 and RFC 4035 §4.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every link from a trust anchor down to the data verifies.
    Secure,
    /// The chain provably ends above the data: the data is not signed, and need not be.
    Insecure(Insecure),
    /// The chain says the data must be signed, and it does not verify.
    Bogus(Bogus),
    /// The status cannot be told (no trust anchor above, or evidence could not be fetched).
    Indeterminate(Indeterminate),
}

impl Status {
    /// How bad it is, to keep the worst along a chain (secure < insecure < indeterminate <
    /// bogus).
    fn rank(&self) -> u8 {
        match self {
            Status::Secure => 0,
            Status::Insecure(_) => 1,
            Status::Indeterminate(_) => 2,
            Status::Bogus(_) => 3,
        }
    }

    /// The worse of two statuses (the first when they rank the same).
    pub fn worst(self, other: Status) -> Status {
        if other.rank() > self.rank() {
            other
        } else {
            self
        }
    }

    /// The RFC 8914 Extended DNS Error a validating resolver would attach to this (None for
    /// secure and insecure data, which are answered normally).
    pub fn ede(&self) -> Option<u16> {
        match self {
            Status::Secure | Status::Insecure(_) => None,
            Status::Indeterminate(_) => Some(5),
            Status::Bogus(b) => Some(b.why.ede()),
        }
    }
}

/// Where and why a chain became insecure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insecure {
    /// The first zone that is not signed (or cannot be validated).
    pub zone: Name,
    /// Why.
    pub why: InsecureWhy,
}

/// Why a zone is insecure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsecureWhy {
    /// Its signed parent proves, with NSEC or NSEC3, that it has no DS (RFC 4035 §5.2).
    NoDs {
        /// NSEC3 (true) or NSEC (false) proved it.
        nsec3: bool,
    },
    /// An NSEC3 opt-out span of the parent covers it: unsigned delegations are not listed
    /// (RFC 5155 §6).
    OptOut,
    /// Every DS (or every DNSKEY) uses an algorithm this validator does not implement
    /// (RFC 4035 §5.2): treated as unsigned.
    UnsupportedAlgorithm {
        /// The algorithm numbers seen.
        algorithms: Vec<u8>,
    },
    /// Every DS uses a digest type this validator does not implement.
    UnsupportedDigest {
        /// The digest types seen.
        digests: Vec<u8>,
    },
    /// The zone serves no DNSKEY and signs nothing (`query --validate`, where no parent was
    /// asked).
    Unsigned,
    /// The NSEC3 records use more iterations than validators accept (RFC 9276 §3.2): not
    /// computed, and treated as insecure, as Unbound does.
    Nsec3Iterations {
        /// The iterations the zone uses.
        iterations: u16,
        /// The limit.
        limit: u16,
    },
}

/// Where and why a chain broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bogus {
    /// The zone whose data or keys failed.
    pub zone: Name,
    /// Why.
    pub why: BogusWhy,
}

/// An RRset, by owner and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RrsetId {
    /// The owner name.
    pub name: Name,
    /// The type.
    pub rtype: RecordType,
}

/// What makes data bogus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BogusWhy {
    /// Every RRSIG over the RRset that could be checked had expired.
    SignatureExpired {
        /// The RRset.
        rrset: RrsetId,
        /// When the latest of them expired (Unix seconds).
        expired_at: u32,
    },
    /// Every RRSIG over the RRset that could be checked starts in the future.
    SignatureNotYetValid {
        /// The RRset.
        rrset: RrsetId,
        /// When the earliest of them becomes valid (Unix seconds).
        valid_from: u32,
    },
    /// The RRSIGs are in their validity window, but none verifies with the key it names.
    BadSignature {
        /// The RRset.
        rrset: RrsetId,
        /// The key tags tried.
        key_tags: Vec<u16>,
    },
    /// The RRset came without any RRSIG, though its zone is signed.
    RrsigMissing {
        /// The RRset.
        rrset: RrsetId,
    },
    /// The RRSIGs name keys that are not in the zone's DNSKEY RRset.
    NoMatchingKey {
        /// The RRset.
        rrset: RrsetId,
        /// The key tags the RRSIGs name.
        key_tags: Vec<u16>,
    },
    /// The RRSIGs are signed by another zone than the one that holds the data.
    SignerNotApex {
        /// The RRset.
        rrset: RrsetId,
        /// The signer name the RRSIGs give.
        signer: Name,
    },
    /// The parent's DS records match no DNSKEY of the zone (a botched key rollover).
    DsMismatch {
        /// The DS key tags.
        ds_tags: Vec<u16>,
        /// The zone's DNSKEY key tags.
        key_tags: Vec<u16>,
    },
    /// The parent has a DS for the zone, but the zone serves no DNSKEY (it stopped signing,
    /// or never started).
    DnskeyMissing,
    /// The trust anchor for the zone matches none of its DNSKEYs.
    AnchorMismatch {
        /// The anchor's key tags.
        anchor_tags: Vec<u16>,
        /// The zone's DNSKEY key tags.
        key_tags: Vec<u16>,
    },
    /// A signed parent referred to the zone with neither a DS nor a proof that there is none.
    NoDsProof,
    /// A negative answer from a signed zone came without NSEC or NSEC3 records.
    DenialMissing {
        /// NXDOMAIN (true) or NODATA (false).
        nxdomain: bool,
    },
    /// The NSEC or NSEC3 records do not prove what the answer claims.
    DenialInvalid {
        /// NXDOMAIN (true) or NODATA (false).
        nxdomain: bool,
        /// What is missing from the proof.
        problem: DenialProblem,
    },
    /// Validation gave up after this many signature checks (KeyTrap, CVE-2023-50387).
    TooMuchWork {
        /// Checks done, on the RRset that hit the limit (`per_rrset`) or in all.
        checks: usize,
        /// The limit reached.
        limit: usize,
        /// The limit is the one per RRset (true) or per resolution.
        per_rrset: bool,
    },
}

impl BogusWhy {
    /// The RFC 8914 Extended DNS Error code for it.
    pub fn ede(&self) -> u16 {
        match self {
            BogusWhy::SignatureExpired { .. } => 7,
            BogusWhy::SignatureNotYetValid { .. } => 8,
            BogusWhy::DnskeyMissing | BogusWhy::DsMismatch { .. } => 9,
            BogusWhy::RrsigMissing { .. } => 10,
            BogusWhy::DenialMissing { .. } => 12,
            _ => 6,
        }
    }
}

/// What an NSEC or NSEC3 proof lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenialProblem {
    /// Nothing covers (or matches) the name itself.
    NameNotCovered,
    /// Nothing proves that no wildcard could have answered instead.
    WildcardNotCovered,
    /// An NSEC/NSEC3 matches the name and lists the type asked (or a CNAME): it exists.
    TypeExists,
    /// No NSEC3 matches the closest encloser (RFC 5155 §8.3).
    NoClosestEncloser,
    /// The NSEC/NSEC3 records' signatures do not verify.
    Unsigned,
}

/// Why the status cannot be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Indeterminate {
    /// No trust anchor covers the name (`--trust-anchor FILE` gives one).
    NoAnchor,
    /// The zone's DNSKEY RRset (or a DS RRset) could not be fetched from any of its servers.
    Unreachable {
        /// The zone.
        zone: Name,
        /// DNSKEY or DS.
        rtype: RecordType,
    },
}

/// Bounds on the work one validation may do, against hostile data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Signature checks per RRset (Unbound: 8).
    pub per_rrset: usize,
    /// Signature checks per resolution (BIND: 16 per fetch; a trace has several).
    pub per_resolution: usize,
    /// Keys tried for one key tag (hickory: 2; key tags collide only by accident or malice).
    pub keys_per_tag: usize,
    /// NSEC3 iterations above this are not computed: insecure (Unbound's default, 150).
    pub nsec3_iterations: u16,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_rrset: 8,
            per_resolution: 64,
            keys_per_tag: 2,
            nsec3_iterations: 150,
        }
    }
}

/// What the validation found at one zone of the trace.
#[derive(Debug, Clone)]
pub struct ZoneCheck {
    /// The zone.
    pub zone: Name,
    /// Its status.
    pub status: Status,
    /// A trust anchor (rather than a DS from the parent) vouched for its keys.
    pub anchored: bool,
    /// The DS RRset the parent handed down, each with the key tag of the DNSKEY it matched.
    pub ds: Vec<DsSeen>,
    /// The zone's DNSKEY RRset.
    pub keys: Vec<KeySeen>,
    /// Every RRSIG checked for this zone (over its DNSKEY RRset, its data and its proofs).
    pub sigs: Vec<SigSeen>,
    /// How the parent proved the zone has no DS, when it did.
    pub no_ds: Option<InsecureWhy>,
}

/// A DS record, and which key it matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DsSeen {
    /// Its key tag.
    pub key_tag: u16,
    /// The algorithm number.
    pub algorithm: u8,
    /// The digest type number.
    pub digest_type: u8,
    /// The DNSKEY it matches (tag, algorithm and digest), if any.
    pub matched: bool,
}

/// A DNSKEY record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySeen {
    /// Its key tag.
    pub key_tag: u16,
    /// Its flags (256 = zone key, 257 = zone key + secure entry point).
    pub flags: u16,
    /// The algorithm number.
    pub algorithm: u8,
    /// The algorithm is one this validator implements.
    pub supported: bool,
    /// A DS (or trust anchor) matches it.
    pub trusted: bool,
}

/// One RRSIG, and what came of checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigSeen {
    /// The RRset it covers.
    pub rrset: RrsetId,
    /// The key tag it names.
    pub key_tag: u16,
    /// The algorithm number.
    pub algorithm: u8,
    /// The signer name.
    pub signer: Name,
    /// Valid from (Unix seconds).
    pub inception: u32,
    /// Valid until (Unix seconds).
    pub expiration: u32,
    /// The outcome.
    pub result: SigResult,
}

/// What came of checking one RRSIG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigResult {
    /// It verifies.
    Valid,
    /// Its expiration is past.
    Expired,
    /// Its inception is in the future.
    NotYetValid,
    /// It does not verify with the key it names.
    BadSignature,
    /// No DNSKEY of the zone has its key tag and algorithm.
    NoKey,
    /// Its algorithm is not implemented here.
    UnsupportedAlgorithm,
    /// Its signer is not the zone that holds the data.
    WrongSigner,
    /// Not checked: the work limit was reached.
    NotChecked,
}

/// The validation of a whole trace.
#[derive(Debug, Clone)]
pub struct Report {
    /// The status of the answer (or of the negative answer).
    pub status: Status,
    /// Each zone of the trace's main paths, from the top.
    pub zones: Vec<ZoneCheck>,
    /// The work done.
    pub work: Work,
    /// The time the validity windows were checked against (Unix seconds).
    pub now: u32,
    /// Where the trust anchors came from.
    pub anchors: String,
}

/// The work a validation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Signature verifications run.
    pub checks: usize,
    /// NSEC3 hashes computed.
    pub nsec3_hashes: usize,
    /// CPU time spent (the validation runs on one thread, without waiting).
    pub cpu: std::time::Duration,
}
