//! The rollout plan: what is rolled out, where, in which waves, and what stops it.

use super::Span;
use super::bake::Bake;
use super::gate::GatePolicy;
use super::guardrail::StopCondition;
use super::judgment::JudgmentPlan;
use super::rollout::WavePlan;
use super::scorecard::ScorecardPlan;
use super::share::SharePolicy;
use super::signal::Signals;

/// Everything the war room knows about a rollout before any source reports.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutPlan {
    pub service: String,
    pub stable_version: String,
    pub canary_version: String,
    pub regions: Vec<String>,
    /// Every signal the plan names, in its order.
    pub signals: Signals,
    pub waves: WavePlan,
    pub stop_conditions: Vec<StopCondition>,
    /// Data older than this is shown as stale.
    pub stale_after: Span,
    /// How canaries are scored against stable.
    pub judgment: JudgmentPlan,
    /// Owners and approver of the go / no-go scorecard.
    pub scorecard: ScorecardPlan,
    /// Whether a blocked gate holds the wave, and who moves on once it opens.
    pub gates: GatePolicy,
    /// How long the rollout at its end is watched before it is complete;
    /// `None`: complete as soon as the source says so.
    pub bake: Option<Bake>,
    /// What a shared screen hides beyond hosts, URLs and tokens.
    pub share: SharePolicy,
    /// Status updates: their cadence and the names customers know.
    pub comms: super::comms::CommsPlan,
}
