//! The one key map: every key the war room answers to, the command it
//! gives, how it is named and when it is offered. `update` dispatches
//! through it, the footer shows the rows that act now, the help shows all.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod table;

pub use table::BINDINGS;

use super::admit::{Refusal, admit};
use super::state::{AppState, Overlay};
use super::view::View;
use crate::domain::rollout::{Action, ActionScope, Phase};
use crate::domain::scorecard::Status;

/// Where a key is read: the dashboard, one of its overlays, or anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Anywhere,
    Dashboard,
    Help,
    Confirm,
    Scorecard,
    /// Typing the note of a scorecard item.
    Note,
    /// Typing why the rollout goes on in spite of NO-GO.
    Reason,
    /// Typing a line for the timeline.
    Annotate,
    /// The status drafts.
    Drafts,
    /// Editing a draft in place.
    DraftText,
    /// Asked whether to end the drill.
    EndDrill,
    /// The drill's debrief.
    Debrief,
}

impl Context {
    /// The context the screen is in.
    pub fn of(overlay: &Overlay) -> Context {
        match overlay {
            Overlay::None => Context::Dashboard,
            Overlay::Help => Context::Help,
            Overlay::Confirm(_) => Context::Confirm,
            Overlay::Scorecard(view) if view.editing.is_some() => Context::Note,
            Overlay::Scorecard(_) => Context::Scorecard,
            Overlay::Override { .. } => Context::Reason,
            Overlay::Annotate(_) => Context::Annotate,
            Overlay::Drafts(view) if view.typing => Context::DraftText,
            Overlay::Drafts(_) => Context::Drafts,
            Overlay::EndDrill => Context::EndDrill,
            Overlay::Debrief { .. } => Context::Debrief,
        }
    }

    /// True for a text field: keys with no binding there are typed, and a
    /// paste is taken as text.
    pub fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Note | Context::Reason | Context::Annotate | Context::DraftText
        )
    }

    /// The help's heading for the context's keys.
    pub fn title(self) -> &'static str {
        match self {
            Context::Anywhere | Context::Dashboard => "",
            Context::Help => "In this help",
            Context::Confirm => "In a confirmation",
            Context::Scorecard => "In the scorecard",
            Context::Note => "Typing a note",
            Context::Reason => "Typing a NO-GO reason",
            Context::Annotate => "Typing an annotation",
            Context::Drafts => "In the status drafts",
            Context::DraftText => "Editing a draft",
            Context::EndDrill => "Ending a drill",
            Context::Debrief => "In a drill's debrief",
        }
    }
}

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// `q`: quit, or in a drill not yet ended, ask whether to end it.
    QuitOrEnd,
    /// End the drill and grade it.
    EndDrill,
    OpenHelp,
    CloseHelp,
    OpenScorecard,
    CloseScorecard,
    NextTheme,
    /// Pause the rollout, or resume it when it is paused.
    PauseOrResume,
    /// Open the confirmation of an action on the whole rollout.
    Ask(Action),
    SelectNext,
    SelectPrevious,
    SelectFirst,
    SelectLast,
    /// Esc on the dashboard: leave the zoom, or else clear the message.
    Back,
    /// Switch between the dashboard and the presenter view.
    TogglePresenter,
    /// Move the focus to the next / previous panel.
    FocusNext,
    FocusPrevious,
    /// Zoom the focused panel, or leave the zoom.
    Zoom,
    /// Send the action the confirmation names.
    Confirm,
    /// Switch the confirmation between the whole rollout and the selected region.
    Rescope,
    /// Leave a confirmation, a note or a reason without acting.
    Cancel,
    ItemNext,
    ItemPrevious,
    SetStatus(Status),
    /// Open the field for a line on the timeline.
    OpenAnnotation,
    /// Scroll the timeline back to older events, a page at a time.
    TimelineOlder,
    /// Scroll the timeline on towards the newest.
    TimelineNewer,
    /// Enter in a text field: record the note or the annotation, or promote
    /// with the reason.
    Submit,
    /// Backspace in a text field.
    Erase,
    /// Write the screen as it is now to the snapshots folder.
    Snapshot,
    OpenDrafts,
    CloseDrafts,
    /// Show the next (or previous) audience's draft.
    DraftNext,
    DraftPrevious,
    ScrollDown,
    ScrollUp,
    /// Edit the draft in `$EDITOR`.
    EditExternal,
    /// Edit the draft on the screen.
    EditInPlace,
    /// Stop editing in place, keeping the text.
    FinishTyping,
    /// Enter while editing a draft: a new line.
    NewLine,
    /// Copy the draft to the clipboard (OSC 52).
    CopyDraft,
    /// Write the draft to a file in the state dir.
    WriteDraft,
    /// Record the draft as sent: on the timeline, and the cadence starts again.
    MarkSent,
    /// Drop the edits: the draft follows the state again.
    RevertDraft,
}

