//! The drafts overlay's keys, the effects they ask for, and the cadence's
//! clock.

use super::*;
use crate::app::comms::{draft_text, next_due};
use crate::app::state::DraftsView;
use crate::domain::comms::{Audience, DueState};

/// The demo 85 s in: us-east-1 in breach.
fn breaching() -> AppState {
    state_at(FleetSpec::demo(42), 85)
}

fn view(s: &AppState) -> Option<DraftsView> {
    match &s.overlay {
        Overlay::Drafts(v) => Some(v.clone()),
        _ => None,
    }
}

fn open_on(audience: Audience) -> AppState {
    let mut s = breaching();
    update(&mut s, ch('c'));
    while view(&s).map(|v| v.audience) != Some(audience) {
        update(&mut s, key(KeyCode::Tab));
    }
    s
}

#[test]
fn c_opens_the_drafts_tab_and_arrows_switch_and_esc_closes() {
    let mut s = breaching();
    update(&mut s, ch('c'));
    assert_eq!(view(&s).map(|v| v.audience), Some(Audience::Internal));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(view(&s).map(|v| v.audience), Some(Audience::Customer));
    update(&mut s, key(KeyCode::Right));
    assert_eq!(view(&s).map(|v| v.audience), Some(Audience::Executive));
    update(&mut s, key(KeyCode::Left));
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(view(&s).map(|v| v.audience), Some(Audience::Internal));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(view(&s).map(|v| v.scroll), Some(1));
    let lines = draft_text(&s, Audience::Internal).lines().count() as u16;
    for _ in 0..lines + 10 {
        update(&mut s, ch('j'));
    }
    assert_eq!(view(&s).map(|v| v.scroll), Some(lines - 1));
    update(&mut s, ch('k'));
    assert_eq!(view(&s).map(|v| v.scroll), Some(lines - 2));
    let offered: Vec<&str> = crate::app::keymap::offered(&s)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    for k in ["Tab", "e", "i", "y", "w", "m", "c/Esc"] {
        assert!(offered.contains(&k), "footer lacks {k}: {offered:?}");
    }
    // `p` does not pause from inside the drafts.
    assert!(update(&mut s, ch('p')).is_empty());
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(s.overlay, Overlay::None);
}

#[test]
fn y_copies_the_draft_shown() {
    let mut s = open_on(Audience::Customer);
    let effects = update(&mut s, ch('y'));
    let [Effect::Copy(text)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(*text, draft_text(&s, Audience::Customer));
    assert!(text.contains("North America East"), "{text}");
    assert!(
        !text.contains("v2.4.0") && !text.contains("us-east-1"),
        "{text}"
    );
    assert!(
        notice(&s).contains("customer draft copied"),
        "{}",
        notice(&s)
    );
}

#[test]
fn m_marks_sent_as_an_annotation_and_starts_the_cadence_again() {
    let mut s = open_on(Audience::Customer);
    let before = next_due(&s).unwrap();
    let later = s.now + Span::minutes(3);
    update(&mut s, Msg::Tick(later));
    let effects = update(&mut s, ch('m'));
    assert_eq!(
        effects,
        [Effect::Annotate("customer update sent".to_string())]
    );
    let after = next_due(&s).unwrap();
    assert_eq!(after.at, s.now + Span::minutes(20));
    assert!(after.at > before.at);
    assert!(notice(&s).contains("next update due"), "{}", notice(&s));
    // Among keys that came together (a paste?), m is not taken.
    let burst = vec![
        KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('m'), KeyModifiers::NONE),
    ];
    assert!(update(&mut s, Msg::Keys(burst)).is_empty());
}

#[test]
fn in_the_drafts_q_closes_and_a_paste_of_keys_neither_edits_writes_nor_copies() {
    let mut s = open_on(Audience::Internal);
    let burst: Vec<KeyEvent> = "ewyq"
        .chars()
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    let effects = update(&mut s, Msg::Keys(burst));
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            Effect::Edit { .. } | Effect::WriteDraft { .. } | Effect::Copy(_) | Effect::Quit
        )),
        "{effects:?}"
    );
    let mut s = open_on(Audience::Internal);
    let effects = update(&mut s, ch('q'));
    assert!(!effects.contains(&Effect::Quit), "q closes the drafts");
    assert!(view(&s).is_none());
}

#[test]
fn an_update_marked_sent_on_another_screen_starts_the_cadence_here_too() {
    let mut s = breaching();
    let before = next_due(&s).expect("due").at;
    let later = s.now + Span::minutes(5);
    update(&mut s, Msg::Tick(later));
    let recalled = crate::domain::scorecard::Recalled {
        annotations: vec![crate::domain::timeline::Annotation {
            at: later,
            operator: "kim".into(),
            text: crate::domain::comms::sent_line(Audience::Customer),
        }],
        ..Default::default()
    };
    update(&mut s, Msg::Recalled(recalled));
    let after = next_due(&s).expect("due").at;
    assert_eq!(after, later + Span::minutes(20));
    assert!(after > before);
}

