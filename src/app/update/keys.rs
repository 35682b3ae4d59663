//! Keys and pastes: each key goes through the key map to a command; every
//! action a command asks for goes through `admit`. A paste never acts.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use super::{annotate, drafts, notify, scorecard, send};
use crate::app::admit::{Refusal, admit};
use crate::app::keymap::{self, Command, Context};
use crate::app::msg::Effect;
use crate::app::state::{
    ActionScope, AppState, NoticeLevel, Overlay, PendingAction, ScorecardView,
};
use crate::app::typing::{insert_pasted, insert_typed};
use crate::domain::rollout::Action;

fn key_name(key: &KeyEvent) -> String {
    match key.code {
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".to_string(),
        other => format!("{other:?}"),
    }
}

/// Keys that arrived together: the runtime gathers reads of the terminal
/// that come without a pause into one burst, and a burst that goes on from
/// another. A terminal without bracketed paste delivers a paste this way
/// (`ready` is `r` then `y`), in one part or several, so no key of a burst
/// commits anything (a confirmation, a note, a reason): a person answers a
/// confirmation with a key of its own, typed after seeing it. The other
/// keys of the burst act as typed. The rule itself needs no clock, so it is
/// the same for live, drill and replay. `together` is false for a key that
/// came on its own.
pub(super) fn on_keys(state: &mut AppState, keys: Vec<KeyEvent>, together: bool) -> Vec<Effect> {
    let mut effects = Vec::new();
    for key in keys.into_iter().filter(|k| k.kind != KeyEventKind::Release) {
        let command = keymap::command(state, &key);
        if together && command.is_some_and(Command::commits) {
            let text = format!(
                "{} not taken: it came together with other keys (a paste?); press it again",
                key_name(&key)
            );
            notify(state, NoticeLevel::Warn, text);
            continue;
        }
        effects.extend(on_key(state, key, command));
        if effects.contains(&Effect::Quit) {
            break;
        }
    }
    effects
}

/// A paste is text: typed into the field being edited, and ignored
/// anywhere else, however many action keys it spells.
pub(super) fn on_paste(state: &mut AppState, text: &str) {
    if drafts::paste(state, text) {
        return;
    }
    let field = match &mut state.overlay {
        Overlay::Scorecard(ScorecardView {
            editing: Some((_, note)),
            ..
        }) => note,
        Overlay::Override { reason, .. } => reason,
        Overlay::Annotate(text) => text,
        _ => {
            notify(
                state,
                NoticeLevel::Info,
                "paste ignored: keys act only when typed",
            );
            return;
        }
    };
    if insert_pasted(field, text) {
        notify(
            state,
            NoticeLevel::Warn,
            format!(
                "paste cut: a field holds at most {} characters",
                crate::app::state::MAX_TYPED
            ),
        );
    }
}

fn on_key(state: &mut AppState, key: KeyEvent, command: Option<Command>) -> Vec<Effect> {
    match command {
        Some(command) => run(state, command),
        None => {
            if Context::of(&state.overlay).takes_text() {
                if let KeyCode::Char(c) = key.code {
                    type_char(state, c);
                }
            } else {
                unbound(state, &key);
            }
            vec![]
        }
    }
}

fn type_char(state: &mut AppState, c: char) {
    match &mut state.overlay {
        Overlay::Scorecard(ScorecardView {
            editing: Some((_, note)),
            ..
        }) => insert_typed(note, c),
        Overlay::Override { reason, .. } => insert_typed(reason, c),
        Overlay::Annotate(text) => insert_typed(text, c),
        Overlay::Drafts(_) => {
            drafts::type_char(state, c);
            true
        }
        _ => false,
    };
}

fn erase(state: &mut AppState) {
    match &mut state.overlay {
        Overlay::Scorecard(ScorecardView {
            editing: Some((_, note)),
            ..
        }) => note.pop(),
        Overlay::Override { reason, .. } => reason.pop(),
        Overlay::Annotate(text) => text.pop(),
        Overlay::Drafts(_) => {
            drafts::erase(state);
            None
        }
        _ => None,
    };
}

