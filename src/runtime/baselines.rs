//! Asks the metrics source what signals were before the rollout, each
//! question on its own task, so that a slow answer never holds up input or
//! the screen. The answer comes back as `Msg::Baseline`.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::domain::baseline::{BaselineRequest, BaselineSource};
use crate::domain::clock::Clock;

/// Where the war room's baseline questions go.
#[derive(Clone)]
pub struct Baselines {
    source: Arc<dyn BaselineSource>,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Msg>,
    /// The longest a question may take: a window of days can be slow to
    /// average, but not for ever.
    timeout: Duration,
}

impl Baselines {
    pub fn new(
        source: Arc<dyn BaselineSource>,
        clock: Arc<dyn Clock>,
        tx: mpsc::Sender<Msg>,
        timeout: Duration,
    ) -> Baselines {
        Baselines {
            source,
            clock,
            tx,
            timeout,
        }
    }

    /// Ask `request` on its own task.
    pub fn ask(&self, request: BaselineRequest) {
        let this = self.clone();
        tokio::spawn(async move {
            let answer = tokio::time::timeout(this.timeout, this.source.before(&request)).await;
            let result = answer
                .unwrap_or_else(|_| Err(format!("no answer within {}s", this.timeout.as_secs())));
            let msg = Msg::Baseline {
                key: request.key,
                at: this.clock.now(),
                result,
            };
            // The app may have quit meanwhile.
            let _ = this.tx.send(msg).await;
        });
    }
}

/// What `update` hears when no source can answer baselines: asked again
/// after the backoff, in case one comes.
pub fn unanswerable(request: &BaselineRequest, at: crate::domain::Timestamp) -> Msg {
    Msg::Baseline {
        key: request.key,
        at,
        result: Err(
            "no metrics source here answers questions about before the rollout".to_string(),
        ),
    }
}
