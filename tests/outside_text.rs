//! Text from outside comes out neutralised wherever warroom shows it: a
//! stand-in Prometheus and deploy API on loopback send OSC 52 (clipboard),
//! OSC 0 (window title), CSI 2J, C1 U+009B, U+202E and a newline that would
//! forge a log line, in Prometheus errors and warnings and in the deploy
//! API's message and errors, and echo the bearer token back. The real
//! binary's `status` text, `status --json`, stderr, the dashboard's screen
//! and its log file show every sequence defanged and never the token.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use common::{Tmux, require, temp_dir};
use warroom::domain::text::is_unsafe;

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const TOKEN: &str = "s3cr3t-b3ar3r-t0k3n-4242";

/// Every sequence a hostile or broken server might send.
const PAYLOAD: &str = "osc52 \u{1b}]52;c;cGF5bG9hZA==\u{7} osc0 \u{1b}]0;owned\u{7} clear \u{1b}[2J c1 \u{9b}31m bidi \u{202e}txet\n2026-01-01T00:00:00Z  INFO forged line";

/// What each sequence looks like once neutralised.
const NEUTRALISED: [&str; 6] = [
    "�]52;c;",
    "�]0;owned�",
    "�[2J",
    "�31m",
    "�txet",
    "⏎ 2026-01-01",
];

/// How the stand-ins answer.
#[derive(Clone, Copy, PartialEq)]
enum Mood {
    /// Prometheus succeeds with hostile warnings; the deploy API's rollout
    /// is aborted with a hostile message.
    Warnings,
    /// Both fail with hostile errors that echo the Authorization header.
    Errors,
    /// The deploy API answers its first read (a hostile message), then fails.
    Mixed,
}

fn said(headers: &HeaderMap) -> String {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(none)");
    format!("{PAYLOAD} (you sent Authorization: {auth})")
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        value.to_string(),
    )
        .into_response()
}

async fn answer(mood: Mood, reads: Arc<AtomicUsize>, uri: Uri, headers: HeaderMap) -> Response {
    let vector = serde_json::json!({"resultType": "vector", "result": [
        {"metric": {"region": "eu", "version": "v1"}, "value": [1, "0.001"]},
        {"metric": {"region": "eu", "version": "v2"}, "value": [1, "0.001"]},
    ]});
    match (uri.path(), mood) {
        ("/api/v1/query", Mood::Warnings) => json(
            StatusCode::OK,
            serde_json::json!({"status": "success", "warnings": [said(&headers)], "data": vector}),
        ),
        ("/api/v1/query", _) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"status": "error", "errorType": "bad_data", "error": said(&headers)}),
        ),
        ("/api/v1/rollout", Mood::Errors) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": said(&headers)}),
        ),
        ("/api/v1/rollout", Mood::Mixed) if reads.fetch_add(1, Ordering::SeqCst) > 0 => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": said(&headers)}),
        ),
        ("/api/v1/rollout", _) => json(
            StatusCode::OK,
            serde_json::json!({
                "service": "checkout-api", "stable_version": "v1", "canary_version": "v2",
                "phase": "aborted", "wave": 0, "held_seconds": 1.0,
                "message": said(&headers),
                "regions": [{"region": "eu", "canary_weight": 0}],
                "observed_at": "2026-03-14T09:00:42Z"
            }),
        ),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The stand-ins on one loopback port, on a thread of their own so that a
/// blocking test can drive the binary meanwhile.
fn serve(mood: Mood) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let reads = Arc::new(AtomicUsize::new(0));
            let app = Router::new().fallback(any(move |uri: Uri, headers: HeaderMap| {
                answer(mood, reads.clone(), uri, headers)
            }));
            // Bounded in time: no test here runs for long.
            let _ = tokio::time::timeout(
                Duration::from_secs(60),
                axum::serve(listener, app).into_future(),
            )
            .await;
        });
    });
    format!(
        "http://{}",
        rx.recv_timeout(Duration::from_secs(5)).unwrap()
    )
}

