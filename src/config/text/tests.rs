use super::*;

fn refused_as(value: &str, limit: Limit) -> Option<CharClass> {
    match check(value, limit) {
        Err(TextProblem::Char { class, .. }) => Some(class),
        _ => None,
    }
}

#[test]
fn plain_names_pass() {
    for name in [
        "checkout-api",
        "v2.4.0",
        "eu-west-1",
        "dana (SRE lead)",
        "Zürich",
        "東京",
        "👩‍💻 ops",
    ] {
        assert_eq!(check(name, NAME), Ok(()), "{name}");
    }
}

#[test]
fn c0_controls_del_and_c1_are_refused() {
    for c in [
        '\u{0}', '\u{7}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{80}', '\u{85}', '\u{9b}',
        '\u{9f}',
    ] {
        let value = format!("checkout{c}api");
        assert_eq!(refused_as(&value, NAME), Some(CharClass::Control), "{c:?}");
    }
}

#[test]
fn bidi_controls_are_refused() {
    for c in [
        '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
        '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    ] {
        let value = format!("eu{c}west");
        assert_eq!(refused_as(&value, NAME), Some(CharClass::Bidi), "{c:?}");
    }
}

#[test]
fn line_separators_and_invisible_characters_are_refused() {
    for c in ['\u{2028}', '\u{2029}'] {
        assert_eq!(
            refused_as(&format!("a{c}b"), NAME),
            Some(CharClass::LineBreak)
        );
    }
    for c in ['\u{200b}', '\u{2060}', '\u{feff}'] {
        assert_eq!(
            refused_as(&format!("a{c}b"), NAME),
            Some(CharClass::Invisible)
        );
    }
}

#[test]
fn the_problem_says_which_character_and_where_but_not_the_text() {
    let e = check("ab\u{1b}]0;title\u{7}", NAME).err();
    let shown = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(shown.contains("U+001B (ESC) at character 3"), "{shown}");
    assert!(!shown.contains("title"), "{shown}");
    assert!(shown.chars().all(|c| class_of(c).is_none()), "{shown:?}");
}

#[test]
fn queries_may_span_lines_but_not_hold_escapes() {
    let promql = "sum by (region, version) (\n\trate(http_requests_total[30s])\r\n)";
    assert_eq!(check(promql, QUERY), Ok(()));
    assert_eq!(refused_as(promql, NAME), Some(CharClass::Control));
    assert_eq!(
        refused_as("rate(x[1m])\u{1b}[2J", QUERY),
        Some(CharClass::Control)
    );
    assert_eq!(
        refused_as("rate(x\u{202e}[1m])", QUERY),
        Some(CharClass::Bidi)
    );
}

#[test]
fn length_is_counted_in_characters_and_named() {
    assert_eq!(check(&"a".repeat(100), NAME), Ok(()));
    // 100 two-byte characters are 200 bytes but still a 100-character name.
    assert_eq!(check(&"ü".repeat(100), NAME), Ok(()));
    let e = check(&"a".repeat(101), NAME);
    assert_eq!(
        e,
        Err(TextProblem::TooLong {
            chars: 101,
            limit: NAME
        })
    );
    let shown = e.err().map(|e| e.to_string()).unwrap_or_default();
    assert_eq!(shown, "is 101 characters long; names are at most 100");
    assert!(check(&"a".repeat(201), LABEL).is_err());
    assert!(check(&"a".repeat(200), LABEL).is_ok());
}

#[test]
fn a_fifty_megabyte_name_is_refused_without_being_repeated() {
    let huge = "x".repeat(50 << 20);
    let e = check(&huge, NAME)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("is 52428800 characters long"), "{e}");
    assert!(e.len() < 100, "{} bytes", e.len());
}

#[test]
fn shown_escapes_and_caps() {
    assert_eq!(shown("plain"), "plain");
    assert_eq!(
        shown("a\u{1b}[2Jb\u{202e}c\n"),
        "a\\u{1b}[2Jb\\u{202e}c\\u{a}"
    );
    let long = shown(&"y".repeat(5000)).into_owned();
    assert_eq!(long.chars().count(), 1001);
    assert!(long.ends_with('…'));
}
