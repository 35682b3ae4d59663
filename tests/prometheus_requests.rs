//! What the Prometheus source sends, checked by a stand-in HTTP server on
//! loopback that asserts what a real Prometheus would receive: POST
//! /api/v1/query, a form-encoded `query`, the bearer token. One request per
//! signal per poll, however many regions.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;
use warroom::config::plan::PlanFile;
use warroom::domain::health::Basis;
use warroom::integrations::prometheus::PrometheusSource;

/// What the stand-in answers with.
#[derive(Clone)]
enum Answer {
    /// A vector with every region × both versions.
    Vector {
        regions: usize,
    },
    Status(u16, &'static str),
    Slow,
    /// Two series for the same region and version: an unaggregated query.
    Duplicated,
}

#[derive(Clone)]
struct Fake {
    answer: Answer,
    seen: Arc<Mutex<Vec<String>>>,
    token: Option<&'static str>,
}

async fn query(
    State(fake): State<Fake>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    assert_eq!(method, axum::http::Method::POST);
    assert_eq!(uri.path(), "/api/v1/query");
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert_eq!(auth, fake.token.map(|t| format!("Bearer {t}")));
    let form = format!("http://x/?{}", String::from_utf8_lossy(&body));
    let url = reqwest::Url::parse(&form).unwrap();
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(pairs.len(), 1, "{pairs:?}");
    assert_eq!(pairs[0].0, "query");
    fake.seen.lock().unwrap().push(pairs[0].1.clone());
    match fake.answer {
        Answer::Vector { regions } => {
            let mut result = Vec::new();
            for i in 0..regions {
                for version in ["v1", "v2"] {
                    result.push(format!(r#"{{"metric":{{"region":"r{i}","version":"{version}"}},"value":[1700000000,"0.5"]}}"#));
                }
            }
            result.push(r#"{"metric":{"version":"v1"},"value":[1700000000,"1"]}"#.to_string());
            let body = format!(
                r#"{{"status":"success","warnings":["partial data"],"data":{{"resultType":"vector","result":[{}]}}}}"#,
                result.join(",")
            );
            (StatusCode::OK, body).into_response()
        }
        Answer::Status(code, body) => (StatusCode::from_u16(code).unwrap(), body).into_response(),
        Answer::Duplicated => {
            let one = r#"{"metric":{"region":"r0","version":"v2","pod":"a"},"value":[1,"0.001"]}"#;
            let two = r#"{"metric":{"region":"r0","version":"v2","pod":"b"},"value":[1,"0.9"]}"#;
            let body = format!(
                r#"{{"status":"success","data":{{"resultType":"vector","result":[{one},{two}]}}}}"#
            );
            (StatusCode::OK, body).into_response()
        }
        Answer::Slow => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (StatusCode::OK, "").into_response()
        }
    }
}

async fn serve(fake: Fake) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(any(query)).with_state(fake);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn plan(url: &str, regions: usize, token_file: Option<&str>) -> PlanFile {
    let mut text =
        String::from("service = \"svc\"\n[versions]\nstable = \"v1\"\ncanary = \"v2\"\n");
    for i in 0..regions {
        text.push_str(&format!("[[regions]]\nname = \"r{i}\"\n"));
    }
    text.push_str(
        "[signals]\nrequest_rate = 'sum by (region, version) (rate(a[1m]))'\nerror_rate = 'e'\nlatency_p99 = 'l'\nsuccess_rate = 's'\n",
    );
    text.push_str("[[stop_conditions]]\nsignal = \"error_rate\"\nabove = 0.02\nfor = \"1m\"\n");
    text.push_str("[[waves]]\nname = \"all\"\nweight = 100\nregions = \"all\"\nhold = \"1m\"\n");
    text.push_str(&format!(
        "[sources.metrics]\nkind = \"prometheus\"\nurl = \"{url}\"\ntimeout = \"1s\"\n"
    ));
    if let Some(file) = token_file {
        text.push_str(&format!("auth.bearer_token_file = \"{file}\"\n"));
    }
    PlanFile::parse(&text, Path::new("test.toml")).unwrap()
}

fn fake(answer: Answer, token: Option<&'static str>) -> Fake {
    Fake {
        answer,
        seen: Arc::default(),
        token,
    }
}

/// Per poll: one query per signal and one per distinct freshness query
/// (the raw series' own timestamps), whatever the number of regions.
#[tokio::test]
async fn one_request_per_signal_and_freshness_query_for_4_and_200_regions() {
    for regions in [4, 200] {
        let f = fake(Answer::Vector { regions }, None);
        let url = serve(f.clone()).await;
        let plan = plan(&url, regions, None);
        let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
        let poll = source.poll().await.unwrap();
        let seen = f.seen.lock().unwrap().clone();
        let mut sent = seen.clone();
        sent.sort();
        let mut expected: Vec<String> = plan
            .metrics
            .queries
            .iter()
            .chain(&plan.metrics.freshness.queries)
            .map(|(_, q)| q.clone())
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(sent, expected, "{regions} regions");
        assert_eq!(seen.len(), 8, "{regions} regions: {seen:?}");
        assert!(
            expected.contains(&"max by (region, version) (timestamp(a))".to_string()),
            "{expected:?}"
        );
        assert_eq!(poll.samples.len(), regions * 2 * 4);
        assert!(
            poll.notes.iter().any(|n| n.contains("partial data")),
            "{:?}",
            poll.notes
        );
        assert!(
            poll.samples.iter().all(|s| s.basis != Basis::Current),
            "an answer with warnings, or a sample time of 1970, is not current"
        );
        assert!(
            poll.notes
                .iter()
                .any(|n| n.starts_with("4 series without a `region` label")),
            "{:?}",
            poll.notes
        );
        source.poll().await.unwrap();
        assert_eq!(
            f.seen.lock().unwrap().len(),
            16,
            "a second poll sends eight more"
        );
    }
}

#[tokio::test]
async fn the_bearer_token_comes_from_its_file_and_never_prints() {
    let path = std::env::temp_dir().join(format!("warroom-prom-token-{}", std::process::id()));
    std::fs::write(&path, "tok-123\n").unwrap();
    let f = fake(Answer::Vector { regions: 1 }, Some("tok-123"));
    let url = serve(f.clone()).await;
    let plan = plan(&url, 1, Some(&path.display().to_string()));
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    assert!(
        !format!("{source:?}").contains("tok-123"),
        "the token leaks through Debug"
    );
    source.poll().await.unwrap();
    assert_eq!(f.seen.lock().unwrap().len(), 8);
    std::fs::remove_file(&path).unwrap();
}

#[tokio::test]
async fn errors_are_named_and_say_what_to_do() {
    for (answer, expected) in [
        (
            Answer::Status(401, "Unauthorized"),
            "HTTP 401: Unauthorized (check the bearer token)",
        ),
        (
            Answer::Status(
                400,
                r#"{"status":"error","errorType":"bad_data","error":"parse error"}"#,
            ),
            "Prometheus answered bad_data: parse error",
        ),
        (Answer::Status(200, "<html>login</html>"), "not JSON"),
        (Answer::Status(502, "bad gateway"), "HTTP 502: bad gateway"),
        (Answer::Slow, "timed out"),
    ] {
        let url = serve(fake(answer, None)).await;
        let plan = plan(&url, 2, None);
        let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
        let error = source.poll().await.err().unwrap().to_string();
        assert!(
            error.contains(expected),
            "`{error}` should contain `{expected}`"
        );
        assert!(
            error.starts_with("request rate: ") || error.contains(": "),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_dead_address_is_cannot_connect() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let plan = plan(&format!("http://127.0.0.1:{port}"), 1, None);
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let error = source.poll().await.err().unwrap().to_string();
    assert!(error.contains("cannot connect"), "{error}");
}

#[tokio::test]
async fn an_unaggregated_query_is_no_data_with_a_note() {
    let url = serve(fake(Answer::Duplicated, None)).await;
    let plan = plan(&url, 1, None);
    let source = PrometheusSource::new(&plan.metrics, &plan.plan).unwrap();
    let poll = source.poll().await.unwrap();
    assert!(
        poll.samples.iter().all(|s| s.value.is_nan()),
        "{:?}",
        poll.samples
    );
    assert!(
        poll.notes
            .iter()
            .any(|n| n.contains("more than one series")),
        "{:?}",
        poll.notes
    );
}
