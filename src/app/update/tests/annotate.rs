//! Annotations (`a`): typed and pasted as text, recorded with Enter, shown
//! once on the timeline whatever order the writer's answer and the log's
//! copy arrive in; the timeline's scrolling.

use super::*;
use crate::app::msg::Effect;
use crate::domain::timeline::Annotation;

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, ch(c));
    }
}

fn annotations(s: &AppState) -> Vec<String> {
    s.timeline
        .newest_first()
        .filter(|e| e.kind == EventKind::Annotation)
        .map(|e| e.text.clone())
        .collect()
}

fn note(operator: &str, text: &str, secs: i64) -> Annotation {
    Annotation {
        at: epoch() + Span::seconds(secs),
        operator: operator.into(),
        text: text.into(),
    }
}

fn recalled(annotations: Vec<Annotation>) -> Msg {
    Msg::Recalled(crate::domain::scorecard::Recalled {
        annotations,
        ..Default::default()
    })
}

#[test]
fn a_opens_a_field_that_takes_keys_as_text_and_enter_records_it() {
    let mut s = state();
    update(&mut s, ch('a'));
    assert_eq!(s.overlay, Overlay::Annotate(String::new()));
    // Keys that act on the dashboard are typed here: "pr" is no pause, no roll back.
    type_text(&mut s, "pr  db failover started");
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(
        s.overlay,
        Overlay::Annotate("pr  db failover starte".into())
    );
    let effects = update(&mut s, key(KeyCode::Enter));
    assert_eq!(effects, [Effect::Annotate("pr db failover starte".into())]);
    assert_eq!(s.overlay, Overlay::None);
    assert_eq!(s.annotations_writing, 1);
    assert!(s.in_flight.is_empty(), "typing acted on the rollout");
}

#[test]
fn a_paste_is_text_in_the_field_and_never_keys() {
    let mut s = state();
    update(&mut s, ch('a'));
    update(&mut s, Msg::Paste("rollback\r\nyes\u{1b}[2J now".into()));
    assert_eq!(s.overlay, Overlay::Annotate("rollback yes[2J now".into()));
    // A burst of keys (a paste without bracketed paste) types, and its
    // Enter records nothing.
    let burst: Vec<KeyEvent> = ["x", "\n"]
        .iter()
        .map(|k| match *k {
            "\n" => KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
            c => KeyEvent::new(KeyCode::Char(c.chars().next().unwrap()), KeyModifiers::NONE),
        })
        .collect();
    assert_eq!(update(&mut s, Msg::Keys(burst)), []);
    assert_eq!(s.overlay, Overlay::Annotate("rollback yes[2J nowx".into()));
    let too_long = "y".repeat(MAX_TYPED + 10);
    update(&mut s, Msg::Paste(too_long));
    let Overlay::Annotate(text) = &s.overlay else {
        panic!("the field closed");
    };
    assert_eq!(text.chars().count(), MAX_TYPED);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("paste cut"))
    );
}

#[test]
fn esc_cancels_and_an_empty_line_is_not_recorded() {
    let mut s = state();
    update(&mut s, ch('a'));
    type_text(&mut s, "never mind");
    assert_eq!(update(&mut s, key(KeyCode::Esc)), []);
    assert_eq!(s.overlay, Overlay::None);
    assert!(annotations(&s).is_empty());
    update(&mut s, ch('a'));
    type_text(&mut s, "   ");
    assert_eq!(update(&mut s, key(KeyCode::Enter)), []);
    assert!(
        matches!(s.overlay, Overlay::Annotate(_)),
        "an empty line closed the field"
    );
    assert_eq!(s.annotations_writing, 0);
}

#[test]
fn a_read_only_seat_writes_no_annotation() {
    let mut s = state();
    s.read_only = true;
    assert_eq!(update(&mut s, ch('a')), []);
    assert_eq!(s.overlay, Overlay::None);
    assert!(
        s.notice
            .as_ref()
            .is_some_and(|n| n.text.starts_with("read-only")),
        "{:?}",
        s.notice
    );
    assert!(
        !crate::app::keymap::offered(&s)
            .iter()
            .any(|(k, _)| *k == "a"),
        "the footer offers a to a read-only seat"
    );
    let mut writer = state();
    assert!(
        crate::app::keymap::offered(&writer)
            .iter()
            .any(|(k, what)| *k == "a" && what == "annotate")
    );
    // In the scorecard, `a` is still amber.
    update(&mut writer, ch('s'));
    update(&mut writer, ch('a'));
    assert!(!matches!(writer.overlay, Overlay::Annotate(_)));
}

