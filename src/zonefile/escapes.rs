//! RFC 1035 §5.1 writes any byte of a name or a character-string as `\DDD`, in decimal.
//! hickory 0.26.3's zone parser reads `\DDD` as octal in names (`\065` became `5`, not `A`; `\089`
//! was an error) and as a 24-bit number in quoted strings (`"\065"` became U+0605). Before its
//! parser sees a file, each decimal escape is rewritten into a form it reads as the same byte:
//! octal in names, the character itself (escaped where it must be) in quoted strings. Bytes
//! above 127 cannot be passed through its parser (it keeps text, and such a byte would become
//! two): those are an error naming the line, never wrong data.

use std::borrow::Cow;
use std::fmt::Write as _;

/// A `\DDD` escape that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EscapeError {
    /// The line it is on (from 1).
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// `text` with every decimal `\DDD` escape in a form hickory's zone parser reads as that byte.
/// Lines stay lines: nothing is added or removed but the escapes themselves.
pub(super) fn decimal_escapes(text: &str) -> Result<Cow<'_, str>, EscapeError> {
    if !text.contains('\\') {
        return Ok(Cow::Borrowed(text));
    }
    let mut out = String::with_capacity(text.len());
    let mut line = 1;
    let mut quoted = false;
    let mut comment = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                line += 1;
                comment = false;
                out.push(c);
            }
            _ if comment => out.push(c),
            ';' if !quoted => {
                comment = true;
                out.push(c);
            }
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '\\' => {
                let digits: String = chars.clone().take(3).collect();
                if digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()) {
                    for _ in 0..3 {
                        chars.next();
                    }
                    let value: u32 = digits.parse().unwrap_or(u32::MAX);
                    out.push_str(&rewrite(value, quoted).map_err(|reason| EscapeError {
                        line,
                        reason: format!("\\{digits}: {reason}"),
                    })?);
                } else {
                    // `\X`: hickory reads these as RFC 1035 does; keep it and what it escapes.
                    out.push(c);
                    if let Some(next) = chars.next() {
                        if next == '\n' {
                            line += 1;
                        }
                        out.push(next);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    Ok(Cow::Owned(out))
}

/// The text hickory reads as the byte `value`, inside or outside a quoted string.
fn rewrite(value: u32, quoted: bool) -> Result<String, &'static str> {
    if value > 255 {
        return Err("not a byte (\\DDD is decimal, 000 to 255)");
    }
    if value > 127 {
        return Err("bytes above 127 written as \\DDD are not read from zone files yet");
    }
    let Some(ch) = char::from_u32(value) else {
        return Err("not a byte");
    };
    let mut s = String::new();
    if !quoted {
        // Names: hickory's name parser reads `\OOO` as octal.
        let _ = write!(s, "\\{value:03o}");
    } else if ch == '\n' || ch == '\r' {
        return Err("a line break inside a quoted string cannot be passed to the zone parser");
    } else if ch == '"' || ch == '\\' {
        s.push('\\');
        s.push(ch);
    } else {
        // Inside quotes the character itself is taken as it is (an escaped digit would start
        // another number, so nothing is escaped).
        s.push(ch);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_octal_strings_get_the_character() {
        let text = "a\\065b IN TXT \"x\\065\\034\\092\\0491\" ; \\999 in a comment\n";
        let out = decimal_escapes(text).expect("rewritten");
        assert_eq!(
            out,
            "a\\101b IN TXT \"xA\\\"\\\\11\" ; \\999 in a comment\n"
        );
    }

    #[test]
    fn other_escapes_and_plain_text_are_left_alone() {
        let text = "c\\.d IN TXT \"say \\\"hi\\\"\"\n";
        assert_eq!(decimal_escapes(text).expect("kept"), text);
        assert!(matches!(
            decimal_escapes("www IN A 1.2.3.4\n"),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn bytes_that_cannot_be_passed_are_errors_with_their_line() {
        let e = decimal_escapes("a IN A 1.2.3.4\nb\\200 IN A 1.2.3.4\n").expect_err("above 127");
        assert_eq!(e.line, 2);
        assert!(e.reason.starts_with("\\200: "), "{}", e.reason);
        let e = decimal_escapes("x IN TXT \"\\010\"\n").expect_err("a line break");
        assert_eq!(e.line, 1);
        assert!(decimal_escapes("x\\256 IN A 1.2.3.4\n").is_err());
    }
}
