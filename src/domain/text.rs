//! Text from outside (a server's error, a warning, a status message) made
//! safe to show, log and record: no control or bidi characters that could
//! move the cursor, write the clipboard, retitle the window, reorder what is
//! read or forge a log line; one line; a bounded length; and none of the
//! tokens warroom itself sends.

use std::borrow::Cow;

/// Stands in for a character that would act on the terminal or reorder text.
pub const PLACEHOLDER: char = '\u{FFFD}';

/// Stands in for a line break, so a message stays on one line.
pub const LINE_BREAK: &str = " ⏎ ";

/// Stands in for a token the text carried.
pub const MASK: &str = "[redacted]";

/// Marks text cut at its length limit.
pub const CUT: char = '…';

/// The usual limit for one message, in characters.
pub const MESSAGE_CHARS: usize = 300;

/// Bidi controls and marks: they reorder what follows without being seen.
fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` would act on a terminal or on the order of text: C0 (ESC,
/// TAB, CR, LF included), DEL, C1, bidi controls, line separators, and the
/// zero-width characters that hide where one word ends and another begins.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || is_bidi(c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// `text` from outside, safe: every token in `secrets` masked, line breaks
/// folded to ` ⏎ `, TAB to a space, other control and bidi characters
/// replaced by `�`, spaces at either end trimmed, and at most `limit`
/// characters (the last being `…` when cut).
pub fn outside(text: &str, limit: usize, secrets: &[&str]) -> String {
    let masked = mask(text, secrets);
    let mut out = String::new();
    let mut count = 0;
    let mut chars = masked.trim().chars().peekable();
    let mut cut = false;
    while let Some(c) = chars.next() {
        let piece: Cow<str> = match c {
            '\r' if chars.peek() == Some(&'\n') => {
                chars.next();
                Cow::Borrowed(LINE_BREAK)
            }
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => Cow::Borrowed(LINE_BREAK),
            '\t' => Cow::Borrowed(" "),
            c if is_unsafe(c) => Cow::Owned(PLACEHOLDER.to_string()),
            c => Cow::Owned(c.to_string()),
        };
        let width = piece.chars().count();
        if count + width > limit {
            cut = true;
            break;
        }
        out.push_str(&piece);
        count += width;
    }
    if cut || chars.peek().is_some() {
        // Room for the mark: drop characters from the end until it fits.
        while count + 1 > limit && out.pop().is_some() {
            count -= 1;
        }
        if limit > 0 {
            out.push(CUT);
        }
    }
    // A masked token can re-form across a removed character only if it held
    // one; tokens cannot (they travel in a header), but mask once more anyway.
    mask(&out, secrets).into_owned()
}

/// `text` with every non-empty token of `secrets` replaced by `[redacted]`,
/// as sent and in the forms an echo may take: JSON-escaped (`/` as `\/`)
/// and percent-encoded.
fn mask<'a>(text: &'a str, secrets: &[&str]) -> Cow<'a, str> {
    let mut text = Cow::Borrowed(text);
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in [
            secret.to_string(),
            secret.replace('/', "\\/"),
            percent_encoded(secret),
        ] {
            if text.contains(form.as_str()) {
                text = Cow::Owned(text.replace(form.as_str(), MASK));
            }
        }
    }
    text
}

/// `s` with every byte outside the URL-unreserved set written as `%XX`.
fn percent_encoded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One message from outside at the usual limit.
pub fn message(text: &str, secrets: &[&str]) -> String {
    outside(text, MESSAGE_CHARS, secrets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_token_echoed_escaped_or_encoded_is_masked_too() {
        let token = "ab/c+d=";
        let echoed = r#"{"error":"bad token ab\/c+d="} and ?t=ab%2Fc%2Bd%3D"#;
        let shown = message(echoed, &[token]);
        assert!(!shown.contains("ab\\/c"), "{shown}");
        assert!(!shown.contains("ab%2Fc"), "{shown}");
        assert_eq!(shown.matches(MASK).count(), 2, "{shown}");
    }

    #[test]
    fn zero_width_characters_are_replaced() {
        for c in ['\u{200B}', '\u{2060}', '\u{FEFF}'] {
            let shown = message(&format!("a{c}b"), &[]);
            assert_eq!(shown, format!("a{PLACEHOLDER}b"));
        }
    }

    fn clean(text: &str) -> String {
        outside(text, 1000, &[])
    }

    #[test]
    fn escape_sequences_lose_their_escape() {
        for (raw, shown) in [
            ("\x1b]52;c;aGVsbG8=\x07", "�]52;c;aGVsbG8=�"),
            ("\x1b]0;pwned\x07", "�]0;pwned�"),
            ("\x1b[2Jcleared", "�[2Jcleared"),
            ("a\u{9b}31mb", "a�31mb"),
            ("del\u{7f}x", "del�x"),
            ("nul\0x", "nul�x"),
        ] {
            assert_eq!(clean(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn every_c0_and_c1_character_is_replaced() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let out = clean(&format!("a{c}b"));
            assert!(!out.chars().any(is_unsafe), "{c:?} → {out:?}");
            assert!(
                out.starts_with('a') && out.ends_with('b'),
                "{c:?} → {out:?}"
            );
        }
    }

    #[test]
    fn bidi_controls_are_replaced() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert_eq!(clean(&format!("ok{c}kayak")), "ok�kayak", "{c:?}");
        }
    }

    #[test]
    fn line_breaks_fold_into_one_line() {
        assert_eq!(clean("one\ntwo"), "one ⏎ two");
        assert_eq!(clean("one\r\ntwo"), "one ⏎ two");
        assert_eq!(clean("one\rtwo\u{2028}three"), "one ⏎ two ⏎ three");
        assert_eq!(clean("tab\there"), "tab here");
        assert_eq!(
            clean("ok\n2026-01-01T00:00:00Z  INFO forged"),
            "ok ⏎ 2026-01-01T00:00:00Z  INFO forged"
        );
        assert_eq!(clean("  padded \n"), "padded");
    }

    #[test]
    fn long_text_is_cut_with_a_mark() {
        assert_eq!(outside("abcdef", 4, &[]), "abc…");
        assert_eq!(outside("abcd", 4, &[]), "abcd");
        assert_eq!(outside("ab\ncd", 4, &[]), "ab…");
        assert_eq!(outside("éééééé", 3, &[]).chars().count(), 3);
        assert_eq!(outside("abc", 0, &[]), "");
        let huge = "x".repeat(1_000_000);
        assert_eq!(message(&huge, &[]).chars().count(), MESSAGE_CHARS);
    }

    #[test]
    fn known_tokens_are_masked() {
        let token = "s3cr3t-t0ken";
        let echoed = format!("bad request: Authorization: Bearer {token}; again {token}");
        let out = outside(&echoed, 1000, &[token, ""]);
        assert_eq!(
            out,
            "bad request: Authorization: Bearer [redacted]; again [redacted]"
        );
        // A token past the cut is not half shown either.
        let late = format!("{}{token}", "y".repeat(20));
        let out = outside(&late, 25, &[token]);
        assert!(!out.contains("s3cr"), "{out}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn output_never_holds_an_unsafe_character(text in "\\PC*|[\\x00-\\x{a0}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200e}\u{200f}\u{61c}\u{2028}a-z]{0,80}", limit in 0usize..120) {
            let out = outside(&text, limit, &["tok"]);
            prop_assert!(!out.chars().any(is_unsafe), "{:?}", out);
            prop_assert!(out.chars().count() <= limit);
            prop_assert!(!out.contains("tok"));
        }
    }
}
