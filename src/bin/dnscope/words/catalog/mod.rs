//! The pages of `dnscope explain`: every record type `query` knows, and the concepts a class
//! needs. Plain words; an RFC for every claim that rests on one.

/// A record type, field by field.
#[derive(Debug)]
pub struct TypeDoc {
    /// The mnemonic.
    pub name: &'static str,
    /// What it is for, in a sentence or two.
    pub summary: &'static str,
    /// `(field, what it means)`, in presentation order.
    pub fields: &'static [(&'static str, &'static str)],
    /// An example in zone-file form.
    pub example: &'static str,
    /// The defining RFC(s).
    pub rfc: &'static str,
    /// Mistakes people make with it.
    pub mistakes: &'static [&'static str],
}

/// A concept.
#[derive(Debug)]
pub struct ConceptDoc {
    /// The name used on the command line.
    pub name: &'static str,
    /// Other names it is known by.
    pub aliases: &'static [&'static str],
    /// One line.
    pub summary: &'static str,
    /// The explanation.
    pub text: &'static str,
    /// Where it is defined.
    pub rfc: &'static str,
    /// A dnscope command that shows it in the lab.
    pub try_it: &'static str,
}

mod concepts;
mod types;

pub use concepts::CONCEPTS;
pub use types::TYPES;

/// The documentation of a record type, by mnemonic (any case).
pub fn type_doc(name: &str) -> Option<&'static TypeDoc> {
    TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The documentation of a concept, by name or alias (any case).
pub fn concept(name: &str) -> Option<&'static ConceptDoc> {
    let wanted = name.to_ascii_lowercase();
    CONCEPTS
        .iter()
        .find(|c| c.name == wanted || c.aliases.contains(&wanted.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_query_knows_is_documented() {
        for t in [
            "A", "AAAA", "NS", "CNAME", "SOA", "MX", "TXT", "SRV", "CAA", "PTR", "DS", "DNSKEY",
            "RRSIG", "NSEC", "NSEC3", "SVCB", "HTTPS", "NAPTR", "TLSA", "SSHFP", "DNAME", "HINFO",
        ] {
            let doc = type_doc(t).unwrap_or_else(|| panic!("{t} undocumented"));
            assert!(!doc.fields.is_empty() && doc.rfc.starts_with("RFC"), "{t}");
            assert!(!doc.mistakes.is_empty(), "{t}");
            assert!(doc.example.contains(t), "{t}: example {:?}", doc.example);
        }
    }

    #[test]
    fn concepts_by_name_and_alias() {
        for c in [
            "ttl",
            "glue",
            "referral",
            "negative-caching",
            "zone-cut",
            "authoritative",
        ] {
            assert!(concept(c).is_some(), "{c}");
        }
        assert_eq!(
            concept("NXDOMAIN").map(|c| c.name),
            Some("negative-caching")
        );
    }
}
