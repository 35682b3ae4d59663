//! The events a delivery history is made of, as written one per line in an
//! NDJSON file (docs/dora-events.md).

use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// A version reached production.
    Deployment {
        id: String,
        time: Timestamp,
        #[serde(default)]
        version: Option<String>,
        /// The commits it carried to production.
        #[serde(default)]
        commits: Vec<String>,
        /// An unplanned deployment to fix an incident (counts as rework).
        #[serde(default)]
        hotfix: bool,
    },
    /// A commit and when it was made.
    Change { commit: String, time: Timestamp },
    /// An incident a deployment caused.
    Incident {
        deployment: String,
        opened: Timestamp,
        #[serde(default)]
        resolved: Option<Timestamp>,
    },
    /// A deployment rolled back: by id, or the latest deployment of a version.
    Rollback {
        #[serde(default)]
        deployment: Option<String>,
        #[serde(default)]
        version: Option<String>,
        time: Timestamp,
    },
    /// A deployment fixed forward by another.
    Hotfix {
        deployment: String,
        time: Timestamp,
        #[serde(default)]
        fix_deployment: Option<String>,
    },
}

/// A history file that cannot be read, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct HistoryFileError {
    pub file: String,
    /// 1-based; 0 for the file as a whole.
    pub line: usize,
    pub problem: String,
}
