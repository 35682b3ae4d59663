//! The source registry: every source the war room starts gets a `SourceId`
//! here, and what its adapter reports (a `Polled`, a `Recalled`) becomes the
//! app's `Msg` here and nowhere else.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::audit::tail::Followed;
use crate::domain::clock::Clock;
use crate::domain::source::{PollResult, Polled, SourceId, SourceInfo, backoff};

/// How many reports may wait on one source's channel before it waits too.
const SOURCE_QUEUE: usize = 16;

/// The sources of one war room, in the order the screen lists them.
pub struct Registry {
    infos: Vec<SourceInfo>,
    tx: mpsc::Sender<Msg>,
}

impl Registry {
    pub fn new(tx: mpsc::Sender<Msg>) -> Registry {
        Registry {
            infos: Vec::new(),
            tx,
        }
    }

    /// Name a new source: its id, and the channel its adapter reports on.
    pub fn register(&mut self, info: SourceInfo) -> (SourceId, mpsc::Sender<Polled>) {
        let id = SourceId(self.infos.len());
        self.infos.push(info);
        let (sink, mut reports) = mpsc::channel::<Polled>(SOURCE_QUEUE);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(polled) = reports.recv().await {
                if tx.send(Msg::Source { source: id, polled }).await.is_err() {
                    break;
                }
            }
        });
        (id, sink)
    }

    /// Name a source polled by `poll`, and poll it on its own task: every
    /// interval while it answers, backing off while it fails.
    pub fn spawn_poller<F, Fut>(&mut self, info: SourceInfo, clock: Arc<dyn Clock>, poll: F)
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = PollResult> + Send + 'static,
    {
        let (_, sink) = self.register(info.clone());
        tokio::spawn(poll_forever(info, clock, sink, poll));
    }

    /// The sources named so far, by id.
    pub fn infos(&self) -> Vec<SourceInfo> {
        self.infos.clone()
    }
}

/// What another process recorded in the audit log, for the app.
pub fn forward_recalled(mut recalled: mpsc::Receiver<Followed>, tx: mpsc::Sender<Msg>) {
    tokio::spawn(async move {
        while let Some(news) = recalled.recv().await {
            let msg = match news {
                Followed::Recalled(r) => Msg::Recalled(r),
                Followed::Broken(why) => Msg::AuditUnreadable(why),
            };
            if tx.send(msg).await.is_err() {
                break;
            }
        }
    });
}

/// Poll for ever: each poll becomes one report; the task ends when nobody
/// listens any more.
async fn poll_forever<F, Fut>(
    info: SourceInfo,
    clock: Arc<dyn Clock>,
    sink: mpsc::Sender<Polled>,
    poll: F,
) where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = PollResult> + Send + 'static,
{
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
        let polled = Polled {
            at: clock.now(),
            took,
            result,
            notes,
        };
        if sink.send(polled).await.is_err() {
            break;
        }
        let wait = match failures {
            0 => info.interval,
            n => backoff(info.interval, n),
        };
        tokio::time::sleep(wait.saturating_sub(took)).await;
    }
}
