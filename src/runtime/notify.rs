//! Sending notifications off the event loop. Each receiver has its own
//! lane: a bounded queue (the oldest message dropped, and counted, when it
//! is full) and a task that delivers in order with retries and backoff. The
//! loop only pushes onto a queue, so a receiver that is slow, down or hangs
//! never holds up a key. Every attempt's fate comes back as
//! `Msg::Delivered`; every delivery and failure is logged and audited.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, mpsc};

use crate::app::Msg;
use crate::app::receivers::{DeliveryReport, DeliveryState};
use crate::audit::delivery::DeliveryEntry;
use crate::audit::{AuditLog, AuditRecord, Mode};
use crate::domain::clock::Clock;
use crate::domain::notification::Notification;
use crate::integrations::notify::{Backoff, Receiver};

/// How many messages may wait for one receiver.
pub const QUEUE_CAP: usize = 64;

#[derive(Default)]
struct Queue {
    items: VecDeque<Notification>,
    dropped: u64,
}

struct Lane {
    receiver: Arc<Receiver>,
    queue: Arc<Mutex<Queue>>,
    wake: Arc<Notify>,
}

/// The receivers' lanes. Dropping it leaves the tasks waiting, harmless.
pub struct Notifier {
    lanes: Vec<Lane>,
}

/// What a lane needs besides its receiver.
#[derive(Clone)]
pub struct Outlet {
    pub tx: mpsc::Sender<Msg>,
    /// Where deliveries are recorded; `None` records nothing.
    pub audit: Option<Arc<AuditLog>>,
    pub clock: Arc<dyn Clock>,
    /// The demo's or a drill's mark for the audit records.
    pub mode: Option<Mode>,
    pub backoff: Backoff,
}

impl Notifier {
    /// A lane and its task for each receiver, in `AppState::receivers` order.
    pub fn start(receivers: Vec<Receiver>, outlet: Outlet) -> Notifier {
        let lanes = receivers
            .into_iter()
            .enumerate()
            .map(|(index, receiver)| {
                let lane = Lane {
                    receiver: Arc::new(receiver),
                    queue: Arc::new(Mutex::new(Queue::default())),
                    wake: Arc::new(Notify::new()),
                };
                let worker = Worker {
                    index,
                    receiver: lane.receiver.clone(),
                    queue: lane.queue.clone(),
                    wake: lane.wake.clone(),
                    outlet: outlet.clone(),
                };
                tokio::spawn(worker.run());
                lane
            })
            .collect();
        Notifier { lanes }
    }

    /// Queue `n` for every receiver that asked for its kind; never waits.
    pub fn send(&self, n: &Notification) {
        for lane in self.lanes.iter().filter(|l| l.receiver.wants(n.event)) {
            {
                let Ok(mut q) = lane.queue.lock() else {
                    tracing::error!(receiver = %lane.receiver.name, "notification queue poisoned");
                    continue;
                };
                if q.items.len() >= QUEUE_CAP {
                    q.items.pop_front();
                    q.dropped += 1;
                    tracing::warn!(receiver = %lane.receiver.name, "notification queue full: oldest dropped");
                }
                q.items.push_back(n.clone());
            }
            lane.wake.notify_one();
        }
    }
}

impl Notifier {
    /// For each receiver: how many messages wait, and how many were dropped.
    pub fn waiting(&self) -> Vec<(usize, u64)> {
        self.lanes
            .iter()
            .map(|l| {
                l.queue
                    .lock()
                    .map(|q| (q.items.len(), q.dropped))
                    .unwrap_or_default()
            })
            .collect()
    }
}

struct Worker {
    index: usize,
    receiver: Arc<Receiver>,
    queue: Arc<Mutex<Queue>>,
    wake: Arc<Notify>,
    outlet: Outlet,
}

impl Worker {
    async fn run(self) {
        loop {
            let next = self.queue.lock().ok().and_then(|mut q| q.items.pop_front());
            match next {
                Some(n) => self.deliver(&n).await,
                None => self.wake.notified().await,
            }
        }
    }

    /// How many wait and how many were dropped, now.
    fn counts(&self) -> (usize, u64) {
        self.queue
            .lock()
            .map(|q| (q.items.len(), q.dropped))
            .unwrap_or_default()
    }

    async fn report(&self, n: &Notification, state: DeliveryState) -> bool {
        let (queued, dropped) = self.counts();
        let report = DeliveryReport {
            receiver: self.index,
            event: n.event,
            at: self.outlet.clock.now(),
            state,
            queued,
            dropped,
        };
        self.outlet.tx.send(Msg::Delivered(report)).await.is_ok()
    }

    async fn deliver(&self, n: &Notification) {
        let backoff = self.outlet.backoff;
        let (name, kind) = (&self.receiver.name, self.receiver.kind.word());
        let mut tries = 0;
        loop {
            tries += 1;
            match self.receiver.deliver(n).await {
                Ok(()) => {
                    tracing::info!(receiver = %name, kind, event = %n.event, tries, "notification delivered");
                    self.record(n, tries, None).await;
                    self.report(n, DeliveryState::Delivered { tries }).await;
                    return;
                }
                Err(f) if f.retry && tries < backoff.tries.max(1) => {
                    tracing::warn!(receiver = %name, kind, event = %n.event, tries, why = %f.why, "notification failed; retrying");
                    let state = DeliveryState::Retrying { tries, why: f.why };
                    self.report(n, state).await;
                    tokio::time::sleep(backoff.pause(tries)).await;
                }
                Err(f) => {
                    tracing::error!(receiver = %name, kind, event = %n.event, tries, why = %f.why, "notification not delivered");
                    self.record(n, tries, Some(&f.why)).await;
                    self.report(n, DeliveryState::Failed { tries, why: f.why })
                        .await;
                    return;
                }
            }
        }
    }

    /// The delivery's audit record, written off the async workers.
    async fn record(&self, n: &Notification, tries: u32, failed: Option<&str>) {
        let Some(audit) = self.outlet.audit.clone() else {
            return;
        };
        let entry = DeliveryEntry {
            time: self.outlet.clock.now(),
            operator: crate::app::update::AUTOMATIC_OPERATOR.to_string(),
            target: n.service.clone(),
            receiver: self.receiver.name.clone(),
            kind: self.receiver.kind.word().to_string(),
            event: n.event.word().to_string(),
            result: if failed.is_some() {
                "failed"
            } else {
                "delivered"
            }
            .to_string(),
            tries,
            detail: failed.map(|w| self.receiver.clean(w)).unwrap_or_default(),
            mode: None,
        };
        let record = AuditRecord::Notification(entry).marked(self.outlet.mode);
        match tokio::task::spawn_blocking(move || audit.append(&record)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "audit log write failed for a notification"),
            Err(e) => tracing::error!(error = %e, "the audit writer stopped"),
        }
    }
}
