//! Sources: tasks that poll something (a simulator, Prometheus, a deploy API)
//! and only send messages. A slow or dead source never blocks input or drawing.

pub mod simulator;

use crate::domain::health::Sample;
use crate::domain::rollout::RolloutStatus;

/// What a source reports on one poll.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Rollout(RolloutStatus),
    Metrics(Vec<Sample>),
}

/// What a source does, which decides what its reports mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Deployment,
    Metrics,
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Deployment => "deploy",
            SourceKind::Metrics => "metrics",
        }
    }
}

/// A source as the app knows it before it reports anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub name: String,
    pub kind: SourceKind,
}

/// Why a poll brought nothing back, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);
