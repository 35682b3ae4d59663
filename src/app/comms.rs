//! The drafts' inputs, gathered from the state in one place: the one
//! verdict, the stop conditions, the timeline's actions and DORA as the
//! screen shows them, never judged again here. And the cadence's clock.

use super::state::{AppState, Dora};
use super::verdict::{Call, Why, canary_row};
use crate::domain::Timestamp;
use crate::domain::comms::{
    ActionLine, Audience, BreachLine, DoraEffect, Due, Inputs, RegionLine, WaveLine, draft, due,
    symptom_of,
};
use crate::domain::guardrail::{GuardrailState, SERVICE_WIDE};
use crate::domain::health::VersionRole;
use crate::domain::rollout::Phase;
use crate::domain::signal::{Per, Unit};
use crate::domain::timeline::EventKind;

/// Everything the drafts say, from the state as it is.
pub fn inputs(state: &AppState) -> Inputs {
    let verdict = state.verdict();
    let phase = state.rollout.as_ref().map(|r| r.phase);
    // An abort sends every request back to the old version: for the people
    // reading an update, the change was rolled back.
    let rolled_back = matches!(verdict.call, Call::RolledBack | Call::Aborted)
        || matches!(phase, Some(Phase::RolledBack | Phase::Aborted));
    let regions = state
        .health
        .regions()
        .iter()
        .enumerate()
        .map(|(i, region)| RegionLine {
            region: region.clone(),
            word: canary_row(state, i).word().to_string(),
            breached: verdict.breached_in.contains(region),
            canary_weight: state.canary_weight(region),
        })
        .collect();
    let breaches = state
        .guardrails
        .conditions()
        .iter()
        .zip(state.guardrails.status())
        .filter(|(_, s)| matches!(s.state, GuardrailState::Breach { .. }))
        .map(|(cond, s)| BreachLine {
            condition: cond.to_string(),
            place: match s.region.as_deref() {
                Some(SERVICE_WIDE) | None => "service-wide".to_string(),
                Some(region) => format!("in {region}"),
            },
            value: s
                .value
                .map(|v| cond.show(v))
                .unwrap_or_else(|| "no number".to_string()),
            consequence: cond.on_breach(),
            symptom: symptom_of(cond.signal.unit(), cond.signal.worse()),
        })
        .collect();
    let mut actions: Vec<ActionLine> = state
        .timeline
        .newest_first()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::ActionAttempt
                    | EventKind::ActionOk
                    | EventKind::ActionFailed
                    | EventKind::ActionUnknown
            )
        })
        .map(|e| ActionLine {
            at: e.at,
            text: e.text.clone(),
        })
        .collect();
    actions.reverse();
    let wave = state.rollout.as_ref().and_then(|r| {
        let w = state.plan.waves.waves.get(r.wave)?;
        Some(WaveLine {
            number: r.wave + 1,
            of: state.plan.waves.len(),
            name: w.name.clone(),
            weight: if rolled_back { 0 } else { w.weight },
        })
    });
    Inputs {
        service: state.plan.service.clone(),
        from_version: state.plan.stable_version.clone(),
        to_version: state.plan.canary_version.clone(),
        call: verdict.call.word().to_string(),
        reasons: verdict.short_reasons(),
        phase,
        wave,
        traffic_share: traffic_share(state),
        regions,
        breaches,
        actions,
        first_breach: state.comms.first_breach,
        rolled_back,
        dora: dora_effect(state, rolled_back),
        comms: state.plan.comms.clone(),
        next_update: next_due(state).map(|d| d.at),
        now: state.now,
    }
}

/// The draft shown for `audience`: as a person edited it, or live.
pub fn draft_text(state: &AppState, audience: Audience) -> String {
    match &state.comms.edited[audience.index()] {
        Some(text) => text.clone(),
        None => draft(audience, &inputs(state)),
    }
}

