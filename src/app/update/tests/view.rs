//! The presenter view, the focus and the zoom: `b`, Tab, Shift-Tab, `z`, Esc.

use super::*;
use crate::app::keymap::offered;
use crate::app::view::{Panel, View};

fn footer(s: &AppState) -> Vec<String> {
    offered(s)
        .into_iter()
        .map(|(k, what)| format!("{k} {what}"))
        .collect()
}

#[test]
fn b_switches_to_the_presenter_view_and_back() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert_eq!(s.showing.view, View::Dashboard);
    assert!(!s.showing.sharing());
    assert!(
        footer(&s).contains(&"b presenter".to_string()),
        "{:?}",
        footer(&s)
    );
    update(&mut s, ch('b'));
    assert_eq!(s.showing.view, View::Presenter);
    assert!(s.showing.sharing(), "the presenter view is always shared");
    assert!(
        footer(&s).contains(&"b dashboard".to_string()),
        "{:?}",
        footer(&s)
    );
    update(&mut s, ch('b'));
    assert_eq!(s.showing.view, View::Dashboard);
    assert!(!s.showing.sharing());
}

#[test]
fn b_leaves_a_zoom_for_the_view_it_asked_for() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('z'));
    assert_eq!(s.showing.zoom, Some(Panel::Health));
    update(&mut s, ch('b'));
    assert_eq!(s.showing.zoom, None);
    assert_eq!(s.showing.view, View::Presenter);
}

#[test]
fn tab_and_shift_tab_move_the_focus_round_the_panels() {
    let mut s = with_rollout(Phase::Progressing, 1);
    assert_eq!(s.showing.focus, Panel::Health);
    assert!(!s.showing.focus_shown, "a quiet screen until Tab");
    // The first Tab shows where the focus is; the next ones move it.
    update(&mut s, key(KeyCode::Tab));
    assert!(s.showing.focus_shown);
    assert_eq!(s.showing.focus, Panel::Health);
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.showing.focus, Panel::Waves);
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.showing.focus, Panel::Timeline);
    assert!(
        footer(&s).contains(&"z zoom timeline".to_string()),
        "{:?}",
        footer(&s)
    );
    // No notice: Tab is bound here, not a key that does nothing.
    assert!(s.notice.is_none(), "{:?}", s.notice);
}

#[test]
fn z_zooms_the_focused_panel_and_tab_moves_the_zoom() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('z'));
    assert_eq!(s.showing.zoom, Some(Panel::Waves));
    assert!(
        footer(&s).contains(&"z unzoom".to_string()),
        "{:?}",
        footer(&s)
    );
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.showing.zoom, Some(Panel::StopConditions));
    update(&mut s, ch('z'));
    assert_eq!(s.showing.zoom, None);
    assert_eq!(s.showing.focus, Panel::StopConditions);
}

#[test]
fn esc_leaves_the_zoom_first_then_clears_the_message() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('x'));
    assert!(s.notice.is_some());
    update(&mut s, ch('z'));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.showing.zoom, None);
    assert!(
        s.notice.is_some(),
        "the message stays while the zoom is left"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.notice.is_none());
    // Esc never leaves the presenter view: what a shared screen shows
    // changes only by `b`.
    update(&mut s, ch('b'));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.showing.view, View::Presenter);
}

#[test]
fn tab_in_a_confirmation_still_rescopes_and_leaves_the_focus() {
    let mut s = with_rollout(Phase::Progressing, 1);
    update(&mut s, ch('p'));
    assert!(matches!(s.overlay, Overlay::Confirm(_)), "{:?}", s.overlay);
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.showing.focus, Panel::Health);
    match &s.overlay {
        Overlay::Confirm(p) => assert_ne!(p.scope, ActionScope::Rollout),
        other => panic!("{other:?}"),
    }
}
