//! Answers a real Prometheus cannot be made to give here, from a stand-in on
//! loopback that answers exactly as Prometheus and Thanos do: a partial
//! response (`"warnings": ["partial response: …"]`, the region behind the
//! unreachable store left out) and raw samples whose own timestamps are old.
//! Neither is ever healthy: not in the matrix, not in `warroom status` (not
//! exit 0), not on the scorecard.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use warroom::config::plan::PlanFile;
use warroom::domain::health::{Basis, VersionRole};
use warroom::integrations::prometheus::PrometheusSource;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// The most requests a stand-in answers before it refuses: a test that
/// loops cannot make it serve forever.
const MAX_REQUESTS: usize = 200;

/// What the stand-in's answers are like.
#[derive(Clone, Copy)]
enum Kind {
    /// Thanos with store eu-1 unreachable: eu-1 left out, a warning.
    Partial,
    /// Every value answered, but the raw samples under eu-1's are 10 min old.
    OldSamples,
}

#[derive(Clone)]
struct StandIn {
    kind: Kind,
    served: Arc<AtomicUsize>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn series(region: &str, version: &str, at: f64, value: &str) -> String {
    format!(
        r#"{{"metric":{{"region":"{region}","version":"{version}"}},"value":[{at:.3},"{value}"]}}"#
    )
}

async fn answer(State(s): State<StandIn>, body: Bytes) -> impl IntoResponse {
    if s.served.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
        return (StatusCode::SERVICE_UNAVAILABLE, "enough".to_string()).into_response();
    }
    let form = format!("http://x/?{}", String::from_utf8_lossy(&body));
    let query = reqwest::Url::parse(&form)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "query")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let at = now();
    let freshness = query.contains("timestamp(");
    let regions: &[&str] = match s.kind {
        Kind::Partial => &["us-1", "ap-1"],
        Kind::OldSamples => &["eu-1", "us-1", "ap-1"],
    };
    let mut result = Vec::new();
    for region in regions {
        for version in ["v1", "v2"] {
            let value = if freshness {
                let age = match (s.kind, *region) {
                    (Kind::OldSamples, "eu-1") => 600.0,
                    _ => 1.0,
                };
                format!("{:.3}", at - age)
            } else if query.contains("latency") {
                "0.2".to_string()
            } else if query.contains("errors") {
                "0.001".to_string()
            } else {
                "100".to_string()
            };
            result.push(series(region, version, at, &value));
        }
    }
    let warnings = match s.kind {
        Kind::Partial => r#","warnings":["partial response: store eu-1 unreachable"]"#,
        Kind::OldSamples => "",
    };
    let body = format!(
        r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}{warnings}}}"#,
        result.join(",")
    );
    (StatusCode::OK, [("content-type", "application/json")], body).into_response()
}

/// Serve `kind` on a loopback port until the returned task is aborted.
async fn serve(kind: Kind) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = StandIn {
        kind,
        served: Arc::default(),
    };
    let app = Router::new()
        .route("/api/v1/query", post(answer))
        .with_state(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), task)
}

fn plan_text(url: &str) -> String {
    format!(
        r#"service = "svc"
[versions]
stable = "v1"
canary = "v2"
[[regions]]
name = "eu-1"
[[regions]]
name = "us-1"
[[regions]]
name = "ap-1"
[signals]
request_rate = 'sum by (region, version) (rate(requests_total[1m]))'
error_rate = 'sum by (region, version) (rate(errors_total[1m])) / sum by (region, version) (rate(requests_total[1m]))'
latency_p99 = 'histogram_quantile(0.99, sum by (region, version, le) (rate(latency_bucket[1m])))'
[[stop_conditions]]
signal = "error_rate"
above = 0.02
for = "1m"
[[stop_conditions]]
signal = "latency_p99"
above = 0.5
for = "1m"
[[waves]]
name = "all"
weight = 100
regions = "all"
hold = "1m"
[sources.metrics]
kind = "prometheus"
url = "{url}"
interval = "1s"
timeout = "1s"
"#
    )
}

fn write_plan(name: &str, url: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("warroom-partial-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plan.toml");
    std::fs::write(&path, plan_text(url)).unwrap();
    path
}

/// `warroom status --json` on `plan`: its exit code and its JSON.
async fn status(plan: &Path) -> (Option<i32>, serde_json::Value, String) {
    let plan = plan.to_path_buf();
    let audit = plan.with_file_name("audit.jsonl");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(BIN)
            .args(["status", "--json", "--plan", plan.to_str().unwrap()])
            .args(["--audit-log", audit.to_str().unwrap()])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&text).unwrap_or_default();
    (out.status.code(), json, text)
}

fn region<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["regions"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["region"] == name))
        .unwrap_or_else(|| panic!("no {name} in {json}"))
}

fn dashboards(json: &serde_json::Value) -> serde_json::Value {
    json["scorecard"]["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["item"] == "dashboards"))
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_answer_is_partial_everywhere_never_healthy() {
    let (url, server) = serve(Kind::Partial).await;
    let path = write_plan("source", &url);
    let plan = PlanFile::load(&path).unwrap();
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let poll = source.poll().await.unwrap();
    assert!(
        poll.notes
            .iter()
            .any(|n| n.contains("partial response: store eu-1 unreachable")),
        "{:?}",
        poll.notes
    );
    assert!(
        poll.samples.iter().all(|s| s.basis == Basis::Partial),
        "{:?}",
        poll.samples
    );
    // The region behind the unreachable store is partial, not "no data".
    let eu = poll
        .samples
        .iter()
        .filter(|s| s.region == "eu-1" && s.version == VersionRole::Canary)
        .count();
    assert_eq!(eu, 3, "one per signal: {:?}", poll.samples);

    let (code, json, text) = status(&path).await;
    server.abort();
    assert_eq!(code, Some(4), "{text}");
    assert_eq!(json["outcome"], "no_data", "{text}");
    for r in ["eu-1", "us-1", "ap-1"] {
        assert_eq!(
            region(&json, r)["canary"]["verdict"],
            "PARTIAL",
            "{r}: {text}"
        );
    }
    let item = dashboards(&json);
    assert_eq!(item["status"], "amber", "{item}");
    assert!(
        item["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("partial")),
        "{item}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_raw_samples_are_stale_even_when_the_rate_is_answered() {
    let (url, server) = serve(Kind::OldSamples).await;
    let path = write_plan("old", &url);
    let plan = PlanFile::load(&path).unwrap();
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let poll = source.poll().await.unwrap();
    for s in &poll.samples {
        let stale = matches!(s.basis, Basis::Stale { newest: Some(_) });
        assert_eq!(stale, s.region == "eu-1", "{s:?}");
    }
    let (code, json, text) = status(&path).await;
    server.abort();
    assert_ne!(code, Some(0), "{text}");
    assert_eq!(
        region(&json, "eu-1")["canary"]["verdict"],
        "STALE",
        "{text}"
    );
    assert_eq!(region(&json, "us-1")["canary"]["verdict"], "OK", "{text}");
}
