//! Terminal safety for text that came from the network (after fd's `sanitize.rs`): control
//! characters, bidirectional overrides and zero-width characters are shown as `\u{..}` escapes,
//! so a TXT record or a label cannot move the cursor, recolour the screen or reorder text.
//! JSON output does not use this: serde escapes what JSON needs and keeps the data exact.

/// Escape `text` for display on a terminal.
pub fn for_tty(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061c}'              // Arabic letter mark
            | '\u{feff}') // zero-width no-break space
}

#[cfg(test)]
mod tests {
    use super::for_tty;

    #[test]
    fn escapes_control_and_bidi() {
        assert_eq!(for_tty("plain text"), "plain text");
        assert_eq!(for_tty("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(for_tty("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(for_tty("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(for_tty("bücher"), "bücher");
    }
}