#[test]
fn marking_sent_keeps_its_own_words_when_the_record_is_confirmed() {
    let mut s = open_on(Audience::Internal);
    let effects = update(&mut s, ch('m'));
    let Some(Effect::Annotate(text)) = effects.first().cloned() else {
        panic!("no annotation asked: {effects:?}");
    };
    let annotation = crate::domain::timeline::Annotation {
        at: s.now,
        operator: s.operator.clone(),
        text,
    };
    update(
        &mut s,
        Msg::Annotated {
            annotation,
            result: Ok(()),
        },
    );
    assert!(notice(&s).contains("marked sent"), "{}", notice(&s));
}

#[test]
fn a_read_only_screen_marks_sent_for_itself_and_records_nothing() {
    let mut s = open_on(Audience::Internal);
    s.read_only = true;
    let effects = update(&mut s, ch('m'));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(notice(&s).contains("records nothing"), "{}", notice(&s));
    assert_eq!(next_due(&s).map(|d| d.at), Some(s.now + Span::minutes(20)));
}

#[test]
fn i_edits_in_place_and_the_draft_stops_following_the_state() {
    let mut s = open_on(Audience::Internal);
    update(&mut s, ch('i'));
    assert!(view(&s).is_some_and(|v| v.typing));
    for c in "Bridge".chars() {
        update(&mut s, ch(c));
    }
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Enter));
    update(
        &mut s,
        Msg::Paste("line one\r\nline two\u{1b}[2J".to_string()),
    );
    // `m`, `y` and `q` are text while typing.
    for c in "myq".chars() {
        assert!(update(&mut s, ch(c)).is_empty());
    }
    update(&mut s, key(KeyCode::Esc));
    assert!(view(&s).is_some_and(|v| !v.typing));
    let text = draft_text(&s, Audience::Internal);
    assert!(
        text.ends_with("Bridg\nline one\nline two[2Jmyq"),
        "{text:?}"
    );
    // Time passes: an edited draft stays as typed.
    let later = s.now + Span::minutes(1);
    update(&mut s, Msg::Tick(later));
    assert_eq!(draft_text(&s, Audience::Internal), text);
    update(&mut s, ch('u'));
    assert!(!draft_text(&s, Audience::Internal).contains("Bridg"));
}

#[test]
fn e_hands_the_draft_to_the_editor_and_takes_back_what_was_saved() {
    let mut s = open_on(Audience::Executive);
    let effects = update(&mut s, ch('e'));
    let [Effect::Edit { audience, text }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(*audience, Audience::Executive);
    assert!(text.contains("Decision needed"), "{text}");
    let saved = format!("{text}Approved by the VP.\n");
    update(
        &mut s,
        Msg::Edited {
            audience: Audience::Executive,
            result: Ok(saved.clone()),
        },
    );
    assert_eq!(draft_text(&s, Audience::Executive), saved);
    assert!(
        notice(&s).contains("executive draft edited"),
        "{}",
        notice(&s)
    );
    update(
        &mut s,
        Msg::Edited {
            audience: Audience::Executive,
            result: Err("`nano` ended with exit status: 1".to_string()),
        },
    );
    assert!(
        notice(&s).contains("editor: `nano` ended"),
        "{}",
        notice(&s)
    );
    assert_eq!(draft_text(&s, Audience::Executive), saved);
}

#[test]
fn w_writes_the_draft_under_a_dated_name_and_says_where() {
    let mut s = open_on(Audience::Customer);
    let effects = update(&mut s, ch('w'));
    let [Effect::WriteDraft { name, text }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(name, "checkout-api-customer-20260314T090125Z.md");
    assert_eq!(*text, draft_text(&s, Audience::Customer));
    update(
        &mut s,
        Msg::DraftWritten(Ok("/state/drafts/x.md".to_string())),
    );
    assert!(
        notice(&s).contains("draft written to /state/drafts/x.md"),
        "{}",
        notice(&s)
    );
}

#[test]
fn a_customer_draft_edited_to_name_a_version_is_flagged_when_copied() {
    let mut s = open_on(Audience::Customer);
    update(&mut s, ch('i'));
    update(&mut s, Msg::Paste("\nWe shipped v2.4.0 today.".to_string()));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('y'));
    assert!(
        notice(&s).contains("names version v2.4.0"),
        "{}",
        notice(&s)
    );
    assert_eq!(s.notice.as_ref().map(|n| n.level), Some(NoticeLevel::Warn));
}

#[test]
fn the_cadence_waits_for_an_incident_then_turns_amber_then_overdue() {
    let calm = state_at(FleetSpec::calm(42), 60);
    assert_eq!(calm.comms.incident_since, None);
    assert_eq!(next_due(&calm), None);
    let mut s = breaching();
    let first = s.comms.first_breach.unwrap();
    assert_eq!(s.comms.incident_since, Some(first));
    let due = next_due(&s).unwrap();
    assert_eq!(
        (due.at, due.state),
        (first + Span::minutes(20), DueState::Later)
    );
    update(&mut s, Msg::Tick(due.at - Span::minutes(4)));
    assert_eq!(next_due(&s).map(|d| d.state), Some(DueState::Soon));
    update(&mut s, Msg::Tick(due.at + Span::seconds(1)));
    assert_eq!(next_due(&s).map(|d| d.state), Some(DueState::Overdue));
}
