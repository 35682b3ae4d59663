//! Cost of one metrics poll for 1000 regions × 2 versions × 4 signals.
//!
//! `cargo bench --bench prometheus`: `parse` is one query's answer (2,000
//! series) from bytes; `update` takes a whole poll (8,000 samples) into the
//! state, stop conditions included; `poll_and_update` is the real thing over
//! HTTP on loopback against a stand-in that serves the same answers (a
//! stand-in, not a real Prometheus: the figure is warroom's, not the query
//! engine's); `curl_same_queries` fetches the same four queries from the
//! same stand-in with one `curl` process (one connection, kept alive), the
//! reference the poll is held to (goal: ≤ 1.2 × curl).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use axum::Router;
use axum::routing::post;
use divan::Bencher;
use warroom::app::state::{AppState, RunMode};
use warroom::app::{Msg, update};
use warroom::config::plan::PlanFile;
use warroom::domain::Span;
use warroom::domain::health::{Sample, VersionRole};
use warroom::domain::rollout::{Phase, RegionRollout, RolloutStatus};
use warroom::domain::signal::Signals;
use warroom::domain::source::Report;
use warroom::integrations::prometheus::{PrometheusSource, response};
use warroom::runtime::demo::epoch;

const REGIONS: usize = 1000;

fn main() {
    divan::main();
}

fn body() -> String {
    let mut series = Vec::with_capacity(REGIONS * 2);
    for i in 0..REGIONS {
        for version in ["v1", "v2"] {
            series.push(format!(
                r#"{{"metric":{{"region":"r{i}","version":"{version}"}},"value":[1700000000.123,"0.{:04}"]}}"#,
                i % 10_000
            ));
        }
    }
    format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
        series.join(",")
    )
}

fn plan(url: &str) -> PlanFile {
    let mut text =
        String::from("service = \"svc\"\n[versions]\nstable = \"v1\"\ncanary = \"v2\"\n");
    for i in 0..REGIONS {
        text.push_str(&format!("[[regions]]\nname = \"r{i}\"\n"));
    }
    text.push_str("[signals]\nrequest_rate = 'q1'\nerror_rate = 'q2'\nlatency_p99 = 'q3'\nsuccess_rate = 'q4'\n");
    for signal in ["error_rate", "latency_p99"] {
        text.push_str(&format!(
            "[[stop_conditions]]\nsignal = \"{signal}\"\nabove = 0.5\nfor = \"10s\"\n"
        ));
    }
    text.push_str("[[waves]]\nname = \"all\"\nweight = 50\nregions = \"all\"\nhold = \"1m\"\n");
    text.push_str(&format!(
        "[sources.metrics]\nkind = \"prometheus\"\nurl = \"{url}\"\n"
    ));
    PlanFile::parse(&text, Path::new("bench.toml")).unwrap()
}

fn state(plan: &PlanFile) -> AppState {
    let infos = vec![warroom::domain::source::SourceInfo {
        name: "prometheus".into(),
        kind: warroom::domain::source::SourceKind::Metrics,
        interval: std::time::Duration::from_secs(5),
        timeout: std::time::Duration::from_secs(3),
    }];
    let mut s = AppState::new(
        plan.plan.clone(),
        RunMode::Live,
        infos,
        Default::default(),
        epoch(),
    );
    s.rollout = Some(RolloutStatus {
        phase: Phase::Progressing,
        wave: 0,
        held: Span::zero(),
        message: None,
        regions: plan
            .plan
            .regions
            .iter()
            .map(|r| RegionRollout::following(r.clone(), 50))
            .collect(),
        observed_at: epoch(),
    });
    s
}

fn samples(signals: &Signals) -> Vec<Sample> {
    let mut out = Vec::with_capacity(REGIONS * 8);
    for i in 0..REGIONS {
        for version in VersionRole::ALL {
            for signal in signals.iter() {
                out.push(Sample {
                    region: format!("r{i}"),
                    version,
                    signal: signal.clone(),
                    value: 0.1,
                    basis: Default::default(),
                });
            }
        }
    }
    out
}

fn poll_msg(samples: Vec<Sample>, at: i64) -> Msg {
    Msg::Source {
        source: warroom::domain::source::SourceId(0),
        polled: warroom::domain::source::Polled::instant(
            epoch() + Span::seconds(at),
            Report::Metrics(samples),
        ),
    }
}

#[divan::bench]
fn parse(bencher: Bencher) {
    let body = body();
    bencher.bench_local(|| response::parse(200, divan::black_box(body.as_bytes())).unwrap());
}

#[divan::bench]
fn update_state(bencher: Bencher) {
    let plan = plan("http://127.0.0.1:1");
    let mut s = state(&plan);
    let samples = samples(&plan.plan.signals);
    let mut t = 0;
    bencher.bench_local(|| {
        t += 1;
        update(&mut s, poll_msg(samples.clone(), t));
    });
}

/// A poll into a state whose every cell already holds two minutes of noisy
/// samples: the canary judgment of 1000 regions runs in full.
#[divan::bench]
fn update_state_full_windows(bencher: Bencher) {
    let plan = plan("http://127.0.0.1:1");
    let mut s = state(&plan);
    let mut rng = fastrand::Rng::with_seed(7);
    let polls: Vec<Vec<Sample>> = (0..16)
        .map(|_| {
            let mut p = samples(&plan.plan.signals);
            for sample in &mut p {
                sample.value *= 0.8 + 0.4 * rng.f64();
            }
            p
        })
        .collect();
    for t in 0..120 {
        update(&mut s, poll_msg(polls[t % polls.len()].clone(), t as i64));
    }
    assert!(
        s.judgments.iter().all(|(_, j)| j.score.is_some()),
        "every canary is judged"
    );
    let mut t = 120;
    bencher.bench_local(|| {
        t += 1;
        update(&mut s, poll_msg(polls[t % polls.len()].clone(), t as i64));
    });
}

/// The stand-in query server on loopback, serving `body` to every query.
fn stand_in(runtime: &tokio::runtime::Runtime) -> String {
    let body = body();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route(
            "/api/v1/query",
            post(move || std::future::ready(body.clone())),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    })
}

fn two_workers() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[divan::bench(sample_count = 30)]
fn poll_and_update(bencher: Bencher) {
    let runtime = two_workers();
    let url = stand_in(&runtime);
    let plan = plan(&url);
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let mut s = state(&plan);
    let mut t = 0;
    bencher.bench_local(|| {
        let poll = runtime.block_on(source.poll()).unwrap();
        assert_eq!(poll.samples.len(), REGIONS * 8);
        t += 1;
        update(&mut s, poll_msg(poll.samples, t));
    });
}

/// The same four queries fetched by `curl` from the same stand-in, the
/// answers thrown away: what fetching alone costs, for comparison with
/// `poll_and_update`. Skipped, saying so, when curl is not on PATH.
#[divan::bench(sample_count = 30)]
fn curl_same_queries(bencher: Bencher) {
    if std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED curl_same_queries: curl is not on PATH (apt-get install curl)");
        return;
    }
    let runtime = two_workers();
    let url = format!("{}/api/v1/query", stand_in(&runtime));
    let mut args: Vec<String> = vec!["-s".into()];
    for (i, q) in ["q1", "q2", "q3", "q4"].iter().enumerate() {
        if i > 0 {
            args.push("--next".into());
        }
        args.extend([
            "-o".into(),
            "/dev/null".into(),
            "--data".into(),
            format!("query={q}"),
            url.clone(),
        ]);
    }
    bencher.bench_local(|| {
        let out = std::process::Command::new("curl")
            .args(&args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "curl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}
