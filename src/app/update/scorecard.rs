//! The scorecard overlay and the NO-GO override: choosing an item and its
//! status, recording its note, promoting with a typed reason.

use super::{notify, send};
use crate::app::admit::admit_override;
use crate::app::footprint::SETTINGS_KEPT;
use crate::app::msg::Effect;
use crate::app::state::{AppState, NoticeLevel, Overlay, ScorecardView};
use crate::domain::rollout::Action;
use crate::domain::scorecard::Recalled;
use crate::domain::scorecard::{Item, Setting, Status, check_note};
use crate::domain::timeline::EventKind;

/// The scorecard overlay's view, when it is open.
fn view(state: &mut AppState) -> Option<&mut ScorecardView> {
    match &mut state.overlay {
        Overlay::Scorecard(view) => Some(view),
        _ => None,
    }
}

/// The item under the cursor.
fn item(view: &ScorecardView) -> Item {
    Item::ALL
        .get(view.selected)
        .copied()
        .unwrap_or(Item::SuccessMetrics)
}

/// Move the cursor `by` items, staying on the card.
pub(super) fn move_item(state: &mut AppState, by: isize) {
    if let Some(view) = view(state) {
        view.selected = view
            .selected
            .saturating_add_signed(by)
            .min(Item::ALL.len() - 1);
    }
}

/// Start typing the note of the selected item with `status`, if it may be set here.
pub(super) fn set_status(state: &mut AppState, status: Status) {
    let Some(selected) = view(state).map(|v| item(v)) else {
        return;
    };
    if state.read_only {
        notify(
            state,
            NoticeLevel::Warn,
            "read-only: the scorecard cannot be changed from this screen",
        );
    } else if selected.is_judged() {
        notify(
            state,
            NoticeLevel::Warn,
            format!("{selected} is judged from data, not set by hand"),
        );
    } else {
        state.notice = None;
        if let Some(view) = view(state) {
            view.editing = Some((status, String::new()));
        }
    }
}

/// Enter on a note: record it (the same rule as `warroom scorecard set`).
pub(super) fn submit_note(state: &mut AppState) -> Vec<Effect> {
    let editing = view(state).and_then(|v| v.editing.clone().map(|(s, n)| (item(v), s, n)));
    let Some((item, status, note)) = editing else {
        return vec![];
    };
    if note.trim().is_empty() {
        notify(
            state,
            NoticeLevel::Warn,
            "a note is needed: say what the status rests on",
        );
        return vec![];
    }
    match check_note(&note) {
        Ok(checked) => {
            if let Some(view) = view(state) {
                view.editing = None;
            }
            let setting = Setting {
                item,
                status,
                note: checked,
                operator: state.operator.clone(),
                at: state.now,
            };
            notify(state, NoticeLevel::Info, format!("{item}: recording…"));
            vec![Effect::RecordScorecard(setting)]
        }
        Err(problem) => {
            notify(state, NoticeLevel::Warn, problem);
            vec![]
        }
    }
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
        keep(state, setting);
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
            keep(state, setting);
        }
        Err(e) => {
            let text = format!("{} not set: {e}", setting.item);
            state
                .timeline
                .push(setting.at, EventKind::Failed, text.clone());
            notify(state, NoticeLevel::Error, text);
        }
    }
}

/// Enter on the override's reason: promote, with the reason and what made
/// it NO-GO in the audit log, if the action may still go.
pub(super) fn submit_reason(state: &mut AppState) -> Vec<Effect> {
    let Overlay::Override { scope, reason } = state.overlay.clone() else {
        return vec![];
    };
    if reason.trim().is_empty() {
        notify(
            state,
            NoticeLevel::Warn,
            "type why the rollout goes on in spite of NO-GO",
        );
        return vec![];
    }
    state.overlay = Overlay::None;
    // Something may have been sent, or the rollout moved on, while the
    // reason was typed.
    if let Err(refusal) = admit_override(state, &scope) {
        let text = format!("cannot promote ({}): {refusal}", scope.label());
        notify(state, NoticeLevel::Warn, text);
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

/// Keep `setting`, the oldest one a newer setting of its item replaces
/// falling off when there are more than [`SETTINGS_KEPT`].
fn keep(state: &mut AppState, setting: Setting) {
    let settings = &mut state.scorecard_settings;
    settings.push(setting);
    if settings.len() <= SETTINGS_KEPT {
        return;
    }
    let replaced = (0..settings.len()).find(|&i| {
        settings[i + 1..]
            .iter()
            .any(|later| later.item == settings[i].item)
    });
    settings.remove(replaced.unwrap_or(0));
}
