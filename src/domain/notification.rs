//! What the war room tells people outside it: a breach began or ended, an
//! action was asked for or came back, a wave started, the verdict turned
//! NO-GO, someone annotated the timeline. One value per message, whatever
//! the receiver; each receiver's wire format is built from it elsewhere.

use std::fmt;

use super::Timestamp;

/// The kinds of message a receiver may ask for (`events = [...]` in the plan).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum NotifyEvent {
    /// A stop condition was breached (in a region, or service-wide).
    Breach,
    /// A breached stop condition is no longer breached there.
    Recovery,
    /// Someone (or warroom itself) asked for an action.
    ActionAsked,
    /// The target confirmed an action.
    ActionDone,
    /// An action failed, was held back, or its outcome is unknown.
    ActionFailed,
    /// The rollout entered a new wave.
    WaveEntered,
    /// The verdict turned from GO to NO-GO.
    NoGo,
    /// Someone wrote in the timeline.
    Annotation,
}

impl NotifyEvent {
    /// Every kind, in the order the docs list them.
    pub const ALL: [NotifyEvent; 8] = [
        NotifyEvent::Breach,
        NotifyEvent::Recovery,
        NotifyEvent::ActionAsked,
        NotifyEvent::ActionDone,
        NotifyEvent::ActionFailed,
        NotifyEvent::WaveEntered,
        NotifyEvent::NoGo,
        NotifyEvent::Annotation,
    ];

    /// The word the plan and the generic webhook use.
    pub fn word(self) -> &'static str {
        match self {
            NotifyEvent::Breach => "breach",
            NotifyEvent::Recovery => "recovery",
            NotifyEvent::ActionAsked => "action-asked",
            NotifyEvent::ActionDone => "action-done",
            NotifyEvent::ActionFailed => "action-failed",
            NotifyEvent::WaveEntered => "wave-entered",
            NotifyEvent::NoGo => "no-go",
            NotifyEvent::Annotation => "annotation",
        }
    }

    pub fn from_word(word: &str) -> Option<NotifyEvent> {
        NotifyEvent::ALL.into_iter().find(|e| e.word() == word)
    }
}

impl fmt::Display for NotifyEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// How bad a message is, in the words incident tools share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Critical,
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One message about the rollout, for every receiver that asked for its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub event: NotifyEvent,
    pub service: String,
    /// The region it is about; `None` for the whole rollout.
    pub region: Option<String>,
    /// What happened, in one line, as the timeline says it.
    pub text: String,
    pub at: Timestamp,
    pub severity: Severity,
    /// Sent from the demo or a drill: nothing real is affected.
    pub drill: bool,
    /// The same for a breach and the recovery that ends it, so that an
    /// incident opened by one is closed by the other; `None` otherwise.
    pub dedup_key: Option<String>,
}

/// The prefix every message from the demo or a drill carries.
pub const DRILL_PREFIX: &str = "[DRILL] ";

/// The longest dedup key incident tools take.
pub const MAX_DEDUP_KEY: usize = 255;

impl Notification {
    /// The one-line text as a receiver shows it: marked when it is a drill.
    pub fn headline(&self) -> String {
        match self.drill {
            true => format!("{DRILL_PREFIX}{}", self.text),
            false => self.text.clone(),
        }
    }
}

/// The key shared by a breach of condition `condition` (named `name`) in
/// `place` and its recovery: stable for the rollout of this canary, apart
/// for drills so that a rehearsal never closes a real incident.
pub fn dedup_key(
    service: &str,
    canary: &str,
    condition: usize,
    name: &str,
    place: &str,
    drill: bool,
) -> String {
    let slug: String = name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || "._-%".contains(c) => c,
            _ => '-',
        })
        .collect();
    let mut key = format!("warroom/{service}/{canary}/stop-{condition}-{slug}/{place}");
    if drill {
        key = format!("drill/{key}");
    }
    let mut end = key.len().min(MAX_DEDUP_KEY);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    key.truncate(end);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for e in NotifyEvent::ALL {
            assert_eq!(NotifyEvent::from_word(e.word()), Some(e));
        }
        assert_eq!(NotifyEvent::from_word("breaches"), None);
    }

    #[test]
    fn a_dedup_key_is_stable_bounded_and_apart_for_drills() {
        let a = dedup_key(
            "checkout",
            "2.4.0",
            0,
            "error rate > 2 %",
            "eu-west-1",
            false,
        );
        let b = dedup_key(
            "checkout",
            "2.4.0",
            0,
            "error rate > 2 %",
            "eu-west-1",
            false,
        );
        assert_eq!(a, b);
        assert_eq!(
            a,
            "warroom/checkout/2.4.0/stop-0-error-rate---2-%/eu-west-1"
        );
        let drill = dedup_key(
            "checkout",
            "2.4.0",
            0,
            "error rate > 2 %",
            "eu-west-1",
            true,
        );
        assert!(drill.starts_with("drill/") && drill != a);
        let long = dedup_key("s", "v", 1, &"é".repeat(400), "r", false);
        assert!(long.len() <= MAX_DEDUP_KEY);
    }
}
