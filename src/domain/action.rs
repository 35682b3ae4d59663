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

/// How the words of an unknown outcome begin, once the error is text.
pub const OUTCOME_UNKNOWN: &str = "outcome unknown";

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

/// Whether `words` (a [`ControlError`] as text) say the outcome is unknown.
pub fn says_outcome_unknown(words: &str) -> bool {
    words.starts_with(OUTCOME_UNKNOWN)
}

/// The future a control call returns.
pub type ControlFuture<'a> =
    Pin<Box<dyn Future<Output = Result<String, ControlError>> + Send + 'a>>;

/// Something that can carry out actions on a rollout: the simulator, Argo
/// Rollouts, a deploy API. It answers with a short description of what it did.
pub trait DeploymentControl: Send + Sync {
    fn apply<'a>(&'a self, request: &'a ActionRequest) -> ControlFuture<'a>;
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
