//! Keys of the scorecard overlay and of the NO-GO override: choosing an
//! item's status, typing its note or the override's reason.

use crossterm::event::{KeyCode, KeyEvent};

use super::{notify, refused_in_flight, send};
use crate::app::msg::Effect;
use crate::app::state::{AppState, MAX_TYPED, NoticeLevel, Overlay, ScorecardView};
use crate::domain::rollout::{Action, ActionScope, check_action};
use crate::domain::scorecard::Recalled;
use crate::domain::scorecard::{Item, Setting, Status, check_note};
use crate::domain::timeline::EventKind;

/// Add a typed character to `text`, or take one away; true if it changed.
fn type_into(text: &mut String, code: KeyCode) -> bool {
    match code {
        KeyCode::Char(c) if !c.is_control() && text.chars().count() < MAX_TYPED => {
            text.push(c);
            true
        }
        KeyCode::Backspace => text.pop().is_some(),
        _ => false,
    }
}

pub(super) fn on_scorecard_key(
    state: &mut AppState,
    mut view: ScorecardView,
    key: KeyEvent,
) -> Vec<Effect> {
    let item = Item::ALL
        .get(view.selected)
        .copied()
        .unwrap_or(Item::SuccessMetrics);
    if let Some((status, mut note)) = view.editing.take() {
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter if note.trim().is_empty() => {
                notify(
                    state,
                    NoticeLevel::Warn,
                    "a note is needed: say what the status rests on",
                );
                view.editing = Some((status, note));
            }
            // The same rule as `warroom scorecard set`.
            KeyCode::Enter => match check_note(&note) {
                Ok(checked) => {
                    state.overlay = Overlay::Scorecard(view);
                    let setting = Setting {
                        item,
                        status,
                        note: checked,
                        operator: state.operator.clone(),
                        at: state.now,
                    };
                    notify(state, NoticeLevel::Info, format!("{item}: recording…"));
                    return vec![Effect::RecordScorecard(setting)];
                }
                Err(problem) => {
                    notify(state, NoticeLevel::Warn, problem);
                    view.editing = Some((status, note));
                }
            },
            code => {
                type_into(&mut note, code);
                view.editing = Some((status, note));
            }
        }
        state.overlay = Overlay::Scorecard(view);
        return vec![];
    }
    let chosen = match key.code {
        KeyCode::Char('q') => return vec![Effect::Quit],
        KeyCode::Esc | KeyCode::Char('s') => {
            state.overlay = Overlay::None;
            return vec![];
        }
        KeyCode::Down | KeyCode::Char('j') => {
            view.selected = (view.selected + 1).min(Item::ALL.len() - 1);
            None
        }
        KeyCode::Up | KeyCode::Char('k') => {
            view.selected = view.selected.saturating_sub(1);
            None
        }
        KeyCode::Char('g') => Some(Status::Green),
        KeyCode::Char('a') => Some(Status::Amber),
        KeyCode::Char('r') => Some(Status::Red),
        KeyCode::Char('u') => Some(Status::Unknown),
        _ => None,
    };
    if let Some(status) = chosen {
        if state.read_only {
            notify(
                state,
                NoticeLevel::Warn,
                "read-only: the scorecard cannot be changed from this screen",
            );
        } else if item.is_judged() {
            notify(
                state,
                NoticeLevel::Warn,
                format!("{item} is judged from data, not set by hand"),
            );
        } else {
            state.notice = None;
            view.editing = Some((status, String::new()));
        }
    }
    state.overlay = Overlay::Scorecard(view);
    vec![]
}

/// New records in the audit log: settings made elsewhere (or this screen's
/// own, read back, which are already here) and rollbacks.
pub(super) fn on_recalled(state: &mut AppState, recalled: Recalled) {
    for setting in recalled.settings {
        if state.scorecard_settings.contains(&setting) {
            continue;
        }
        let text = format!(
            "{} set {} {} (from the audit log): {}",
            setting.operator, setting.item, setting.status, setting.note
        );
        state.timeline.push(setting.at, EventKind::Progress, text);
        state.scorecard_settings.push(setting);
    }
    state.last_rollback = state.last_rollback.max(recalled.last_rollback);
}

/// The audit log took (or refused) a scorecard setting.
pub(super) fn on_scorecard_recorded(
    state: &mut AppState,
    setting: Setting,
    result: Result<(), String>,
) {
    match result {
        Ok(()) => {
            let text = format!(
                "{} set {} {}: {}",
                setting.operator, setting.item, setting.status, setting.note
            );
            state.timeline.push(setting.at, EventKind::Progress, text);
            notify(
                state,
                NoticeLevel::Info,
                format!("{} is {}", setting.item, setting.status),
            );
            state.scorecard_settings.push(setting);
        }
        Err(e) => {
            let text = format!("{} not set: {e}", setting.item);
            state
                .timeline
                .push(setting.at, EventKind::ActionFailed, text.clone());
            notify(state, NoticeLevel::Error, text);
        }
    }
}

/// Typing the reason to promote in spite of NO-GO.
pub(super) fn on_override_key(
    state: &mut AppState,
    scope: ActionScope,
    mut reason: String,
    key: KeyEvent,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => {
            state.overlay = Overlay::None;
            notify(state, NoticeLevel::Info, "promote cancelled");
            vec![]
        }
        KeyCode::Enter if reason.trim().is_empty() => {
            notify(
                state,
                NoticeLevel::Warn,
                "type why the rollout goes on in spite of NO-GO",
            );
            state.overlay = Overlay::Override { scope, reason };
            vec![]
        }
        KeyCode::Enter => {
            state.overlay = Overlay::None;
            if let Some(rollout) = &state.rollout
                && let Err(refusal) =
                    check_action(Action::Promote, &scope, rollout, &state.plan.waves)
            {
                notify(
                    state,
                    NoticeLevel::Warn,
                    format!("cannot promote: {refusal}"),
                );
                return vec![];
            }
            // Something may have been sent while the reason was typed.
            if refused_in_flight(state, &scope) {
                return vec![];
            }
            let reason = format!(
                "NO-GO override ({}): {}",
                state.no_go_reasons().join(", "),
                reason.trim()
            );
            let operator = state.operator.clone();
            vec![send(state, Action::Promote, scope, operator, Some(reason))]
        }
        code => {
            type_into(&mut reason, code);
            state.overlay = Overlay::Override { scope, reason };
            vec![]
        }
    }
}
