//! The bake after the last wave. warroom starts its clock when it first sees
//! the rollout at its end (what it did not watch does not count: a restart
//! bakes afresh), stops it while the metrics are stale, fails it on a
//! breach, and passes it once the plan's time has gone by with nothing
//! wrong: no condition past its limit or without data. Meanwhile every stop condition keeps its consequence: the
//! guardrails are judged and act as before, through the one action path.

use crate::app::state::AppState;
use crate::app::verdict::{Call, Why};
use crate::domain::bake::{BakeState, at_the_end, words};
use crate::domain::guardrail::{Baseline, GuardrailState};
use crate::domain::rollout::Phase;
use crate::domain::timeline::EventKind;
use crate::domain::{Span, Timestamp};

/// Start, fail, pass or stop the bake as the state now says.
pub(super) fn keep_bake(state: &mut AppState, at: Timestamp) {
    let (Some(plan), Some(rollout)) = (state.plan.bake, &state.rollout) else {
        return;
    };
    let end = at_the_end(&state.plan.waves, rollout);
    let phase = rollout.phase;
    let last_wave = rollout.wave + 1 >= state.plan.waves.len();
    let period = words(plan.period);
    let Some(bake) = &state.bake else {
        if end {
            let since = at;
            state.bake = Some(BakeState::Baking { since, checked: at });
            let text = format!("bake started: {period} at 100 %, every stop condition armed");
            state.timeline.push(at, EventKind::Progress, text);
            // A breach already there fails it at once.
            fail_on_breach(state, since, at);
        }
        return;
    };
    let since = bake.since();
    match bake {
        // Back at an earlier wave (a retry, a new rollout): a new bake later.
        _ if !last_wave => state.bake = None,
        BakeState::Baking { .. } if phase.is_terminal() && !end => {
            let why = format!("the rollout is {}", phase.label());
            let text = format!("bake failed: {why} before the bake passed");
            state.bake = Some(BakeState::Failed { since, at, why });
            state.timeline.push(at, EventKind::Progress, text);
        }
        BakeState::Baking { .. } if !end => {
            state.bake = None;
            let text =
                "bake stopped: not every region is at 100 % any more; it starts again at 100 %";
            state.timeline.push(at, EventKind::Progress, text);
        }
        BakeState::Baking { checked, .. } => {
            // Time without numbers is not watched time: stale metrics, or a
            // condition that has none where it applies.
            let checked = *checked;
            let blind = state.metrics_stale() || without_numbers(state) > 0;
            let since = match blind {
                true => since + (at - checked).max(Span::zero()),
                false => since,
            };
            let checked = checked.max(at);
            state.bake = Some(BakeState::Baking { since, checked });
            if fail_on_breach(state, since, at) {
                return;
            }
            // Time alone does not pass it: the verdict at that moment must
            // say nothing else is wrong (not stale, no data missing), and
            // no condition may be past its limit or without data.
            let verdict = state.verdict();
            let quiet = verdict.conditions.tripping == 0 && without_numbers(state) == 0;
            if verdict.call == Call::Baking
                && quiet
                && verdict.bake_left.is_some_and(|l| l.is_zero())
            {
                state.bake = Some(BakeState::Passed { since, at });
                let then = match phase {
                    Phase::Complete => "COMPLETE",
                    _ => "a promote completes the rollout",
                };
                let text = format!("bake passed: {period} at 100 % with no breach: {then}");
                state.timeline.push(at, EventKind::Progress, text);
            }
        }
        BakeState::Passed { .. } | BakeState::Failed { .. } => {}
    }
}

/// How many stop conditions have no number to judge where they apply. At
/// the end the stable version takes no traffic, so a condition relative
/// to stable has nothing to compare with: it does not apply.
fn without_numbers(state: &AppState) -> usize {
    state
        .guardrails
        .conditions()
        .iter()
        .zip(state.guardrails.status())
        .filter(|(c, s)| s.state == GuardrailState::NoData && c.baseline != Baseline::Stable)
        .count()
}

/// Fail the bake if a stop condition is in breach now; true when it did.
fn fail_on_breach(state: &mut AppState, since: Timestamp, at: Timestamp) -> bool {
    let verdict = state.verdict();
    let Some(breach) = verdict.about(Why::Breach).next() else {
        return false;
    };
    let why = breach.text.clone();
    let baked = words(at - since);
    let text = format!("bake failed after {baked}: {why}; the rollout stays NO-GO");
    state.bake = Some(BakeState::Failed { since, at, why });
    state.timeline.push(at, EventKind::Breach, text);
    true
}
