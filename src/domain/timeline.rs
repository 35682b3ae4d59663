//! What happened during the rollout, newest last, capped.

use std::collections::VecDeque;

use super::Timestamp;

/// The kind of an event, which decides its glyph and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EventKind {
    /// A wave started, the rollout completed, paused or resumed.
    Progress,
    /// A stop condition was breached.
    Breach,
    /// An operator asked for an action.
    ActionAttempt,
    /// An action succeeded.
    ActionOk,
    /// An action failed or was refused.
    ActionFailed,
    /// An action may or may not have been carried out: the target did not say.
    ActionUnknown,
    /// A source failed or recovered.
    Source,
    /// A line a person wrote on the timeline (from any screen on the log).
    Annotation,
    /// A message to a receiver outside (Slack, PagerDuty, a webhook) was
    /// delivered (or is being tried again).
    Notification,
    /// Something the war room does besides actions could not be done: a
    /// record not written to the audit log, a message given up on.
    Failed,
}

/// The longest annotation a person may write, in characters.
pub const MAX_ANNOTATION: usize = 200;

/// A person's line on the timeline, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Annotation {
    pub at: Timestamp,
    pub operator: String,
    pub text: String,
}

impl Annotation {
    /// How the timeline writes it: who, then what.
    pub fn line(&self) -> String {
        format!("{}: {}", self.operator, self.text)
    }
}

/// `text` as an annotation may hold it: one line of plain text (breaks
/// and tabs folded to a space, control and bidi characters dropped), runs of
/// spaces made one, trimmed, at most [`MAX_ANNOTATION`] characters. Empty
/// when nothing is left to record.
pub fn annotation_text(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => ' ',
            c if super::text::is_unsafe(c) => continue,
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    out.trim_end()
        .chars()
        .take(MAX_ANNOTATION)
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Timestamp,
    pub kind: EventKind,
    pub text: String,
}

/// The rollout's history as the war room saw it.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    events: VecDeque<Event>,
    /// Every event ever pushed, those fallen off included.
    pushed: u64,
    /// The bytes of the texts kept.
    text_bytes: usize,
}

/// The longest text an event keeps, in characters: a longer one is cut at
/// a word and ends in `…`, so that the cut shows.
pub const MAX_EVENT_TEXT: usize = 300;

/// `text` as an event keeps it: whole when it is at most
/// [`MAX_EVENT_TEXT`] characters, else its first whole words and `…`.
pub fn capped(text: String) -> String {
    if text.chars().count() <= MAX_EVENT_TEXT {
        return text;
    }
    // The room left for the words once the ellipsis is in.
    let room = MAX_EVENT_TEXT - 1;
    let end = text.char_indices().nth(room).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    // Back to the last space, unless that loses more than a quarter.
    let cut = match head.rfind(' ') {
        Some(i) if head[..i].chars().count() >= room * 3 / 4 => &head[..i],
        _ => head,
    };
    let mut out = cut.trim_end().to_string();
    out.push('…');
    out
}

impl Timeline {
    /// How many events are kept; older ones fall off.
    pub const CAPACITY: usize = 500;

    pub fn push(&mut self, at: Timestamp, kind: EventKind, text: impl Into<String>) {
        if self.events.len() == Self::CAPACITY
            && let Some(old) = self.events.pop_front()
        {
            self.text_bytes -= old.text.len();
        }
        let text = capped(text.into());
        self.text_bytes += text.len();
        self.events.push_back(Event { at, kind, text });
        self.pushed += 1;
    }

    /// The bytes of the texts kept: at most [`Timeline::CAPACITY`] ×
    /// [`MAX_EVENT_TEXT`] × 4.
    pub fn text_bytes(&self) -> usize {
        self.text_bytes
    }

    /// How many events were ever pushed: a mark for [`Timeline::since`].
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    /// The events pushed after `mark` (a value of [`Timeline::pushed`]) that
    /// are still kept, oldest first.
    pub fn since(&self, mark: u64) -> impl Iterator<Item = &Event> {
        let new = usize::try_from(self.pushed.saturating_sub(mark)).unwrap_or(usize::MAX);
        let skip = self.events.len().saturating_sub(new);
        self.events.iter().skip(skip)
    }

    /// Events, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Event> {
        self.events.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_within_capacity() {
        let mut t = Timeline::default();
        for i in 0..Timeline::CAPACITY + 3 {
            t.push(Timestamp::default(), EventKind::Progress, format!("e{i}"));
        }
        assert_eq!(t.len(), Timeline::CAPACITY);
        let newest = t.newest_first().next().map(|e| e.text.clone());
        assert_eq!(
            newest.as_deref(),
            Some(format!("e{}", Timeline::CAPACITY + 2).as_str())
        );
    }

    #[test]
    fn a_long_text_is_cut_at_a_word_and_says_so() {
        let mut t = Timeline::default();
        let long = "word ".repeat(MAX_EVENT_TEXT);
        t.push(Timestamp::default(), EventKind::Failed, long);
        t.push(Timestamp::default(), EventKind::Failed, "short");
        let texts: Vec<&str> = t.newest_first().map(|e| e.text.as_str()).collect();
        assert_eq!(texts[0], "short");
        assert!(texts[1].chars().count() <= MAX_EVENT_TEXT, "{}", texts[1]);
        assert!(texts[1].ends_with("word…"), "{}", texts[1]);
        assert_eq!(t.text_bytes(), texts[0].len() + texts[1].len());
        // One unbroken word is cut where the room ends.
        let one = capped("x".repeat(MAX_EVENT_TEXT + 5));
        assert_eq!(one.chars().count(), MAX_EVENT_TEXT);
        assert!(one.ends_with('…'));
    }

    #[test]
    fn the_text_kept_falls_off_with_its_event() {
        let mut t = Timeline::default();
        for _ in 0..Timeline::CAPACITY * 3 {
            t.push(Timestamp::default(), EventKind::Progress, "é".repeat(500));
        }
        assert_eq!(t.len(), Timeline::CAPACITY);
        let each = capped("é".repeat(500)).len();
        assert_eq!(t.text_bytes(), Timeline::CAPACITY * each);
    }

    #[test]
    fn an_annotation_is_one_safe_line_of_bounded_length() {
        assert_eq!(
            annotation_text("  rolled back\r\n\tby\u{1b}[2J hand\u{202e} \u{200b} "),
            "rolled back by[2J hand"
        );
        assert_eq!(annotation_text(" \n\t "), "");
        let long = annotation_text(&"ab ".repeat(MAX_ANNOTATION));
        assert!(long.chars().count() <= MAX_ANNOTATION, "{long}");
        assert!(!long.ends_with(' '));
    }

    #[test]
    fn since_a_mark_gives_what_came_after_it() {
        let mut t = Timeline::default();
        t.push(Timestamp::default(), EventKind::Progress, "old");
        let mark = t.pushed();
        t.push(Timestamp::default(), EventKind::Breach, "a");
        t.push(Timestamp::default(), EventKind::Source, "b");
        let texts: Vec<&str> = t.since(mark).map(|e| e.text.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
        assert_eq!(t.since(t.pushed()).count(), 0);
    }
}
