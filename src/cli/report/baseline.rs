//! What `status` says of a condition relative to before the rollout: the
//! window, where it ends and how that is known, and the value it compares
//! with where the condition stands.

use serde::Serialize;

use crate::app::state::AppState;
use crate::domain::baseline::{Fetch, window_words};
use crate::domain::guardrail::Baseline;

/// The baseline of one condition relative to before.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionBaseline {
    /// The window averaged over, as the plan could write it: `24h`.
    pub window: String,
    pub window_seconds: i64,
    /// When the window ends (RFC 3339), once known.
    pub end: Option<String>,
    /// `plan` (baseline_end), `rollout start (estimated)` (from the
    /// deployment source's first report), or `unknown`.
    pub end_from: &'static str,
    /// `known`, `pending` (asked, or its end not known yet) or `failed`
    /// (asked again later).
    pub state: &'static str,
    /// Why the last question failed, while it is failed.
    pub error: Option<String>,
    /// The value before where the condition stands (its region, or the
    /// service), in the signal's unit; `shown` is it formatted.
    pub value: Option<f64>,
    pub shown: Option<String>,
}

/// The baseline line of condition `i`, when it is relative to before.
pub fn line(state: &AppState, i: usize, region: Option<&str>) -> Option<ConditionBaseline> {
    let cond = state.guardrails.conditions().get(i)?;
    let Baseline::Before { window, end } = cond.baseline else {
        return None;
    };
    let wanted = state.baselines.of_condition(i)?;
    let end_from = match (end, state.baselines.started()) {
        (Some(_), _) => "plan",
        (None, Some(_)) => "rollout start (estimated)",
        (None, None) => "unknown",
    };
    let (state_word, error) = match &wanted.fetch {
        Fetch::Known(_) => ("known", None),
        Fetch::Failed { why, .. } => ("failed", Some(why.clone())),
        Fetch::Unasked | Fetch::Asked { .. } => ("pending", None),
    };
    let value = region.and_then(|r| state.guardrails.before(i, r));
    Some(ConditionBaseline {
        window: window_words(window),
        window_seconds: window.num_seconds(),
        end: wanted.end.map(|t| t.to_rfc3339()),
        end_from,
        state: state_word,
        error,
        value,
        shown: value.map(|v| cond.signal.format(v)),
    })
}
