//! Turning TOML and serde errors into file, line and field.

/// The 1-based line holding byte `offset` of `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// `unknown field `x`, expected …` → `x`.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.split("unknown field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// `missing field `x`` → `x`.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.split("missing field `").nth(1)?;
    Some(rest.split('`').next()?.to_string())
}

/// The start of the line holding byte `offset`.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The line starting at byte `start`, trimmed.
fn line_from(text: &str, start: usize) -> &str {
    text.get(start..)
        .and_then(|t| t.lines().next())
        .unwrap_or("")
        .trim()
}

fn is_header(line: &str) -> bool {
    line.starts_with('[') && line.ends_with(']')
}

/// The name of the table the header line at byte `start` opens, as a
/// field path: `[signals.x]` is `signals.x`, the third `[[waves]]` is
/// `waves[2]`.
fn header_name(text: &str, start: usize) -> String {
    let line = line_from(text, start);
    let name = line.trim_matches(['[', ']']).trim();
    if !line.starts_with("[[") {
        return name.to_string();
    }
    let before = text.get(..start).unwrap_or("");
    let index = before
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("[[") && l.trim_matches(['[', ']']).trim() == name)
        .count();
    format!("{name}[{index}]")
}

/// The table a byte offset is in, e.g. `colors` or `waves[1]`: the header
/// on its own line when the offset is in one, else the last header before.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let here = line_start(text, offset);
    if is_header(line_from(text, here)) {
        return Some(header_name(text, here));
    }
    let mut start = here;
    while start > 0 {
        start = line_start(text, start - 1);
        if is_header(line_from(text, start)) {
            return Some(header_name(text, start));
        }
    }
    None
}

fn qualify(text: &str, offset: usize, key: &str) -> String {
    // An unknown table's own header (`[signals.x]`) names it whole.
    let here = line_start(text, offset);
    if is_header(line_from(text, here)) {
        let name = header_name(text, here);
        if name.rsplit('.').next() == Some(key) {
            return name;
        }
    }
    match table_at(text, offset) {
        Some(table) => format!("{table}.{key}"),
        None => key.to_string(),
    }
}

/// The words a serde type name stands for in a plan a person wrote.
fn expected_words(expected: &str) -> String {
    match expected.trim() {
        "f64" | "f32" => "a number".to_string(),
        "i64" | "i32" | "i16" | "i8" | "u64" | "u32" | "u16" | "u8" | "usize" | "isize" => {
            "a whole number".to_string()
        }
        "a string" => "text in quotes".to_string(),
        "a boolean" => "true or false".to_string(),
        "a sequence" => "a list [ … ]".to_string(),
        e if e == "a map" || e.starts_with("struct ") => "a table".to_string(),
        e => e.to_string(),
    }
}

/// What was found instead, in the same words.
fn found_words(found: &str) -> String {
    let found = found.trim();
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .map(|v| v.trim().trim_matches('`').to_string())
    };
    if let Some(v) = found.strip_prefix("string ") {
        return format!("the text {v}");
    }
    if let Some(v) = quoted("integer") {
        return format!("the whole number {v}");
    }
    if let Some(v) = quoted("floating point") {
        return format!("the number {v}");
    }
    if let Some(v) = quoted("boolean") {
        return v;
    }
    match found {
        "map" => "a table".to_string(),
        "sequence" => "a list".to_string(),
        f => f.to_string(),
    }
}

/// Serde's `invalid type: string "x", expected f64` in a person's words:
/// `expected a number, found the text "x"`.
fn plain(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((found, expected)) = rest.split_once(", expected ")
        {
            return format!(
                "expected {}, found {}",
                expected_words(expected),
                found_words(found)
            );
        }
    }
    message.to_string()
}

/// The key on the line holding `offset`, qualified by its table.
fn key_at(text: &str, offset: usize) -> String {
    let line = text
        .get(line_start(text, offset)..)
        .and_then(|t| t.lines().next())
        .unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) => qualify(text, offset, key.trim()),
        None => table_at(text, offset + 1).unwrap_or_else(|| "(top level)".to_string()),
    }
}

