//! The values sources speak: what a poll reports, what a source is, why a
//! poll failed. Adapters produce them; the runtime names them for the app.

use std::time::Duration;

use crate::domain::Timestamp;
use crate::domain::health::Sample;
use crate::domain::rollout::RolloutStatus;

/// What a source reports on one poll.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Report {
    Rollout(RolloutStatus),
    Metrics(Vec<Sample>),
}

/// What a source does, which decides what its reports mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceInfo {
    pub name: String,
    pub kind: SourceKind,
    /// How often it is polled.
    pub interval: std::time::Duration,
    /// How long one poll may take before it counts as failed.
    pub timeout: std::time::Duration,
}

/// Why a poll brought nothing back, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{0}")]
pub struct SourceError(pub String);

/// How long to wait after `failures` failed polls in a row: the interval,
/// doubling with each failure, up to 16 intervals or a minute, whichever is
/// less, so a source that comes back is seen again soon.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let cap = (interval * 16).min(Duration::from_secs(60)).max(interval);
    interval.saturating_mul(1 << failures.min(6)).min(cap)
}

/// What one poll of any source brings: a report and notes, or an error.
pub type PollResult = Result<(Report, Vec<String>), SourceError>;

/// A source's name in the running war room, handed out by the runtime's
/// registry when the source is started: its place in the screen's list.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SourceId(pub usize);

/// One poll or watched change, as an adapter reports it: when it answered,
/// how long it took, what it brought, and any notes (warnings from the
/// source, series it could not place).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Polled {
    pub at: Timestamp,
    pub took: Duration,
    pub result: Result<Report, SourceError>,
    pub notes: Vec<String>,
}

impl Polled {
    /// A report that took no time and has no notes (the embedded simulator).
    pub fn instant(at: Timestamp, report: Report) -> Polled {
        Polled {
            at,
            took: Duration::ZERO,
            result: Ok(report),
            notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(5), 1), s(10));
        assert_eq!(backoff(s(5), 3), s(40));
        assert_eq!(backoff(s(5), 30), s(60));
        assert_eq!(backoff(s(1), 30), s(16));
        assert_eq!(backoff(s(120), 2), s(120));
    }
}
