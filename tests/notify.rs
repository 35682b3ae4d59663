//! Notifications against real HTTP receivers on loopback: the exact Slack
//! and PagerDuty Events v2 shapes, one trigger per breach and one resolve
//! per recovery, retries against a receiver that is down (and the screen
//! saying so), a receiver that hangs never slowing a key, and the secrets
//! absent from everything shown or recorded.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use warroom::app::state::{AppState, RunMode, Seat};
use warroom::app::{Effect, Msg, update};
use warroom::config::plan::PlanFile;
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::guardrail::{Consequence, Guardrails};
use warroom::domain::health::{Sample, VersionRole};
use warroom::domain::notification::Notification;
use warroom::domain::rollout::{Phase, RegionRollout, RolloutStatus};
use warroom::domain::signal::Signals;
use warroom::domain::source::{Polled, Report, SourceId};
use warroom::domain::{Span, Timestamp};
use warroom::integrations::notify::{Backoff, Receiver};
use warroom::runtime::demo::epoch;
use warroom::runtime::notify::{Notifier, Outlet};

#[path = "notify/support.rs"]
mod support;

use support::*;

#[tokio::test]
async fn a_breach_triggers_once_and_its_recovery_resolves_once_in_slack_and_pagerduty() {
    let dir = common::temp_dir("notify-shapes");
    let slack = Hook::start(Behaviour::Answer(200)).await;
    let pd = Hook::start(Behaviour::Answer(202)).await;
    let hook_secret = "T00000000/B00000000/XXXXsecretXXXX";
    std::fs::write(
        dir.join("slack.url"),
        format!("http://{}/services/{hook_secret}\n", slack.addr),
    )
    .unwrap();
    std::fs::write(dir.join("pd.key"), "R0UT1NGKEYsecret\n").unwrap();
    let plan = plan_with(
        &dir,
        &format!(
            "[[notify]]\nname = \"ops\"\nkind = \"slack\"\nurl_file = \"slack.url\"\n\n\
             [[notify]]\nname = \"oncall\"\nkind = \"pagerduty\"\nrouting_key_file = \"pd.key\"\nendpoint = \"http://{}\"\n",
            pd.addr
        ),
    );
    let mut state = live_state(&plan);
    let mut out = sending(&dir, receivers(&plan), fast());
    let mut told = Vec::new();
    let script = [
        polled(0, epoch(), status(0)),
        polled(1, epoch(), metrics(0.003)),
        polled(0, epoch() + Span::seconds(1), status(1)),
        polled(1, epoch() + Span::seconds(2), metrics(0.2)),
        polled(1, epoch() + Span::seconds(3), metrics(0.2)),
        polled(1, epoch() + Span::seconds(4), metrics(0.003)),
        polled(1, epoch() + Span::seconds(5), metrics(0.003)),
    ];
    for msg in script {
        told.extend(notifications(update(&mut state, msg)));
    }
    for n in &told {
        out.notifier.send(n);
    }
    let pd_wanted = told
        .iter()
        .filter(|n| plan.notify[1].events.contains(&n.event))
        .count();
    let slack_wanted = told
        .iter()
        .filter(|n| plan.notify[0].events.contains(&n.event))
        .count();
    assert_eq!(pd_wanted, 3, "a change, a trigger, a resolve: {told:?}");
    until(&mut state, &mut out.rx, |s| {
        s.receivers[0].delivered as usize == slack_wanted
            && s.receivers[1].delivered as usize == pd_wanted
    })
    .await;

    // PagerDuty: the wave as a change event, then one trigger and one resolve.
    let taken = pd.taken();
    let paths: Vec<&str> = taken.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(paths, ["/v2/change/enqueue", "/v2/enqueue", "/v2/enqueue"]);
    let change = &taken[0].body;
    assert_eq!(change["routing_key"], "R0UT1NGKEYsecret");
    assert!(
        change["payload"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("wave 2/")
    );
    assert!(change["payload"]["timestamp"].is_string());
    assert!(change["payload"]["source"].is_string());
    assert!(change.get("event_action").is_none());
    let (trigger, resolve) = (&taken[1].body, &taken[2].body);
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["routing_key"], "R0UT1NGKEYsecret");
    let p = &trigger["payload"];
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .starts_with("BREACH error rate"),
        "{p}"
    );
    assert_eq!(p["severity"], "warning");
    assert_eq!(p["source"], format!("{}/eu-west-1", state.plan.service));
    assert!(p["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(p["custom_details"]["drill"], false);
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["routing_key"], "R0UT1NGKEYsecret");
    let key = trigger["dedup_key"].as_str().unwrap();
    assert!(!key.is_empty() && key.len() <= 255);
    assert_eq!(resolve["dedup_key"], key, "one key from trigger to resolve");

    // Slack: Block Kit, with the plain text beside the blocks.
    let taken = slack.taken();
    assert!(
        taken
            .iter()
            .all(|t| t.path == format!("/services/{hook_secret}"))
    );
    let breach = taken
        .iter()
        .find(|t| {
            t.body["blocks"][0]["text"]["text"]
                .as_str()
                .is_some_and(|h| h.starts_with("Breach"))
        })
        .expect("a breach message");
    let b = &breach.body;
    assert_eq!(b["blocks"][0]["type"], "header");
    assert_eq!(b["blocks"][0]["text"]["type"], "plain_text");
    assert_eq!(b["blocks"][1]["type"], "section");
    assert_eq!(b["blocks"][1]["text"]["type"], "mrkdwn");
    assert_eq!(b["blocks"][2]["type"], "context");
    assert!(b["text"].as_str().unwrap().starts_with("BREACH"));
    let breaches = taken
        .iter()
        .filter(|t| {
            t.body["blocks"][0]["text"]["text"]
                .as_str()
                .is_some_and(|h| h.starts_with("Breach"))
        })
        .count();
    let recoveries = taken
        .iter()
        .filter(|t| {
            t.body["blocks"][0]["text"]["text"]
                .as_str()
                .is_some_and(|h| h.starts_with("Recovered"))
        })
        .count();
    assert_eq!((breaches, recoveries), (1, 1));

    // The secrets are nowhere shown or recorded.
    let screen = common::screen(&state, 160, 48);
    let audit = std::fs::read_to_string(&out.audit).unwrap();
    for secret in [hook_secret, "R0UT1NGKEYsecret", &slack.addr] {
        assert!(!screen.contains(secret), "on screen: {secret}");
        assert!(
            !timeline_text(&state).contains(secret),
            "on the timeline: {secret}"
        );
        assert!(!audit.contains(secret), "in the audit log: {secret}");
    }
    assert!(
        screen.contains("slack ops") && screen.contains("pagerduty oncall"),
        "{screen}"
    );
    assert!(timeline_text(&state).contains("pagerduty oncall: breach delivered"));
    let records = audit
        .lines()
        .filter(|l| l.contains(r#""record":"notification""#))
        .count();
    assert_eq!(records, slack_wanted + pd_wanted, "{audit}");
    assert!(audit.contains(r#""receiver":"oncall""#) && audit.contains(r#""result":"delivered""#));
}

#[tokio::test]
async fn a_receiver_that_is_down_is_retried_and_the_screen_says_so() {
    let dir = common::temp_dir("notify-down");
    // A port nobody listens on.
    let port = common::free_port();
    std::fs::write(
        dir.join("hook.url"),
        format!("http://127.0.0.1:{port}/hook/t0k3nInPath"),
    )
    .unwrap();
    let plan = plan_with(
        &dir,
        "[[notify]]\nname = \"audit-bus\"\nkind = \"webhook\"\nurl_file = \"hook.url\"\n",
    );
    let mut state = live_state(&plan);
    let mut out = sending(&dir, receivers(&plan), fast());
    let told: Vec<Notification> = [
        polled(0, epoch(), status(0)),
        polled(1, epoch(), metrics(0.2)),
    ]
    .into_iter()
    .flat_map(|m| notifications(update(&mut state, m)))
    .collect();
    let breach = told
        .iter()
        .find(|n| n.event.word() == "breach")
        .expect("a breach");
    out.notifier.send(breach);
    // While it retries, the panel says so.
    until(&mut state, &mut out.rx, |s| {
        matches!(
            s.receivers[0].last,
            Some((
                _,
                _,
                warroom::app::receivers::DeliveryState::Retrying { .. }
            ))
        )
    })
    .await;
    let retrying = common::screen(&state, 160, 48);
    assert!(
        retrying.contains("webhook audit-bus") && retrying.contains("retrying breach"),
        "{retrying}"
    );
    until(&mut state, &mut out.rx, |s| s.receivers[0].failed == 1).await;
    let screen = common::screen(&state, 160, 48);
    assert!(screen.contains("FAILED breach after 3 tries"), "{screen}");
    assert!(screen.contains("retries 2"), "{screen}");
    assert!(screen.contains("cannot connect"), "{screen}");
    let timeline = timeline_text(&state);
    assert!(
        timeline.contains("webhook audit-bus: breach NOT delivered after 3 tries"),
        "{timeline}"
    );
    let audit = std::fs::read_to_string(&out.audit).unwrap();
    assert!(
        audit.contains(r#""result":"failed""#) && audit.contains(r#""tries":3"#),
        "{audit}"
    );
    for text in [&screen, &timeline, &audit] {
        assert!(
            !text.contains("t0k3nInPath") && !text.contains(&format!(":{port}")),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_receiver_that_hangs_never_slows_a_key() {
    use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
    let dir = common::temp_dir("notify-hang");
    let hang = Hook::start(Behaviour::Hang).await;
    std::fs::write(dir.join("hook.url"), format!("http://{}/hook", hang.addr)).unwrap();
    let plan = plan_with(
        &dir,
        "[[notify]]\nname = \"slowpoke\"\nkind = \"webhook\"\nurl_file = \"hook.url\"\ntimeout = \"30s\"\n",
    );
    let state = live_state(&plan);
    let out = sending(&dir, receivers(&plan), Backoff::default());
    let (msg_tx, messages) = mpsc::channel(64);
    let (key_tx, keys) = mpsc::unbounded_channel::<std::io::Result<Event>>();
    let input = Box::pin(futures_util::stream::unfold(keys, |mut rx| async move {
        rx.recv().await.map(|e| (e, rx))
    }));
    let audit = Arc::new(warroom::audit::AuditLog::open(&dir.join("loop-audit.jsonl")).unwrap());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let executor = warroom::runtime::executor::Executor::new(
        Arc::new(warroom::domain::action::NoControl),
        audit,
        clock.clone(),
        msg_tx.clone(),
        Duration::from_secs(1),
    );
    let themes = warroom::ui::theme::resolve(None, false).unwrap().0;
    let wiring = warroom::runtime::event_loop::Wiring {
        input,
        messages,
        executor,
        clock,
        themes,
        baselines: None,
        notifier: Some(out.notifier),
        reopen_input: None,
        drafts_dir: None,
        journal: None,
        drill: None,
        snapshots: warroom::runtime::snapshots::Snapshots::new(
            std::env::temp_dir().join(format!("warroom-notify-snaps-{}", std::process::id())),
        ),
    };
    let looping = tokio::spawn(async move {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        warroom::runtime::event_loop::run(&mut terminal, state, wiring)
            .await
            .map(|s| s.timeline.len())
    });
    // Something to tell: an action done, which the webhook hears of.
    msg_tx
        .send(Msg::Note {
            kind: warroom::domain::timeline::EventKind::ActionOk,
            text: "pause done: held".into(),
        })
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hang.taken().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the webhook was never called"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*hang.accepted.lock().unwrap(), 1);
    // The receiver sleeps on the request; keys go on: `?` opens the help,
    // `q` quits from it.
    let started = std::time::Instant::now();
    for c in ['?', 'q'] {
        key_tx
            .send(Ok(Event::Key(KeyEvent::new(
                KeyCode::Char(c),
                KeyModifiers::NONE,
            ))))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    let ended = tokio::time::timeout(Duration::from_secs(2), looping)
        .await
        .expect("the loop took the keys while the receiver hung");
    assert!(ended.unwrap().is_ok());
    // Two keys 40 ms apart, and the loop's own drawing: well under a second.
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // The request is still hanging: the loop did not wait for it.
    assert_eq!(hang.taken().len(), 1);
}

#[tokio::test]
async fn a_drill_marks_every_message_it_sends() {
    let dir = common::temp_dir("notify-drill");
    let hook = Hook::start(Behaviour::Answer(200)).await;
    std::fs::write(dir.join("hook.url"), format!("http://{}/hook", hook.addr)).unwrap();
    let plan = plan_with(
        &dir,
        "[[notify]]\nname = \"bus\"\nkind = \"webhook\"\nurl_file = \"hook.url\"\n",
    );
    let mut state = live_state(&plan);
    state.mode = RunMode::Drill;
    let mut out = sending_as(
        &dir,
        receivers(&plan),
        fast(),
        Some(warroom::audit::Mode::Drill),
    );
    let told: Vec<Notification> = [
        polled(0, epoch(), status(0)),
        polled(1, epoch(), metrics(0.003)),
        polled(1, epoch() + Span::seconds(1), metrics(0.2)),
        polled(1, epoch() + Span::seconds(2), metrics(0.003)),
    ]
    .into_iter()
    .flat_map(|m| notifications(update(&mut state, m)))
    .collect();
    assert!(told.len() >= 2, "{told:?}");
    for n in &told {
        out.notifier.send(n);
    }
    until(&mut state, &mut out.rx, |s| {
        s.receivers[0].delivered as usize == told.len()
    })
    .await;
    for t in hook.taken() {
        assert_eq!(t.body["drill"], true, "{}", t.body);
        assert!(
            t.body["text"].as_str().unwrap().starts_with("[DRILL] "),
            "{}",
            t.body
        );
        assert_eq!(t.body["version"], 1);
        assert_eq!(t.body["source"], "warroom");
    }
    let breach = hook
        .taken()
        .into_iter()
        .find(|t| t.body["event"] == "breach")
        .unwrap();
    assert!(
        breach.body["dedup_key"]
            .as_str()
            .unwrap()
            .starts_with("drill/")
    );
    let audit = std::fs::read_to_string(&out.audit).unwrap();
    let records: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains(r#""record":"notification""#))
        .collect();
    assert_eq!(records.len(), told.len(), "{audit}");
    assert!(
        records.iter().all(|l| l.contains(r#""mode":"drill""#)),
        "{audit}"
    );
}

/// The demo has no plan of its own: `--notify` alone says what to give.
#[test]
fn the_demo_notifies_only_when_given_receivers() {
    let (code, out) = common::warroom_run(&["--notify"], None);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("--notify FILE"), "{out}");
}

/// Three receivers as the panel shows them: delivered, retrying, failed;
/// by name and kind, with a word and a glyph each, the failure in its colour.
#[test]
fn the_sources_panel_names_each_receiver_and_how_it_goes() {
    use warroom::app::receivers::{DeliveryReport, DeliveryState, ReceiverHealth};
    use warroom::domain::notification::NotifyEvent;
    let dir = common::temp_dir("notify-panel");
    let plan = plan_with(&dir, "");
    let mut state = live_state(&plan);
    for (name, kind) in [
        ("ops", "slack"),
        ("oncall", "pagerduty"),
        ("bus", "webhook"),
    ] {
        state.receivers.push(ReceiverHealth::new(name, kind));
    }
    let report = |receiver, state| {
        Msg::Delivered(DeliveryReport {
            receiver,
            event: NotifyEvent::Breach,
            at: epoch() - Span::seconds(4),
            state,
            queued: 0,
            dropped: 0,
        })
    };
    let why = "cannot connect: Connection refused (os error 111)".to_string();
    for msg in [
        report(0, DeliveryState::Delivered { tries: 1 }),
        report(
            1,
            DeliveryState::Retrying {
                tries: 2,
                why: why.clone(),
            },
        ),
        report(2, DeliveryState::Failed { tries: 5, why }),
    ] {
        update(&mut state, msg);
    }
    let themes = warroom::ui::theme::resolve(None, false).unwrap().0;
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
    terminal
        .draw(|f| warroom::ui::draw(f, &state, &themes[0]))
        .unwrap();
    let buf = terminal.backend().buffer().clone();
    let rows: Vec<String> = (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    let panel: Vec<&String> = rows.iter().filter(|r| r.contains("Sources")).collect();
    assert_eq!(panel.len(), 1, "one Sources panel");
    let line = |needle: &str| {
        let y = rows
            .iter()
            .position(|r| r.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{}", rows.join("\n")));
        (y, rows[y].clone())
    };
    let (_, ok) = line("slack ops");
    assert!(ok.contains("ok · breach delivered · 4s ago"), "{ok}");
    let (_, retrying) = line("pagerduty oncall");
    assert!(
        retrying.contains("retrying breach · try 2 failed"),
        "{retrying}"
    );
    let (y, failed) = line("webhook bus");
    assert!(failed.contains("FAILED breach after 5 tries"), "{failed}");
    assert!(rows[y + 1].contains("cannot connect"), "{}", rows[y + 1]);
    // The failure's glyph in the breach colour, the retry's in warn.
    let theme = &themes[0];
    let x = |row: &str, glyph: &str| {
        let col = row.find(glyph).map(|b| row[..b].chars().count()).unwrap();
        u16::try_from(col).unwrap()
    };
    let glyph = theme.symbols.breach.as_str();
    assert_eq!(buf[(x(&failed, glyph), y as u16)].fg, theme.colors.breach);
    let (ry, _) = line("pagerduty oncall");
    let warn = theme.symbols.warn.as_str();
    assert_eq!(buf[(x(&retrying, warn), ry as u16)].fg, theme.colors.warn);
    insta::assert_snapshot!("receivers_160x48", terminal.backend());
}

/// What a receiver answers decides: a 503 is tried again until it passes,
/// a 400 or a redirect is final at once (and the redirect not followed).
#[tokio::test]
async fn answers_decide_whether_a_message_is_tried_again() {
    let dir = common::temp_dir("notify-answers");
    let flaky = Hook::start(Behaviour::Unavailable(1)).await;
    let refusing = Hook::start(Behaviour::Answer(400)).await;
    let moved = Hook::start(Behaviour::Answer(302)).await;
    let mut notify = String::new();
    for (i, hook) in [&flaky, &refusing, &moved].iter().enumerate() {
        std::fs::write(
            dir.join(format!("h{i}.url")),
            format!("http://{}/h", hook.addr),
        )
        .unwrap();
        notify.push_str(&format!(
            "[[notify]]\nname = \"h{i}\"\nkind = \"webhook\"\nurl_file = \"h{i}.url\"\n\n"
        ));
    }
    let plan = plan_with(&dir, &notify);
    let mut state = live_state(&plan);
    let mut out = sending(&dir, receivers(&plan), fast());
    let told: Vec<Notification> = [
        polled(0, epoch(), status(0)),
        polled(1, epoch(), metrics(0.2)),
    ]
    .into_iter()
    .flat_map(|m| notifications(update(&mut state, m)))
    .collect();
    let breach = told.iter().find(|n| n.event.word() == "breach").unwrap();
    out.notifier.send(breach);
    until(&mut state, &mut out.rx, |s| {
        s.receivers[0].delivered == 1 && s.receivers[1].failed == 1 && s.receivers[2].failed == 1
    })
    .await;
    assert_eq!(flaky.taken().len(), 2);
    assert_eq!(state.receivers[0].retries, 1);
    assert_eq!((refusing.taken().len(), moved.taken().len()), (1, 1));
    let timeline = timeline_text(&state);
    assert!(
        timeline.contains("webhook h0: breach delivered after 2 tries"),
        "{timeline}"
    );
    assert!(
        timeline.contains("webhook h1: breach NOT delivered after 1 tries: answered 400"),
        "{timeline}"
    );
    assert!(
        timeline.contains("answered 302 (a redirect, not followed)"),
        "{timeline}"
    );
}

/// A receiver that never answers holds its own queue only, and that queue
/// drops its oldest message when full, counting it.
#[tokio::test]
async fn a_full_queue_drops_the_oldest_and_counts_it() {
    let dir = common::temp_dir("notify-full");
    let hang = Hook::start(Behaviour::Hang).await;
    let ok = Hook::start(Behaviour::Answer(200)).await;
    std::fs::write(dir.join("hang.url"), format!("http://{}/h", hang.addr)).unwrap();
    std::fs::write(dir.join("ok.url"), format!("http://{}/h", ok.addr)).unwrap();
    let plan = plan_with(
        &dir,
        "[[notify]]\nname = \"stuck\"\nkind = \"webhook\"\nurl_file = \"hang.url\"\ntimeout = \"30s\"\n\n\
         [[notify]]\nname = \"fine\"\nkind = \"webhook\"\nurl_file = \"ok.url\"\n",
    );
    let mut state = live_state(&plan);
    let mut out = sending(&dir, receivers(&plan), fast());
    let told: Vec<Notification> = [
        polled(0, epoch(), status(0)),
        polled(1, epoch(), metrics(0.2)),
    ]
    .into_iter()
    .flat_map(|m| notifications(update(&mut state, m)))
    .collect();
    let breach = told.iter().find(|n| n.event.word() == "breach").unwrap();
    out.notifier.send(breach);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while hang.taken().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the stuck receiver was never called"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let cap = warroom::runtime::notify::QUEUE_CAP;
    for _ in 0..cap + 5 {
        out.notifier.send(breach);
    }
    let waiting = out.notifier.waiting();
    assert_eq!(
        waiting[0],
        (cap, 5),
        "the stuck receiver's queue: full, five dropped"
    );
    // The other receiver goes on regardless: everything delivered but what
    // its own queue may have dropped while the burst came in.
    until(&mut state, &mut out.rx, |s| {
        let r = &s.receivers[1];
        r.delivered + r.dropped == (cap + 6) as u64 && r.queued == 0
    })
    .await;
    assert_eq!(ok.taken().len() as u64, state.receivers[1].delivered);
    assert!(state.receivers[0].delivered == 0 && state.receivers[0].failed == 0);
}

/// A secret that cannot be read stops the start, naming the receiver, the
/// field and the variable; a read-only screen sends nothing at all.
#[tokio::test]
async fn an_unreadable_secret_stops_the_start_and_a_read_only_screen_sends_nothing() {
    let dir = common::temp_dir("notify-start");
    let plan = plan_with(
        &dir,
        "[[notify]]\nname = \"ops\"\nkind = \"slack\"\nurl_env = \"WARROOM_SURELY_UNSET_HOOK\"\n",
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let spec = warroom::sim::FleetSpec::demo(1);
    let seat = Seat::new("alice", vec!["dark".into()]);
    let started =
        warroom::runtime::session::Session::demo(spec.clone(), clock.clone(), seat.clone())
            .with_receivers(&plan.notify);
    let e = started.err().expect("refused");
    let said = format!("{:#}", anyhow::Error::from(e));
    assert_eq!(
        said,
        "notification receiver ops: the environment variable WARROOM_SURELY_UNSET_HOOK named by notify[0].url_env is not set or empty"
    );
    let observer = Seat {
        read_only: true,
        ..seat
    };
    let session = warroom::runtime::session::Session::demo(spec, clock, observer)
        .with_receivers(&plan.notify)
        .unwrap();
    assert!(session.receivers.is_empty() && session.state.receivers.is_empty());
    assert!(session.state.timeline.newest_first().any(|e| {
        e.text
            .contains("read-only: notifications are sent by the operator's screen")
    }));
}
