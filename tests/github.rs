//! The GitHub Deployments API source against a stand-in on loopback that
//! answers as GitHub does: `Link` pagination, deployment statuses, commits,
//! and a rate limit (`429`, `x-ratelimit-remaining: 0`, `x-ratelimit-reset`).

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use warroom::config::plan::Auth;
use warroom::domain::dora::{Event, History, Measure};
use warroom::integrations::github::GitHub;

#[derive(Clone)]
struct Fake {
    base: Arc<Mutex<String>>,
    rate_limited_once: Arc<AtomicUsize>,
    limited_at: Arc<Mutex<Option<Instant>>>,
}

const DEPLOYMENTS: u64 = 5;

fn check_headers(headers: &HeaderMap) {
    assert_eq!(
        headers.get("authorization").and_then(|v| v.to_str().ok()),
        Some("Bearer gh-token")
    );
    assert_eq!(
        headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("application/vnd.github+json")
    );
    assert!(
        headers.get("user-agent").is_some(),
        "GitHub refuses requests without a User-Agent"
    );
}

async fn deployments(
    State(f): State<Fake>,
    Query(q): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    check_headers(&headers);
    let q: std::collections::HashMap<_, _> = q.into_iter().collect();
    assert_eq!(q.get("environment").map(String::as_str), Some("production"));
    let page: u64 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    // Page 2 is rate limited the first time it is asked for.
    if page == 2 && f.rate_limited_once.fetch_add(1, Ordering::SeqCst) == 0 {
        *f.limited_at.lock().unwrap() = Some(Instant::now());
        let reset = (chrono::Utc::now().timestamp() + 1).to_string();
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [
                ("x-ratelimit-remaining", "0".to_string()),
                ("x-ratelimit-reset", reset),
            ],
            r#"{"message":"API rate limit exceeded"}"#,
        )
            .into_response();
    }
    // Newest first, three on page 1 and two on page 2.
    let ids: Vec<u64> = if page == 1 { vec![5, 4, 3] } else { vec![2, 1] };
    let items: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"id":{id},"sha":"sha{id}","ref":"v1.{id}","created_at":"2026-03-0{id}T12:00:00Z","environment":"production"}}"#
            )
        })
        .collect();
    let base = f.base.lock().unwrap().clone();
    let mut response = (StatusCode::OK, format!("[{}]", items.join(","))).into_response();
    if page == 1 {
        let link = format!(
            r#"<{base}/repos/acme/shop/deployments?environment=production&per_page=100&page=2>; rel="next", <{base}/repos/acme/shop/deployments?page=2>; rel="last""#
        );
        response.headers_mut().insert("link", link.parse().unwrap());
    }
    response
}

async fn statuses(Path((_, _, id)): Path<(String, String, u64)>, headers: HeaderMap) -> Response {
    check_headers(&headers);
    // Deployment 3 failed; the others succeeded ten minutes after creation.
    let state = if id == 3 { "failure" } else { "success" };
    (
        StatusCode::OK,
        format!(r#"[{{"state":"{state}","created_at":"2026-03-0{id}T12:10:00Z"}}]"#),
    )
        .into_response()
}

async fn commit(Path((_, _, sha)): Path<(String, String, String)>, headers: HeaderMap) -> Response {
    check_headers(&headers);
    let id = sha.trim_start_matches("sha");
    (
        StatusCode::OK,
        format!(
            r#"{{"sha":"{sha}","commit":{{"committer":{{"date":"2026-03-0{id}T10:10:00Z"}}}}}}"#
        ),
    )
        .into_response()
}

#[tokio::test]
async fn pages_statuses_commits_and_a_rate_limit() {
    let fake = Fake {
        base: Arc::default(),
        rate_limited_once: Arc::default(),
        limited_at: Arc::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *fake.base.lock().unwrap() = base.clone();
    let app = Router::new()
        .route("/repos/acme/shop/deployments", get(deployments))
        .route(
            "/repos/{owner}/{repo}/deployments/{id}/statuses",
            get(statuses),
        )
        .route("/repos/{owner}/{repo}/commits/{sha}", get(commit))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let token = std::env::temp_dir().join(format!("warroom-gh-token-{}", std::process::id()));
    std::fs::write(&token, "gh-token\n").unwrap();
    let github = GitHub::new(
        &base,
        "acme/shop",
        "production",
        &Auth::BearerFile(token.clone()),
    )
    .unwrap();
    let since = "2026-03-01T00:00:00Z".parse().unwrap();
    let started = Instant::now();
    let events = github.events(since).await.unwrap();
    std::fs::remove_file(token).unwrap();

    // Page 1, page 2 refused, page 2 again; then a status and a commit each.
    assert_eq!(
        github.requests.load(Ordering::SeqCst),
        3 + 2 * DEPLOYMENTS as usize
    );
    assert_eq!(fake.rate_limited_once.load(Ordering::SeqCst), 2);
    let limited = fake.limited_at.lock().unwrap().unwrap();
    assert!(
        limited.elapsed() < started.elapsed(),
        "the limit was met during the walk"
    );
    assert!(
        started.elapsed().as_millis() >= 900,
        "the reset was waited for"
    );

    let deployments = events
        .iter()
        .filter(|e| matches!(e, Event::Deployment { .. }))
        .count();
    assert_eq!(deployments, DEPLOYMENTS as usize);
    let incident = events.iter().find_map(|e| match e {
        Event::Incident {
            deployment,
            resolved,
            ..
        } => Some((deployment.clone(), *resolved)),
        _ => None,
    });
    let restored: Option<warroom::domain::Timestamp> =
        Some("2026-03-04T12:10:00Z".parse().unwrap());
    assert_eq!(incident, Some(("github-3".to_string(), restored)));

    let mut history = History::default();
    for e in events {
        history.add(e).unwrap();
    }
    let s = history.summary("2026-03-06T00:00:00Z".parse().unwrap(), 7);
    assert_eq!(s.deployments, 5);
    assert_eq!(s.failed_deployments, 1);
    // Every commit was made two hours before its deployment succeeded.
    assert_eq!(
        s.lead_time_median,
        Measure::Value {
            value: 7200.0,
            tier: Some(warroom::domain::dora::Tier::Elite)
        }
    );
    // From the failed status to the next success: one day.
    assert!(matches!(s.recovery_time_median, Measure::Value { value, .. } if value == 86_400.0));
}

#[tokio::test]
async fn a_long_rate_limit_is_an_error_not_a_hang() {
    async fn limited() -> Response {
        let reset = (chrono::Utc::now().timestamp() + 3600).to_string();
        (
            StatusCode::FORBIDDEN,
            [
                ("x-ratelimit-remaining", "0".to_string()),
                ("x-ratelimit-reset", reset),
            ],
            "{}",
        )
            .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, Router::new().fallback(limited)).await });
    let github = GitHub::new(&base, "acme/shop", "production", &Auth::None).unwrap();
    let error = github
        .events("2026-03-01T00:00:00Z".parse().unwrap())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("rate limit") && error.contains("resets in"),
        "{error}"
    );
}
