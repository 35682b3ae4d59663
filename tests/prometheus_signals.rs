//! Signals of the plan's own against a real Prometheus (Debian's
//! `prometheus`) scraping a real `warroom sim` every second: what the
//! simulator's users go through arrives by name, with its unit, where it is
//! measured (per version, per region, for the service), and a guardrail on
//! checkout completion trips when a fault degrades it. Waits have deadlines.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{Prometheus, SimProcess, require};
use serde_json::Value;
use warroom::config::plan::PlanFile;
use warroom::domain::health::VersionRole;
use warroom::integrations::prometheus::PrometheusSource;
use warroom::sim::Truth;
use warroom::sim::http::WireTruth;
use warroom::sim::users;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// A guardrail on what the users feel, placed after the example's three.
const CHECKOUT_GUARD: &str = "
[[stop_conditions]]
signal = \"checkout_completion\"
below = 0.6
warn = 0.65
for = \"2s\"

[judgment]
";

/// The simulator example pointed at this test's Prometheus and simulator,
/// with 10 s windows, 2 s holds and the checkout guardrail.
fn plan_text(prometheus: &str, sim: &str) -> String {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let history = examples.join("history.ndjson");
    common::fast_simulator_plan(prometheus, sim)
        .replace(
            "events = \"history.ndjson\"",
            &format!("events = {:?}", history.display().to_string()),
        )
        .replacen("\n[judgment]\n", CHECKOUT_GUARD, 1)
}

/// A real `warroom sim` going well, a Prometheus scraping it, and the plan
/// written where `warroom status` can read it.
struct Rig {
    sim: SimProcess,
    prometheus: Prometheus,
    dir: PathBuf,
    text: String,
}

fn rig(name: &str) -> Rig {
    let sim = SimProcess::start(BIN, "calm");
    let prometheus = Prometheus::start(name, &sim.addr);
    let text = plan_text(&prometheus.url(), &sim.addr);
    let dir = common::temp_dir(&format!("signals-{name}"));
    std::fs::write(dir.join("plan.toml"), &text).unwrap();
    Rig {
        sim,
        prometheus,
        dir,
        text,
    }
}

impl Rig {
    /// `warroom status --json`: its exit code and what it printed, parsed.
    fn status(&self) -> (Option<i32>, Value) {
        let out = std::process::Command::new(BIN)
            .args(["status", "--json", "--plan"])
            .arg(self.dir.join("plan.toml"))
            .arg("--audit-log")
            .arg(self.dir.join("audit.jsonl"))
            .output()
            .unwrap();
        let json = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), json)
    }

    /// `status --json` again and again until `done` holds of it.
    async fn status_until(
        &self,
        limit: Duration,
        what: &str,
        done: impl Fn(&Value) -> bool,
    ) -> (Option<i32>, Value, Duration) {
        let started = Instant::now();
        loop {
            let (code, json) = self.status();
            if done(&json) {
                return (code, json, started.elapsed());
            }
            assert!(
                started.elapsed() < limit,
                "{what} did not happen within {limit:?}; the last status:\n{json:#}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// How many scrapes of the simulator Prometheus holds from the last minute.
    async fn scrapes(&self) -> usize {
        self.prometheus.scrapes().await
    }

    async fn inject(&self, body: &str) {
        let response = reqwest::Client::new()
            .post(format!("http://{}/sim/faults", self.sim.addr))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);
    }
}

/// The line of `name` among `signals`, a list of `status --json`.
fn line<'a>(signals: &'a Value, name: &str) -> &'a Value {
    signals
        .as_array()
        .and_then(|list| list.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no {name} in {signals:#}"))
}

fn region<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["regions"]
        .as_array()
        .and_then(|list| list.iter().find(|r| r["region"] == name))
        .unwrap_or_else(|| panic!("no region {name} in {json:#}"))
}

/// eu-west-1's canary checkout completion, when there is one.
fn canary_checkout(json: &Value) -> Option<f64> {
    let regions = json["regions"].as_array()?;
    let eu = regions.iter().find(|r| r["region"] == "eu-west-1")?;
    let signals = eu["canary"]["signals"].as_array()?;
    let checkout = signals
        .iter()
        .find(|s| s["name"] == users::CHECKOUT_COMPLETION)?;
    checkout["value"].as_f64()
}

/// The service's support tickets per hour, when there is a value.
fn tickets(json: &Value) -> Option<f64> {
    let list = json["service_signals"].as_array()?;
    let line = list.iter().find(|s| s["name"] == users::SUPPORT_TICKETS)?;
    line["value"].as_f64()
}

