//! `update`: the only place the state changes. Pure apart from the state it
//! is given: no I/O, no clock; the outside world arrives as messages and
//! leaves as effects.

use std::collections::HashSet;

mod annotate;
mod bake;
mod baseline;
mod debrief;
pub mod drafts;
mod gates;
mod keys;
pub mod outbox;
mod scorecard;
mod view;

use crossterm::event::KeyEventKind;

use super::admit::admit;
use super::msg::{Effect, Msg};
use super::state::{ActionScope, AppState, DORA_WINDOW_DAYS, Dora, InFlight, Notice, NoticeLevel};
use crate::domain::Timestamp;
use crate::domain::action::{ActionOutcome, ActionRequest};
use crate::domain::dora::{Event as DoraEvent, History};
use crate::domain::guardrail::{Consequence, SERVICE_WIDE};
use crate::domain::health::VersionRole;
use crate::domain::judgment::judge_cells;
use crate::domain::rollout::{Action, Phase, RolloutStatus, WeightKnown};
use crate::domain::signal::{Per, Unit};
use crate::domain::source::{Polled, Report, SourceId};
use crate::domain::timeline::EventKind;

pub use annotate::TIMELINE_PAGE;

/// Apply one message to the state and return what the world should do.
pub fn update(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    // Input alone never starts an incident: what the sources, the actions
    // and the audit log say may.
    let may_start = matches!(
        msg,
        Msg::Source { .. }
            | Msg::ActionDone { .. }
            | Msg::Recalled(_)
            | Msg::ScorecardRecorded { .. }
    );
    let pushed = state.timeline.pushed();
    let before = crate::app::observe::before(state, &msg);
    let mut effects = apply(state, msg);
    if let Some(before) = before {
        crate::app::observe::after(state, &effects, before);
    }
    annotate::count_asked(state, &effects);
    annotate::keep_scroll(state, pushed);
    if may_start {
        crate::app::comms::watch(state);
    }
    // What changed that people outside hear of, told once.
    let told = outbox::collect(state, &effects);
    effects.extend(told);
    effects
}

fn apply(state: &mut AppState, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => {
            state.dirty = true;
            keys::on_keys(state, vec![key], false)
        }
        Msg::Key(_) => vec![],
        Msg::Keys(burst) => {
            state.dirty = true;
            keys::on_keys(state, burst, true)
        }
        Msg::Paste(text) => {
            state.dirty = true;
            keys::on_paste(state, &text);
            vec![]
        }
        Msg::Resize => {
            state.dirty = true;
            vec![]
        }
        Msg::Tick(now) => {
            on_tick(state, now);
            // A baseline that failed is asked again once its backoff passed.
            baseline::asks(state, now)
        }
        Msg::Source { source, polled } => {
            state.dirty = true;
            on_source(state, source, polled)
        }
        Msg::Note { kind, text } => {
            state.dirty = true;
            state.timeline.push(state.now, kind, text);
            vec![]
        }
        Msg::AuditUnreadable(why) => {
            state.dirty = true;
            state.audit_readable = false;
            state.timeline.push(state.now, EventKind::Source, why);
            vec![]
        }
        Msg::ActionDone {
            id,
            action,
            at,
            outcome,
        } => {
            state.dirty = true;
            on_action_done(state, id, action, at, outcome);
            vec![]
        }
        Msg::History(result) => {
            state.dirty = true;
            on_history(state, result);
            vec![]
        }
        Msg::Recalled(mut recalled) => {
            state.dirty = true;
            annotate::on_recalled(state, std::mem::take(&mut recalled.annotations));
            scorecard::on_recalled(state, recalled);
            vec![]
        }
        Msg::Annotated { annotation, result } => {
            state.dirty = true;
            annotate::on_annotated(state, annotation, result);
            vec![]
        }
        Msg::ScorecardRecorded { setting, result } => {
            state.dirty = true;
            scorecard::on_scorecard_recorded(state, setting, result);
            vec![]
        }
        Msg::Baseline { key, at, result } => {
            state.dirty = true;
            baseline::on_baseline(state, key, at, result)
        }
        Msg::Snapshotted(result) => {
            state.dirty = true;
            match result {
                Ok(path) => notify(
                    state,
                    NoticeLevel::Info,
                    format!("snapshot written: {path}"),
                ),
                Err(why) => notify(
                    state,
                    NoticeLevel::Error,
                    format!("snapshot not written: {why}"),
                ),
            }
            vec![]
        }
        Msg::Delivered(report) => {
            state.dirty = true;
            on_delivered(state, &report);
            vec![]
        }
        Msg::Terminate(_) => debrief::quit(state),
        Msg::Edited { audience, result } => {
            state.dirty = true;
            drafts::on_edited(state, audience, result);
            vec![]
        }
        Msg::DraftWritten(result) => {
            state.dirty = true;
            drafts::on_written(state, result);
            vec![]
        }
        Msg::DrillEnded(script) => {
            state.dirty = true;
            debrief::on_ended(state, script.as_deref());
            vec![]
        }
    }
}

