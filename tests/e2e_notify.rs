//! Notifications end to end in a real terminal (tmux): a drill asked to
//! notify (`--notify`) posts each breach and action to a webhook on
//! loopback, every message marked as a drill; the sources panel names the
//! receiver, never its URL; the audit log and the log file record each
//! delivery and hold no secret.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(40);
const SECRET: &str = "hooks/T0/B0/e2eS3cr3tPath";

/// A webhook on loopback that answers 200 and keeps every JSON body.
fn webhook() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 8192];
            let body = loop {
                let Ok(n) = conn.read(&mut chunk) else {
                    break None;
                };
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                let Some(end) = text.find("\r\n\r\n") else {
                    continue;
                };
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    break serde_json::from_slice(&buf[end + 4..end + 4 + length]).ok();
                }
            };
            if let Some(b) = body {
                kept.lock().unwrap().push(b);
            }
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (addr, bodies)
}

/// The simulator example with short holds, a first wave over every region
/// and a webhook receiver whose URL is in a file.
fn plan(dir: &Path, addr: &str) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    std::fs::write(dir.join("hook.url"), format!("http://{addr}/{SECRET}\n")).unwrap();
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace("for = \"15s\"", "for = \"2s\"")
        .replacen("regions = [\"eu-west-1\"]", "regions = \"all\"", 1);
    let text = format!(
        "{text}\n[[notify]]\nname = \"incident-bus\"\nkind = \"webhook\"\nurl_file = \"hook.url\"\n"
    );
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_drill_asked_to_notify_posts_its_breach_and_actions_marked_as_a_drill() {
    if !require("tmux", "-V", "e2e notify") {
        return;
    }
    let dir = temp_dir("e2e-notify");
    let (addr, bodies) = webhook();
    let plan = plan(&dir, &addr);
    let (audit, log) = (dir.join("audit.jsonl"), dir.join("warroom.log"));
    let tmux = Tmux::start("notify", 160, 48);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} drill --plan {} --notify --fault-at 1 --audit-log {} --log-file {} --operator drill-lead; echo EXIT:$?",
        dir.display(),
        plan.display(),
        audit.display(),
        log.display()
    ));
    tmux.expect("the drill", LONG, |s| {
        s.lines().next().unwrap_or("").contains("DRILL")
    });
    let screen = tmux.expect("the breach delivered", LONG, |s| {
        s.contains("webhook incident-bus ok · breach delivered")
    });
    assert!(
        !screen.contains(SECRET) && !screen.contains(&addr),
        "{screen}"
    );
    tmux.keys(&["r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back")
    });
    tmux.keys(&["y"]);
    tmux.expect("the rollback told", LONG, |s| {
        s.contains("incident-bus ok · action-done delivered")
    });
    // q asks to end the drill, y shows the debrief, q quits.
    tmux.keys(&["q"]);
    tmux.expect("the question", LONG, |s| s.contains("End the drill of"));
    tmux.keys(&["y"]);
    tmux.expect("the debrief screen", LONG, |s| s.contains("Drill debrief"));
    tmux.keys(&["q"]);
    tmux.expect("the end", LONG, |s| s.lines().any(|l| l == "EXIT:0"));

    let bodies = bodies.lock().unwrap().clone();
    let events: Vec<&str> = bodies.iter().filter_map(|b| b["event"].as_str()).collect();
    // Each stop condition in breach is told once (how many breach before
    // the rollback depends on the machine's pace), and each recovers once
    // under the same key.
    let keys = |event: &str| -> Vec<String> {
        let mut k: Vec<String> = bodies
            .iter()
            .filter(|b| b["event"] == event)
            .filter_map(|b| b["dedup_key"].as_str().map(str::to_string))
            .collect();
        k.sort();
        k
    };
    let breaches = keys("breach");
    assert!(!breaches.is_empty(), "{events:?}");
    let mut unique = breaches.clone();
    unique.dedup();
    assert_eq!(unique, breaches, "a breach told twice: {events:?}");
    assert_eq!(keys("recovery"), breaches, "{events:?}");
    assert!(
        events.contains(&"action-asked") && events.contains(&"action-done"),
        "{events:?}"
    );
    for b in &bodies {
        assert_eq!(b["drill"], true, "{b}");
        assert!(b["text"].as_str().unwrap().starts_with("[DRILL] "), "{b}");
    }
    let audit_text = std::fs::read_to_string(&audit).unwrap();
    let records: Vec<serde_json::Value> = audit_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|r: &serde_json::Value| r["record"] == "notification")
        .collect();
    assert_eq!(records.len(), bodies.len(), "{audit_text}");
    assert!(
        records
            .iter()
            .all(|r| r["mode"] == "drill" && r["receiver"] == "incident-bus")
    );
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("notification delivered"), "{log_text}");
    for text in [&audit_text, &log_text] {
        assert!(
            !text.contains(SECRET) && !text.contains(&addr),
            "a secret on record"
        );
    }
}
