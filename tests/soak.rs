//! Three days on call, on the simulated clock: the demo's simulator polled
//! once a second for 72 hours through `update`, as the live loop feeds it,
//! with breaches, actions, annotations, scorecard settings from other
//! screens, long notes, unbound keys, and the metrics source failing for a
//! minute and recovering every hour. What the state keeps must not grow:
//! each size after 72 h is within the bound it had after the first hours.

// Test support: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::footprint::Footprint;
use warroom::app::{Msg, update};
use warroom::domain::Span;
use warroom::domain::rollout::Action;
use warroom::domain::scorecard::{Item, Recalled, Setting, Status};
use warroom::domain::source::{Polled, Report, SourceError, SourceId};
use warroom::domain::timeline::{Annotation, EventKind, MAX_EVENT_TEXT, Timeline};
use warroom::runtime::demo::{Replay, built_in_theme_names};
use warroom::sim::FleetSpec;

const HOUR: i64 = 3600;

/// One poll `step` seconds after the last: a tick, the rollout's report,
/// and the metrics' poll, or the metrics source's failure during the first
/// minute of each hour after the first.
fn poll(r: &mut Replay, step: i64) {
    r.now += Span::seconds(step);
    let now = r.now;
    r.fleet.advance(now);
    update(&mut r.state, Msg::Tick(now));
    let into_hour = (now - warroom::runtime::demo::epoch()).num_seconds() % HOUR;
    let failing = into_hour < 60 && now - warroom::runtime::demo::epoch() > Span::seconds(HOUR);
    let rollout = Polled::instant(now, Report::Rollout(r.fleet.status()));
    let samples = r.fleet.sample(now);
    let metrics = if failing {
        Polled {
            at: now,
            took: std::time::Duration::from_millis(2),
            result: Err(SourceError(format!(
                "connection refused at second {into_hour} {}",
                "of a long error message ".repeat(40)
            ))),
            notes: vec!["a note".repeat(50)],
        }
    } else {
        Polled::instant(now, Report::Metrics(samples))
    };
    for (i, polled) in [rollout, metrics].into_iter().enumerate() {
        update(
            &mut r.state,
            Msg::Source {
                source: SourceId(i),
                polled,
            },
        );
    }
}

/// What people and other screens do in one hour, at its start.
fn hourly(r: &mut Replay, hour: i64) {
    let now = r.now;
    r.act(Action::Pause);
    r.act(Action::Resume);
    let annotation = Annotation {
        at: now,
        operator: "pat".into(),
        text: format!("hour {hour}: watching error rate {}", "closely ".repeat(20)),
    };
    update(
        &mut r.state,
        Msg::Annotated {
            annotation,
            result: Ok(()),
        },
    );
    let settings = Item::ALL
        .iter()
        .map(|&item| Setting {
            item,
            status: if hour % 2 == 0 {
                Status::Green
            } else {
                Status::Amber
            },
            note: format!("hour {hour}"),
            operator: "lee".into(),
            at: now,
        })
        .collect();
    let annotations = (0..5)
        .map(|k| Annotation {
            at: now,
            operator: "sam".into(),
            text: format!("from another screen, hour {hour}, line {k}"),
        })
        .collect();
    update(
        &mut r.state,
        Msg::Recalled(Recalled {
            settings,
            last_rollback: None,
            annotations,
        }),
    );
    update(
        &mut r.state,
        Msg::Note {
            kind: EventKind::Failed,
            text: "a very long line from the war room ".repeat(100),
        },
    );
    // A key that does nothing, a different one each hour.
    let c = char::from_u32(0x4e00 + u32::try_from(hour).unwrap()).unwrap();
    update(
        &mut r.state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    );
    update(
        &mut r.state,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
}

/// Polls a second apart while something happens: the first
/// [`BUSY`] seconds of each hour (the source failing, recovering, the
/// breach declared again, the series filled again); the quiet rest of the
/// hour in [`QUIET`] steps, where nothing new can happen between polls.
/// A poll every second throughout makes the same state, 20 times slower.
const BUSY: i64 = 150;
const QUIET: i64 = 150;

fn run_hours(r: &mut Replay, from: i64, to: i64) {
    for hour in from..to {
        hourly(r, hour);
        for _ in 0..BUSY {
            poll(r, 1);
        }
        for _ in 0..(HOUR - BUSY) / QUIET {
            poll(r, QUIET);
        }
    }
}

#[test]
fn seventy_two_hours_keep_the_same_bounds_as_the_first() {
    let mut r = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    run_hours(&mut r, 0, 2);
    let early = Footprint::of(&r.state);
    run_hours(&mut r, 2, 48);
    let two_days = Footprint::of(&r.state);
    run_hours(&mut r, 48, 72);
    let late = Footprint::of(&r.state);
    eprintln!("after 2 h:  {early:?}\nafter 48 h: {two_days:?}\nafter 72 h: {late:?}");

    // The breaches, actions and failures did happen, again and again.
    let kinds: Vec<EventKind> = r.state.timeline.newest_first().map(|e| e.kind).collect();
    for kind in [EventKind::Breach, EventKind::Source, EventKind::Annotation] {
        assert!(kinds.contains(&kind), "no {kind:?} in the last events");
    }
    assert!(
        kinds.iter().any(|k| matches!(
            k,
            EventKind::ActionOk | EventKind::ActionFailed | EventKind::ActionUnknown
        )),
        "no action's outcome in the last events"
    );
    assert!(
        r.state.timeline.pushed() > 72 * 10,
        "too few events happened"
    );

    // The timeline: full, its texts capped, no more than at two days.
    assert_eq!(late.timeline_entries, Timeline::CAPACITY);
    assert_eq!(two_days.timeline_entries, Timeline::CAPACITY);
    assert!(late.timeline_text_bytes <= Timeline::CAPACITY * MAX_EVENT_TEXT * 4);
    assert!(
        r.state
            .timeline
            .newest_first()
            .all(|e| e.text.chars().count() <= MAX_EVENT_TEXT)
    );
    // Everything else is what it was after two hours, or under its cap.
    assert_eq!(late.samples, early.samples, "samples grew");
    assert_eq!(late.regions, early.regions);
    assert!(late.guardrail_tracked <= early.guardrail_tracked.max(two_days.guardrail_tracked));
    assert_eq!(two_days.guardrail_tracked, late.guardrail_tracked);
    assert!(late.scorecard_settings <= warroom::app::footprint::SETTINGS_KEPT);
    // This screen's own annotations wait for their echo, at most 64.
    assert!(late.annotation_echoes <= 64);
    assert!(late.told_unbound <= warroom::app::footprint::TOLD_UNBOUND_KEPT);
    assert!(late.in_flight <= early.in_flight.max(1));
    assert!(late.outbox <= early.outbox.max(two_days.outbox));
    assert!(late.source_text_bytes <= early.source_text_bytes.max(two_days.source_text_bytes));
}
