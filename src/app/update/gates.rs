//! Gates that gate: a wave does not give way while its gate is blocked. A
//! target that knows gates (the simulator) is told to hold the wave; one that
//! advances on its own (Argo Rollouts, a deploy API) is paused through the
//! one action path before its hold ends. Once a gate that held the wave
//! opens, a person promotes, or warroom does with `auto_promote`.

use super::{AUTOMATIC_OPERATOR, automatic};
use crate::app::msg::Effect;
use crate::app::state::{AppState, GateHold, RunMode};
use crate::domain::rollout::{Action, ActionScope, Phase};
use crate::domain::source::SourceKind;
use crate::domain::timeline::EventKind;
use crate::domain::{Span, Timestamp};

/// How many times a gate's pause is sent for one wave, at most.
const MAX_TRIES: u8 = 3;

/// How long before the hold ends a blocked gate acts: the next report of the
/// deployment source may come this late, and the hold must not pass unseen.
fn margin(state: &AppState) -> Span {
    state
        .sources
        .iter()
        .find(|s| s.info.kind == SourceKind::Deployment)
        .and_then(|s| Span::from_std(s.info.interval * 2 + s.info.timeout).ok())
        .unwrap_or_else(|| Span::seconds(5))
}

/// The gate's words for the timeline: "gate to wave 3/4 broad".
fn gate_name(state: &AppState, wave: usize) -> String {
    let total = state.plan.waves.len();
    match state.plan.waves.waves.get(wave + 1) {
        Some(next) => format!("gate to wave {}/{total} {}", wave + 2, next.name),
        None => "gate to completion".to_string(),
    }
}

/// Hold, pause or promote as the gate of the wave in progress asks.
pub(super) fn keep_gates(state: &mut AppState, at: Timestamp) -> Vec<Effect> {
    if !state.plan.gates.enforce {
        return vec![];
    }
    let Some(rollout) = &state.rollout else {
        return vec![];
    };
    let (wave, phase) = (rollout.wave, rollout.phase);
    // The wave moved on (promoted) or the rollout ended: that hold is over.
    if state
        .gate_hold
        .as_ref()
        .is_some_and(|h| h.wave != wave || phase.is_terminal())
    {
        state.gate_hold = None;
    }
    let Some(gate) = state.gate() else {
        return vec![];
    };
    let holding: Vec<String> = {
        let only = crate::domain::gate::Gate {
            wave: gate.wave,
            blockers: gate.holding().cloned().collect(),
        };
        only.summary()
    };
    let name = gate_name(state, wave);
    let why = holding.join(" · ");
    let live = state.mode == RunMode::Live;
    if state.gate_hold.is_none() {
        if holding.is_empty() || phase != Phase::Progressing || gate.hold_left() > margin(state) {
            return vec![];
        }
        state.gate_hold = Some(GateHold {
            wave,
            since: at,
            open: false,
            tries: 0,
            person_acted: false,
        });
        if !live {
            let text = format!("wave {} holds: {name} blocked: {why}", wave + 1);
            state.timeline.push(at, EventKind::Progress, text);
            return vec![Effect::HoldAtGate { wave, hold: true }];
        }
        let text = if state.read_only {
            format!("{name} blocked before the hold ends: {why}; a read-only screen does not pause")
        } else {
            format!("{name} blocked before the hold ends: {why}; pausing")
        };
        state.timeline.push(at, EventKind::Progress, text);
    }
    let idle = state.in_flight_on(&ActionScope::Rollout).is_none();
    let read_only = state.read_only;
    let Some(hold) = state.gate_hold.as_mut() else {
        return vec![];
    };
    if !holding.is_empty() {
        hold.open = false;
        // A pause refused, failed or answered unknown is sent again, a few
        // times, while the rollout still goes on: never one per poll.
        let retry =
            live && !read_only && phase == Phase::Progressing && hold.tries < MAX_TRIES && idle;
        if !retry {
            return vec![];
        }
        hold.tries += 1;
        let reason = format!("{name} blocked: {why}");
        return automatic(state, Action::Pause, ActionScope::Rollout, reason, at)
            .into_iter()
            .collect();
    }
    if hold.open {
        return vec![];
    }
    let left = gate.hold_left();
    // Open again before anything was held: the wave goes on as planned.
    let nothing_held = match live {
        false => !left.is_zero(),
        true => phase == Phase::Progressing,
    };
    if nothing_held {
        state.gate_hold = None;
        let text = format!("{name} open again before the hold ended");
        state.timeline.push(at, EventKind::Progress, text);
        return match live {
            false => vec![Effect::HoldAtGate { wave, hold: false }],
            true => vec![],
        };
    }
    hold.open = true;
    // Move on by itself only from what warroom itself held: never over a
    // person's pause or action.
    let ours = !live || (phase == Phase::Paused && hold.tries > 0);
    let person_acted = hold.person_acted;
    if state.plan.gates.auto_promote && ours && !person_acted {
        // Paused before its hold ended, the rest of the hold runs first.
        let action = if left.is_zero() {
            Action::Promote
        } else {
            Action::Resume
        };
        let text = format!("{name} open: {AUTOMATIC_OPERATOR} will {action} (auto_promote)");
        state.timeline.push(at, EventKind::Progress, text);
        let reason = format!("{name} open");
        return automatic(state, action, ActionScope::Rollout, reason, at)
            .into_iter()
            .collect();
    }
    let text = format!("{name} open: the wave waits for a person to promote");
    state.timeline.push(at, EventKind::Progress, text);
    vec![]
}