/// `status --json` names each user signal with its unit, where it is
/// measured; a fault in the canary of eu-west-1 drags its checkout
/// completion below 60%, and below 0.9 × what it was before, and both
/// guardrails on it report the breach.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_guardrail_trips_when_a_fault_degrades_checkouts() {
    if !require("prometheus", "--version", "prometheus user signals") {
        return;
    }
    let rig = rig("checkout");
    // The guardrail is the fourth stop condition.
    let (_, healthy, _) = rig
        .status_until(Duration::from_secs(40), "a healthy first read", |j| {
            j["stop_conditions"][3]["state"] == "ok"
                && canary_checkout(j).is_some()
                && tickets(j).is_some()
        })
        .await;
    let guard = &healthy["stop_conditions"][3];
    assert!(
        guard["condition"]
            .as_str()
            .is_some_and(|c| c.starts_with("checkout completion < 60.00%")),
        "{guard}"
    );
    let eu = region(&healthy, "eu-west-1");
    let checkout = line(&eu["canary"]["signals"], users::CHECKOUT_COMPLETION);
    assert_eq!(checkout["unit"], "ratio");
    assert_eq!(checkout["label"], "checkout completion");
    let value = checkout["value"].as_f64().unwrap();
    assert!((0.68..0.77).contains(&value), "{checkout}");
    assert!(
        checkout["shown"].as_str().is_some_and(|s| s.ends_with('%')),
        "{checkout}"
    );
    let login = line(&eu["stable"]["signals"], users::LOGIN_SUCCESS);
    assert!(
        login["value"]
            .as_f64()
            .is_some_and(|v| (0.97..0.995).contains(&v)),
        "{login}"
    );
    // Each region's queue, whatever the version; the tickets, for the service.
    let eu_queue = |json: &Value| {
        let queue = line(&region(json, "eu-west-1")["signals"], users::QUEUE_DEPTH);
        assert_eq!(queue["unit"], "count", "{queue}");
        queue["value"].as_f64()
    };
    for name in ["eu-west-1", "us-east-1", "ap-southeast-1", "sa-east-1"] {
        let queue = line(&region(&healthy, name)["signals"], users::QUEUE_DEPTH);
        assert!(
            queue["value"].as_f64().is_some_and(|v| v > 1.0),
            "{name}: {queue}"
        );
    }
    let calm_queue = eu_queue(&healthy).unwrap();
    let ticket_line = line(&healthy["service_signals"], users::SUPPORT_TICKETS);
    assert_eq!(ticket_line["unit"], "tickets/h");
    assert!(
        ticket_line["shown"]
            .as_str()
            .is_some_and(|s| s.ends_with(" tickets/h")),
        "{ticket_line}"
    );
    let calm_tickets = tickets(&healthy).unwrap();

    // Checkout completion no less than 0.9 × the few calm seconds just
    // gone, once Prometheus holds them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while rig.scrapes().await < 8 {
        assert!(Instant::now() < deadline, "Prometheus stopped scraping");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let end = chrono::Utc::now() - chrono::TimeDelta::seconds(1);
    let end = end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let before = format!(
        "\n[[stop_conditions]]\nsignal = \"checkout_completion\"\nbelow = 0.9\nrelative_to = \"before\"\nbaseline = \"5s\"\nbaseline_end = \"{end}\"\nfor = \"2s\"\n\n[judgment]\n"
    );
    std::fs::write(
        rig.dir.join("plan.toml"),
        rig.text.replacen("\n[judgment]\n", &before, 1),
    )
    .unwrap();
    let (_, known, _) = rig
        .status_until(Duration::from_secs(20), "a read against before", |j| {
            j["stop_conditions"][4]["state"] == "ok"
        })
        .await;
    let relative = &known["stop_conditions"][4];
    assert!(
        relative["condition"]
            .as_str()
            .is_some_and(|c| c.contains("before")),
        "{relative}"
    );
    let was = relative["baseline"]["value"].as_f64();
    assert!(was.is_some_and(|v| (0.68..0.77).contains(&v)), "{relative}");

    rig.inject(r#"{"region":"eu-west-1","error_rate":0.2,"latency_factor":2.0,"ramp_seconds":0}"#)
        .await;
    let (code, breach, took) = rig
        .status_until(Duration::from_secs(25), "the checkout breaches", |j| {
            j["stop_conditions"][3]["state"] == "breach"
                && j["stop_conditions"][4]["state"] == "breach"
        })
        .await;
    eprintln!("checkout completion breached {took:?} after the fault");
    assert_eq!(code, Some(2), "{breach:#}");
    assert_eq!(breach["outcome"], "breach");
    let guard = &breach["stop_conditions"][3];
    assert_eq!(guard["region"], "eu-west-1", "{guard}");
    assert!(guard["value"].as_f64().is_some_and(|v| v < 0.6), "{guard}");
    assert!(
        canary_checkout(&breach).is_some_and(|v| v < 0.6),
        "{breach:#}"
    );
    // The same fault fills eu-west-1's queue and brings tickets in.
    let queue = eu_queue(&breach).unwrap();
    assert!(queue > calm_queue, "queue {calm_queue} → {queue}");
    let (_, later, _) = rig
        .status_until(Duration::from_secs(15), "more support tickets", |j| {
            tickets(j).is_some_and(|t| t > calm_tickets * 1.5)
        })
        .await;
    assert!(tickets(&later).is_some());
}

