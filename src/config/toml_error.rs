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

/// Line, field and problem of a TOML parse or shape error in `text`.
pub fn locate(text: &str, error: &toml::de::Error) -> (usize, String, String) {
    let start = error.span().map(|s| s.start).unwrap_or(0);
    let message = error.message().trim().to_string();
    let field = unknown_field(&message)
        .or_else(|| missing_field(&message))
        .map(|k| qualify(text, start, &k))
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

    #[test]
    fn keys_are_qualified_by_their_table() {
        let text = "name = 1\n[colors]\nok = 2\n";
        assert_eq!(key_at(text, text.find("ok").unwrap_or(0)), "colors.ok");
        assert_eq!(key_at(text, 0), "name");
    }
}
