//! Sources: tasks that poll or watch something (a simulator, Prometheus, a
//! deploy API, Argo Rollouts) and only send messages. A slow or dead source never blocks input or drawing.

pub mod argo;
pub mod audit_tail;
pub mod deploy_api;
pub mod history;
pub mod prometheus;
pub mod secret;
pub mod simulator;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::clock::Clock;
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
    /// How often it is polled.
    pub interval: std::time::Duration,
    /// How long one poll may take before it counts as failed.
    pub timeout: std::time::Duration,
}

/// Why a poll brought nothing back, in words an operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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

/// Poll a source for ever on its own task: every `info.interval` while it
/// answers, backing off while it fails. Each poll becomes one message; the
/// task ends when the app is gone.
pub fn spawn_poller<F, Fut>(
    info: SourceInfo,
    index: usize,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Msg>,
    poll: F,
) where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = PollResult> + Send,
{
    tokio::spawn(async move {
        let mut failures = 0;
        loop {
            let started = Instant::now();
            let outcome = poll().await;
            let took = started.elapsed();
            let (result, notes) = match outcome {
                Ok((report, notes)) => {
                    failures = 0;
                    (Ok(report), notes)
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(source = %info.name, error = %e, failures, "poll failed");
                    (Err(e), Vec::new())
                }
            };
            let msg = Msg::Source {
                source: index,
                at: clock.now(),
                took,
                result,
                notes,
            };
            if tx.send(msg).await.is_err() {
                break;
            }
            let wait = match failures {
                0 => info.interval,
                n => backoff(info.interval, n),
            };
            tokio::time::sleep(wait.saturating_sub(took)).await;
        }
    });
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