#[test]
fn own_annotation_shows_once_whichever_copy_comes_first() {
    // The writer's answer first, then the log's copy.
    let mut s = state();
    update(&mut s, ch('a'));
    type_text(&mut s, "first");
    update(&mut s, key(KeyCode::Enter));
    let mine = note("alice", "first", 3);
    let answer = Msg::Annotated {
        annotation: mine.clone(),
        result: Ok(()),
    };
    update(&mut s, answer.clone());
    update(&mut s, recalled(vec![mine.clone()]));
    assert_eq!(annotations(&s), ["alice: first"]);
    assert_eq!(s.annotations_writing, 0);
    assert!(s.annotation_echoes.is_empty());

    // The log's copy first, then the answer.
    let mut s = state();
    update(&mut s, ch('a'));
    type_text(&mut s, "first");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, recalled(vec![mine.clone()]));
    update(&mut s, answer);
    assert_eq!(annotations(&s), ["alice: first"]);
    assert!(s.annotation_echoes.is_empty());
}

#[test]
fn others_annotations_show_once_each_with_author_and_time() {
    let mut s = state();
    let theirs = note("sam", "paging db on-call", 9);
    update(&mut s, recalled(vec![theirs.clone()]));
    update(
        &mut s,
        recalled(vec![note("kim", "customer tickets up", 11)]),
    );
    assert_eq!(
        annotations(&s),
        ["kim: customer tickets up", "sam: paging db on-call"]
    );
    let event = s
        .timeline
        .newest_first()
        .find(|e| e.text.starts_with("sam"))
        .unwrap();
    assert_eq!(event.at, theirs.at);
    // The same line again from the log (another look) is another line:
    // the log holds each once, so a copy only comes from a second record.
    assert!(s.annotation_echoes.is_empty());
}

#[test]
fn a_line_the_log_refused_says_so() {
    let mut s = state();
    update(&mut s, ch('a'));
    type_text(&mut s, "lost");
    update(&mut s, key(KeyCode::Enter));
    update(
        &mut s,
        Msg::Annotated {
            annotation: note("alice", "lost", 1),
            result: Err("cannot write audit log: disk full".into()),
        },
    );
    assert!(annotations(&s).is_empty());
    let last = s.timeline.newest_first().next().unwrap();
    assert_eq!(last.kind, EventKind::Failed);
    assert!(last.text.contains("annotation not recorded: cannot write"));
    assert_eq!(s.notice.as_ref().map(|n| n.level), Some(NoticeLevel::Error));
    assert_eq!(s.annotations_writing, 0);
}

#[test]
fn annotations_remembered_at_start_are_on_the_timeline() {
    let plan = FleetSpec::demo(1).plan;
    let seat = crate::app::state::Seat {
        remembered: crate::domain::scorecard::Recalled {
            annotations: vec![note("dana", "bridge opened", -60)],
            ..Default::default()
        },
        ..crate::app::state::Seat::new("alice", vec!["dark".into()])
    };
    let s = AppState::new(plan, RunMode::Demo, source_infos(), seat, epoch());
    assert_eq!(annotations(&s), ["dana: bridge opened"]);
}

#[test]
fn page_keys_scroll_the_timeline_and_new_events_do_not_yank_it() {
    let mut s = state();
    for i in 0..30 {
        s.timeline
            .push(epoch(), EventKind::Progress, format!("e{i}"));
    }
    let total = s.timeline.len();
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(s.timeline_scroll, TIMELINE_PAGE);
    // What is on top stays on top while events arrive.
    let top = |s: &AppState| {
        s.timeline
            .newest_first()
            .nth(s.timeline_scroll)
            .map(|e| e.text.clone())
    };
    let before = top(&s);
    update(&mut s, recalled(vec![note("sam", "new", 1)]));
    update(
        &mut s,
        Msg::Note {
            kind: EventKind::Source,
            text: "another".into(),
        },
    );
    assert_eq!(s.timeline_scroll, TIMELINE_PAGE + 2);
    assert_eq!(top(&s), before);
    // Never past the oldest; PgUp back to the newest, where new events show.
    for _ in 0..100 {
        update(&mut s, key(KeyCode::PageDown));
    }
    assert_eq!(s.timeline_scroll, total + 2 - 1);
    for _ in 0..100 {
        update(&mut s, key(KeyCode::PageUp));
    }
    assert_eq!(s.timeline_scroll, 0);
    update(
        &mut s,
        Msg::Note {
            kind: EventKind::Source,
            text: "newest".into(),
        },
    );
    assert_eq!(s.timeline_scroll, 0);
    // Home and End still choose regions.
    update(&mut s, key(KeyCode::End));
    assert_eq!(s.selected, s.health.regions().len() - 1);
}
