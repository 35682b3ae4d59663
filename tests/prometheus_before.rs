//! A stop condition relative to before the rollout, against a real
//! Prometheus (Debian's `prometheus`) scraping a real `warroom sim`: the
//! value before is asked of Prometheus over a window that ends a little
//! after the simulator started, and a fault degrading the canary trips it.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Prometheus, SimProcess, require};
use warroom::app::{Effect, Msg, update};
use warroom::config::plan::PlanFile;
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::guardrail::GuardrailState;
use warroom::runtime::session::Session;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// Where the condition relative to before sits among the plan's.
const BEFORE: usize = 3;

/// The example plan pointed at this test's Prometheus and simulator, with
/// 10 s rates, 2 s holds, and a fourth condition: the canary's error rate
/// no more than 10 × its region's over the `window` that ended at `end`.
fn plan_text(prometheus: &str, sim: &str, window: &str, end: &str) -> String {
    let text = common::fast_simulator_plan(prometheus, sim);
    let judgment = "# How each region's canary is scored";
    assert!(text.contains(judgment));
    let condition = format!(
        "[[stop_conditions]]\nsignal = \"error_rate\"\nabove = 10\nrelative_to = \"before\"\nbaseline = \"{window}\"\nbaseline_end = \"{end}\"\nfor = \"2s\"\n\n"
    );
    text.replacen(judgment, &format!("{condition}{judgment}"), 1)
}

/// Feed the session's messages and the clock into the state, carrying out
/// the baseline questions `update` asks, until `done` holds.
async fn drive(
    session: &mut Session,
    clock: &Arc<dyn Clock>,
    limit: Duration,
    what: &str,
    done: impl Fn(&warroom::app::state::AppState) -> bool,
) {
    let started = Instant::now();
    let baselines = session.baselines.clone().unwrap();
    loop {
        let mut effects = Vec::new();
        if let Ok(Some(msg)) =
            tokio::time::timeout(Duration::from_millis(200), session.messages.recv()).await
        {
            effects.extend(update(&mut session.state, msg));
        }
        effects.extend(update(&mut session.state, Msg::Tick(clock.now())));
        for effect in effects {
            if let Effect::Baseline(request) = effect {
                baselines.ask(request);
            }
        }
        if done(&session.state) {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}: {:?}",
            session.state.guardrails.status().get(BEFORE)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_condition_relative_to_before_trips_when_a_fault_degrades_the_canary() {
    if !require("prometheus", "--version", "prometheus before") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let prometheus = Prometheus::start("before", &sim.addr);
    let deadline = Instant::now() + Duration::from_secs(30);
    while prometheus.scrapes().await < 8 {
        assert!(
            Instant::now() < deadline,
            "Prometheus never scraped; its log:\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The window before: the last few seconds of the calm simulator.
    let end = chrono::Utc::now() - chrono::TimeDelta::seconds(1);
    let end = end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dir = common::temp_dir("prometheus-before");
    let path = dir.join("plan.toml");
    std::fs::write(&path, plan_text(&prometheus.url(), &sim.addr, "5s", &end)).unwrap();
    let plan = PlanFile::load(&path).unwrap();

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let seat = warroom::app::state::Seat::new("someone", vec!["dark".into()]);
    let mut session = Session::from_plan(&plan, clock.clone(), seat).unwrap();
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "a healthy read against the value before",
        |s| {
            s.guardrails.before(BEFORE, "eu-west-1").is_some()
                && s.guardrails.status()[BEFORE].state == GuardrailState::Ok
        },
    )
    .await;
    // eu-west-1's stable fails about 0.3 % of its requests.
    let before = session
        .state
        .guardrails
        .before(BEFORE, "eu-west-1")
        .unwrap();
    assert!((0.0005..0.02).contains(&before), "before: {before}");

    let injected = reqwest::Client::new()
        .post(format!("http://{}/sim/faults", sim.addr))
        .header("content-type", "application/json")
        .body(r#"{"region":"eu-west-1","error_rate":0.3,"ramp_seconds":0}"#)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(injected, 204);
    drive(
        &mut session,
        &clock,
        Duration::from_secs(25),
        "the breach relative to before",
        |s| {
            matches!(
                s.guardrails.status()[BEFORE].state,
                GuardrailState::Breach { .. }
            )
        },
    )
    .await;
    let status = &session.state.guardrails.status()[BEFORE];
    assert_eq!(status.region.as_deref(), Some("eu-west-1"));
    assert!(status.value.unwrap() > 10.0, "{status:?}");

    // `status --json` asks the same of Prometheus and says so.
    let audit = dir.join("audit.jsonl");
    let out = std::process::Command::new(BIN)
        .args(["status", "--json", "--plan", path.to_str().unwrap()])
        .args(["--audit-log", audit.to_str().unwrap()])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let condition = &json["stop_conditions"][BEFORE];
    assert_eq!(condition["state"], "breach", "{json}");
    assert_eq!(condition["region"], "eu-west-1", "{json}");
    assert!(
        condition["condition"]
            .as_str()
            .unwrap_or_default()
            .contains("× before (5s)"),
        "{condition}"
    );
    let baseline = &condition["baseline"];
    assert_eq!(baseline["state"], "known", "{condition}");
    assert_eq!(baseline["window"], "5s");
    assert_eq!(baseline["window_seconds"], 5);
    assert_eq!(baseline["end_from"], "plan");
    let value = baseline["value"].as_f64().unwrap_or_default();
    assert!((0.0005..0.02).contains(&value), "{baseline}");
    assert!(
        baseline["shown"]
            .as_str()
            .unwrap_or_default()
            .ends_with('%')
    );
    assert_eq!(out.status.code(), Some(2), "{json}");
}
