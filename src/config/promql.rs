//! Just enough PromQL reading to find the raw series a signal's query is
//! computed from, so that their own timestamps can tell how fresh the data
//! behind a `rate()` is. Not a parser: it skips strings, comments, label
//! lists and function names, and finds vector selectors.

/// Words that are PromQL, not metric names.
const KEYWORDS: [&str; 27] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "and",
    "or",
    "unless",
    "atan2",
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
    "inf",
];

/// Keywords followed by a list of label names in parentheses.
const LABEL_LISTS: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

/// A vector selector found in a query: its text (name and matchers, no
/// range) and whether a range (`[5m]`) follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub text: String,
    pub ranged: bool,
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn is_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The index just past the string literal that opens at `start`.
fn past_string(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote != '`' => i += 2,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    chars.len()
}

/// The index just past the bracket that closes the one at `start`,
/// skipping strings inside.
fn past_closing(chars: &[char], start: usize, close: char) -> usize {
    let open = chars[start];
    let mut depth = 0;
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '"' | '\'' | '`' => {
                i = past_string(chars, i);
                continue;
            }
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// Every vector selector in `query`, in order.
pub fn selectors(query: &str) -> Vec<Selector> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' | '`' => i = past_string(&chars, i),
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '[' => i = past_closing(&chars, i, ']'),
            '{' => {
                let end = past_closing(&chars, i, '}');
                let text: String = chars[i..end].iter().collect();
                let next = skip_space(&chars, end);
                out.push(Selector {
                    text,
                    ranged: chars.get(next) == Some(&'['),
                });
                i = end;
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                // Numbers and durations: 0.99, 1e3, 0x1f, 5m.
                while i < chars.len() && (is_name(chars[i]) || chars[i] == '.') {
                    i += 1;
                }
            }
            c if is_name_start(c) => {
                let start = i;
                while i < chars.len() && is_name(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let next = skip_space(&chars, i);
                let lower = word.to_ascii_lowercase();
                if LABEL_LISTS.contains(&lower.as_str()) {
                    if chars.get(next) == Some(&'(') {
                        i = past_closing(&chars, next, ')');
                    }
                    continue;
                }
                if KEYWORDS.contains(&lower.as_str()) || lower == "nan" {
                    continue;
                }
                if chars.get(next) == Some(&'(') {
                    // A function.
                    continue;
                }
                let mut end = i;
                if chars.get(next) == Some(&'{') {
                    end = past_closing(&chars, next, '}');
                }
                let text: String = chars[start..end].iter().collect();
                let after = skip_space(&chars, end);
                out.push(Selector {
                    text,
                    ranged: chars.get(after) == Some(&'['),
                });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The raw series a query is computed from: its last selector with a
/// range (what `rate()` reads; in a ratio, the denominator: every request,
/// which exists wherever there is traffic), else its first selector.
pub fn raw_series(query: &str) -> Option<String> {
    let found = selectors(query);
    found
        .iter()
        .rev()
        .find(|s| s.ranged)
        .or_else(|| found.first())
        .map(|s| s.text.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_under_a_rate_are_found() {
        let q = r#"sum by (region, version) (rate(http_requests_total{code=~"5.."}[30s])) / sum by (region, version) (rate(http_requests_total[30s]))"#;
        assert_eq!(raw_series(q).as_deref(), Some("http_requests_total"));
        let found = selectors(q);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].text, r#"http_requests_total{code=~"5.."}"#);
        assert!(found.iter().all(|s| s.ranged));
        let q = "histogram_quantile(0.99, sum by (region, version, le) (rate(http_request_duration_seconds_bucket{job=\"payments\"}[2m])))";
        assert_eq!(
            raw_series(q).as_deref(),
            Some("http_request_duration_seconds_bucket{job=\"payments\"}")
        );
    }

    #[test]
    fn strings_label_lists_and_keywords_are_not_series() {
        let q = r#"label_replace(sum without (pod) (rate(x_total{a="b}[1m]"} [5m] offset 1m)), "dst", "$1", "src", "(.*)")"#;
        let found = selectors(q);
        assert_eq!(
            found,
            [Selector {
                text: r#"x_total{a="b}[1m]"}"#.to_string(),
                ranged: true
            }]
        );
        assert_eq!(raw_series("1 + 2 * 0.5"), None);
        assert_eq!(raw_series("vector(1) > bool 0"), None);
    }

    #[test]
    fn without_a_range_the_first_selector_is_the_series() {
        assert_eq!(
            raw_series("sum by (region, version) (job:errors:ratio_rate30s)").as_deref(),
            Some("job:errors:ratio_rate30s")
        );
        assert_eq!(
            raw_series(r#"{__name__="up", job="x"}"#).as_deref(),
            Some(r#"{__name__="up", job="x"}"#)
        );
    }

    #[test]
    fn nothing_in_it_panics() {
        for q in [
            "",
            "{",
            "x{",
            "\"",
            "rate(",
            "[",
            "a[",
            "# only a comment",
            "sum by (",
        ] {
            let _ = selectors(q);
        }
    }
}
