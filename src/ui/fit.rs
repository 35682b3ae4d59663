//! How text meets a width: a value is whole or replaced by a marker, a name
//! ends in `…`, prose is cut or wrapped between words, and a line of
//! phrases drops whole phrases. Every panel that puts text into a fixed
//! width goes through here, so no number on screen is ever cut.

use ratatui::text::{Line, Span};

/// What stands in a cell whose value does not fit.
pub const MARKER: &str = "…";

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Columns a list of spans takes.
pub fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// A value (number, sign, unit, duration) whole, or the marker when it
/// does not fit `room` columns; nothing when there is no room at all.
pub fn value(s: &str, room: usize) -> String {
    match room {
        _ if width(s) <= room => s.to_string(),
        0 => String::new(),
        _ => MARKER.to_string(),
    }
}

/// A name cut to `room` columns, ending in `…` when cut.
pub fn name(s: &str, room: usize) -> String {
    if width(s) <= room {
        return s.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Prose cut between words to `room` columns, ending in `…` when cut; a
/// first word that does not fit gives the marker alone.
pub fn words(s: &str, room: usize) -> String {
    if width(s) <= room {
        return s.to_string();
    }
    if room == 0 {
        return String::new();
    }
    let mut out = String::new();
    for word in s.split(' ') {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if width(&next) + 1 > room {
            break;
        }
        out = next;
    }
    let out = out.trim_end_matches([' ', ',', ':', '·', ';']).to_string();
    if out.is_empty() {
        MARKER.to_string()
    } else {
        format!("{out}…")
    }
}

/// Prose wrapped between words into lines of at most `room` columns. A
/// word longer than a whole line (a URL) is broken across lines.
pub fn wrap(s: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if line.is_empty() {
            line = word.to_string();
        } else if width(&line) + 1 + width(word) <= room {
            line.push(' ');
            line.push_str(word);
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
        while width(&line) > room {
            let (head, tail) = split_at_width(&line, room);
            lines.push(head);
            line = tail;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `s` split after `room` columns.
fn split_at_width(s: &str, room: usize) -> (String, String) {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        let w = width(c.encode_utf8(&mut [0; 4]));
        if used + w > room {
            return (s[..i].to_string(), s[i..].to_string());
        }
        used += w;
    }
    (s.to_string(), String::new())
}

/// One phrase of a line that may be dropped whole: its spans and how much
/// it matters (higher stays longer).
pub struct Phrase {
    pub spans: Vec<Span<'static>>,
    pub keep: u8,
}

impl Phrase {
    pub fn new(keep: u8, spans: Vec<Span<'static>>) -> Self {
        Phrase { spans, keep }
    }

    fn width(&self) -> usize {
        spans_width(&self.spans)
    }
}

/// The phrases that fit `room` columns, in their order, the least
/// important (the later of equals) dropped first; never part of a phrase.
pub fn pack(phrases: Vec<Phrase>, room: usize) -> Vec<Span<'static>> {
    let mut order: Vec<usize> = (0..phrases.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(phrases[i].keep), i));
    let mut kept = vec![false; phrases.len()];
    let mut used = 0;
    for i in order {
        let w = phrases[i].width();
        if used + w > room {
            break;
        }
        used += w;
        kept[i] = true;
    }
    phrases
        .into_iter()
        .zip(kept)
        .filter(|(_, k)| *k)
        .flat_map(|(p, _)| p.spans)
        .collect()
}

/// Phrases laid out left to right over as many lines as they need, each
/// line at most `room` columns, `gap` between phrases on a line. A phrase
/// wider than a line starts a line of its own and wraps between words.
pub fn flow(phrases: &[String], gap: &str, room: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for phrase in phrases {
        if line.is_empty() && width(phrase) <= room {
            line = phrase.clone();
        } else if width(&line) + width(gap) + width(phrase) <= room {
            line.push_str(gap);
            line.push_str(phrase);
        } else {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut parts = wrap(phrase, room);
            line = parts.pop().unwrap_or_default();
            lines.extend(parts);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `lines` cut to at most `rows`; when some are left out the last kept
/// line ends in `…`.
pub fn at_most(mut lines: Vec<String>, rows: usize, room: usize) -> Vec<String> {
    if lines.len() <= rows || rows == 0 {
        lines.truncate(rows);
        return lines;
    }
    let joined = format!("{} {}", lines[rows - 1], lines[rows].trim_end_matches('…'));
    lines.truncate(rows - 1);
    lines.push(words(&joined, room.min(width(&joined).saturating_sub(1))));
    lines
}

/// A line of spans cut to `room` columns at a span's end, with `…` when
/// something was left out. For lines whose spans are each one phrase.
pub fn line(spans: Vec<Span<'static>>, room: usize) -> Line<'static> {
    if spans_width(&spans) <= room {
        return Line::from(spans);
    }
    let mut out = Vec::new();
    let mut used = 0;
    for s in spans {
        if used + s.width() + 1 > room {
            break;
        }
        used += s.width();
        out.push(s);
    }
    if room > used {
        out.push(Span::raw(MARKER));
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_whole_or_a_marker() {
        assert_eq!(value("494ms", 5), "494ms");
        assert_eq!(value("494ms", 4), "…");
        assert_eq!(value("-0.16pp", 6), "…");
        assert_eq!(value("2m01s", 0), "");
    }

    #[test]
    fn a_name_ends_in_an_ellipsis() {
        assert_eq!(name("us-east-1", 20), "us-east-1");
        assert_eq!(name("ap-southeast-1", 6), "ap-so…");
        assert_eq!(name("ap-southeast-1", 1), "…");
    }

    #[test]
    fn prose_is_cut_between_words() {
        assert_eq!(
            words("connection refused by 10.0.0.1", 22),
            "connection refused by…"
        );
        assert_eq!(words("connection refused", 8), "…");
        assert_eq!(words("a b", 3), "a b");
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10),
            ["the quick", "brown fox", "jumps"]
        );
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(
            wrap("at https://a.example/x", 10),
            ["at", "https://a.", "example/x"]
        );
    }

    #[test]
    fn packing_drops_whole_phrases_least_important_first() {
        let p = |keep, s: &str| Phrase::new(keep, vec![Span::raw(s.to_string())]);
        let text = |spans: Vec<Span>| {
            spans
                .iter()
                .map(|s| s.content.to_string())
                .collect::<String>()
        };
        let phrases = || vec![p(9, "p pause  "), p(1, "t theme  "), p(5, "q quit")];
        assert_eq!(text(pack(phrases(), 30)), "p pause  t theme  q quit");
        assert_eq!(text(pack(phrases(), 20)), "p pause  q quit");
        assert_eq!(text(pack(phrases(), 8)), "");
        assert_eq!(text(pack(phrases(), 3)), "");
    }

    #[test]
    fn flowing_phrases_wraps_between_them() {
        let phrases = ["hold 5s left", "breach in us", "score 0 fail in us"].map(String::from);
        assert_eq!(
            flow(&phrases, " · ", 30),
            ["hold 5s left · breach in us", "score 0 fail in us"]
        );
        let lines = at_most(flow(&phrases, " · ", 12), 2, 12);
        assert_eq!(lines, ["hold 5s left", "breach in…"]);
    }
}
