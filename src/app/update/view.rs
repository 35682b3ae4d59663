//! How the screen is shown: the presenter view, the focus, the zoom.

use crate::app::state::AppState;
use crate::app::view::View;

/// `b`: the presenter view, or back to the dashboard. A zoom ends with it,
/// so the room sees the view it asked for.
pub(super) fn toggle_presenter(state: &mut AppState) {
    let showing = &mut state.showing;
    showing.zoom = None;
    showing.view = match showing.view {
        View::Dashboard => View::Presenter,
        View::Presenter => View::Dashboard,
    };
}

/// Tab / Shift-Tab: the focus moves; a zoomed screen follows it. The
/// first press only shows where the focus is.
pub(super) fn move_focus(state: &mut AppState, step: isize) {
    let showing = &mut state.showing;
    if showing.focus_shown || showing.zoom.is_some() {
        showing.focus = showing.focus.step(step);
    }
    showing.focus_shown = true;
    if showing.zoom.is_some() {
        showing.zoom = Some(showing.focus);
    }
}

/// `z`: the focused panel over the whole body, or back.
pub(super) fn zoom(state: &mut AppState) {
    let showing = &mut state.showing;
    showing.zoom = match showing.zoom {
        Some(_) => None,
        None => Some(showing.focus),
    };
    showing.focus_shown = true;
}

/// Esc on the dashboard: leaving the zoom comes first, then the message.
pub(super) fn back(state: &mut AppState) {
    if state.showing.zoom.take().is_none() {
        state.notice = None;
    }
}
