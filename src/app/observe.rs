//! What the operator looked at and did during a drill, and what the screen
//! first showed for each region, with times: the record the debrief grades.
//! Written in `update` only, and only in drills.

use std::collections::BTreeMap;

use super::msg::{Effect, Msg};
use super::state::{AppState, Overlay, RunMode, SourceCondition};
use super::view::Panel;
use crate::domain::Timestamp;
use crate::domain::action::ActionOutcome;
use crate::domain::drill::grade::Grade;
use crate::domain::drill::observation::{Level, Observation, Observed};
use crate::domain::guardrail::GuardrailState;
use crate::domain::source::SourceKind;

/// The most observations a drill keeps; past it, new ones are counted only.
pub const MAX_OBSERVATIONS: usize = 4096;

/// A drill's record, and its grade once it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillRecord {
    /// When the drill began (its first message).
    pub began: Option<Timestamp>,
    pub seen: Vec<Observation>,
    /// Observations past the cap, not kept.
    pub dropped: usize,
    /// What the screen shows per region now (absent: healthy).
    showing: BTreeMap<String, Level>,
    /// The source shown stale now, if any.
    stale: Option<String>,
    /// The drill's grade, once it ended.
    pub graded: Option<Box<Grade>>,
}

impl DrillRecord {
    fn push(&mut self, at: Timestamp, what: Observed) {
        if self.seen.len() < MAX_OBSERVATIONS {
            self.seen.push(Observation { at, what });
        } else {
            self.dropped += 1;
        }
    }
}

/// What `update` notes before a message is applied, to tell what it changed.
pub struct Before {
    selected: Option<String>,
    focus: Panel,
    zoomed: bool,
    last_sent: Option<Timestamp>,
    /// What the message was, as far as the record cares.
    kind: Kind,
}

enum Kind {
    Key,
    /// A person's action answered: what the screen now says of it.
    Answered(Timestamp, Observed),
    /// News from a source or the clock: the screen may show something new.
    Screen,
    Other,
}

pub fn before(state: &AppState, msg: &Msg) -> Option<Before> {
    if state.mode != RunMode::Drill || state.observed.graded.is_some() {
        return None;
    }
    let kind = match msg {
        Msg::Key(_) | Msg::Keys(_) => Kind::Key,
        Msg::Source { .. } | Msg::Tick(_) => Kind::Screen,
        Msg::ActionDone {
            id,
            action,
            at,
            outcome,
        } => match state.in_flight.iter().find(|f| f.id == *id && !f.automatic) {
            Some(f) => {
                let (action, scope) = (*action, f.scope.clone());
                let what = match outcome {
                    ActionOutcome::Done(_) => Observed::Done { action, scope },
                    ActionOutcome::Failed(why) | ActionOutcome::Unknown(why) => Observed::Failed {
                        action,
                        scope,
                        why: why.clone(),
                    },
                };
                Kind::Answered(*at, what)
            }
            None => Kind::Other,
        },
        _ => Kind::Other,
    };
    Some(Before {
        selected: state.selected_region().map(str::to_string),
        focus: state.showing.focus,
        zoomed: state.showing.zoom.is_some(),
        last_sent: state.comms.last_sent,
        kind,
    })
}

/// Record what the message noted in `before` (and the `effects` it gave) changed.
pub fn after(state: &mut AppState, effects: &[Effect], before: Before) {
    let now = state.now;
    state.observed.began.get_or_insert(now);
    match &before.kind {
        Kind::Key => looks(state, &before, now),
        Kind::Answered(at, what) => state.observed.push(*at, what.clone()),
        Kind::Screen | Kind::Other => {}
    }
    let sent = state.comms.last_sent != before.last_sent;
    for effect in effects {
        match effect {
            Effect::Execute(r) if r.operator != super::update::AUTOMATIC_OPERATOR => {
                state.observed.push(
                    now,
                    Observed::Asked {
                        action: r.action,
                        scope: r.scope.clone(),
                    },
                );
            }
            Effect::Annotate(text) if !crate::domain::comms::is_sent_line(text) => {
                let text = text.clone();
                state.observed.push(now, Observed::Annotated { text });
            }
            _ => {}
        }
    }
    if sent {
        state.observed.push(now, Observed::UpdateSent);
    }
    if matches!(before.kind, Kind::Screen) {
        screen(state, now);
    }
}

