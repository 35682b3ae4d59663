//! Resident memory over a 72-hour session, on the simulated clock.
//!
//! `cargo bench --bench soak`: the demo polled once a second for 72 hours
//! through `update`, as the live loop feeds it, with an action, an
//! annotation, the audit log's settings and annotations from other screens
//! and a long note every hour, and the metrics source failing for a minute
//! and recovering every hour. Prints VmRSS (from /proc/self/status) after
//! 1 h and after 72 h; the goal is the second within 2 MiB of the first.
//! `tests/soak.rs` asserts the state's own sizes; this measures the process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use warroom::app::{Msg, update};
use warroom::domain::Span;
use warroom::domain::rollout::Action;
use warroom::domain::scorecard::{Item, Recalled, Setting, Status};
use warroom::domain::source::{Polled, Report, SourceError, SourceId};
use warroom::domain::timeline::{Annotation, EventKind};
use warroom::runtime::demo::{Replay, built_in_theme_names, epoch};
use warroom::sim::FleetSpec;

const HOUR: i64 = 3600;
const GOAL_KIB: i64 = 2048;

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(-1)
}

fn second(r: &mut Replay) {
    r.now += Span::seconds(1);
    let now = r.now;
    r.fleet.advance(now);
    update(&mut r.state, Msg::Tick(now));
    let elapsed = (now - epoch()).num_seconds();
    let failing = elapsed > HOUR && elapsed % HOUR < 60;
    let rollout = Polled::instant(now, Report::Rollout(r.fleet.status()));
    let samples = r.fleet.sample(now);
    let metrics = if failing {
        Polled {
            at: now,
            took: std::time::Duration::from_millis(2),
            result: Err(SourceError("connection refused".into())),
            notes: vec![],
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

fn hourly(r: &mut Replay, hour: i64) {
    let now = r.now;
    r.act(Action::Pause);
    r.act(Action::Resume);
    let line = |who: &str, k: i64| Annotation {
        at: now,
        operator: who.into(),
        text: format!("hour {hour}, line {k}: {}", "watching ".repeat(10)),
    };
    update(
        &mut r.state,
        Msg::Annotated {
            annotation: line("demo", 0),
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
    update(
        &mut r.state,
        Msg::Recalled(Recalled {
            settings,
            last_rollback: None,
            annotations: (1..6).map(|k| line("sam", k)).collect(),
        }),
    );
    update(
        &mut r.state,
        Msg::Note {
            kind: EventKind::Failed,
            text: "a very long line from the war room ".repeat(100),
        },
    );
}

fn run_hours(r: &mut Replay, from: i64, to: i64) {
    for hour in from..to {
        hourly(r, hour);
        for _ in 0..HOUR {
            second(r);
        }
    }
}

fn main() {
    let started = std::time::Instant::now();
    let mut r = Replay::new(FleetSpec::demo(42), built_in_theme_names());
    run_hours(&mut r, 0, 1);
    let one = status_kib("VmRSS:");
    run_hours(&mut r, 1, 72);
    let seventy_two = status_kib("VmRSS:");
    let growth = seventy_two - one;
    let verdict = if growth <= GOAL_KIB { "met" } else { "NOT MET" };
    println!(
        "soak: 72 h at 1 poll/s ({} polls, {:.1} s): VmRSS after 1 h {one} KiB, after 72 h {seventy_two} KiB, growth {growth} KiB (goal ≤ {GOAL_KIB} KiB: {verdict}); VmHWM {} KiB; timeline {} entries, {} text bytes",
        72 * HOUR,
        started.elapsed().as_secs_f64(),
        status_kib("VmHWM:"),
        r.state.timeline.len(),
        r.state.timeline.text_bytes(),
    );
}
