//! Everything that can happen to the app, and everything it asks the world to do.

use crossterm::event::KeyEvent;

use crate::domain::Timestamp;
use crate::domain::action::{ActionOutcome, ActionRequest};
use crate::domain::rollout::Action;
use crate::domain::source::{Polled, SourceId};
use crate::domain::timeline::EventKind;

/// One event for `update`: input, time, a source's report, an action's outcome.
/// Serialisable for the session journal (`runtime::journal`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Msg {
    /// A key typed on its own.
    Key(KeyEvent),
    /// Keys that arrived together, in one read of the terminal: a paste on a
    /// terminal without bracketed paste, or keys queued while the screen was
    /// busy. None of them commits what another of them opened.
    Keys(Vec<KeyEvent>),
    /// Text pasted (bracketed paste): text for a field, never keys.
    Paste(String),
    Resize,
    Tick(Timestamp),
    /// A poll or watched change of source `source` (its place in
    /// `AppState::sources`, handed out by the runtime's registry).
    Source {
        source: SourceId,
        polled: Polled,
    },
    /// A line for the timeline from the war room itself (where actions are
    /// recorded, what the plan lacks).
    Note {
        kind: EventKind,
        text: String,
    },
    /// The audit log could not be read: what counts from it is unknown.
    AuditUnreadable(String),
    /// The outcome of action `id`: what the target said, or why it failed.
    ActionDone {
        id: u64,
        action: Action,
        at: Timestamp,
        outcome: ActionOutcome,
    },
    /// The delivery history for DORA has been read, or could not be.
    History(Result<Box<crate::domain::dora::History>, String>),
    /// The audit log took a scorecard setting, or could not.
    ScorecardRecorded {
        setting: crate::domain::scorecard::Setting,
        result: Result<(), String>,
    },
    /// What another process recorded in the audit log since the last look.
    Recalled(crate::domain::scorecard::Recalled),
    /// The audit log took (or refused) one of this screen's annotations:
    /// who wrote it, when, what.
    Annotated {
        annotation: crate::domain::timeline::Annotation,
        result: Result<(), String>,
    },
    /// A metrics source's answer to baseline `key`: the values before the
    /// rollout, or why there are none.
    Baseline {
        key: usize,
        at: Timestamp,
        result: Result<crate::domain::baseline::BaselineValues, String>,
    },
    /// A snapshot of the screen was written (the path of its SVG), or why not.
    Snapshotted(Result<String, String>),
    /// How a message to a notification receiver went: delivered, retried
    /// or given up on.
    Delivered(super::receivers::DeliveryReport),
    /// The process was asked to stop (SIGTERM, SIGHUP, SIGINT). A journal
    /// keeps that it was, not the signal's name.
    Terminate(#[serde(skip)] &'static str),
    /// `$EDITOR` closed on a draft: its text, or why there is none.
    Edited {
        audience: crate::domain::comms::Audience,
        result: Result<String, String>,
    },
    /// A draft was written to a file: its path, or why it was not.
    DraftWritten(Result<String, String>),
    /// The drill was ended: its script and how each injection ran, read
    /// only now (`None`: a drill without a script, graded the classic way).
    DrillEnded(Option<Box<crate::domain::drill::grade::Script>>),
}

/// What `update` asks the event loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Send an action through the control path (audit, call, audit).
    Execute(ActionRequest),
    /// Tell a target that knows gates to hold this wave at its gate, or to
    /// let it go on as planned again.
    HoldAtGate {
        wave: usize,
        hold: bool,
    },
    /// Record a scorecard item set by a person in the audit log.
    RecordScorecard(crate::domain::scorecard::Setting),
    /// Record a person's line on the timeline in the audit log (an
    /// annotation, a status update marked sent); every dashboard on the
    /// log shows it.
    Annotate(String),
    /// Ask the metrics source what a signal was before the rollout; the
    /// answer comes back as `Msg::Baseline`.
    Baseline(crate::domain::baseline::BaselineRequest),
    /// Write the screen as it is now to the snapshots folder; the answer
    /// comes back as `Msg::Snapshotted`.
    Snapshot,
    /// Tell the receivers that asked for its kind, off the event loop.
    Notify(crate::domain::notification::Notification),
    /// Hand `text` to `$EDITOR` (the terminal suspended meanwhile); the
    /// text comes back as `Msg::Edited`.
    Edit {
        audience: crate::domain::comms::Audience,
        text: String,
    },
    /// Put `text` on the clipboard of the terminal (OSC 52).
    Copy(String),
    /// Write `text` to `name` in the drafts folder of the state dir; the
    /// outcome comes back as `Msg::DraftWritten`.
    WriteDraft {
        name: String,
        text: String,
    },
    /// End the drill: the event loop reads its script and answers with
    /// `Msg::DrillEnded`.
    EndDrill,
    Quit,
}
