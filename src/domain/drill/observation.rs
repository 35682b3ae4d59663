//! What the operator looked at and did during a drill, and what the screen
//! first showed, with times: the record a drill is graded from. The app
//! writes it (in drills only); grading reads it.

use crate::domain::Timestamp;
use crate::domain::rollout::{Action, ActionScope};

/// How bad what the screen showed was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// A stop condition warned, or was past its threshold for less than its hold.
    Warn,
    /// A stop condition breached.
    Breach,
    /// A source went stale or failed: its data can no longer be trusted.
    Stale,
}

impl Level {
    pub fn word(self) -> &'static str {
        match self {
            Level::Warn => "warning",
            Level::Breach => "breach",
            Level::Stale => "stale source",
        }
    }
}

/// One thing seen or done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The operator moved the matrix cursor onto a region.
    Selected { region: String },
    /// The operator opened the selected region's detail (focus or zoom).
    Detail { region: String },
    /// The operator moved the focus to a panel or zoomed it (by name).
    Focused { panel: String },
    /// A person confirmed an action: it went to the control path.
    Asked { action: Action, scope: ActionScope },
    /// The target said it was done.
    Done { action: Action, scope: ActionScope },
    /// The target refused it or could not be reached.
    Failed {
        action: Action,
        scope: ActionScope,
        why: String,
    },
    /// A person wrote a line on the timeline.
    Annotated { text: String },
    /// A status update was marked sent.
    UpdateSent,
    /// The screen began to show trouble for `region` (`None`: a source,
    /// for every region), at `level`: `what` names the condition or source.
    Shown {
        region: Option<String>,
        level: Level,
        what: String,
    },
    /// The screen shows `region` healthy again (`None`: every source fresh).
    Cleared { region: Option<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub at: Timestamp,
    pub what: Observed,
}

impl Observed {
    /// The region a look or an action touches; `Some(None)` for the whole
    /// rollout; `None` for what is about no region.
    pub fn touches(&self) -> Option<Option<&str>> {
        match self {
            Observed::Selected { region } | Observed::Detail { region } => Some(Some(region)),
            Observed::Asked { scope, .. }
            | Observed::Done { scope, .. }
            | Observed::Failed { scope, .. } => Some(match scope {
                ActionScope::Rollout => None,
                ActionScope::Region(r) => Some(r),
            }),
            _ => None,
        }
    }

    /// Whether this is a person's interaction with `region` (a look at it,
    /// or an action whose scope covers it).
    pub fn interacts_with(&self, region: &str) -> bool {
        match self.touches() {
            Some(None) => true,
            Some(Some(r)) => r == region,
            None => false,
        }
    }

    /// One line for the debrief's timeline.
    pub fn line(&self) -> String {
        match self {
            Observed::Selected { region } => format!("looked at {region}"),
            Observed::Detail { region } => format!("opened the detail of {region}"),
            Observed::Focused { panel } => format!("looked at the {panel} panel"),
            Observed::Asked { action, scope } => format!("asked to {action} ({})", scope.label()),
            Observed::Done { action, scope } => format!("{action} done ({})", scope.label()),
            Observed::Failed { action, scope, why } => {
                format!("{action} failed ({}): {why}", scope.label())
            }
            Observed::Annotated { text } => format!("annotated: {text}"),
            Observed::UpdateSent => "status update marked sent".to_string(),
            Observed::Shown {
                region,
                level,
                what,
            } => match region {
                Some(r) => format!("screen showed a {} in {r}: {what}", level.word()),
                None => format!("screen showed a {}: {what}", level.word()),
            },
            Observed::Cleared { region: Some(r) } => format!("screen showed {r} healthy again"),
            Observed::Cleared { region: None } => "every source fresh again".to_string(),
        }
    }
}
