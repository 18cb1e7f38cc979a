//! Internationalised names: the Unicode form beside the A-label form the wire carries, and a
//! warning when a label could pass for another name (a homograph, UTS #39): it mixes scripts,
//! or it is written in one script but looks like an ASCII word.

use hickory_proto::rr::Name;
use unicode_security::{MixedScript, skeleton};

/// The Unicode form of a name with A-labels (`xn--`), when it decodes to something else.
pub fn unicode(n: &Name) -> Option<String> {
    let has_alabel = n
        .iter()
        .any(|l| l.len() > 4 && l[..4].eq_ignore_ascii_case(b"xn--"));
    if !has_alabel {
        return None;
    }
    let text = n.to_utf8();
    (text != dnscope::present::name(n)).then_some(text)
}

/// The name as the wire carries it, with its Unicode form beside it when it has one.
pub fn shown(n: &Name) -> String {
    let wire = dnscope::present::name(n);
    match unicode(n) {
        Some(u) => format!("{wire} ({u})"),
        None => wire,
    }
}

/// A warning when a label of the name's Unicode form is a likely homograph.
pub fn homograph(n: &Name) -> Option<String> {
    let text = unicode(n)?;
    for label in text.trim_end_matches('.').split('.') {
        if label.is_ascii() {
            continue;
        }
        if !label.is_single_script() {
            return Some(format!(
                "the label {label:?} mixes scripts: it may be made to look like another name (a homograph, UTS #39)"
            ));
        }
        let looks: String = skeleton(label).collect();
        if looks.is_ascii() && looks != label {
            return Some(format!(
                "the label {label:?} is not Latin but looks like {looks:?}: a homograph of that name (UTS #39)"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::from_ascii(s).expect("name")
    }

    #[test]
    fn alabels_show_their_unicode_and_homographs_are_flagged() {
        // See: issue 11, defect 5 (only the Unicode form was shown).
        assert_eq!(shown(&n("www.shop.test.")), "www.shop.test.");
        assert_eq!(
            shown(&n("xn--bcher-kva.example.")),
            "xn--bcher-kva.example. (bücher.example.)"
        );
        assert_eq!(homograph(&n("xn--bcher-kva.example.")), None);
        let apple = n("xn--80ak6aa92e.example.");
        assert!(shown(&apple).starts_with("xn--80ak6aa92e.example. ("));
        let warning = homograph(&apple).expect("a homograph");
        assert!(warning.contains("\"apple\""), "{warning}");
    }
}
