//! Lines people write on the timeline, and the timeline's scrolling.
//!
//! An annotation leaves `update` as `Effect::Annotate` and is written to the
//! audit log; every screen following the log then shows it. This screen's
//! own annotation arrives twice, once from the writer's answer and once from
//! the log, in either order: it is shown at the first and the second is
//! passed over, so it appears exactly once.

use super::notify;
use crate::app::msg::Effect;
use crate::app::state::{AppState, NoticeLevel, Overlay};
use crate::domain::timeline::{Annotation, EventKind, annotation_text};

// The field holds what an annotation may: typing and pasting stop there.
const _: () = assert!(crate::app::state::MAX_TYPED == crate::domain::timeline::MAX_ANNOTATION);

/// How many events PgUp / PgDn move the timeline by: a small panel shows
/// three or four, a zoomed one dozens; update does not know which, so a
/// step that skips nothing on the smallest.
pub const TIMELINE_PAGE: usize = 3;

/// The most echoes remembered: an echo that never comes (the log stopped
/// being followed) must not grow the list for ever.
const MAX_ECHOES: usize = 64;

/// `a`: open the field. A read-only seat writes nothing to the audit log,
/// so it writes no annotation either.
pub(super) fn open(state: &mut AppState) {
    if state.read_only {
        notify(
            state,
            NoticeLevel::Warn,
            "read-only: this screen writes nothing to the audit log; annotate from a screen that may",
        );
        return;
    }
    state.notice = None;
    state.overlay = Overlay::Annotate(String::new());
}

/// Enter: record the line, if there is one.
pub(super) fn submit(state: &mut AppState) -> Vec<Effect> {
    let Overlay::Annotate(typed) = &state.overlay else {
        return vec![];
    };
    let text = annotation_text(typed);
    if text.is_empty() {
        notify(
            state,
            NoticeLevel::Warn,
            "type what to note on the timeline, or Esc",
        );
        return vec![];
    }
    state.overlay = Overlay::None;
    notify(state, NoticeLevel::Info, RECORDING);
    vec![Effect::Annotate(text)]
}

/// What the message line says while a line typed with `a` is written.
const RECORDING: &str = "annotation: recording…";

/// Count the annotations `effects` ask for: their answers are awaited.
pub(super) fn count_asked(state: &mut AppState, effects: &[Effect]) {
    let asked = effects
        .iter()
        .filter(|e| matches!(e, Effect::Annotate(_)))
        .count();
    state.annotations_writing += asked;
}

/// Show `a`, unless it is the second arrival of one already shown.
/// `expect_echo`: it will arrive once more.
fn arrive(state: &mut AppState, a: Annotation, expect_echo: bool) {
    if let Some(i) = state.annotation_echoes.iter().position(|e| *e == a) {
        state.annotation_echoes.remove(i);
        return;
    }
    // An update marked sent on any screen on the log starts the cadence
    // again on every one.
    if crate::domain::comms::is_sent_line(&a.text) {
        let last = state.comms.last_sent.get_or_insert(a.at);
        *last = (*last).max(a.at);
        state.comms.incident_since.get_or_insert(a.at);
    }
    state.timeline.push(a.at, EventKind::Annotation, a.line());
    if expect_echo {
        if state.annotation_echoes.len() == MAX_ECHOES {
            state.annotation_echoes.remove(0);
        }
        state.annotation_echoes.push(a);
    }
}

/// The writer's answer for one of this screen's annotations.
pub(super) fn on_annotated(
    state: &mut AppState,
    annotation: Annotation,
    result: Result<(), String>,
) {
    state.annotations_writing = state.annotations_writing.saturating_sub(1);
    match result {
        Ok(()) => {
            // What the screen said when the line was asked for (an update
            // marked sent, a warning that its draft names something
            // internal) stays: the record only confirms it.
            let said_since = state
                .notice
                .as_ref()
                .is_some_and(|n| n.at >= annotation.at && n.text != RECORDING);
            if !said_since {
                notify(state, NoticeLevel::Info, "annotation recorded");
            }
            arrive(state, annotation, true);
        }
        Err(e) => {
            let text = format!("annotation not recorded: {e}");
            state
                .timeline
                .push(annotation.at, EventKind::Failed, text.clone());
            notify(state, NoticeLevel::Error, text);
        }
    }
}

/// Annotations read from the log since the last look (any screen's). One
/// of this screen's own may come before the writer's answer: while an
/// answer is awaited, a line under this screen's name expects one.
pub(super) fn on_recalled(state: &mut AppState, annotations: Vec<Annotation>) {
    for a in annotations {
        let maybe_own = state.annotations_writing > 0 && a.operator == state.operator;
        arrive(state, a, maybe_own);
    }
}

/// PgDn (`older`) or PgUp: move the timeline a page.
pub(super) fn scroll(state: &mut AppState, older: bool) {
    let last = state.timeline.len().saturating_sub(1);
    state.timeline_scroll = if older {
        (state.timeline_scroll + TIMELINE_PAGE).min(last)
    } else {
        state.timeline_scroll.saturating_sub(TIMELINE_PAGE)
    };
}

/// Keep a scrolled-back timeline where it was: the events pushed since
/// `pushed_before` are newer than what it shows.
pub(super) fn keep_scroll(state: &mut AppState, pushed_before: u64) {
    if state.timeline_scroll == 0 {
        return;
    }
    let new = usize::try_from(state.timeline.pushed() - pushed_before).unwrap_or(usize::MAX);
    let last = state.timeline.len().saturating_sub(1);
    state.timeline_scroll = state.timeline_scroll.saturating_add(new).min(last);
}
