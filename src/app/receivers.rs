//! How each notification receiver is doing, as the sources panel shows it:
//! named by the plan's receiver name and kind, never by its URL.

use crate::domain::Timestamp;
use crate::domain::notification::NotifyEvent;

/// Where one delivery stands, as the sender reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DeliveryState {
    /// Taken by the receiver after `tries` attempts.
    Delivered { tries: u32 },
    /// Attempt `tries` failed; another follows after a pause.
    Retrying { tries: u32, why: String },
    /// Given up after `tries` attempts.
    Failed { tries: u32, why: String },
}

/// One report of the sender about one receiver.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryReport {
    /// The receiver's place in `AppState::receivers`.
    pub receiver: usize,
    pub event: NotifyEvent,
    pub at: Timestamp,
    pub state: DeliveryState,
    /// Messages waiting for this receiver after this one.
    pub queued: usize,
    /// Messages dropped so far because its queue was full.
    pub dropped: u64,
}

/// A receiver's latest news.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverHealth {
    /// The plan's name for it (`ops-slack`), never its URL.
    pub name: String,
    /// `webhook`, `slack` or `pagerduty`.
    pub kind: &'static str,
    /// The latest delivery's state and when it was reported.
    pub last: Option<(Timestamp, NotifyEvent, DeliveryState)>,
    pub delivered: u64,
    pub failed: u64,
    /// Retries over all deliveries.
    pub retries: u64,
    pub queued: usize,
    pub dropped: u64,
}

impl ReceiverHealth {
    pub fn new(name: &str, kind: &'static str) -> Self {
        ReceiverHealth {
            name: name.to_string(),
            kind,
            last: None,
            delivered: 0,
            failed: 0,
            retries: 0,
            queued: 0,
            dropped: 0,
        }
    }

    /// Take in one report; the line for the timeline when a delivery ended
    /// (or messages were dropped), else `None`.
    pub fn take(&mut self, report: &DeliveryReport) -> Option<String> {
        let dropped_now = report.dropped.saturating_sub(self.dropped);
        self.queued = report.queued;
        self.dropped = report.dropped;
        let who = format!("{} {}", self.kind, self.name);
        let line = match &report.state {
            DeliveryState::Delivered { tries } => {
                self.delivered += 1;
                self.retries += u64::from(tries.saturating_sub(1));
                let again = match tries {
                    1 => String::new(),
                    n => format!(" after {n} tries"),
                };
                Some(format!("{who}: {} delivered{again}", report.event))
            }
            DeliveryState::Retrying { .. } => None,
            DeliveryState::Failed { tries, why } => {
                self.failed += 1;
                self.retries += u64::from(tries.saturating_sub(1));
                Some(format!(
                    "{who}: {} NOT delivered after {tries} tries: {why}",
                    report.event
                ))
            }
        };
        self.last = Some((report.at, report.event, report.state.clone()));
        let dropped = (dropped_now > 0)
            .then(|| format!("{who}: queue full, {dropped_now} oldest message(s) dropped"));
        match (line, dropped) {
            (Some(l), Some(d)) => Some(format!("{l}; {d}")),
            (l, d) => l.or(d),
        }
    }
}
