//! Baselines from before the rollout: asked for once the window's end is
//! known, taken in when the metrics source answers, asked again after a
//! failure once its backoff has passed, never on every poll.

use super::super::msg::Effect;
use super::super::state::AppState;
use super::evaluate_guardrails;
use crate::domain::Timestamp;
use crate::domain::baseline::{BaselineValues, window_words};
use crate::domain::rollout::RolloutStatus;
use crate::domain::signal::Per;
use crate::domain::timeline::EventKind;

/// How the rollout's start is known: estimated from the first report of
/// the deployment source.
pub const ESTIMATED: &str = "estimated from the deployment source's first report";

/// When `status`'s rollout started, as far as a report tells: when it was
/// observed, less the time the current wave has held and the holds of the
/// waves before it. A rollout paused or held at a gate for a while started
/// earlier than this says.
pub fn estimated_start(status: &RolloutStatus, state: &AppState) -> Timestamp {
    let done: crate::domain::Span = state
        .plan
        .waves
        .waves
        .iter()
        .take(status.wave)
        .map(|w| w.hold)
        .sum();
    status.observed_at - status.held - done
}

/// How many regions' values before a timeline line names.
const SHOWN_REGIONS: usize = 4;

/// The baseline questions due now, as effects. The rollout's start is
/// taken from the first deployment report that comes.
pub(super) fn asks(state: &mut AppState, now: Timestamp) -> Vec<Effect> {
    if state.baselines.wanted().is_empty() {
        return Vec::new();
    }
    if state.baselines.started().is_none()
        && let Some(status) = &state.rollout
    {
        let start = estimated_start(status, state);
        state.baselines.rollout_started(start, ESTIMATED);
    }
    state
        .baselines
        .due(now)
        .into_iter()
        .map(Effect::Baseline)
        .collect()
}

/// Take the answer to baseline `key`: the conditions reading it get their
/// values, and are judged again on the metrics as they are.
pub(super) fn on_baseline(
    state: &mut AppState,
    key: usize,
    at: Timestamp,
    result: Result<BaselineValues, String>,
) -> Vec<Effect> {
    let Some(wanted) = state.baselines.wanted().get(key).cloned() else {
        return Vec::new();
    };
    let what = format!(
        "{} before the rollout ({})",
        wanted.signal.label(),
        window_words(wanted.window)
    );
    let first_failure = !matches!(
        wanted.fetch,
        crate::domain::baseline::Fetch::Asked { failures: 1.., .. }
    );
    match &result {
        Ok(values) => {
            let shown = match wanted.signal.per() {
                Per::Service => values
                    .service
                    .map(|v| wanted.signal.format(v))
                    .unwrap_or_else(|| "no value".to_string()),
                _ if values.regions.is_empty() => "no value in any region".to_string(),
                _ => {
                    let mut shown: Vec<String> = values
                        .regions
                        .iter()
                        .take(SHOWN_REGIONS)
                        .map(|(r, v)| format!("{r} {}", wanted.signal.format(*v)))
                        .collect();
                    let more = values.regions.len().saturating_sub(SHOWN_REGIONS);
                    if more > 0 {
                        shown.push(format!("and {more} more"));
                    }
                    shown.join(", ")
                }
            };
            state
                .timeline
                .push(at, EventKind::Source, format!("{what}: {shown}"));
        }
        // Said once; the retries that follow fail the same way.
        Err(why) if first_failure => {
            state.timeline.push(
                at,
                EventKind::Source,
                format!("{what} not known: {why}; asked again later"),
            );
        }
        Err(_) => {}
    }
    state.baselines.answer(key, at, result.clone());
    let Ok(values) = result else {
        return Vec::new();
    };
    let readers: Vec<usize> = (0..state.guardrails.conditions().len())
        .filter(|&i| state.baselines.key_of(i) == Some(key))
        .collect();
    for i in readers {
        state.guardrails.set_before(i, values.clone());
    }
    match state.health.last_poll {
        Some(polled) => evaluate_guardrails(state, polled),
        None => Vec::new(),
    }
}
