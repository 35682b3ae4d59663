//! The replay's own keys: one table, read by the key handling and by the
//! `?` help. Every other key, the dashboard's actions among them, is
//! refused with a line saying why: a replay reaches nothing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a replay key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    PlayPause,
    Faster,
    Slower,
    Step,
    Seek,
    PrevBreach,
    NextBreach,
    PrevAction,
    NextAction,
    PrevAnnotation,
    NextAnnotation,
    Help,
    Quit,
}

/// Every replay key, in the order the help lists them.
pub const KEYS: &[(&[KeyCode], Control, &str, &str)] = &[
    (
        &[KeyCode::Char(' ')],
        Control::PlayPause,
        "space",
        "play / pause",
    ),
    (
        &[KeyCode::Char('+'), KeyCode::Char('=')],
        Control::Faster,
        "+",
        "faster (1× 2× 4× 8× 16×)",
    ),
    (&[KeyCode::Char('-')], Control::Slower, "-", "slower"),
    (
        &[KeyCode::Char('.'), KeyCode::Right],
        Control::Step,
        ". →",
        "one message on",
    ),
    (
        &[KeyCode::Char('g')],
        Control::Seek,
        "g",
        "go to a time: HH:MM:SS, or +10m / -2m from here",
    ),
    (
        &[KeyCode::Char('[')],
        Control::PrevBreach,
        "[",
        "previous breach",
    ),
    (
        &[KeyCode::Char(']')],
        Control::NextBreach,
        "]",
        "next breach",
    ),
    (
        &[KeyCode::Char('{')],
        Control::PrevAction,
        "{",
        "previous action",
    ),
    (
        &[KeyCode::Char('}')],
        Control::NextAction,
        "}",
        "next action",
    ),
    (
        &[KeyCode::Char('<')],
        Control::PrevAnnotation,
        "<",
        "previous annotation",
    ),
    (
        &[KeyCode::Char('>')],
        Control::NextAnnotation,
        ">",
        "next annotation",
    ),
    (&[KeyCode::Char('?')], Control::Help, "?", "these keys"),
    (
        &[KeyCode::Char('q'), KeyCode::Esc],
        Control::Quit,
        "q",
        "quit the replay",
    ),
];

/// The replay control `key` gives, if any.
pub fn control(key: &KeyEvent) -> Option<Control> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Control::Quit),
            _ => None,
        };
    }
    KEYS.iter()
        .find(|(codes, ..)| codes.contains(&key.code))
        .map(|(_, control, ..)| *control)
}

/// What the bar says to a key that is not a replay key: a dashboard action
/// is refused by name.
pub fn refusal(key: &KeyEvent) -> String {
    let shown = match key.code {
        KeyCode::Char(c) => c.to_string(),
        other => format!("{other:?}"),
    };
    format!("replay: `{shown}` refused, a replay sends nothing and reaches no target (? keys)")
}

/// The help, one line a key.
pub fn help() -> Vec<String> {
    KEYS.iter()
        .map(|(_, _, shown, what)| format!("{shown:>6}  {what}"))
        .collect()
}

/// The speeds `+` and `-` step through.
pub const SPEEDS: [u32; 5] = [1, 2, 4, 8, 16];

/// The speed after `control` from `speed`.
pub fn next_speed(speed: u32, faster: bool) -> u32 {
    let at = SPEEDS.iter().position(|s| *s == speed).unwrap_or(0);
    let to = if faster {
        (at + 1).min(SPEEDS.len() - 1)
    } else {
        at.saturating_sub(1)
    };
    SPEEDS[to]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_step_between_one_and_sixteen() {
        assert_eq!(next_speed(1, true), 2);
        assert_eq!(next_speed(16, true), 16);
        assert_eq!(next_speed(1, false), 1);
        assert_eq!(next_speed(8, false), 4);
    }

    #[test]
    fn every_key_is_in_the_help_and_no_key_twice() {
        let mut seen = Vec::new();
        for (codes, ..) in KEYS {
            for c in *codes {
                assert!(!seen.contains(c), "{c:?} twice");
                seen.push(*c);
            }
        }
        assert_eq!(help().len(), KEYS.len());
        let p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
        assert_eq!(control(&p), None);
        assert!(refusal(&p).contains("replay"));
    }
}
