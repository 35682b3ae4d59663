//! The drafts overlay's commands: switch, scroll, edit (in `$EDITOR` or
//! here), copy, write, mark sent; and the answers of the editor and the
//! file written.

use super::notify;
use crate::app::comms::{draft_text, is_edited, next_due};
use crate::app::keymap::Command;
use crate::app::msg::Effect;
use crate::app::state::{AppState, DraftsView, NoticeLevel, Overlay};
use crate::domain::comms::{Audience, leaks};

/// The longest draft kept, in characters: a page of text and then some.
pub const MAX_DRAFT: usize = 20_000;

/// Do what a drafts command asks.
pub(super) fn run(state: &mut AppState, command: Command) -> Vec<Effect> {
    let Overlay::Drafts(view) = &state.overlay else {
        if command == Command::OpenDrafts {
            state.overlay = Overlay::Drafts(DraftsView::default());
        }
        return vec![];
    };
    let audience = view.audience;
    match command {
        Command::CloseDrafts => state.overlay = Overlay::None,
        Command::DraftNext | Command::DraftPrevious => {
            let step = if command == Command::DraftNext { 1 } else { -1 };
            state.overlay = Overlay::Drafts(DraftsView {
                audience: audience.step(step),
                ..DraftsView::default()
            });
        }
        Command::ScrollDown | Command::ScrollUp => scroll(state, command == Command::ScrollDown),
        Command::EditInPlace => {
            freeze(state, audience);
            set_typing(state, true);
        }
        Command::FinishTyping => set_typing(state, false),
        Command::NewLine => type_char(state, '\n'),
        Command::EditExternal => {
            let text = draft_text(state, audience);
            notify(state, NoticeLevel::Info, "editing in $EDITOR…");
            return vec![Effect::Edit { audience, text }];
        }
        Command::CopyDraft => {
            let text = draft_text(state, audience);
            warn_leaks(state, audience, &text);
            if state
                .notice
                .as_ref()
                .is_none_or(|n| n.level != NoticeLevel::Warn)
            {
                let lines = text.lines().count();
                notify(
                    state,
                    NoticeLevel::Info,
                    format!("{} draft copied ({lines} lines, OSC 52)", audience.word()),
                );
            }
            return vec![Effect::Copy(text)];
        }
        Command::WriteDraft => {
            let text = draft_text(state, audience);
            warn_leaks(state, audience, &text);
            let name = file_name(state, audience);
            return vec![Effect::WriteDraft { name, text }];
        }
        Command::MarkSent => return mark_sent(state, audience),
        Command::RevertDraft => {
            state.comms.edited[audience.index()] = None;
            notify(
                state,
                NoticeLevel::Info,
                format!("{} draft follows the rollout again", audience.word()),
            );
        }
        _ => {}
    }
    vec![]
}

/// `m`: the update is recorded on the timeline and the cadence starts again.
fn mark_sent(state: &mut AppState, audience: Audience) -> Vec<Effect> {
    let text = draft_text(state, audience);
    warn_leaks(state, audience, &text);
    state.comms.last_sent = Some(state.now);
    // An update sent before anything went wrong still starts the clock.
    if state.comms.incident_since.is_none() {
        state.comms.incident_since = Some(state.now);
    }
    let next = next_due(state)
        .map(|d| format!("; next update due {}", d.at.format("%H:%M UTC")))
        .unwrap_or_default();
    if state
        .notice
        .as_ref()
        .is_none_or(|n| n.level != NoticeLevel::Warn)
    {
        let words = format!("{} update marked sent{next}", audience.word());
        notify(state, NoticeLevel::Info, words);
    }
    // A read-only seat writes nothing to the audit log: the clock starts
    // again here, and the timeline of others does not hear of it.
    if state.read_only {
        let words = format!(
            "{} update marked sent on this screen only: a read-only screen records nothing{next}",
            audience.word()
        );
        notify(state, NoticeLevel::Warn, words);
        return vec![];
    }
    vec![Effect::Annotate(crate::domain::comms::sent_line(audience))]
}

/// Copying, writing or sending a customer draft that names something
/// internal (typed in by a person) says so: the text is theirs to fix.
fn warn_leaks(state: &mut AppState, audience: Audience, text: &str) {
    if audience != Audience::Customer {
        return;
    }
    let forbidden = crate::app::comms::inputs(state).forbidden();
    if let Some(leak) = leaks(text, &forbidden).first() {
        let words = format!("the customer draft names {leak}: edit it before it goes out");
        notify(state, NoticeLevel::Warn, words);
    }
}