impl Command {
    /// True for the commands that make something happen outside the screen:
    /// an action sent, a scorecard setting or an update marked sent
    /// recorded, a draft handed to the editor, written or copied. None of
    /// them is taken from keys that came together (a paste).
    pub fn commits(self) -> bool {
        matches!(
            self,
            Command::Confirm
                | Command::EndDrill
                | Command::Submit
                | Command::MarkSent
                | Command::EditExternal
                | Command::WriteDraft
                | Command::CopyDraft
        )
    }
}

/// A key as the map names it: a key code, with Ctrl or without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    /// Whether the terminal's `event` is this key. Shift is part of the
    /// character (`P`); Alt never matches, so Alt-p does not pause.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let m = event.modifiers;
        event.code == self.code
            && m.contains(KeyModifiers::CONTROL) == self.ctrl
            && !m.contains(KeyModifiers::ALT)
    }
}

/// How the footer names what a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Text(&'static str),
    /// The verb of the action the key takes now (`pause` or `resume`).
    Verb,
    /// The view `b` switches to (`presenter` or `dashboard`).
    View,
    /// What `z` does now: zoom the focused panel (named), or go back.
    Zoom,
    /// What `q` does now: quit, or end the drill.
    Quit,
}

/// One row of the map: one line of the help, one entry of the footer.
#[derive(Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [(Key, Command)],
    /// In a confirmation: only when it confirms one of these (empty: any).
    pub confirming: &'static [Action],
    /// How the help writes the keys.
    pub shown: &'static str,
    /// How the footer writes them; `None` keeps the row out of the footer.
    pub footer: Option<&'static str>,
    pub label: Label,
    /// The help's line.
    pub help: &'static str,
}

/// Whether `q` ends the drill (and shows its debrief) rather than quitting.
pub fn ends_drill(state: &AppState) -> bool {
    state.mode == super::state::RunMode::Drill && state.observed.graded.is_none()
}

/// The action waiting in the confirmation, if one is open.
fn confirming(state: &AppState) -> Option<Action> {
    match &state.overlay {
        Overlay::Confirm(p) => Some(p.action),
        _ => None,
    }
}

/// Whether `binding` applies on the screen as it is.
fn applies(binding: &Binding, context: Context, pending: Option<Action>) -> bool {
    (binding.context == context || binding.context == Context::Anywhere)
        && (binding.confirming.is_empty()
            || pending.is_some_and(|a| binding.confirming.contains(&a)))
}

/// What `event` asks for on the screen as it is; `None` when the key is not
/// bound there (in a text field, it is then typed).
pub fn command(state: &AppState, event: &KeyEvent) -> Option<Command> {
    let context = Context::of(&state.overlay);
    let pending = confirming(state);
    BINDINGS
        .iter()
        .filter(|b| applies(b, context, pending))
        .flat_map(|b| b.keys.iter())
        .find(|(k, _)| k.matches(event))
        .map(|(_, c)| *c)
}

/// The keys that confirm `action` in its confirmation.
pub fn confirm_keys(action: Action) -> Vec<KeyCode> {
    BINDINGS
        .iter()
        .filter(|b| applies(b, Context::Confirm, Some(action)))
        .flat_map(|b| b.keys.iter())
        .filter(|(_, c)| *c == Command::Confirm)
        .map(|(k, _)| k.code)
        .collect()
}

/// What `p` means for `scope`: resume when it is paused, else pause.
pub fn pause_or_resume(state: &AppState, scope: &ActionScope) -> Action {
    let Some(rollout) = &state.rollout else {
        return Action::Pause;
    };
    let paused = match scope {
        ActionScope::Rollout => rollout.phase == Phase::Paused,
        ActionScope::Region(name) => rollout
            .regions
            .iter()
            .find(|r| &r.region == name)
            .is_some_and(|r| r.phase_in(rollout.phase) == Phase::Paused),
    };
    if paused {
        Action::Resume
    } else {
        Action::Pause
    }
}

/// The action a row's command takes on the whole rollout now, if any.
fn action_of(state: &AppState, command: Command) -> Option<Action> {
    match command {
        Command::PauseOrResume => Some(pause_or_resume(state, &ActionScope::Rollout)),
        Command::Ask(action) => Some(action),
        Command::Confirm => confirming(state),
        _ => None,
    }
}