/// Do what a command asks, in the context it was given in.
fn run(state: &mut AppState, command: Command) -> Vec<Effect> {
    let context = Context::of(&state.overlay);
    match command {
        Command::Quit => return super::debrief::quit(state),
        Command::QuitOrEnd => return super::debrief::quit_or_end(state),
        Command::EndDrill => return super::debrief::end(state),
        Command::ScrollDown | Command::ScrollUp if context == Context::Debrief => {
            super::debrief::scroll(state, command == Command::ScrollDown);
        }
        Command::OpenHelp => state.overlay = Overlay::Help,
        Command::CloseHelp | Command::CloseScorecard => state.overlay = Overlay::None,
        Command::OpenScorecard => state.overlay = Overlay::Scorecard(ScorecardView::default()),
        Command::NextTheme => next_theme(state),
        Command::PauseOrResume => {
            let scope = ActionScope::Rollout;
            let action = keymap::pause_or_resume(state, &scope);
            ask(state, action, scope);
        }
        Command::Ask(action) => ask(state, action, ActionScope::Rollout),
        Command::SelectNext => {
            let last = state.health.regions().len().saturating_sub(1);
            select(state, (state.selected + 1).min(last));
        }
        Command::SelectPrevious => select(state, state.selected.saturating_sub(1)),
        Command::SelectFirst => select(state, 0),
        Command::SelectLast => select(state, state.health.regions().len().saturating_sub(1)),
        Command::Back => super::view::back(state),
        Command::TogglePresenter => super::view::toggle_presenter(state),
        Command::FocusNext => super::view::move_focus(state, 1),
        Command::FocusPrevious => super::view::move_focus(state, -1),
        Command::Zoom => super::view::zoom(state),
        Command::Confirm => {
            if let Overlay::Confirm(p) = std::mem::take(&mut state.overlay) {
                return confirm(state, p);
            }
        }
        Command::Rescope => {
            if let Overlay::Confirm(p) = state.overlay.clone() {
                rescope(state, p);
            }
        }
        Command::Cancel => cancel(state, context),
        Command::ItemNext => scorecard::move_item(state, 1),
        Command::ItemPrevious => scorecard::move_item(state, -1),
        Command::SetStatus(status) => scorecard::set_status(state, status),
        Command::OpenAnnotation => annotate::open(state),
        Command::TimelineOlder => annotate::scroll(state, true),
        Command::TimelineNewer => annotate::scroll(state, false),
        Command::Submit if context == Context::Note => return scorecard::submit_note(state),
        Command::Submit if context == Context::Annotate => return annotate::submit(state),
        Command::Submit => return scorecard::submit_reason(state),
        Command::Erase => erase(state),
        Command::Snapshot => return vec![Effect::Snapshot],
        Command::OpenDrafts
        | Command::CloseDrafts
        | Command::DraftNext
        | Command::DraftPrevious
        | Command::ScrollDown
        | Command::ScrollUp
        | Command::EditExternal
        | Command::EditInPlace
        | Command::FinishTyping
        | Command::NewLine
        | Command::CopyDraft
        | Command::WriteDraft
        | Command::MarkSent
        | Command::RevertDraft => return drafts::run(state, command),
    }
    vec![]
}

fn cancel(state: &mut AppState, context: Context) {
    match std::mem::take(&mut state.overlay) {
        Overlay::Confirm(p) => {
            notify(state, NoticeLevel::Info, format!("{} cancelled", p.action));
        }
        Overlay::Override { .. } => notify(state, NoticeLevel::Info, "promote cancelled"),
        Overlay::Annotate(_) => notify(state, NoticeLevel::Info, "annotation cancelled"),
        Overlay::EndDrill => notify(state, NoticeLevel::Info, "the drill goes on"),
        Overlay::Scorecard(view) if context == Context::Note => {
            state.overlay = Overlay::Scorecard(ScorecardView {
                editing: None,
                ..view
            });
        }
        other => state.overlay = other,
    }
}

fn next_theme(state: &mut AppState) {
    state.theme = (state.theme + 1) % state.theme_names.len().max(1);
    let name = state
        .theme_names
        .get(state.theme)
        .cloned()
        .unwrap_or_default();
    notify(state, NoticeLevel::Info, format!("theme: {name}"));
}

