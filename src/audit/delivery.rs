//! The audit record of a notification: which receiver (by name and kind,
//! never its URL or key), which event, delivered or not, after how many tries.

use serde::{Deserialize, Serialize};

use super::entry::Mode;
use crate::domain::Timestamp;

/// A message to a receiver outside, delivered or given up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEntry {
    pub time: Timestamp,
    /// Who sent it: warroom itself.
    pub operator: String,
    /// The service the message was about.
    pub target: String,
    /// The receiver's name in the plan.
    pub receiver: String,
    /// `webhook`, `slack` or `pagerduty`.
    pub kind: String,
    /// The event, as the plan names it (`breach`, `recovery`, …).
    pub event: String,
    /// `delivered` or `failed`.
    pub result: String,
    pub tries: u32,
    /// Why it failed, masked of every secret; empty when delivered.
    #[serde(default)]
    pub detail: String,
    /// Set for messages from the demo or a drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
}