/// Whether a row does something now: an action key only when the action
/// would be admitted (NO-GO still opens the override, so it counts), a
/// scorecard status only on a screen that may set one.
fn acts_now(state: &AppState, binding: &Binding) -> bool {
    let Some(&(_, command)) = binding.keys.first() else {
        return false;
    };
    match command {
        Command::PauseOrResume | Command::Ask(_) => action_of(state, command).is_some_and(|a| {
            matches!(
                admit(state, a, &ActionScope::Rollout),
                Ok(()) | Err(Refusal::NoGo(_))
            )
        }),
        Command::SetStatus(_) | Command::OpenAnnotation => !state.read_only,
        _ => true,
    }
}

/// The footer: the keys that act now, as (keys, what they do).
pub fn offered(state: &AppState) -> Vec<(&'static str, String)> {
    let context = Context::of(&state.overlay);
    let pending = confirming(state);
    BINDINGS
        .iter()
        .filter(|b| applies(b, context, pending) && acts_now(state, b))
        .filter_map(|b| {
            let keys = b.footer?;
            let label = match b.label {
                Label::Text(text) => text.to_string(),
                Label::Verb => {
                    let command = b.keys.first()?.1;
                    action_of(state, command)?.verb().to_string()
                }
                Label::View => match state.showing.view {
                    View::Dashboard => "presenter".to_string(),
                    View::Presenter => "dashboard".to_string(),
                },
                Label::Zoom => match state.showing.zoom {
                    Some(_) => "unzoom".to_string(),
                    None => format!("zoom {}", state.showing.focus.name()),
                },
                Label::Quit => match ends_drill(state) {
                    true => "end drill".to_string(),
                    false => "quit".to_string(),
                },
            };
            Some((keys, label))
        })
        .collect()
}

/// Every row, grouped by context in the order of the map, for the help.
pub fn by_context() -> Vec<(Context, Vec<&'static Binding>)> {
    let mut out: Vec<(Context, Vec<&'static Binding>)> = Vec::new();
    for b in BINDINGS {
        // The keys that work anywhere are listed with the dashboard's.
        let context = match b.context {
            Context::Anywhere => Context::Dashboard,
            other => other,
        };
        match out.iter_mut().find(|(c, _)| *c == context) {
            Some((_, rows)) => rows.push(b),
            None => out.push((context, vec![b])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::table::key;
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let contexts = [
            Context::Dashboard,
            Context::Help,
            Context::Scorecard,
            Context::Note,
            Context::Reason,
            Context::Annotate,
            Context::Drafts,
            Context::DraftText,
        ];
        let actions = [
            Action::Pause,
            Action::Resume,
            Action::Promote,
            Action::Rollback,
            Action::Retry,
        ];
        let mut cases: Vec<(Context, Option<Action>)> =
            contexts.iter().map(|c| (*c, None)).collect();
        cases.extend(actions.iter().map(|a| (Context::Confirm, Some(*a))));
        for (context, pending) in cases {
            let keys: Vec<Key> = BINDINGS
                .iter()
                .filter(|b| applies(b, context, pending))
                .flat_map(|b| b.keys.iter().map(|(k, _)| *k))
                .collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(
                    !keys[i + 1..].contains(k),
                    "{k:?} bound twice in {context:?} {pending:?}"
                );
            }
        }
    }

    #[test]
    fn only_a_typed_y_confirms_what_p_p_must_not() {
        for action in [Action::Resume, Action::Rollback, Action::Retry] {
            assert_eq!(confirm_keys(action), [KeyCode::Char('y')], "{action}");
        }
        assert_eq!(
            confirm_keys(Action::Pause),
            [KeyCode::Char('p'), KeyCode::Char('y'), KeyCode::Enter]
        );
        assert_eq!(
            confirm_keys(Action::Promote),
            [KeyCode::Char('y'), KeyCode::Enter]
        );
    }

    #[test]
    fn alt_and_ctrl_are_other_keys() {
        let p = key('p');
        assert!(p.matches(&KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE)));
        assert!(!p.matches(&KeyEvent::new(KeyCode::Char('p'), KeyModifiers::ALT)));
        assert!(!p.matches(&KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL)));
        let upper = key('P');
        assert!(upper.matches(&KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT)));
    }

    #[test]
    fn every_row_has_keys_and_words() {
        for b in BINDINGS {
            assert!(!b.keys.is_empty(), "{b:?}");
            assert!(!b.shown.is_empty() && !b.help.is_empty(), "{b:?}");
            if b.label == Label::Verb {
                let command = b.keys[0].1;
                assert!(
                    matches!(
                        command,
                        Command::PauseOrResume | Command::Ask(_) | Command::Confirm
                    ),
                    "{b:?}: a verb needs an action"
                );
            }
        }
    }
}