/// Say why `action` on `scope` may not go.
fn refuse(state: &mut AppState, action: Action, scope: &ActionScope, refusal: &Refusal) {
    let text = format!("cannot {action} ({}): {refusal}", scope.label());
    notify(state, NoticeLevel::Warn, text);
}

/// Open the confirmation for `action` on `scope`, or the override when only
/// NO-GO stands in the way, or say why it cannot be taken now.
fn ask(state: &mut AppState, action: Action, scope: ActionScope) {
    match admit(state, action, &scope) {
        Ok(()) => state.overlay = Overlay::Confirm(PendingAction { action, scope }),
        // Going on in spite of NO-GO takes a typed reason, which is audited.
        Err(Refusal::NoGo(_)) => {
            state.overlay = Overlay::Override {
                scope,
                reason: String::new(),
            }
        }
        // With an action in flight on one region, another region may still
        // be acted on: the confirmation opens, and says that only Tab to
        // that region can be confirmed. Nothing is narrowed behind the
        // operator's back.
        Err(Refusal::InFlight {
            action: busy,
            scope: busy_scope,
        }) if scope == ActionScope::Rollout
            && state.selected_region().is_some_and(|region| {
                let region = ActionScope::Region(region.to_string());
                !matches!(admit(state, action, &region), Err(Refusal::InFlight { .. }))
            }) =>
        {
            let region = state.selected_region().unwrap_or_default();
            let text = format!(
                "all regions are busy: {busy} ({busy_scope}) is in flight; Tab to {action} {region} alone"
            );
            state.overlay = Overlay::Confirm(PendingAction { action, scope });
            notify(state, NoticeLevel::Warn, text);
        }
        Err(refusal) => refuse(state, action, &scope, &refusal),
    }
}

/// Tab in the confirmation: switch between the whole rollout and the
/// selected region. `p` follows the new target (resume a paused region).
fn rescope(state: &mut AppState, pending: PendingAction) {
    let scope = match (&pending.scope, state.selected_region()) {
        (ActionScope::Rollout, Some(region)) => ActionScope::Region(region.to_string()),
        _ => ActionScope::Rollout,
    };
    let action = match pending.action {
        Action::Pause | Action::Resume => keymap::pause_or_resume(state, &scope),
        other => other,
    };
    // NO-GO is for the confirmation to catch: it asks for a reason then.
    match admit(state, action, &scope) {
        Ok(()) | Err(Refusal::NoGo(_)) => {
            state.notice = None;
            state.overlay = Overlay::Confirm(PendingAction { action, scope });
        }
        Err(refusal) => refuse(state, action, &scope, &refusal),
    }
}

/// The operator confirmed: check again (the rollout may have moved on while
/// the modal was open) and hand the action to the control path.
fn confirm(state: &mut AppState, pending: PendingAction) -> Vec<Effect> {
    match admit(state, pending.action, &pending.scope) {
        Ok(()) => {
            let operator = state.operator.clone();
            vec![send(state, pending.action, pending.scope, operator, None)]
        }
        // NO-GO may have come while the modal was open: a reason is needed.
        Err(Refusal::NoGo(_)) => {
            state.overlay = Overlay::Override {
                scope: pending.scope,
                reason: String::new(),
            };
            notify(
                state,
                NoticeLevel::Warn,
                "NO-GO now: type why the rollout goes on",
            );
            vec![]
        }
        Err(refusal) => {
            refuse(state, pending.action, &pending.scope, &refusal);
            vec![]
        }
    }
}

/// The operator moves the selection: trouble elsewhere leaves it be for a minute.
fn select(state: &mut AppState, row: usize) {
    state.selected = row;
    state.selection_moved = Some(state.now);
}

/// A key that does nothing here says so, once for each key, so that a
/// mistyped key is not taken for one that worked.
fn unbound(state: &mut AppState, key: &KeyEvent) {
    let name = key_name(key);
    if state.told_unbound.contains(&name) {
        return;
    }
    let text = format!("{name} does nothing here; ? lists the keys");
    // Told once each, for as many keys as a keyboard has; past them, the
    // list starts again.
    if state.told_unbound.len() >= crate::app::footprint::TOLD_UNBOUND_KEPT {
        state.told_unbound.clear();
    }
    state.told_unbound.insert(name);
    notify(state, NoticeLevel::Info, text);
}