/// What the truth says each user signal is, for `truth` as the simulator
/// serves it: the model applied to the same numbers.
fn model(truth: &[WireTruth]) -> Vec<Truth> {
    truth
        .iter()
        .map(|t| Truth {
            region: t.region.clone(),
            version: if t.version == "canary" {
                VersionRole::Canary
            } else {
                VersionRole::Stable
            },
            rps: t.request_rate,
            error_rate: t.error_rate,
            client_error_rate: (1.0 - t.error_rate - t.success_rate).max(0.0),
            p99: t.latency_p99,
        })
        .collect()
}

/// The user signals PromQL recovers from the simulator's counters and
/// gauges are its truth: sign-ins and checkouts per region and version, the
/// queue per region, the tickets for the service.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_signals_match_the_simulators_truth() {
    if !require("prometheus", "--version", "prometheus user values") {
        return;
    }
    let rig = rig("values");
    let plan = PlanFile::parse(&rig.text, &rig.dir.join("plan.toml")).unwrap();
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let started = Instant::now();
    loop {
        // The truth now: it changes only when a wave does.
        let body = reqwest::get(format!("http://{}/sim/truth", rig.sim.addr))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let wire: Vec<WireTruth> = serde_json::from_slice(&body).unwrap();
        let wrong = match source.poll().await {
            Err(e) => format!("poll failed: {e}"),
            Ok(poll) => mismatches(&wire, &poll.samples),
        };
        if wrong.is_empty() {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "the user signals never matched the truth:\n{wrong}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Whether `actual` is within `within` of `expected`; a missing value
/// (NaN) never is.
fn agrees(actual: f64, expected: f64, within: f64) -> bool {
    (actual - expected).abs() <= within
}

/// Where `samples` differ from what the truth makes of the user signals,
/// one line each; empty when they all agree.
fn mismatches(wire: &[WireTruth], samples: &[warroom::domain::health::Sample]) -> String {
    let truth = model(wire);
    let got = |signal: &str, region: &str, version: VersionRole| {
        samples
            .iter()
            .find(|s| s.signal.is(signal) && s.region == region && s.version == version)
            .map_or(f64::NAN, |s| s.value)
    };
    let mut checks = Vec::new();
    for (w, t) in wire.iter().zip(&truth) {
        let what = |signal: &str| format!("{} {} {signal}", w.region, w.version);
        checks.push((
            what("login success"),
            got(users::LOGIN_SUCCESS, &w.region, t.version),
            w.login_success,
            0.001,
        ));
        checks.push((
            what("checkout completion"),
            got(users::CHECKOUT_COMPLETION, &w.region, t.version),
            w.checkout_completion,
            0.001,
        ));
        if t.version == VersionRole::Stable {
            let depth = users::queue_depth(&truth, &w.region);
            checks.push((
                format!("{} queue depth", w.region),
                got(users::QUEUE_DEPTH, &w.region, VersionRole::Stable),
                depth,
                depth * 0.01,
            ));
        }
    }
    let tickets = users::support_tickets(&truth);
    checks.push((
        "support tickets".to_string(),
        got(users::SUPPORT_TICKETS, "", VersionRole::Stable),
        tickets,
        tickets * 0.05,
    ));
    // Four stable regions, at least the first wave's canary, and tickets.
    let least = 5 * 2 + 4 + 1;
    assert!(checks.len() >= least, "{checks:?}");
    checks
        .iter()
        .filter(|(_, actual, expected, within)| !agrees(*actual, *expected, *within))
        .map(|(what, actual, expected, _)| {
            format!("{what}: warroom shows {actual}, the truth is {expected}\n")
        })
        .collect()
}
