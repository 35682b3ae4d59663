//! Snapshots of the screen: `S` in a running dashboard writes what the
//! terminal shows as SVG (which a real renderer draws) and as text, and
//! `warroom snapshot --plan` draws a real rollout after one poll.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Prometheus, SimProcess, Tmux, fast_simulator_plan, require, temp_dir, warroom_run};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.extension().is_some_and(|e| e == ext));
    found.sort();
    found
}

#[test]
fn s_writes_the_screen_as_it_is_and_a_renderer_draws_it() {
    if !require("tmux", "-V", "s_writes_the_screen")
        || !require("rsvg-convert", "--version", "s_writes_the_screen")
    {
        return;
    }
    let dir = temp_dir("snapshot-key");
    let snaps = dir.join("snaps");
    let tmux = Tmux::start("snapshot-key", 100, 30);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator snap --snapshots {}; echo EXIT:$?",
        dir.display(),
        snaps.display()
    ));
    tmux.expect("the dashboard", LONG, |s| s.contains("checkout-api"));
    tmux.keys(&["S"]);
    let screen = tmux.expect("the snapshot's announcement", LONG, |s| {
        s.contains("snapshot written:")
    });
    let svgs = files(&snaps, "svg");
    assert_eq!(
        svgs.len(),
        1,
        "one snapshot in {}: {svgs:?}",
        snaps.display()
    );
    let svg = &svgs[0];
    let name = svg.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("checkout-api-") && name.ends_with("Z.svg"),
        "named by service and UTC time: {name}"
    );
    // The text form is the screen: its header is what tmux shows.
    let text = std::fs::read_to_string(svg.with_extension("txt")).unwrap();
    assert_eq!(text.lines().count(), 30, "{text}");
    let header = |s: &str| {
        s.lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        header(&text),
        header(&screen),
        "text:\n{text}\nscreen:\n{screen}"
    );
    // A second press in the same second is kept beside the first.
    tmux.keys(&["S"]);
    tmux.expect("a second snapshot", LONG, |_| {
        files(&snaps, "svg").len() == 2
    });
    assert_eq!(files(&snaps, "txt").len(), 2);

    let png = dir.join("snap.png");
    let out = Command::new("rsvg-convert")
        .arg("-o")
        .arg(&png)
        .arg(svg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rsvg-convert: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"), "not a PNG");
    // 100 columns of 8.4 units, 30 rows of 17: the PNG has the screen's size.
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (840, 510));
    tmux.keys(&["q"]);
    tmux.expect("the program to exit", LONG, |s| s.contains("EXIT:0"));
}

#[test]
fn snapshot_of_a_plan_whose_sources_are_down_says_so() {
    let dir = temp_dir("snapshot-dead");
    let port = common::free_port();
    let plan = dir.join("plan.toml");
    let text = fast_simulator_plan(
        &format!("http://127.0.0.1:{port}"),
        &format!("127.0.0.1:{port}"),
    );
    std::fs::write(&plan, text).unwrap();
    let log = dir.join("audit.jsonl");
    let args = [
        "snapshot",
        "--plan",
        plan.to_str().unwrap(),
        "--audit-log",
        log.to_str().unwrap(),
        "--format",
        "text",
        "--width",
        "160",
        "--height",
        "48",
    ];
    let (code, out) = warroom_run(&args, None);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("checkout-api"), "{out}");
    assert!(
        !out.contains("GO ") || out.contains("NO-GO"),
        "never GO on dead sources:\n{out}"
    );
    assert!(out.contains("failing"), "the dead sources are said:\n{out}");
    assert!(
        !out.split_whitespace().any(|w| w == "GO" || w == "HEALTHY"),
        "never GO or healthy on dead sources:\n{out}"
    );
    // The demo's options make no sense with a plan.
    let (code, out) = warroom_run(
        &["snapshot", "--plan", plan.to_str().unwrap(), "--at", "5"],
        None,
    );
    assert_eq!(code, Some(1), "a usage error: {out}");
    assert!(out.contains("--at"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_of_a_plan_draws_the_real_rollout() {
    if !require(
        "prometheus",
        "--version",
        "snapshot_of_a_plan_draws_the_real_rollout",
    ) {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let prometheus = Prometheus::start("snapshot-plan", &sim.addr);
    let dir = temp_dir("snapshot-plan");
    let plan = dir.join("plan.toml");
    std::fs::write(&plan, fast_simulator_plan(&prometheus.url(), &sim.addr)).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while prometheus.scrapes().await < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "Prometheus never scraped the simulator:\n{}",
            prometheus.log()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let log = dir.join("audit.jsonl");
    let args: Vec<String> = vec![
        "snapshot".into(),
        "--plan".into(),
        plan.display().to_string(),
        "--audit-log".into(),
        log.display().to_string(),
        "--format".into(),
        "text".into(),
    ];
    let (code, out) = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        warroom_run(&args, None)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "{out}");
    // The simulator's rollout: its versions, a wave, every region with numbers.
    assert!(out.contains("v2.3.1") && out.contains("v2.4.0"), "{out}");
    for region in ["eu-west-1", "us-east-1"] {
        let row = out
            .lines()
            .find(|l| l.contains(region))
            .unwrap_or_else(|| panic!("no {region}:\n{out}"));
        assert!(row.contains('%'), "{region} has numbers: {row}\n{out}");
    }
}
