//! `warroom replay` as people run it: the asciicast it writes is valid v2
//! and plays in asciinema; the Markdown timeline; a journal cut mid-line;
//! and a recorded `watch` whose secrets never enter the journal.

// Test support: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

fn warroom(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("NO_COLOR", "")
        .output()
        .unwrap()
}

/// A journal of the demo's first `seconds`, fault and breach included.
fn demo_journal(name: &str, seconds: i64) -> std::path::PathBuf {
    let dir = common::temp_dir(name);
    let path = dir.join("demo.jsonl");
    warroom::runtime::replay::sample::demo_journal(&path, seconds, 42).unwrap();
    path
}

#[test]
fn the_cast_is_asciicast_v2_and_asciinema_plays_it() {
    let journal = demo_journal("replay-cast", 120);
    let cast = journal.with_file_name("demo.cast");
    let out = warroom(&[
        "replay",
        journal.to_str().unwrap(),
        "--export",
        "cast",
        "-o",
        cast.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&cast).unwrap();
    let mut lines = text.lines();
    let header: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!(
        (header["width"].as_u64(), header["height"].as_u64()),
        (Some(120), Some(40))
    );
    assert!(header["timestamp"].as_i64().unwrap() > 1_700_000_000);
    let mut last = 0.0;
    let mut frames = 0;
    let mut all = String::new();
    for line in lines {
        let event: Value = serde_json::from_str(line).unwrap();
        let t = event[0].as_f64().unwrap();
        assert!(t >= last, "time went back: {t} after {last}");
        assert_eq!(event[1], "o");
        all.push_str(event[2].as_str().unwrap());
        last = t;
        frames += 1;
    }
    assert!(frames > 50, "{frames} frames");
    assert!((110.0..=120.0).contains(&last), "the last frame at {last}s");
    assert!(
        all.contains("checkout-api") && all.contains("BREACH"),
        "the screen in the cast"
    );
    if !common::require(
        "asciinema",
        "--version",
        "the_cast_is_asciicast_v2_and_asciinema_plays_it",
    ) {
        return;
    }
    // Headless: played at 1000× with idle gaps cut, into a pipe.
    let played = Command::new("asciinema")
        .args(["play", "-s", "1000", "-i", "0.01", cast.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        played.status.success(),
        "{}",
        String::from_utf8_lossy(&played.stderr)
    );
    let shown = String::from_utf8_lossy(&played.stdout);
    assert!(shown.contains("checkout-api"), "asciinema played nothing");
}

#[test]
fn the_markdown_is_the_sessions_timeline() {
    let journal = demo_journal("replay-md", 120);
    let out = warroom(&["replay", journal.to_str().unwrap(), "--export", "md"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("## Timeline of checkout-api\n"), "{md}");
    assert!(md.contains("| time (UTC) | kind | what |"), "{md}");
    let breach = md
        .lines()
        .find(|l| l.contains("| breach |"))
        .expect("a breach row");
    assert!(breach.starts_with("| 2026-03-14 09:0"), "{breach}");
}

#[test]
fn a_journal_cut_mid_line_replays_to_its_last_whole_line() {
    let journal = demo_journal("replay-torn", 60);
    let text = std::fs::read_to_string(&journal).unwrap();
    let whole = text.lines().count();
    std::fs::write(&journal, &text[..text.len() - 40]).unwrap();
    let out = warroom(&["replay", journal.to_str().unwrap(), "--export", "cast"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut short"), "{err}");
    // Replayed to the line before: the last poll's time is still 59 s in.
    let cast = String::from_utf8(out.stdout).unwrap();
    let last: Value = serde_json::from_str(cast.lines().last().unwrap()).unwrap();
    assert!(last[0].as_f64().unwrap() <= 60.0);
    assert!(whole > 100);
}

#[test]
fn a_recorded_watch_keeps_no_secret_in_its_journal() {
    if !common::require(
        "tmux",
        "-V",
        "a_recorded_watch_keeps_no_secret_in_its_journal",
    ) {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_warroom");
    let sim = common::SimProcess::start(bin, "calm");
    let dir = common::temp_dir("replay-secrets");
    let closed = common::free_port();
    let plan = common::fast_simulator_plan(&format!("http://127.0.0.1:{closed}"), &sim.addr)
        .replace("[sources.history]\nevents = \"history.ndjson\"\n", "")
        + "\n[sources.deploy.auth]\nbearer_token_env = \"WR_DEPLOY_TOKEN\"\n"
        + "\n[[notify]]\nname = \"ops\"\nkind = \"slack\"\nurl_env = \"WR_SLACK_URL\"\n\n\
           [[notify]]\nname = \"oncall\"\nkind = \"pagerduty\"\nrouting_key_env = \"WR_PD_KEY\"\nendpoint = \"http://127.0.0.1:1\"\n";
    let plan_path = dir.join("plan.toml");
    std::fs::write(&plan_path, plan).unwrap();
    let journal = dir.join("watch.jsonl");
    let tmux = common::Tmux::start("replay-secrets", 120, 40);
    tmux.type_line(&format!(
        "WR_DEPLOY_TOKEN=tok3nS3cr3t WR_SLACK_URL=http://127.0.0.1:1/services/h00kS3cr3t WR_PD_KEY=pdK3yS3cr3t XDG_STATE_HOME={} {bin} watch --plan {} --record {}",
        dir.display(),
        plan_path.display(),
        journal.display()
    ));
    tmux.expect("the dashboard", Duration::from_secs(20), |s| {
        s.contains("checkout-api")
    });
    std::thread::sleep(Duration::from_secs(2));
    tmux.keys(&["p"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["p"]);
    std::thread::sleep(Duration::from_secs(3));
    tmux.keys(&["q"]);
    let after = tmux.expect("the journal's path", Duration::from_secs(10), |s| {
        s.contains("session recorded in")
    });
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.lines().count() > 5, "{after}\n{text}");
    assert!(text.contains("\"kind\":\"watch\""), "{text}");
    assert!(
        text.contains("ActionDone"),
        "the pause's outcome is journaled"
    );
    for secret in ["tok3nS3cr3t", "h00kS3cr3t", "pdK3yS3cr3t"] {
        assert!(!text.contains(secret), "{secret} in the journal");
    }
    // And it replays.
    let md = warroom(&["replay", journal.to_str().unwrap(), "--export", "md"]);
    assert!(
        md.status.success(),
        "{}",
        String::from_utf8_lossy(&md.stderr)
    );
    assert!(String::from_utf8_lossy(&md.stdout).contains("pause"));
}
