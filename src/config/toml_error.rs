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

/// The table a byte offset is in, e.g. `colors` or `waves`.
fn table_at(text: &str, offset: usize) -> Option<String> {
    text.get(..offset)?
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string())
}

fn qualify(text: &str, offset: usize, key: &str) -> String {
    match table_at(text, offset) {
        Some(table) => format!("{table}.{key}"),
        None => key.to_string(),
    }
}

/// The key on the line holding `offset`, qualified by its table.
fn key_at(text: &str, offset: usize) -> String {
    let line_start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text
        .get(line_start..)
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
    if line.starts_with('[') && line.ends_with(']') {
        let table = line.trim_matches(['[', ']']).trim();
        return format!("{table}.{key}");
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
    let message = error.message().trim().to_string();
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
    fn keys_are_qualified_by_their_table() {
        let text = "name = 1\n[colors]\nok = 2\n";
        assert_eq!(key_at(text, text.find("ok").unwrap_or(0)), "colors.ok");
        assert_eq!(key_at(text, 0), "name");
    }
}
