//! Free text in files people write. Names, labels, owners, paths and URLs
//! from a plan or a theme reach the screen, `warroom status`, the log and
//! the audit log, so they are checked where the file is read: a character a
//! terminal would act on (ESC, C1 controls, a newline that forges a log line)
//! or one that reorders or hides what is shown (bidi and zero-width
//! controls) is refused, and so is a value too long to be what it claims.

use std::borrow::Cow;
use std::fmt;

/// What kind of value a piece of text is, and so how long it may be and
/// whether it may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The most characters (not bytes) allowed.
    pub max: usize,
    /// What such values are called in an error, plural: "names".
    pub kind: &'static str,
    /// Whether line breaks and tabs may appear (PromQL spread over lines).
    pub multiline: bool,
}

/// Service, versions, regions, waves, owners, the approver, label names,
/// environment variable names, theme names.
pub const NAME: Limit = Limit {
    max: 100,
    kind: "names",
    multiline: false,
};

/// Label values and other short descriptions (a metric's region label, a
/// kubeconfig context).
pub const LABEL: Limit = Limit {
    max: 200,
    kind: "labels",
    multiline: false,
};

/// Kubernetes object names (a Rollout, a namespace), whose own rules are
/// checked beside this.
pub const OBJECT: Limit = Limit {
    max: 253,
    kind: "Kubernetes object names",
    multiline: false,
};

/// URLs of sources.
pub const URL: Limit = Limit {
    max: 2048,
    kind: "URLs",
    multiline: false,
};

/// File paths (token files, kubeconfig, the event history).
pub const PATH: Limit = Limit {
    max: 4096,
    kind: "paths",
    multiline: false,
};

/// PromQL queries, which may be written over several lines.
pub const QUERY: Limit = Limit {
    max: 8192,
    kind: "queries",
    multiline: true,
};

/// Why a character may not appear in text shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharClass {
    /// C0 controls (ESC, TAB, newline, …), DEL and C1 controls (U+0080–U+009F):
    /// a terminal acts on them instead of showing them.
    Control,
    /// U+2028 and U+2029: line breaks by another name.
    LineBreak,
    /// Bidirectional controls: they make text read in another order than it
    /// is stored (U+202E turns `exe.txt` into `txt.exe`).
    Bidi,
    /// Zero-width characters that hide text boundaries (U+200B, U+2060, U+FEFF).
    Invisible,
}

impl CharClass {
    /// How an error calls a character of this class: "the control character".
    pub fn described(self) -> &'static str {
        match self {
            CharClass::Control => "the control character",
            CharClass::LineBreak => "the line separator",
            CharClass::Bidi => "the bidirectional control",
            CharClass::Invisible => "the invisible character",
        }
    }
}

/// The class of `c` if it may not be shown as it is, else `None`.
pub fn class_of(c: char) -> Option<CharClass> {
    match c {
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => Some(CharClass::Control),
        '\u{2028}' | '\u{2029}' => Some(CharClass::LineBreak),
        '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => Some(CharClass::Bidi),
        '\u{200b}' | '\u{2060}' | '\u{feff}' => Some(CharClass::Invisible),
        _ => None,
    }
}

/// Why a piece of text is refused. Never repeats the text itself: it may be
/// huge, or be the very sequence that would act on the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextProblem {
    /// A character that may not be shown, at this 1-based character position.
    Char {
        class: CharClass,
        code: u32,
        at: usize,
    },
    TooLong {
        chars: usize,
        limit: Limit,
    },
}

/// The common name of a character people meet in these errors, if it has one.
fn known_as(code: u32) -> Option<&'static str> {
    Some(match code {
        0x09 => "TAB",
        0x0a => "line feed",
        0x0d => "carriage return",
        0x1b => "ESC",
        0x7f => "DEL",
        0x9b => "CSI",
        0x202e => "right-to-left override",
        0x200b => "zero-width space",
        0xfeff => "byte order mark",
        _ => return None,
    })
}

impl TextProblem {
    /// The problem without advice: "contains the control character U+001B
    /// (ESC) at character 9".
    pub fn what(&self) -> String {
        match self {
            TextProblem::Char { class, code, at } => {
                let name = known_as(*code)
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                format!(
                    "contains {} U+{code:04X}{name} at character {at}",
                    class.described()
                )
            }
            TextProblem::TooLong { .. } => self.to_string(),
        }
    }
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::Char { .. } => {
                write!(f, "{}; write plain text on one line", self.what())
            }
            TextProblem::TooLong { chars, limit } => write!(
                f,
                "is {chars} characters long; {} are at most {}",
                limit.kind, limit.max
            ),
        }
    }
}

impl std::error::Error for TextProblem {}

/// Check `value` against `limit`: no character that may not be shown (line
/// breaks and tabs allowed only where the limit says), and not too long.
pub fn check(value: &str, limit: Limit) -> Result<(), TextProblem> {
    // Bytes bound characters from above: most values need no count at all.
    if value.len() > limit.max {
        let chars = value.chars().count();
        if chars > limit.max {
            return Err(TextProblem::TooLong { chars, limit });
        }
    }
    let allowed = |c: char| limit.multiline && matches!(c, '\n' | '\r' | '\t');
    for (i, c) in value.chars().enumerate() {
        if let Some(class) = class_of(c).filter(|_| !allowed(c)) {
            return Err(TextProblem::Char {
                class,
                code: u32::from(c),
                at: i + 1,
            });
        }
    }
    Ok(())
}

/// The most characters of an error message shown; past it, `…`.
const SHOWN_MAX: usize = 1000;

/// `text` as it may be printed in an error: every character that may not be
/// shown written as `\u{1b}`, and at most 1000 characters. Errors repeat
/// what a file said (`"…" is not a consequence`), so this is their last guard.
pub fn shown(text: &str) -> Cow<'_, str> {
    let clean = text.len() <= SHOWN_MAX && text.chars().all(|c| class_of(c).is_none());
    if clean {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == SHOWN_MAX {
            out.push('…');
            break;
        }
        match class_of(c) {
            Some(_) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod tests;