fn plan(dir: &Path, url: &str) -> PathBuf {
    let token = dir.join("token");
    std::fs::write(&token, format!("{TOKEN}\n")).unwrap();
    let token = token.display();
    let text = format!(
        "service = \"checkout-api\"\n[versions]\nstable = \"v1\"\ncanary = \"v2\"\n\
         [[regions]]\nname = \"eu\"\n\
         [signals]\nrequest_rate = 'a'\nerror_rate = 'b'\nlatency_p99 = 'c'\nsuccess_rate = 'd'\n\
         [[stop_conditions]]\nsignal = \"error_rate\"\nabove = 0.02\nfor = \"1m\"\n\
         [[waves]]\nname = \"all\"\nweight = 100\nregions = \"all\"\nhold = \"1m\"\n\
         [sources.metrics]\nkind = \"prometheus\"\nurl = \"{url}\"\ninterval = \"1s\"\ntimeout = \"2s\"\n\
         auth.bearer_token_file = \"{token}\"\n\
         [sources.deploy]\nkind = \"http\"\nurl = \"{url}\"\ninterval = \"1s\"\ntimeout = \"2s\"\n\
         auth.bearer_token_file = \"{token}\"\n"
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn status(dir: &Path, plan: &Path, json: bool) -> Output {
    let mut command = std::process::Command::new(BIN);
    command
        .args(["status", "--plan", plan.to_str().unwrap()])
        .args(["--audit-log", dir.join("audit.jsonl").to_str().unwrap()])
        .env("XDG_STATE_HOME", dir);
    if json {
        command.arg("--json");
    }
    command.output().unwrap()
}

/// `text` holds the payload neutralised, and no sequence or token raw.
fn assert_clean(what: &str, text: &str, expect_payload: bool) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| *c != '\n' && is_unsafe(*c))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}:\n{text}");
    assert!(!text.contains(TOKEN), "{what} shows the token:\n{text}");
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("2026-01-01T00:00:00Z"),
            "{what} has a forged line:\n{text}"
        );
    }
    if expect_payload {
        for shown in NEUTRALISED {
            assert!(text.contains(shown), "{what} lacks {shown:?}:\n{text}");
        }
    }
}

#[test]
fn status_text_and_json_show_warnings_defanged() {
    let dir = temp_dir("outside-warnings");
    let url = serve(Mood::Warnings);
    let plan = plan(&dir, &url);
    let out = status(&dir, &plan, false);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("note: "), "{stdout}");
    assert_clean("status", &stdout, true);
    assert!(
        stdout.contains("Authorization: Bearer [redacted]"),
        "{stdout}"
    );
    assert_clean("stderr", &String::from_utf8(out.stderr).unwrap(), false);

    let out = status(&dir, &plan, true);
    let stdout = String::from_utf8(out.stdout).unwrap();
    // JSON escapes C0 characters itself: look at the values too.
    assert!(
        !stdout.contains("\\u001b") && !stdout.contains("\\n2026"),
        "{stdout}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let notes: Vec<&str> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["notes"].as_array().unwrap())
        .filter_map(|n| n.as_str())
        .collect();
    assert!(!notes.is_empty(), "{stdout}");
    assert_clean("status --json", &notes.join("\n"), true);
    assert_clean("status --json", &stdout, false);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn status_shows_errors_defanged_and_never_the_echoed_token() {
    let dir = temp_dir("outside-errors");
    let url = serve(Mood::Errors);
    let plan = plan(&dir, &url);
    for json in [false, true] {
        let out = status(&dir, &plan, json);
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert_eq!(out.status.code(), Some(3), "{stdout}");
        let errors: Vec<String> = if json {
            let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            report["sources"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["error"].as_str().map(str::to_string))
                .collect()
        } else {
            stdout
                .lines()
                .filter(|l| l.contains("FAILING"))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(errors.len(), 2, "both sources fail:\n{stdout}");
        for e in &errors {
            assert_clean("a source's error", e, true);
            assert!(e.contains("[redacted]"), "{e}");
        }
        assert_clean("status", &stdout, false);
        assert_clean("stderr", &String::from_utf8(out.stderr).unwrap(), false);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_dashboard_and_its_log_show_outside_text_defanged() {
    if !require("tmux", "-V", "outside text on screen and in the log") {
        return;
    }
    let dir = temp_dir("outside-dashboard");
    let url = serve(Mood::Mixed);
    let plan = plan(&dir, &url);
    let log = dir.join("warroom.log");
    let tmux = Tmux::start("outside", 200, 50);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} watch --plan {} --audit-log {} --log-file {} --operator carol; echo EXIT:$?",
        dir.display(),
        plan.display(),
        dir.join("audit.jsonl").display(),
        log.display()
    ));
    let screen = tmux.expect(
        "the aborted rollout's message",
        Duration::from_secs(20),
        |s| s.contains("ABORTED") && s.contains("�]52;c;"),
    );
    assert!(!screen.contains(TOKEN), "{screen}");
    // The window title is still the one tmux gave it.
    assert_ne!(tmux.pane("#{pane_title}"), "owned");
    // Wait for both sources' failures to be logged.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let failed = text.lines().filter(|l| l.contains("poll failed")).count();
        if text.contains("deploy 127.0.0.1") && text.contains("prometheus 127.0.0.1") && failed >= 2
        {
            break text;
        }
        assert!(std::time::Instant::now() < deadline, "log:\n{text}");
        std::thread::sleep(Duration::from_millis(200));
    };
    tmux.keys(&["q"]);
    tmux.expect("the dashboard to quit", Duration::from_secs(10), |s| {
        s.contains("EXIT:0")
    });
    assert_clean("the log", &text, true);
    let screen = tmux.screen();
    assert!(!screen.contains(TOKEN), "{screen}");
    let _ = std::fs::remove_dir_all(dir);
}
