//! The one place where what the war room tells the outside is derived:
//! breaches begun and ended (per stop condition and place), actions asked
//! for and come back, waves entered, the verdict turning NO-GO, and people's
//! annotations. `update` calls [`collect`] once per message; each message
//! worth telling leaves as `Effect::Notify`.

use std::collections::BTreeMap;

use super::super::msg::Effect;
use super::super::state::{AppState, RunMode};
use super::super::verdict::Call;
use crate::domain::Timestamp;
use crate::domain::guardrail::{Consequence, SERVICE_WIDE};
use crate::domain::notification::{Notification, NotifyEvent, Severity, dedup_key};
use crate::domain::timeline::EventKind;

/// What has been told so far, to tell only what changed.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    /// Breaches told and not yet recovered: `(condition, place)` → dedup key.
    open: BTreeMap<(usize, String), String>,
    /// Breach texts of this message, by `(condition, place)`, with the
    /// value the breach was seen at.
    breach_texts: BTreeMap<(usize, String), String>,
    /// The wave last seen.
    wave: Option<usize>,
    /// The verdict last seen.
    call: Option<Call>,
    /// The timeline's mark when last looked at.
    seen: u64,
}

impl Outbox {
    /// The breaches and texts it holds: at most one per condition and place.
    pub fn len(&self) -> usize {
        self.open.len() + self.breach_texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The words of a breach just declared, as the timeline has them: the
    /// message sent for it says the same.
    pub fn breach_text(&mut self, condition: usize, place: &str, text: &str) {
        self.breach_texts
            .insert((condition, place.to_string()), text.to_string());
    }
}

/// Everything to tell since the last message, as effects. Nothing leaves
/// when no receiver is configured, but what was seen is still kept, so that
/// nothing old is told later. `asked` is what this message asked of the
/// world: an annotation is told by the screen it was written on, when it
/// asks for it to be recorded, and never again by the screens that read
/// it back from the log.
pub fn collect(state: &mut AppState, asked: &[Effect]) -> Vec<Effect> {
    let at = state.now;
    let mut out = Vec::new();
    breaches(state, at, &mut out);
    out.extend(from_timeline(state));
    for effect in asked {
        if let Effect::Annotate(text) = effect {
            let line = format!("{}: {text}", state.operator);
            let mut n = message(state, NotifyEvent::Annotation, None, &line);
            n.severity = Severity::Info;
            n.at = at;
            out.push(n);
        }
    }
    waves(state, at, &mut out);
    verdict(state, at, &mut out);
    if state.receivers.is_empty() {
        return Vec::new();
    }
    out.into_iter().map(Effect::Notify).collect()
}

fn message(state: &AppState, event: NotifyEvent, region: Option<&str>, text: &str) -> Notification {
    Notification {
        event,
        service: state.plan.service.clone(),
        region: region.map(str::to_string),
        text: text.to_string(),
        at: state.now,
        severity: Severity::Info,
        drill: state.mode != RunMode::Live,
        dedup_key: None,
    }
}

/// A region's name, or `None` for a service-wide place.
fn region_of(place: &str) -> Option<&str> {
    (place != SERVICE_WIDE).then_some(place)
}

fn breaches(state: &mut AppState, at: Timestamp, out: &mut Vec<Notification>) {
    let now: Vec<(usize, String)> = state.guardrails.breached();
    let drill = state.mode != RunMode::Live;
    let conditions = state.guardrails.conditions().to_vec();
    let texts = std::mem::take(&mut state.outbox.breach_texts);
    for (ci, place) in &now {
        if state.outbox.open.contains_key(&(*ci, place.clone())) {
            continue;
        }
        let Some(cond) = conditions.get(*ci) else {
            continue;
        };
        let shown_place = match region_of(place) {
            Some(r) => format!("in {r}"),
            None => "service-wide".to_string(),
        };
        let text = texts
            .get(&(*ci, place.clone()))
            .cloned()
            .unwrap_or_else(|| format!("BREACH {cond} {shown_place} → {}", cond.on_breach()));
        let key = dedup_key(
            &state.plan.service,
            &state.plan.canary_version,
            *ci,
            cond.signal.name(),
            place,
            drill,
        );
        let mut n = message(state, NotifyEvent::Breach, region_of(place), &text);
        n.at = at;
        n.severity = match cond.consequence {
            Consequence::Rollback => Severity::Critical,
            Consequence::Pause => Severity::Error,
            Consequence::Alert => Severity::Warning,
        };
        n.dedup_key = Some(key.clone());
        out.push(n);
        state.outbox.open.insert((*ci, place.clone()), key);
    }
    let ended: Vec<((usize, String), String)> = state
        .outbox
        .open
        .iter()
        .filter(|(k, _)| !now.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for ((ci, place), key) in ended {
        state.outbox.open.remove(&(ci, place.clone()));
        let name = conditions
            .get(ci)
            .map(ToString::to_string)
            .unwrap_or_default();
        let text = match region_of(&place) {
            Some(r) => format!("RECOVERED {name} in {r}: no longer breached"),
            None => format!("RECOVERED {name} service-wide: no longer breached"),
        };
        let mut n = message(state, NotifyEvent::Recovery, region_of(&place), &text);
        n.dedup_key = Some(key);
        out.push(n);
    }
}

/// What the timeline gained since the last look that people outside want
/// to hear of: actions and annotations, in the timeline's own words.
fn from_timeline(state: &mut AppState) -> Vec<Notification> {
    let mark = state.outbox.seen;
    state.outbox.seen = state.timeline.pushed();
    let found: Vec<(NotifyEvent, Severity, String, Timestamp)> = state
        .timeline
        .since(mark)
        .filter_map(|e| {
            let (event, severity) = match e.kind {
                EventKind::ActionAttempt => (NotifyEvent::ActionAsked, Severity::Info),
                EventKind::ActionOk => (NotifyEvent::ActionDone, Severity::Info),
                EventKind::ActionFailed | EventKind::ActionUnknown => {
                    (NotifyEvent::ActionFailed, Severity::Error)
                }
                // Annotations are told where they are written (see `collect`).
                EventKind::Progress
                | EventKind::Breach
                | EventKind::Source
                | EventKind::Annotation
                | EventKind::Notification
                | EventKind::Failed => return None,
            };
            Some((event, severity, e.text.clone(), e.at))
        })
        .collect();
    found
        .into_iter()
        .map(|(event, severity, text, at)| {
            let mut n = message(state, event, None, &text);
            n.severity = severity;
            n.at = at;
            n
        })
        .collect()
}

fn waves(state: &mut AppState, at: Timestamp, out: &mut Vec<Notification>) {
    let Some(status) = &state.rollout else {
        return;
    };
    let wave = status.wave;
    let before = state.outbox.wave.replace(wave);
    // The wave the rollout was in when the screen opened is not news.
    if before.is_none_or(|b| b == wave) {
        return;
    }
    let Some(w) = state.plan.waves.waves.get(wave) else {
        return;
    };
    let text = format!(
        "wave {}/{} {} entered: {}% in {}",
        wave + 1,
        state.plan.waves.len(),
        w.name,
        w.weight,
        w.scope
    );
    let mut n = message(state, NotifyEvent::WaveEntered, None, &text);
    n.at = at;
    out.push(n);
}

fn verdict(state: &mut AppState, at: Timestamp, out: &mut Vec<Notification>) {
    let call = state.verdict().call;
    let before = state.outbox.call.replace(call);
    // Only a verdict that was judged GO (or on its way there) turning NO-GO
    // is news; a screen that opens on NO-GO says so itself.
    let was_on_course = matches!(before, Some(Call::Go | Call::Pending | Call::Baking));
    if call != Call::NoGo || !was_on_course {
        return;
    }
    let reasons = state.no_go_reasons();
    let text = match reasons.is_empty() {
        true => "verdict turned NO-GO".to_string(),
        false => format!("verdict turned NO-GO: {}", reasons.join("; ")),
    };
    let mut n = message(state, NotifyEvent::NoGo, None, &text);
    n.at = at;
    n.severity = Severity::Warning;
    out.push(n);
}