/// The table a missing key belongs in. A missing key's error spans the
/// table that lacks it: a `[symbols]` header (not the `[colors]` before it)
/// or an inline `symbols = { … }`; at the top level it spans nothing.
fn missing_from(text: &str, span: std::ops::Range<usize>, key: &str) -> String {
    if span.is_empty() {
        return key.to_string();
    }
    let offset = span.start;
    let rest = text.get(offset..).unwrap_or("");
    let line = rest.lines().next().unwrap_or("").trim();
    if is_header(line) {
        return format!("{}.{key}", header_name(text, line_start(text, offset)));
    }
    if rest.starts_with('{') {
        return format!("{}.{key}", key_at(text, offset));
    }
    qualify(text, offset, key)
}

/// Line, field and problem of a TOML parse or shape error in `text`.
pub fn locate(text: &str, error: &toml::de::Error) -> (usize, String, String) {
    let span = error.span().unwrap_or(0..0);
    let start = span.start;
    let message = plain(error.message().trim());
    let field = unknown_field(&message)
        .map(|k| qualify(text, start, &k))
        .or_else(|| missing_field(&message).map(|k| missing_from(text, span, &k)))
        .unwrap_or_else(|| key_at(text, start));
    (line_of(text, start), field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }

    fn located(text: &str) -> (usize, String, String) {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Shape {
            name: String,
            colors: Table,
            symbols: Table,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Table {
            ok: String,
            warn: String,
        }
        match toml::from_str::<Shape>(text) {
            Ok(shape) => panic!("{shape:?} was accepted"),
            Err(e) => locate(text, &e),
        }
    }

    #[test]
    fn a_missing_key_is_named_in_the_table_that_lacks_it() {
        let text = "name = \"x\"\n[colors]\nok = \"1\"\nwarn = \"2\"\n[symbols]\nwarn = \"w\"\n";
        let (line, field, problem) = located(text);
        assert_eq!(field, "symbols.ok");
        assert_eq!(line, 5);
        assert!(problem.contains("missing field `ok`"), "{problem}");
        let text = "name = \"x\"\n[colors]\nok = \"1\"\n[symbols]\nok = \"o\"\nwarn = \"w\"\n";
        assert_eq!(located(text).1, "colors.warn");
        let text = "name = \"x\"\nsymbols = { warn = \"w\" }\n[colors]\nok = \"1\"\nwarn = \"2\"\n";
        assert_eq!(located(text).1, "symbols.ok");
        let text = "[colors]\nok = \"1\"\nwarn = \"2\"\n[symbols]\nok = \"o\"\nwarn = \"w\"\n";
        assert_eq!(located(text).1, "name");
    }

    #[test]
    fn types_are_named_in_words_not_rust() {
        assert_eq!(
            plain(r#"invalid type: string "x", expected f64"#),
            r#"expected a number, found the text "x""#
        );
        assert_eq!(
            plain("invalid type: floating point `5.5`, expected i64"),
            "expected a whole number, found the number 5.5"
        );
        assert_eq!(
            plain("invalid type: integer `2`, expected a string"),
            "expected text in quotes, found the whole number 2"
        );
        assert_eq!(plain("duplicate key"), "duplicate key");
    }

    #[test]
    fn an_unknown_table_is_named_by_its_own_header() {
        let text = "[[regions]]\nname = \"eu\"\n[signals.bogus]\nquery = 1\n";
        let at = text.find("bogus").unwrap_or(0);
        assert_eq!(qualify(text, at, "bogus"), "signals.bogus");
        let text = "[[waves]]\nname = 1\n[[waves]]\nname = 2\n";
        let at = text.rfind("name").unwrap_or(0);
        assert_eq!(key_at(text, at), "waves[1].name");
    }

    #[test]
    fn keys_are_qualified_by_their_table() {
        let text = "name = 1\n[colors]\nok = 2\n";
        assert_eq!(key_at(text, text.find("ok").unwrap_or(0)), "colors.ok");
        assert_eq!(key_at(text, 0), "name");
    }
}