fn on_tick(state: &mut AppState, now: Timestamp) {
    // The header's ages and countdown change every second: redraw once a tick.
    let new_minute = now.timestamp() / 60 != state.now.timestamp() / 60;
    state.now = now;
    if new_minute {
        refresh_dora(state);
    }
    state.dirty = true;
    // The bake passes with time, polls or not.
    bake::keep_bake(state, now);
    if state
        .notice
        .as_ref()
        .is_some_and(|n| now - n.at > Notice::lifetime())
    {
        state.notice = None;
    }
}

/// A receiver's delivery report: the sources panel's line, and the
/// timeline's when a delivery ended.
fn on_delivered(state: &mut AppState, report: &super::receivers::DeliveryReport) {
    let Some(receiver) = state.receivers.get_mut(report.receiver) else {
        tracing::warn!(index = report.receiver, "report from an unknown receiver");
        return;
    };
    if let Some(line) = receiver.take(report) {
        let kind = match report.state {
            super::receivers::DeliveryState::Failed { .. } => EventKind::Failed,
            _ => EventKind::Notification,
        };
        state.timeline.push(report.at, kind, line);
    }
}

fn notify(state: &mut AppState, level: NoticeLevel, text: impl Into<String>) {
    state.notice = Some(Notice {
        at: state.now,
        level,
        text: text.into(),
    });
}

/// Hand an action to the control path (which audits it before the call): the
/// one way out for a confirmed key and for an automatic consequence alike.
fn send(
    state: &mut AppState,
    action: Action,
    scope: ActionScope,
    operator: String,
    reason: Option<String>,
) -> Effect {
    let id = state.next_action_id;
    state.next_action_id += 1;
    if operator != AUTOMATIC_OPERATOR
        && let Some(hold) = state.gate_hold.as_mut()
    {
        hold.person_acted = true;
    }
    state.in_flight.push(InFlight {
        id,
        action,
        scope: scope.clone(),
        since: state.now,
        automatic: operator == AUTOMATIC_OPERATOR,
    });
    let mut text = format!("{operator} asked to {action} ({})", scope.label());
    if let Some(r) = &reason {
        text = format!("{text}: {r}");
    }
    state
        .timeline
        .push(state.now, EventKind::ActionAttempt, text);
    notify(state, NoticeLevel::Info, format!("{action}: sent…"));
    Effect::Execute(ActionRequest {
        id,
        action,
        scope,
        service: state.plan.service.clone(),
        stable_version: state.plan.stable_version.clone(),
        canary_version: state.plan.canary_version.clone(),
        operator,
        reason,
    })
}

fn on_history(state: &mut AppState, result: Result<Box<History>, String>) {
    match result {
        Ok(history) => {
            let text = format!("delivery history read: {} events", history.len());
            state.timeline.push(state.now, EventKind::Source, text);
            let summary = Box::new(history.summary(state.now, DORA_WINDOW_DAYS));
            state.dora = Dora::Ready { history, summary };
        }
        Err(e) => {
            state.timeline.push(
                state.now,
                EventKind::Source,
                format!("delivery history: {e}"),
            );
            state.dora = Dora::Failed(e);
        }
    }
}

/// Recompute the DORA summary: it reads only the window's weeks.
fn refresh_dora(state: &mut AppState) {
    if let Dora::Ready { history, summary } = &mut state.dora {
        **summary = history.summary(state.now, DORA_WINDOW_DAYS);
    }
}

fn on_action_done(
    state: &mut AppState,
    id: u64,
    action: Action,
    at: Timestamp,
    outcome: ActionOutcome,
) {
    // What warroom did by itself says so: a drill's mitigation is a person's.
    let by = match state.in_flight.iter().any(|f| f.id == id && f.automatic) {
        true => format!(" by {AUTOMATIC_OPERATOR}"),
        false => String::new(),
    };
    state.in_flight.retain(|f| f.id != id);
    // A rollback that worked shows the runbook works: the scorecard counts it.
    if action == Action::Rollback && outcome.is_done() {
        state.last_rollback = Some(at);
    }
    // What warroom itself did is history: a rollback marks a failed deployment.
    if action == Action::Rollback
        && outcome.is_done()
        && let Dora::Ready { history, .. } = &mut state.dora
    {
        let rollback = DoraEvent::Rollback {
            deployment: None,
            version: Some(state.plan.canary_version.clone()),
            time: at,
        };
        if history.add(rollback).is_ok() {
            refresh_dora(state);
        }
    }
    match outcome {
        ActionOutcome::Done(what) => {
            state.timeline.push(
                at,
                EventKind::ActionOk,
                format!("{action} done{by}: {what}"),
            );
            notify(state, NoticeLevel::Info, format!("{action} done: {what}"));
        }
        // The target may have acted: neither done nor failed.
        ActionOutcome::Unknown(why) => {
            let text = if why.starts_with("outcome unknown") {
                format!("{action}: {why}")
            } else {
                format!("{action}: outcome unknown: {why}")
            };
            state
                .timeline
                .push(at, EventKind::ActionUnknown, text.clone());
            notify(state, NoticeLevel::Warn, text);
        }
        ActionOutcome::Failed(why) => {
            state.timeline.push(
                at,
                EventKind::ActionFailed,
                format!("{action} failed: {why}"),
            );
            notify(state, NoticeLevel::Error, format!("{action} failed: {why}"));
        }
    }
}

