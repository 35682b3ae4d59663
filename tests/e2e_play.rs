//! Play never counts as real, end to end: the demo and a drill, each in a
//! real terminal (tmux), set a scorecard item and (the demo) roll back, into
//! the same audit log a real plan of the same service reads. Their records
//! carry their mode, and neither `scorecard show` nor `status` of the real
//! plan (polling a live `warroom sim`) counts them; a drill where nobody
//! acted is no rehearsal; a setting made for the real plan counts.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{SimProcess, Tmux, free_port, require, simulator_plan, temp_dir, warroom_run};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(40);

/// The simulator example for service checkout-api, its deploy source on
/// `sim`, its Prometheus on a port where nothing listens, and short stop
/// condition holds with a first wave over every region (for the drill).
fn plan(dir: &Path, sim: &str) -> PathBuf {
    let text = std::fs::read_to_string(simulator_plan())
        .unwrap()
        .replace(
            "http://127.0.0.1:9090",
            &format!("http://127.0.0.1:{}", free_port()),
        )
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("events = \"history.ndjson\"", "events = \"none.ndjson\"")
        .replace("for = \"15s\"", "for = \"2s\"")
        .replacen("regions = [\"eu-west-1\"]", "regions = \"all\"", 1);
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Set communications to green with `note` from the scorecard overlay, and
/// wait for it in the audit log.
fn set_communications_green(tmux: &Tmux, audit: &Path, note: &str) {
    tmux.keys(&["s"]);
    tmux.expect("the scorecard overlay", LONG, |s| {
        s.contains("(set by hand)")
    });
    tmux.keys(&["j", "j", "j", "j", "j", "j", "g"]);
    tmux.expect("the note prompt", LONG, |s| s.contains("✓ green · note:"));
    tmux.keys(&["-l", note]);
    tmux.expect("the typed note", LONG, |s| s.contains(note));
    tmux.keys(&["Enter"]);
    let began = std::time::Instant::now();
    while !std::fs::read_to_string(audit).is_ok_and(|t| t.contains(note)) {
        assert!(
            began.elapsed() < LONG,
            "`{note}` never reached the audit log"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.keys(&["Escape"]);
    // A key right after Escape would be read as Alt and that key.
    tmux.expect("the overlay closed", LONG, |s| !s.contains("(set by hand)"));
}

fn records(audit: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The status of an item in the real plan's scorecard, as `scorecard show`
/// prints it and as `status --json` reports it.
fn real_status(plan: &Path, audit: &Path, title: &str) -> (String, String) {
    let (plan, audit) = (plan.to_str().unwrap(), audit.to_str().unwrap());
    let (_, shown) = warroom_run(
        &["scorecard", "show", "--plan", plan, "--audit-log", audit],
        None,
    );
    let line = shown
        .lines()
        .find(|l| l.contains(title))
        .unwrap_or_else(|| panic!("no `{title}` in {shown}"));
    let word = line.split_whitespace().next().unwrap_or("").to_lowercase();
    let (_, json) = warroom_run(
        &["status", "--plan", plan, "--audit-log", audit, "--json"],
        None,
    );
    let start = json
        .find('{')
        .unwrap_or_else(|| panic!("no JSON in {json}"));
    let mut report = serde_json::Deserializer::from_str(&json[start..]).into_iter();
    let report: serde_json::Value = report.next().unwrap().unwrap();
    let items = report["scorecard"]["items"].as_array().unwrap();
    let item = items
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("no `{title}` in {report}"));
    (word, item["status"].as_str().unwrap().to_string())
}

#[test]
fn the_demo_and_drills_never_count_for_a_real_plan() {
    if !require("tmux", "-V", "e2e play") {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let dir = temp_dir("e2e-play");
    let plan = plan(&dir, &sim.addr);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("play", 140, 40);

    // The demo: an item set by keys, and a rollback that worked.
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --audit-log {} --operator demo-lead; echo EXIT:$?",
        dir.display(),
        audit.display()
    ));
    tmux.expect("the demo", LONG, |s| {
        s.lines().next().unwrap_or("").contains("DEMO") && s.contains("wave 1/4")
    });
    set_communications_green(&tmux, &audit, "demo draft approved");
    tmux.keys(&["r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back")
    });
    tmux.keys(&["y"]);
    tmux.expect("the rollback", LONG, |s| s.contains("roll back done"));
    tmux.keys(&["q"]);
    tmux.expect("the demo's exit", LONG, |s| {
        s.lines().any(|l| l == "EXIT:0")
    });
    tmux.type_line("clear");

    // A drill of the plan: an item set, the fault shown, nobody acting.
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} drill --plan {} --fault-at 1 --audit-log {} --operator drill-lead; echo EXIT:$?",
        dir.display(),
        plan.display(),
        audit.display()
    ));
    tmux.expect("the drill", LONG, |s| {
        s.lines().next().unwrap_or("").contains("DRILL")
    });
    set_communications_green(&tmux, &audit, "drill draft approved");
    tmux.expect("the fault as a breach", LONG, |s| {
        s.contains("BREACH error rate")
    });
    // q asks to end the drill, y shows the debrief, q quits.
    tmux.keys(&["q"]);
    tmux.expect("the question", LONG, |s| s.contains("End the drill of"));
    tmux.keys(&["y"]);
    tmux.expect("the debrief screen", LONG, |s| s.contains("NOT PASSED"));
    tmux.keys(&["q"]);
    let screen = tmux.expect("the debrief", LONG, |s| s.lines().any(|l| l == "EXIT:0"));
    assert!(screen.contains("not a rehearsal"), "{screen}");

    // Every record carries the mode it was made in.
    let all = records(&audit);
    let marks = |kind: &str| -> Vec<String> {
        all.iter()
            .filter(|r| r["record"] == kind)
            .map(|r| r["mode"].as_str().unwrap_or("real").to_string())
            .collect()
    };
    assert_eq!(marks("scorecard"), ["demo", "drill"], "{all:?}");
    assert!(marks("outcome").iter().all(|m| m == "demo"), "{all:?}");
    assert!(!marks("outcome").is_empty(), "{all:?}");
    let drill = all.iter().find(|r| r["record"] == "drill").unwrap();
    assert_eq!(drill["detected"], true, "{drill}");
    assert_eq!(drill["mitigated"], false, "{drill}");

    // None of it counts for the real plan of the same service.
    let (shown, polled) = real_status(&plan, &audit, "Communications ready");
    assert_eq!((shown.as_str(), polled.as_str()), ("unknown", "unknown"));
    let (shown, polled) = real_status(&plan, &audit, "Incident and rollback runbooks tested");
    assert_eq!((shown.as_str(), polled.as_str()), ("red", "red"));

    // A setting made for the real plan does.
    let (code, out) = warroom_run(
        &[
            "scorecard",
            "set",
            "--plan",
            plan.to_str().unwrap(),
            "--audit-log",
            audit.to_str().unwrap(),
            "--operator",
            "pat",
            "communications",
            "green",
            "--note",
            "status page drafted",
        ],
        None,
    );
    assert_eq!(code, Some(0), "{out}");
    let (shown, polled) = real_status(&plan, &audit, "Communications ready");
    assert_eq!((shown.as_str(), polled.as_str()), ("green", "green"));
    let (code, out) = warroom_run(&["audit", "verify", audit.to_str().unwrap()], None);
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn scorecard_show_says_its_sources_go_unpolled_and_names_items_by_title() {
    let dir = temp_dir("play-show");
    let audit = dir.join("audit.jsonl");
    let (code, out) = common::scorecard_set(&audit, "communications", "green", None);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("Communications ready (communications) set to green"),
        "{out}"
    );
    let shown = common::scorecard_show(&audit);
    let line = shown
        .lines()
        .find(|l| l.contains("Dashboards and alerts validated"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.trim_start().starts_with("UNKNOWN"), "{line}");
    assert!(
        line.contains("not polled here: metrics, deploy API"),
        "{line}"
    );
    assert!(!shown.contains("no sources"), "{shown}");
    assert!(!shown.contains("success_metrics"), "{shown}");
}