/// `drafts/<service>-<audience>-<UTC time>.md`, with only safe characters.
fn file_name(state: &AppState, audience: Audience) -> String {
    let service: String = state
        .plan
        .service
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '-',
            },
        )
        .collect();
    format!(
        "{service}-{}-{}.md",
        audience.word(),
        state.now.format("%Y%m%dT%H%M%SZ")
    )
}

/// Keep the draft as it is now, so that typing edits what is on screen.
fn freeze(state: &mut AppState, audience: Audience) {
    if !is_edited(state, audience) {
        state.comms.edited[audience.index()] = Some(draft_text(state, audience));
    }
}

fn set_typing(state: &mut AppState, typing: bool) {
    if let Overlay::Drafts(view) = &mut state.overlay {
        view.typing = typing;
    }
}

/// One line down or up; never past the draft's last line (the screen
/// stops earlier, where the end comes into sight).
fn scroll(state: &mut AppState, down: bool) {
    let Overlay::Drafts(view) = &state.overlay else {
        return;
    };
    let lines = draft_text(state, view.audience).lines().count();
    let most = u16::try_from(lines.saturating_sub(1)).unwrap_or(u16::MAX);
    if let Overlay::Drafts(view) = &mut state.overlay {
        view.scroll = match down {
            true => view.scroll.saturating_add(1).min(most),
            false => view.scroll.saturating_sub(1),
        };
    }
}

/// The draft being typed into, if one is.
fn typed(state: &mut AppState) -> Option<&mut String> {
    let Overlay::Drafts(view) = &state.overlay else {
        return None;
    };
    if !view.typing {
        return None;
    }
    state.comms.edited[view.audience.index()].as_mut()
}

/// A typed key into the draft being edited.
pub(super) fn type_char(state: &mut AppState, c: char) {
    if let Some(text) = typed(state) {
        insert(text, &c.to_string());
    }
}

pub(super) fn erase(state: &mut AppState) {
    if let Some(text) = typed(state) {
        text.pop();
    }
}

/// A paste into the draft being edited: text, line breaks kept. False
/// when no draft is being edited.
pub(super) fn paste(state: &mut AppState, pasted: &str) -> bool {
    let Some(text) = typed(state) else {
        return false;
    };
    if insert(text, pasted) {
        notify(
            state,
            NoticeLevel::Warn,
            format!("paste cut: a draft holds at most {MAX_DRAFT} characters"),
        );
    }
    true
}

/// `$EDITOR` closed: the draft is what was saved.
pub(super) fn on_edited(state: &mut AppState, audience: Audience, result: Result<String, String>) {
    match result {
        Ok(saved) => {
            let mut text = String::new();
            let cut = insert(&mut text, &saved);
            let unchanged = text == draft_text(state, audience);
            if !unchanged {
                state.comms.edited[audience.index()] = Some(text);
            }
            let words = match (unchanged, cut) {
                (true, _) => format!("{} draft unchanged", audience.word()),
                (false, false) => format!("{} draft edited", audience.word()),
                (false, true) => format!(
                    "{} draft edited, cut to {MAX_DRAFT} characters",
                    audience.word()
                ),
            };
            notify(state, NoticeLevel::Info, words);
        }
        Err(why) => notify(state, NoticeLevel::Error, format!("editor: {why}")),
    }
}

pub(super) fn on_written(state: &mut AppState, result: Result<String, String>) {
    match result {
        Ok(path) => notify(state, NoticeLevel::Info, format!("draft written to {path}")),
        Err(why) => notify(
            state,
            NoticeLevel::Error,
            format!("draft not written: {why}"),
        ),
    }
}

/// Add `more` to a draft: line breaks kept (`\r\n` as one), tabs as
/// spaces, other control and bidi characters dropped, cut at
/// [`MAX_DRAFT`]. True when it was cut.
pub fn insert(text: &mut String, more: &str) -> bool {
    let mut room = MAX_DRAFT.saturating_sub(text.chars().count());
    for c in more.chars() {
        let c = match c {
            '\r' => continue,
            '\t' => ' ',
            '\n' => '\n',
            c if crate::app::typing::typable(c) => c,
            _ => continue,
        };
        if room == 0 {
            return true;
        }
        text.push(c);
        room -= 1;
    }
    false
}