fn on_source(state: &mut AppState, id: SourceId, polled: Polled) -> Vec<Effect> {
    let Polled {
        at,
        took,
        result,
        notes,
    } = polled;
    let Some(source) = state.sources.get_mut(id.0) else {
        tracing::warn!(index = id.0, "report from an unknown source");
        return vec![];
    };
    let name = source.info.name.clone();
    source.last_took = Some(took);
    source.last_attempt = Some(at);
    if notes != source.notes {
        if let Some(first) = notes.first() {
            state
                .timeline
                .push(at, EventKind::Source, format!("{name}: {first}"));
        }
        source.notes = notes;
    }
    let report = match result {
        Ok(report) => {
            if source.error.take().is_some() {
                state
                    .timeline
                    .push(at, EventKind::Source, format!("{name} answering again"));
            }
            source.last_ok = Some(at);
            source.failures = 0;
            report
        }
        Err(e) => {
            source.failures += 1;
            if source.error.is_none() {
                state
                    .timeline
                    .push(at, EventKind::Source, format!("{name} failing: {e}"));
            }
            source.error = Some(e.0);
            return vec![];
        }
    };
    let mut effects = match report {
        Report::Rollout(status) => on_rollout(state, at, status),
        Report::Metrics(samples) => {
            state.health.ingest_poll(at, &samples);
            judge_canaries(state, at);
            evaluate_guardrails(state, at)
        }
    };
    bake::keep_bake(state, at);
    // An automatic action just sent answers the gate too: one at a time.
    if effects.is_empty() {
        effects = gates::keep_gates(state, at);
    }
    effects.extend(baseline::asks(state, at));
    effects
}

/// Score every region's canary against its stable from the matrix as it is.
fn judge_canaries(state: &mut AppState, at: Timestamp) {
    let health = &state.health;
    state.judgments = health
        .regions()
        .iter()
        .enumerate()
        .map(|(i, region)| {
            let judgment = judge_cells(
                health.cell(i, VersionRole::Canary),
                health.cell(i, VersionRole::Stable),
                &state.plan.judgment,
                at,
            );
            (region.clone(), judgment)
        })
        .collect();
}

/// Judge the stop conditions on the matrix as it is, in every region where
/// the canary may take traffic: unless the deployment source says its weight
/// is 0, a region is watched. Breaches go to the timeline and the message line.
/// The name automatic actions are recorded under.
pub const AUTOMATIC_OPERATOR: &str = "warroom";

