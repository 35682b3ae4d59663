//! Small phrases the drafts share: times, spans, lists.

use crate::domain::{Span, Timestamp};

/// `09:31 UTC`.
pub(super) fn hhmm(t: Timestamp) -> String {
    t.format("%H:%M UTC").to_string()
}

/// `09:31:07`.
pub(super) fn hhmmss(t: Timestamp) -> String {
    t.format("%H:%M:%S").to_string()
}

/// `1h 05m`, `12m`, `40s`.
pub(super) fn span(s: Span) -> String {
    let secs = s.num_seconds().max(0);
    let (h, m) = (secs / 3600, (secs % 3600) / 60);
    match (h, m) {
        (0, 0) => format!("{secs}s"),
        (0, m) => format!("{m}m"),
        (h, m) => format!("{h}h {m:02}m"),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A share in whole percent, at least `<1%` when above zero.
pub(super) fn percent(share: f64) -> String {
    if share > 0.0 && share < 1.0 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", share)
    }
}

/// The next update line every draft ends with.
pub(super) fn next_update(next: Option<Timestamp>) -> Option<String> {
    next.map(hhmm)
}
