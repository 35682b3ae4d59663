//! The end of a drill: `q` asks whether to end it; yes asks the event loop
//! for the drill's script (`Effect::EndDrill`), which comes back as
//! `Msg::DrillEnded`; the drill is graded (a pure call) and its debrief
//! shown, and `q` then quits.

use super::notify;
use crate::app::msg::Effect;
use crate::app::state::{AppState, NoticeLevel, Overlay, RunMode};
use crate::domain::drill::grade::{Grade, Script};

/// `q`: in a drill not yet graded, ask whether to end it; else quit.
pub(super) fn quit_or_end(state: &mut AppState) -> Vec<Effect> {
    if state.mode == RunMode::Drill && state.observed.graded.is_none() {
        state.overlay = Overlay::EndDrill;
        return vec![];
    }
    vec![Effect::Quit]
}

/// Quitting at once (Ctrl-C, a signal): a drill not yet graded is graded
/// first, so its debrief is written all the same.
pub(super) fn quit(state: &AppState) -> Vec<Effect> {
    match crate::app::keymap::ends_drill(state) {
        true => vec![Effect::EndDrill, Effect::Quit],
        false => vec![Effect::Quit],
    }
}

/// Yes in the end-drill confirmation.
pub(super) fn end(state: &mut AppState) -> Vec<Effect> {
    state.overlay = Overlay::None;
    notify(state, NoticeLevel::Info, "drill ended: grading…");
    vec![Effect::EndDrill]
}

/// The drill's script has come: grade it, and show the debrief.
pub(super) fn on_ended(state: &mut AppState, script: Option<&Script>) {
    if state.mode != RunMode::Drill {
        return;
    }
    let ended = state.now;
    let began = state.observed.began.unwrap_or(ended);
    let grade = match script {
        Some(script) => script.grade(&state.plan, &state.observed.seen, began, ended),
        // No script: the classic debrief, counted from the drill's start.
        None => {
            let debrief = crate::domain::drill::debrief(&state.timeline, began, ended);
            Grade::classic(&debrief, began)
        }
    };
    state.observed.graded = Some(Box::new(grade));
    state.notice = None;
    state.overlay = Overlay::Debrief { scroll: 0 };
}

/// ↑↓ in the debrief.
pub(super) fn scroll(state: &mut AppState, down: bool) {
    if let Overlay::Debrief { scroll } = &mut state.overlay {
        *scroll = match down {
            true => scroll.saturating_add(1),
            false => scroll.saturating_sub(1),
        };
    }
}