/// Whether `audience`'s draft was edited (and no longer follows the state).
pub fn is_edited(state: &AppState, audience: Audience) -> bool {
    state.comms.edited[audience.index()].is_some()
}

/// The next update due, once there is something to tell.
pub fn next_due(state: &AppState) -> Option<Due> {
    due(
        state.comms.incident_since,
        state.comms.last_sent,
        state.plan.comms.cadence,
        state.now,
    )
}

/// Note the start of the incident: the first breach (at the time its stop
/// condition was breached), failed bake, NO-GO scorecard, ABORTED or
/// ROLLED BACK, once every source has answered. A gate that holds a wave (a score not in yet, a condition
/// tripping) is the rollout working, not news. Called after every message
/// that may change the verdict.
pub fn watch(state: &mut AppState) {
    let breach_since = state
        .guardrails
        .status()
        .iter()
        .filter_map(|s| match s.state {
            GuardrailState::Breach { since } => Some(since),
            _ => None,
        })
        .min();
    if state.comms.first_breach.is_none() {
        state.comms.first_breach = breach_since;
    }
    if state.comms.incident_since.is_some() {
        return;
    }
    // Before every source has answered, the scorecard cannot be green.
    let seen = state.sources.iter().all(|s| s.last_ok.is_some());
    let verdict = state.verdict();
    let news = seen
        && verdict
            .reasons
            .iter()
            .any(|r| matches!(r.why, Why::Breach | Why::Bake | Why::ScorecardNoGo));
    let started: Option<Timestamp> = match verdict.call {
        Call::RolledBack | Call::Aborted => {
            Some(breach_since.map_or(state.now, |b| b.min(state.now)))
        }
        Call::NoGo if news => Some(breach_since.map_or(state.now, |b| b.min(state.now))),
        _ => breach_since,
    };
    if started.is_some() {
        state.comms.incident_since = started;
        state.dirty = true;
    }
}

/// The new version's share of all requests, in percent: by the request
/// rate of each version where the plan measures one, else the regions'
/// weights taken alike. `None` before the deployment source reports.
fn traffic_share(state: &AppState) -> Option<f64> {
    let rollout = state.rollout.as_ref()?;
    if matches!(rollout.phase, Phase::RolledBack | Phase::Aborted) {
        return Some(0.0);
    }
    let rate = state
        .plan
        .signals
        .per(Per::Version)
        .find(|s| *s.unit() == Unit::PerSecond);
    if let Some(rate) = rate {
        let (mut canary, mut all) = (0.0, 0.0);
        for i in 0..state.health.regions().len() {
            let c = state
                .health
                .cell(i, VersionRole::Canary)
                .and_then(|c| c.latest(rate));
            let s = state
                .health
                .cell(i, VersionRole::Stable)
                .and_then(|c| c.latest(rate));
            let (c, s) = (c.filter(|v| v.is_finite()), s.filter(|v| v.is_finite()));
            canary += c.unwrap_or(0.0);
            all += c.unwrap_or(0.0) + s.unwrap_or(0.0);
        }
        if all > 0.0 {
            return Some(canary * 100.0 / all);
        }
    }
    let weights: Vec<f64> = state
        .health
        .regions()
        .iter()
        .filter_map(|r| state.canary_weight(r))
        .map(f64::from)
        .collect();
    match weights.is_empty() {
        true => None,
        false => Some(weights.iter().sum::<f64>() / weights.len() as f64),
    }
}

fn dora_effect(state: &AppState, rolled_back: bool) -> Option<DoraEffect> {
    let Dora::Ready { history, summary } = &state.dora else {
        return None;
    };
    Some(DoraEffect {
        window_days: summary.window_days,
        deployments: summary.deployments,
        failed: summary.failed_deployments,
        includes_this: history.has_version(&state.plan.canary_version),
        // A rollback done here is added to the history as a failure.
        counted_failed: rolled_back && state.last_rollback.is_some(),
    })
}