/// The operator's looks: the cursor on a region, its detail, a panel.
fn looks(state: &mut AppState, before: &Before, now: Timestamp) {
    let selected = state.selected_region().map(str::to_string);
    if let Some(region) = &selected
        && selected != before.selected
    {
        let region = region.clone();
        state.observed.push(now, Observed::Selected { region });
    }
    let focus = state.showing.focus;
    let zoomed = state.showing.zoom.is_some();
    if focus == before.focus && (zoomed == before.zoomed || !zoomed) {
        return;
    }
    let detail = focus == Panel::Detail || (zoomed && focus == Panel::Health);
    match (detail, selected) {
        (true, Some(region)) => state.observed.push(now, Observed::Detail { region }),
        _ => {
            let panel = focus.name().to_string();
            state.observed.push(now, Observed::Focused { panel });
        }
    }
}

/// What the screen shows now, against what it showed: a region that turns
/// worse or healthy again, a source that goes stale or fresh.
fn screen(state: &mut AppState, now: Timestamp) {
    if matches!(state.overlay, Overlay::Debrief { .. }) {
        return;
    }
    let mut changes = Vec::new();
    for region in &state.plan.regions {
        let level = match state.guardrails.state_in(region) {
            Some(GuardrailState::Warning | GuardrailState::Tripping { .. }) => Some(Level::Warn),
            Some(GuardrailState::Breach { .. }) => Some(Level::Breach),
            // Healthy, or no longer judged because the canary takes no
            // traffic there (rolled back): no trouble left on screen.
            Some(GuardrailState::Ok) | None => None,
            // No numbers: neither trouble nor healthy.
            Some(GuardrailState::NoData) => continue,
        };
        let was = state.observed.showing.get(region).copied();
        match level {
            Some(l) if was.is_none_or(|w| l > w) => {
                changes.push((region.clone(), Some(l), condition_in(state, region)));
            }
            None if was.is_some() => changes.push((region.clone(), None, String::new())),
            _ => {}
        }
    }
    for (region, level, what) in changes {
        match level {
            Some(level) => {
                state.observed.showing.insert(region.clone(), level);
                let region = Some(region);
                state.observed.push(
                    now,
                    Observed::Shown {
                        region,
                        level,
                        what,
                    },
                );
            }
            None => {
                state.observed.showing.remove(&region);
                let region = Some(region);
                state.observed.push(now, Observed::Cleared { region });
            }
        }
    }
    let stale = state
        .sources
        .iter()
        .find(|s| match s.condition(now) {
            SourceCondition::Failing { .. } => true,
            SourceCondition::Ok { age, .. } | SourceCondition::Slow { age, .. } => {
                s.info.kind == SourceKind::Metrics && age > state.plan.stale_after
            }
            SourceCondition::Waiting => false,
        })
        .map(|s| s.info.name.clone());
    match (&state.observed.stale, stale) {
        (None, Some(what)) => {
            state.observed.stale = Some(what.clone());
            state.observed.push(
                now,
                Observed::Shown {
                    region: None,
                    level: Level::Stale,
                    what,
                },
            );
        }
        (Some(_), None) => {
            state.observed.stale = None;
            state.observed.push(now, Observed::Cleared { region: None });
        }
        _ => {}
    }
}

/// The stop conditions in trouble in `region`, by signal name.
fn condition_in(state: &AppState, region: &str) -> String {
    let names: Vec<String> = state
        .guardrails
        .status()
        .iter()
        .zip(state.guardrails.conditions())
        .filter(|(s, _)| s.region.as_deref() == Some(region) && s.state != GuardrailState::Ok)
        .map(|(_, c)| c.signal.def().name.clone())
        .collect();
    match names.is_empty() {
        true => "a stop condition".to_string(),
        false => names.join(", "),
    }
}
