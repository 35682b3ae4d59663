//! Everything that can happen to the app, and everything it asks the world to do.

use crossterm::event::KeyEvent;

use crate::control::ActionRequest;
use crate::domain::Timestamp;
use crate::domain::rollout::Action;
use crate::sources::{Report, SourceError};

/// One event for `update`: input, time, a source's report, an action's outcome.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize,
    Tick(Timestamp),
    /// A poll of source number `source` (an index into `AppState::sources`):
    /// when it answered, how long it took, what it brought, and any notes
    /// (warnings from the source, series it could not place).
    Source {
        source: usize,
        at: Timestamp,
        took: std::time::Duration,
        result: Result<Report, SourceError>,
        notes: Vec<String>,
    },
    /// The outcome of action `id`: what the target said, or why it failed.
    ActionDone {
        id: u64,
        action: Action,
        at: Timestamp,
        outcome: Result<String, String>,
    },
    /// The delivery history for DORA has been read, or could not be.
    History(Result<Box<crate::domain::dora::History>, String>),
    /// The audit log took a scorecard setting, or could not.
    ScorecardRecorded {
        setting: crate::domain::scorecard::Setting,
        result: Result<(), String>,
    },
    /// What another process recorded in the audit log since the last look.
    Recalled(crate::control::recall::Recalled),
    /// The process was asked to stop (SIGTERM, SIGHUP, SIGINT).
    Terminate(&'static str),
}

/// What `update` asks the event loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send an action through the control path (audit, call, audit).
    Execute(ActionRequest),
    /// Record a scorecard item set by a person in the audit log.
    RecordScorecard(crate::domain::scorecard::Setting),
    Quit,
}
