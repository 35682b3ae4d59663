//! A paste never acts: `warroom watch` in a real terminal (tmux) on a real
//! `warroom sim`. Pasting `ready` (which typed is `r` then `y`: roll back
//! every region) or `pp` (pause) sends nothing to the deploy API and writes
//! nothing to the audit log, whether the terminal brackets the paste or
//! hands it over as a burst of keys; in a scorecard note a paste is text.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{SimProcess, Tmux, free_port, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(30);

/// The example plan on this test's simulator, with metrics from a port
/// where nothing listens (the deploy API is what this test watches).
fn plan(dir: &Path, sim: &str) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace(
            "http://127.0.0.1:9090",
            &format!("http://127.0.0.1:{}", free_port()),
        )
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("events = \"history.ndjson\"", "events = \"none.ndjson\"");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `GET path` on the simulator, the body as JSON.
fn get(addr: &str, path: &str) -> serde_json::Value {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// What an action would change: the rollout's phase and each region's own.
fn acted_on(rollout: &serde_json::Value) -> (String, Vec<String>) {
    let phase = rollout["phase"].as_str().unwrap_or_default().to_string();
    let regions = rollout["regions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| format!("{} {}", r["region"], r["phase"]))
        .collect();
    (phase, regions)
}

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

#[test]
fn pasted_action_keys_send_nothing_and_a_note_takes_a_paste() {
    if !require("tmux", "-V", "e2e paste") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let dir = temp_dir("e2e-paste");
    let plan = plan(&dir, &sim.addr);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("paste", 120, 34);
    // `cat -v` after the dashboard shows whether it left bracketed paste on.
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} watch --plan {} --audit-log {} --operator paste-e2e; echo EXIT:$?; cat -v",
        dir.display(),
        plan.display(),
        audit.display()
    ));
    tmux.expect("the dashboard with the deploy state", LONG, |s| {
        header(s).contains("PROGRESSING") && s.contains("eu-west-1")
    });
    let before = acted_on(&get(&sim.addr, "/api/v1/rollout"));
    assert_eq!(before.0, "progressing");

    // Bracketed: the paste is one event, and it is ignored.
    for text in ["ready", "pp"] {
        tmux.keys(&["Escape"]);
        tmux.expect("the notice cleared", LONG, |s| !s.contains("paste ignored"));
        tmux.paste(text);
        let screen = tmux.expect("the paste ignored", LONG, |s| {
            s.contains("paste ignored: keys act only when typed")
        });
        assert!(!screen.contains("Confirm:"), "{text}: {screen}");
    }

    // Unbracketed, as a terminal without bracketed paste sends it: the keys
    // arrive in one burst, and none confirms what another opened.
    for (text, held) in [("ready", "y not taken"), ("pp", "p not taken")] {
        tmux.keys(&["-l", text]);
        tmux.expect("the confirming key held back", LONG, |s| s.contains(held));
        tmux.keys(&["Escape"]);
        tmux.expect("the confirmation cancelled", LONG, |s| {
            !s.contains("Confirm:")
        });
    }

    // The deploy source polls every second: give an action time to show.
    std::thread::sleep(Duration::from_secs(3));
    let after = acted_on(&get(&sim.addr, "/api/v1/rollout"));
    assert_eq!(after, before, "the pastes acted on the rollout");
    let truth = get(&sim.addr, "/sim/truth");
    assert!(
        !truth.to_string().contains("rolled_back"),
        "the simulator rolled back: {truth}"
    );
    let log = std::fs::read_to_string(&audit).unwrap_or_default();
    assert!(
        !log.contains("\"attempt\""),
        "an action was attempted: {log}"
    );

    // In a scorecard note, a paste is text: newlines folded, typed in.
    tmux.keys(&["s"]);
    tmux.expect("the scorecard", LONG, |s| s.contains("(set by hand)"));
    tmux.keys(&["j", "j", "j", "j", "j", "j"]);
    tmux.keys(&["r"]);
    tmux.expect("the note prompt", LONG, |s| {
        s.contains("Communications ready → ✖ red · note:")
    });
    tmux.paste("status page\nwithdrawn by legal");
    tmux.expect("the pasted note", LONG, |s| {
        s.contains("note: status page withdrawn by legal")
    });
    tmux.keys(&["Escape"]);
    tmux.keys(&["Escape"]);
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));

    // Bracketed paste was turned off on the way out: `cat -v` gets the
    // pasted text with no markers around it.
    tmux.paste("after-exit");
    let screen = tmux.expect("the paste in cat", LONG, |s| s.contains("after-exit"));
    assert!(
        !screen.contains("[200~"),
        "bracketed paste left on after exit:\n{screen}"
    );
    tmux.keys(&["C-c"]);
    let log = std::fs::read_to_string(&audit).unwrap_or_default();
    assert!(!log.contains("\"attempt\""), "{log}");
}
