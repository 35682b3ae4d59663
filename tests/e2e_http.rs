//! `warroom watch` in a real terminal (tmux) driving a real `warroom sim`
//! through the deploy API over HTTP: the keys pause the simulator, the audit
//! log records attempt and outcome, `warroom audit verify` passes, and fails
//! naming the record once one byte is changed.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{SimProcess, Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

/// GET `path` from `addr` over plain HTTP/1.1; the body.
fn get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response.split("\r\n\r\n").nth(1).unwrap_or("").to_string()
}

/// The example plan pointed at the simulator for deployments; metrics at an
/// address with no Prometheus, which must not get in the way of actions.
fn plan(dir: &Path, sim: &str) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("http://127.0.0.1:9090", &format!("http://{sim}"))
        .replace("events = \"history.ndjson\"", "events = \"none.ndjson\"");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn verify(audit: &Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(BIN)
        .args(["audit", "verify", audit.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn launch(tmux: &Tmux, plan: &Path, audit: &Path, who: &str, extra: &str) {
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} watch --plan {} --audit-log {} --operator {who} {extra}; echo EXIT:$?",
        audit.parent().unwrap().display(),
        plan.display(),
        audit.display()
    ));
}

#[test]
fn pause_over_the_deploy_api_is_audited_and_the_chain_verifies() {
    if !require("tmux", "-V", "e2e http pause") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let dir = temp_dir("e2e-http");
    let plan = plan(&dir, &sim.addr);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("http", 140, 40);
    launch(&tmux, &plan, &audit, "e2e-http", "");
    let screen = tmux.expect("the live dashboard", LONG, |s| {
        s.contains("LIVE") && s.contains("PROGRESSING")
    });
    assert!(screen.lines().next().unwrap_or("").contains("checkout-api"));
    // The metrics source has no Prometheus behind it: shown as failing, keys still work.
    tmux.expect("the failing metrics source", LONG, |s| {
        s.contains("prometheus 127.0.0.1") && s.contains("failing")
    });

    tmux.keys(&["p"]);
    tmux.expect("the confirmation", LONG, |s| s.contains("Confirm: pause"));
    tmux.keys(&["p"]);
    tmux.expect("PAUSED and the outcome", LONG, |s| {
        s.lines().next().unwrap_or("").contains("PAUSED") && s.contains("pause done")
    });
    let state = get(&sim.addr, "/api/v1/rollout");
    assert!(
        state.contains(r#""phase":"paused""#),
        "the simulator is not paused: {state}"
    );

    let text = std::fs::read_to_string(&audit).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert_eq!(records[0]["record"], "attempt");
    assert_eq!(records[0]["operator"], "e2e-http");
    assert_eq!(records[1]["record"], "outcome");
    assert_eq!(records[1]["result"], "ok");
    assert!(
        records.iter().all(|r| r.get("mode").is_none()),
        "a live action is not marked as the demo's"
    );
    assert!(
        !text.to_lowercase().contains("bearer"),
        "no credential in the audit log"
    );
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));

    let (code, out) = verify(&audit);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("intact, 2 records"), "{out}");

    // One byte changed in the first record.
    let edited = text.replacen("e2e-http", "e2e-hxtp", 1);
    std::fs::write(&audit, edited).unwrap();
    let (code, out) = verify(&audit);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains(":1: BROKEN: record on line 1"), "{out}");
}

#[test]
fn read_only_refuses_the_key_and_sends_nothing() {
    if !require("tmux", "-V", "e2e http read-only") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let dir = temp_dir("e2e-http-ro");
    let plan = plan(&dir, &sim.addr);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("http-ro", 140, 40);
    launch(&tmux, &plan, &audit, "e2e-http-ro", "--read-only");
    tmux.expect("the live dashboard", LONG, |s| {
        s.contains("READ-ONLY") && s.contains("PROGRESSING")
    });
    tmux.keys(&["p"]);
    tmux.expect("the refusal", LONG, |s| {
        s.contains("read-only: actions are disabled")
    });
    tmux.keys(&["p"]);
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));
    let state = get(&sim.addr, "/api/v1/rollout");
    assert!(state.contains(r#""phase":"progressing""#), "{state}");
    assert_eq!(
        std::fs::read_to_string(&audit).unwrap_or_default(),
        "",
        "nothing was audited"
    );
}

#[test]
fn a_region_rolled_back_on_its_own_over_the_deploy_api() {
    if !require("tmux", "-V", "e2e http region rollback") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let dir = temp_dir("e2e-http-region");
    let plan = plan(&dir, &sim.addr);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("http-region", 140, 40);
    launch(&tmux, &plan, &audit, "e2e-region", "");
    tmux.expect("the live dashboard", LONG, |s| {
        s.contains("LIVE") && s.contains("PROGRESSING")
    });
    tmux.keys(&["j", "r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back") && s.contains("all 4 regions")
    });
    tmux.keys(&["Tab"]);
    tmux.expect("the confirmation narrowed to one region", LONG, |s| {
        s.contains("us-east-1 only") && s.contains("All traffic in us-east-1 goes back")
    });
    tmux.keys(&["y"]);
    tmux.expect("the outcome", LONG, |s| s.contains("roll back done"));
    let state: serde_json::Value =
        serde_json::from_str(&get(&sim.addr, "/api/v1/rollout")).unwrap();
    assert_eq!(state["phase"], "progressing", "{state}");
    let regions = state["regions"].as_array().unwrap();
    for r in regions {
        let expected = if r["region"] == "us-east-1" {
            serde_json::json!("rolled_back")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(r["phase"], expected, "{state}");
    }
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));
    let text = std::fs::read_to_string(&audit).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{text}");
    assert!(records.iter().all(|r| r["scope"] == "us-east-1"), "{text}");
    assert_eq!(records[1]["result"], "ok", "{text}");
}
