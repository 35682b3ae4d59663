//! The Prometheus source against a real Prometheus (Debian's `prometheus`)
//! scraping a real `warroom sim` every second, over loopback. Waits have
//! deadlines; nothing sleeps for a fixed time and hopes.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Prometheus, SimProcess, require};
use warroom::app::state::AppState;
use warroom::app::{Msg, update};
use warroom::config::plan::PlanFile;
use warroom::domain::clock::{Clock, SystemClock};
use warroom::domain::guardrail::{GuardrailState, judge_cell};
use warroom::domain::health::{Verdict, VersionRole};
use warroom::integrations::prometheus::PrometheusSource;
use warroom::runtime::session::Session;
use warroom::sim::http::WireTruth;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// The example plan pointed at this test's Prometheus and simulator, with
/// 10 s windows and 2 s holds so the test runs in seconds.
fn plan(prometheus: &str, sim: &str) -> PlanFile {
    let text = common::fast_simulator_plan(prometheus, sim);
    PlanFile::parse(&text, &common::simulator_plan()).unwrap()
}

async fn truth(sim: &str) -> Vec<WireTruth> {
    let body = reqwest::get(format!("http://{sim}/sim/truth"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Wait until Prometheus holds at least `samples` scrapes of the simulator
/// in the last minute, and the source sees request rates.
async fn until_scraped_n(prometheus: &Prometheus, source: &PrometheusSource, samples: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = format!("{}/api/v1/query", prometheus.url());
    loop {
        let scrapes = async {
            let body = reqwest::Client::new()
                .post(&url)
                .form_body("query=count_over_time(up%5B1m%5D)")
                .await?;
            let v: serde_json::Value = serde_json::from_str(&body).ok()?;
            v["data"]["result"][0]["value"][1]
                .as_str()?
                .parse::<usize>()
                .ok()
        }
        .await
        .unwrap_or(0);
        if scrapes >= samples
            && let Ok(poll) = source.poll().await
        {
            let rates = poll
                .samples
                .iter()
                .filter(|s| s.signal.is("request_rate") && s.value > 0.0)
                .count();
            if rates >= 5 {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never had data; its log:\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Wait until Prometheus has scraped the simulator a few times.
async fn until_scraped(prometheus: &Prometheus, source: &PrometheusSource) {
    until_scraped_n(prometheus, source, 2).await;
}

/// A real `warroom sim` scraped by a real Prometheus, the plan pointed at
/// both, once Prometheus has data.
struct Rig {
    sim: SimProcess,
    prometheus: Prometheus,
    plan: PlanFile,
}

async fn rig(name: &str) -> Rig {
    let sim = SimProcess::start(BIN, "calm");
    let prometheus = Prometheus::start(name, &sim.addr);
    let plan = plan(&prometheus.url(), &sim.addr);
    until_scraped(
        &prometheus,
        &PrometheusSource::new(&plan.metrics, &plan.plan).unwrap(),
    )
    .await;
    Rig {
        sim,
        prometheus,
        plan,
    }
}

/// Feed a session's messages and the clock into the state until `done` holds.
async fn drive(
    session: &mut Session,
    clock: &Arc<dyn Clock>,
    limit: Duration,
    what: &str,
    done: impl Fn(&AppState) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        if let Ok(Some(msg)) =
            tokio::time::timeout(Duration::from_millis(200), session.messages.recv()).await
        {
            update(&mut session.state, msg);
        }
        update(&mut session.state, Msg::Tick(clock.now()));
        if done(&session.state) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{what} did not happen within {limit:?}"
        );
    }
}

fn within(actual: f64, expected: f64, relative: f64, absolute: f64) -> bool {
    (actual - expected).abs() <= expected.abs() * relative + absolute
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_match_the_simulators_truth() {
    if !require("prometheus", "--version", "prometheus values") {
        return;
    }
    let Rig {
        sim,
        prometheus,
        plan,
    } = rig("values").await;
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    // Enough scrapes to fill the 10 s windows, while the first wave (30 s) holds.
    until_scraped_n(&prometheus, &source, 11).await;
    let poll = source.poll().await.unwrap();
    let truth = truth(&sim.addr).await;
    assert!(poll.notes.is_empty(), "{:?}", poll.notes);
    let mut compared = 0;
    for t in &truth {
        let version = if t.version == "canary" {
            VersionRole::Canary
        } else {
            VersionRole::Stable
        };
        let got = |signal: &str| {
            poll.samples
                .iter()
                .find(|s| s.region == t.region && s.version == version && s.signal.is(signal))
                .map(|s| s.value)
                .unwrap_or(f64::NAN)
        };
        let checks = [
            (
                "request rate",
                got("request_rate"),
                t.request_rate,
                0.05,
                0.0,
            ),
            ("error rate", got("error_rate"), t.error_rate, 0.02, 0.0002),
            ("latency p99", got("latency_p99"), t.latency_p99, 0.05, 0.0),
            (
                "success rate",
                got("success_rate"),
                t.success_rate,
                0.0,
                0.001,
            ),
        ];
        for (name, actual, expected, rel, abs) in checks {
            assert!(
                within(actual, expected, rel, abs),
                "{} {} {name}: warroom shows {actual}, the simulator's truth is {expected}",
                t.region,
                t.version
            );
            compared += 1;
        }
    }
    // Four stable regions and the one canary of the first wave.
    assert_eq!(compared, 5 * 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_fault_trips_its_stop_condition_in_bounded_time() {
    if !require("prometheus", "--version", "prometheus fault") {
        return;
    }
    let Rig {
        sim,
        prometheus: _prometheus,
        plan,
    } = rig("fault").await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session = Session::from_plan(
        &plan,
        clock.clone(),
        warroom::app::state::Seat::new("someone", vec!["dark".into()]),
    )
    .unwrap();
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "a healthy first read",
        |s| {
            s.guardrails
                .status()
                .iter()
                .all(|c| c.state == GuardrailState::Ok)
        },
    )
    .await;

    let injected = reqwest::Client::new()
        .post(format!("http://{}/sim/faults", sim.addr))
        .json_body(
            r#"{"region":"eu-west-1","error_rate":0.1,"latency_factor":3.0,"ramp_seconds":0}"#,
        )
        .await;
    assert_eq!(injected, 204);
    let took = drive(
        &mut session,
        &clock,
        Duration::from_secs(25),
        "the error-rate breach",
        |s| {
            matches!(
                s.guardrails.status()[0].state,
                GuardrailState::Breach { .. }
            )
        },
    )
    .await;
    let status = &session.state.guardrails.status()[0];
    assert_eq!(status.region.as_deref(), Some("eu-west-1"));
    assert!(status.value.is_some_and(|v| v > 0.02), "{status:?}");
    // Scrape (1 s) + the error share of a 10 s window passing 2% + the 2 s hold + polling.
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let breach = session
        .state
        .timeline
        .newest_first()
        .any(|e| e.text.starts_with("BREACH error rate"));
    assert!(breach, "the breach is not on the timeline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_prometheus_turns_the_cells_stale_and_a_restart_recovers() {
    if !require("prometheus", "--version", "prometheus restart") {
        return;
    }
    let Rig {
        sim: _sim,
        mut prometheus,
        plan,
    } = rig("restart").await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session = Session::from_plan(
        &plan,
        clock.clone(),
        warroom::app::state::Seat::new("someone", vec!["dark".into()]),
    )
    .unwrap();
    let metrics = session.state.sources.len() - 1;
    let fresh_and_ok = |s: &AppState| {
        !s.metrics_stale()
            && s.sources[metrics].error.is_none()
            && judge_cell(
                s.health.cell(0, VersionRole::Stable),
                None,
                s.guardrails.conditions(),
                false,
            ) == Verdict::Healthy
    };
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "fresh data",
        fresh_and_ok,
    )
    .await;

    prometheus.kill();
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "stale cells",
        |s| {
            let stale = judge_cell(
                s.health.cell(0, VersionRole::Stable),
                None,
                s.guardrails.conditions(),
                s.metrics_stale(),
            );
            stale == Verdict::Stale && s.sources[metrics].error.is_some()
        },
    )
    .await;
    let error = session.state.sources[metrics]
        .error
        .clone()
        .unwrap_or_default();
    assert!(error.contains("cannot connect"), "{error}");
    let (_, stalest) = session.state.data_ages();
    assert!(
        stalest
            .flatten()
            .is_some_and(|age| age > session.state.plan.stale_after),
        "{stalest:?}"
    );

    prometheus.restart();
    drive(
        &mut session,
        &clock,
        Duration::from_secs(40),
        "recovery after restart",
        fresh_and_ok,
    )
    .await;
    let recovered = session
        .state
        .timeline
        .newest_first()
        .any(|e| e.text.contains("answering again"));
    assert!(recovered, "the recovery is not on the timeline");
}

/// POST a JSON body (the status code) or a form body (the text).
trait JsonPost {
    async fn json_body(self, body: &str) -> u16;
    async fn form_body(self, body: &str) -> Option<String>;
}

impl JsonPost for reqwest::RequestBuilder {
    async fn json_body(self, body: &str) -> u16 {
        self.header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    async fn form_body(self, body: &str) -> Option<String> {
        let response = self
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .await
            .ok()?;
        response.text().await.ok()
    }
}

/// `warroom status` as a pipeline would run it: the exit code says healthy,
/// breach or unreachable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_exit_codes_gate_a_pipeline() {
    if !require("prometheus", "--version", "prometheus status") {
        return;
    }
    let Rig {
        sim,
        mut prometheus,
        plan: plan_file,
    } = rig("status").await;
    let source = PrometheusSource::new(&plan_file.metrics, &plan_file.plan).unwrap();
    until_scraped_n(&prometheus, &source, 11).await;
    let dir = common::temp_dir("status-plan");
    let path = dir.join("plan.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml"),
    )
    .unwrap()
    .replace("http://127.0.0.1:9090", &prometheus.url())
    .replace("http://127.0.0.1:9464", &format!("http://{}", sim.addr))
    .replace("[30s]", "[10s]");
    std::fs::write(&path, text).unwrap();
    let audit = dir.join("audit.jsonl");
    let status = |json: bool| {
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["status", "--plan", path.to_str().unwrap()]);
        cmd.args(["--audit-log", audit.to_str().unwrap()]);
        if json {
            cmd.arg("--json");
        }
        cmd.output().unwrap()
    };
    // Healthy numbers, but nobody has answered the scorecard: NO-GO.
    let out = status(false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains(": NO-GO · scorecard NO-GO"), "{text}");
    for item in ["baseline", "pilot", "support", "communications"] {
        let set = std::process::Command::new(BIN)
            .args(["scorecard", "set", "--plan", path.to_str().unwrap()])
            .args(["--audit-log", audit.to_str().unwrap(), item, "green"])
            .args(["--note", "checked"])
            .output()
            .unwrap();
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
    }
    let out = status(false);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("HEALTHY") && text.contains("eu-west-1"),
        "{text}"
    );

    let injected = reqwest::Client::new()
        .post(format!("http://{}/sim/faults", sim.addr))
        .json_body(r#"{"region":"eu-west-1","error_rate":0.2,"ramp_seconds":0}"#)
        .await;
    assert_eq!(injected, 204);
    // Success rate falls under 98% a little before error rate passes 2%:
    // wait for the error-rate condition itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (out, json) = loop {
        let out = status(true);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        if json["stop_conditions"][0]["state"] == "breach" || Instant::now() > deadline {
            break (out, json);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json["outcome"], "breach");
    assert_eq!(json["stop_conditions"][0]["state"], "breach");
    assert_eq!(json["stop_conditions"][0]["region"], "eu-west-1");

    prometheus.kill();
    let out = status(false);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("cannot connect"));
}

/// A stop condition set to pause: the injected fault trips it, warroom pauses
/// the rollout through the deploy API by itself, and the audit log has it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breach_set_to_pause_pauses_the_rollout_and_is_audited() {
    if !require("prometheus", "--version", "prometheus auto-pause") {
        return;
    }
    let Rig {
        sim,
        prometheus: _prometheus,
        mut plan,
    } = rig("autopause").await;
    plan.plan.stop_conditions[0].consequence = warroom::domain::guardrail::Consequence::Pause;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session = Session::from_plan(
        &plan,
        clock.clone(),
        warroom::app::state::Seat::new("someone", vec!["dark".into()]),
    )
    .unwrap();
    let dir = common::temp_dir("autopause-audit");
    let audit_path = dir.join("audit.jsonl");
    let audit = Arc::new(warroom::audit::AuditLog::open(&audit_path).unwrap());
    let executor = warroom::runtime::executor::Executor::new(
        session.control.clone().unwrap(),
        audit,
        clock.clone(),
        session.tx.clone(),
        Duration::from_secs(5),
    );
    let injected = reqwest::Client::new()
        .post(format!("http://{}/sim/faults", sim.addr))
        .json_body(r#"{"region":"eu-west-1","error_rate":0.2,"ramp_seconds":0}"#)
        .await;
    assert_eq!(injected, 204);
    let started = Instant::now();
    loop {
        if let Ok(Some(msg)) =
            tokio::time::timeout(Duration::from_millis(200), session.messages.recv()).await
        {
            for effect in update(&mut session.state, msg) {
                if let warroom::app::Effect::Execute(request) = effect {
                    executor.execute(request);
                }
            }
        }
        update(&mut session.state, Msg::Tick(clock.now()));
        let paused = session
            .state
            .rollout
            .as_ref()
            .is_some_and(|r| r.phase == warroom::domain::rollout::Phase::Paused);
        if paused && session.state.in_flight.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no automatic pause within 30 s"
        );
    }
    let state = reqwest::get(format!("http://{}/api/v1/rollout", sim.addr))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(state.contains(r#""phase":"paused""#), "{state}");
    let text = std::fs::read_to_string(&audit_path).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(records[0]["operator"], "warroom");
    assert_eq!(records[0]["action"], "pause");
    assert!(
        records[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("error rate")),
        "{text}"
    );
    assert_eq!(records[1]["result"], "ok");
    assert_eq!(
        warroom::audit::verify(&text),
        warroom::audit::Verdict::Intact { records: 2 }
    );
}

/// `warroom sim` on a fixed loopback address, so that a restarted one is
/// scraped again by the same Prometheus target. Killed when dropped.
struct FixedSim {
    child: std::process::Child,
    addr: String,
}

impl FixedSim {
    fn start(addr: &str) -> FixedSim {
        use std::io::BufRead;
        let mut child = std::process::Command::new(BIN)
            .args(["sim", "--listen", addr, "--scenario", "calm"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // The first line says it listens.
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.contains(addr), "{line}");
        FixedSim {
            child,
            addr: addr.to_string(),
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for FixedSim {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn inject_errors(sim: &str, share: f64) {
    let body = format!(r#"{{"region":"eu-west-1","error_rate":{share},"ramp_seconds":0}}"#);
    let injected = reqwest::Client::new()
        .post(format!("http://{sim}/sim/faults"))
        .json_body(&body)
        .await;
    assert_eq!(injected, 204);
}

fn canary_stale(s: &AppState) -> bool {
    let verdict = judge_cell(
        s.health.cell(0, VersionRole::Canary),
        s.health.cell(0, VersionRole::Stable),
        s.guardrails.conditions(),
        s.metrics_stale(),
    );
    verdict == Verdict::Stale
}

/// Killing the scrape target (not Prometheus, which goes on answering the
/// `rate()` for its whole window) turns the cells stale within one poll
/// plus one scrape interval, from the raw samples' own timestamps. The
/// stop condition's hold stops while the data is stale, and no breach is
/// declared the moment the data returns: only once the hold has been seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_scrape_target_is_stale_at_once_and_no_breach_is_declared_on_its_return() {
    if !require("prometheus", "--version", "prometheus dead target") {
        return;
    }
    let addr = format!("127.0.0.1:{}", common::free_port());
    let mut sim = FixedSim::start(&addr);
    let prometheus = Prometheus::start("dead-target", &addr);
    let mut plan = plan(&prometheus.url(), &addr);
    let hold = warroom::domain::Span::seconds(8);
    for c in &mut plan.plan.stop_conditions {
        c.hold = hold;
    }
    until_scraped(
        &prometheus,
        &PrometheusSource::new(&plan.metrics, &plan.plan).unwrap(),
    )
    .await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut session = Session::from_plan(
        &plan,
        clock.clone(),
        warroom::app::state::Seat::new("someone", vec!["dark".into()]),
    )
    .unwrap();
    let state_of = |s: &AppState| s.guardrails.status()[0].state;
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "healthy cells",
        |s| state_of(s) == GuardrailState::Ok,
    )
    .await;
    inject_errors(&sim.addr, 0.2).await;
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "tripping",
        |s| session_past(s).is_some_and(|p| p >= warroom::domain::Span::seconds(2)),
    )
    .await;

    sim.kill();
    let killed = Instant::now();
    let took = drive(
        &mut session,
        &clock,
        Duration::from_secs(10),
        "stale cells",
        canary_stale,
    )
    .await;
    // One poll (1 s) plus one scrape (1 s), and the time a poll takes.
    eprintln!("cells stale {took:?} after the scrape target died");
    assert!(took <= Duration::from_millis(2500), "stale after {took:?}");
    assert_eq!(state_of(&session.state), GuardrailState::NoData);
    assert_eq!(
        session.state.guardrails.gap(0),
        Some(warroom::domain::health::Gap::Stale)
    );
    // Longer than the hold, while Prometheus still answers the rate.
    drive(
        &mut session,
        &clock,
        Duration::from_secs(30),
        "an outage longer than the hold",
        |s| {
            assert!(
                !matches!(state_of(s), GuardrailState::Breach { .. }),
                "breach declared on data that was not there"
            );
            killed.elapsed() > Duration::from_secs(12)
        },
    )
    .await;
    assert!(
        session
            .state
            .timeline
            .newest_first()
            .all(|e| !e.text.starts_with("BREACH"))
    );

    let mut sim = FixedSim::start(&addr);
    inject_errors(&sim.addr, 0.2).await;
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "numbers again",
        |s| {
            matches!(
                state_of(s),
                GuardrailState::Tripping { .. } | GuardrailState::Breach { .. }
            )
        },
    )
    .await;
    let returned = Instant::now();
    let counted = session_past(&session.state).unwrap_or_default();
    assert!(
        matches!(state_of(&session.state), GuardrailState::Tripping { .. }),
        "breach declared the moment data returned, {counted} counted"
    );
    assert!(counted < hold, "{counted}");
    drive(
        &mut session,
        &clock,
        Duration::from_secs(20),
        "the breach, once seen for the hold",
        |s| matches!(state_of(s), GuardrailState::Breach { .. }),
    )
    .await;
    let after = returned.elapsed();
    eprintln!("breach {after:?} after the data returned, {counted} counted before");
    let owed = (hold - counted).to_std().unwrap_or_default();
    assert!(
        after + Duration::from_millis(1500) >= owed,
        "breach after {after:?}, the hold still owed {owed:?}"
    );
    sim.kill();
}

fn session_past(s: &AppState) -> Option<warroom::domain::Span> {
    s.guardrails.past(0)
}

/// A query whose every value is NaN (0/0): nothing to judge, never healthy;
/// `warroom status` does not exit 0, and nothing it prints says NaN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_against_all_nan_does_not_exit_0() {
    if !require("prometheus", "--version", "prometheus all NaN") {
        return;
    }
    let Rig {
        sim,
        prometheus,
        plan: _,
    } = rig("nan").await;
    let dir = common::temp_dir("nan-plan");
    let path = dir.join("plan.toml");
    let nan = "'sum by (region, version) (rate(http_requests_total[10s])) * 0 / 0'";
    let text: String = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml"),
    )
    .unwrap()
    .replace("http://127.0.0.1:9090", &prometheus.url())
    .replace("http://127.0.0.1:9464", &format!("http://{}", sim.addr))
    .lines()
    .map(|l| match l.split_once(" = 'sum") {
        Some((name, _)) if !name.contains(' ') => format!("{name} = {nan}\n"),
        _ => match l.split_once(" = 'histogram_quantile") {
            Some((name, _)) => format!("{name} = {nan}\n"),
            None => format!("{l}\n"),
        },
    })
    .collect();
    assert_eq!(text.matches("* 0 / 0").count(), 4, "{text}");
    std::fs::write(&path, &text).unwrap();
    let audit = dir.join("audit.jsonl");
    let out = std::process::Command::new(BIN)
        .args(["status", "--plan", path.to_str().unwrap()])
        .args(["--audit-log", audit.to_str().unwrap()])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(4), "{shown}");
    assert!(shown.contains("NO DATA"), "{shown}");
    assert!(!shown.contains("NaN") && !shown.contains("inf"), "{shown}");
    let json = std::process::Command::new(BIN)
        .args(["status", "--json", "--plan", path.to_str().unwrap()])
        .args(["--audit-log", audit.to_str().unwrap()])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["outcome"], "no_data");
    let verdicts: Vec<&str> = json["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["canary"]["verdict"].as_str().unwrap_or(""))
        .collect();
    assert!(verdicts.iter().all(|v| *v == "NO DATA"), "{verdicts:?}");
}