fn evaluate_guardrails(state: &mut AppState, at: Timestamp) -> Vec<Effect> {
    let idle: HashSet<&str> = state
        .rollout
        .iter()
        .flat_map(|r| r.regions.iter())
        // Only a reported 0 is idle: a weight there is no telling of is watched.
        .filter(|x| x.canary_weight == 0 && x.weight_known != WeightKnown::Unknown)
        .map(|x| x.region.as_str())
        .collect();
    // A region rolled back on its own is still judged while its canary
    // still reports numbers: it is breached where it is breached.
    let rolled_back: HashSet<&str> = state
        .rollout
        .iter()
        .flat_map(|r| r.regions.iter())
        .filter(|x| x.phase == Some(Phase::RolledBack))
        .map(|x| x.region.as_str())
        .collect();
    let (health, stale_after) = (&state.health, state.plan.stale_after);
    let signals = &state.plan.signals;
    let reporting = |region: &str| {
        rolled_back.contains(region)
            && health
                .cell_by_name(region, VersionRole::Canary)
                .is_some_and(|c| {
                    let fresh = c.last_seen.is_some_and(|t| at - t <= stale_after);
                    // Traffic alone says nothing of the canary's quality.
                    let numbers = signals
                        .per(Per::Version)
                        .filter(|s| *s.unit() != Unit::PerSecond)
                        .any(|s| c.latest(s).is_some_and(f64::is_finite));
                    fresh && numbers
                })
    };
    let watched = |region: &str| !idle.contains(region) || reporting(region);
    // Where the canary takes every request, stable has none to compare with.
    let full: HashSet<&str> = state
        .rollout
        .iter()
        .flat_map(|r| r.regions.iter())
        .filter(|x| x.canary_weight >= 100 && x.weight_known != WeightKnown::Unknown)
        .map(|x| x.region.as_str())
        .collect();
    let all_canary = |region: &str| full.contains(region);
    let tripped = state
        .guardrails
        .evaluate_with(&state.health, &watched, &all_canary, at);
    let mut effects = Vec::new();
    for t in tripped {
        let Some(cond) = state.guardrails.conditions().get(t.condition).cloned() else {
            continue;
        };
        let value = t.value.map(|v| cond.show(v)).unwrap_or_default();
        let place = match t.region.as_str() {
            SERVICE_WIDE => "service-wide".to_string(),
            region => format!("in {region}"),
        };
        let text = format!("BREACH {cond} {place} ({value}) → {}", cond.on_breach());
        state.timeline.push(at, EventKind::Breach, text.clone());
        state.outbox.breach_text(t.condition, &t.region, &text);
        notify(state, NoticeLevel::Error, text);
        follow_trouble(state, &t.region, at);
        let action = match cond.consequence {
            Consequence::Alert => continue,
            Consequence::Pause => Action::Pause,
            Consequence::Rollback => Action::Rollback,
        };
        let reason = format!("stop condition breached: {cond} {place} ({value})");
        let scope = if cond.region_only {
            ActionScope::Region(t.region.clone())
        } else {
            ActionScope::Rollout
        };
        effects.extend(automatic(state, action, scope, reason, at));
    }
    effects
}

/// How long the operator's own choice of region outweighs a breach elsewhere.
const OWN_SELECTION: i64 = 60;

/// Move the selection to a region in breach, so that `Tab` in a confirmation
/// narrows to it, unless the operator moved it in the last minute.
fn follow_trouble(state: &mut AppState, region: &str, at: Timestamp) {
    let recent = state
        .selection_moved
        .is_some_and(|t| at - t < crate::domain::Span::seconds(OWN_SELECTION));
    if recent {
        return;
    }
    if let Some(row) = state.health.regions().iter().position(|r| r == region) {
        state.selected = row;
    }
}

/// A consequence the plan asks for: sent through the same path as a key, as
/// operator `warroom`, when `admit` lets it (never on a read-only screen,
/// never onto an action in flight, never when the rollout's state makes it
/// pointless).
fn automatic(
    state: &mut AppState,
    action: Action,
    scope: ActionScope,
    reason: String,
    at: Timestamp,
) -> Option<Effect> {
    let held_back = admit(state, action, &scope).err();
    if let Some(why) = held_back {
        let text = format!("automatic {action} held back ({why}: not sent); {reason}");
        state.timeline.push(at, EventKind::ActionFailed, text);
        return None;
    }
    let effect = send(
        state,
        action,
        scope,
        AUTOMATIC_OPERATOR.to_string(),
        Some(reason),
    );
    notify(
        state,
        NoticeLevel::Error,
        format!("automatic {action}: sent…"),
    );
    Some(effect)
}

/// Take in a deployment report, noting on the timeline what changed.
fn on_rollout(state: &mut AppState, at: Timestamp, status: RolloutStatus) -> Vec<Effect> {
    if status.wave >= state.plan.waves.len() {
        let text = format!(
            "deployment source reports wave {} but the plan has {}: report ignored",
            status.wave.saturating_add(1),
            state.plan.waves.len()
        );
        notify(state, NoticeLevel::Error, text.clone());
        state.timeline.push(at, EventKind::Source, text);
        return vec![];
    }
    let weights_changed = state
        .rollout
        .as_ref()
        .is_none_or(|p| p.regions != status.regions);
    let previous = state.rollout.as_ref();
    let wave_changed = previous.is_none_or(|p| p.wave != status.wave);
    let phase_changed = previous.is_none_or(|p| p.phase != status.phase);
    if wave_changed && let Some(wave) = state.plan.waves.waves.get(status.wave) {
        let text = format!(
            "wave {}/{} {}: {}% in {}",
            status.wave + 1,
            state.plan.waves.len(),
            wave.name,
            wave.weight,
            wave.scope
        );
        state.timeline.push(at, EventKind::Progress, text);
    }
    if phase_changed && (previous.is_some() || status.phase != Phase::Progressing) {
        let mut text = format!("rollout {}", status.phase.label());
        if let Some(m) = &status.message {
            text = format!("{text}: {m}");
        }
        state.timeline.push(at, EventKind::Progress, text);
    }
    state.rollout = Some(status);
    // Which regions are watched may have changed: judge again on the same data.
    if weights_changed && let Some(polled) = state.health.last_poll {
        return evaluate_guardrails(state, polled);
    }
    vec![]
}

#[cfg(test)]
mod tests;
