//! The values an action is made of as adapters see it: the request, why a
//! target did not carry it out, and what can carry it out.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::domain::rollout::{Action, ActionScope};

/// A confirmed action, with everything the audit log needs to say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRequest {
    pub id: u64,
    pub action: Action,
    pub scope: ActionScope,
    pub service: String,
    pub stable_version: String,
    pub canary_version: String,
    pub operator: String,
    pub reason: Option<String>,
}

/// Why a target did not carry out an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    #[error("refused by the target: {0}")]
    Refused(String),
    #[error("target unreachable: {0}")]
    Unreachable(String),
    #[error(
        "no answer within {0:?}: the outcome is unknown, check the rollout before acting again"
    )]
    Timeout(Duration),
    /// The request may have reached the target, but its answer does not say
    /// the action was carried out: a redirect, an answer that is not the
    /// documented one. Holds what came back, made safe to show.
    #[error("outcome unknown: {0}; check the rollout before acting again")]
    Unknown(String),
}

impl ControlError {
    /// Whether the action may have been carried out although the target
    /// did not say so.
    pub fn outcome_unknown(&self) -> bool {
        // Every kind is named, so that a new one must be placed here too.
        match self {
            ControlError::Unknown(_) | ControlError::Timeout(_) => true,
            ControlError::Refused(_) | ControlError::Unreachable(_) => false,
        }
    }
}

/// What became of an action, as the screen tells it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActionOutcome {
    /// The target said it was carried out; its words.
    Done(String),
    /// It was not carried out: refused, not sent, the target unreachable.
    Failed(String),
    /// It may have been carried out, but the target did not say so.
    Unknown(String),
}

impl ActionOutcome {
    /// The outcome of a control call.
    pub fn of(result: &Result<String, ControlError>) -> ActionOutcome {
        match result {
            Ok(what) => ActionOutcome::Done(what.clone()),
            Err(e) if e.outcome_unknown() => ActionOutcome::Unknown(e.to_string()),
            Err(e) => ActionOutcome::Failed(e.to_string()),
        }
    }

    pub fn is_done(&self) -> bool {
        matches!(self, ActionOutcome::Done(_))
    }

    /// The same outcome with `more` said after its words.
    pub fn adding(self, more: &str) -> ActionOutcome {
        match self {
            ActionOutcome::Done(w) => ActionOutcome::Done(format!("{w}{more}")),
            ActionOutcome::Failed(w) => ActionOutcome::Failed(format!("{w}{more}")),
            ActionOutcome::Unknown(w) => ActionOutcome::Unknown(format!("{w}{more}")),
        }
    }
}

/// The future a control call returns.
pub type ControlFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, ControlError>> + Send + 'a>>;

/// Something that can carry out actions on a rollout: the simulator, Argo
/// Rollouts, a deploy API. It answers with a short description of what it did.
pub trait DeploymentControl: Send + Sync {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a>;

    /// Hold `wave` at its gate (when its hold passes it waits for a
    /// promote), or with `hold` false let it go on as planned again. Only a
    /// target that knows gates can (the simulator); the others advance on
    /// their own, answer `false`, and are paused instead.
    fn hold_at_gate(&self, _wave: usize, _hold: bool) -> bool {
        false
    }
}

/// The control of a war room with no deployment source: refuses everything.
pub struct NoControl;

impl DeploymentControl for NoControl {
    fn apply<'a>(&'a self, _request: &'a ActionRequest) -> ControlFuture<'a> {
        Box::pin(async {
            Err(ControlError::Refused(
                "no deployment source in the plan".to_string(),
            ))
        })
    }
}
