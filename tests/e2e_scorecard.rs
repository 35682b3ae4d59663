//! The go / no-go scorecard end to end: `warroom watch` in a real terminal
//! (tmux) on a real `warroom sim` scraped by a real Prometheus. Items set on
//! the command line and by keys go through the audit log and survive a
//! restart; a rollback done counts as a rehearsal; killing Prometheus turns
//! "dashboards and alerts" red; with a second item red the header says NO-GO
//! and promote takes a typed reason, which is audited.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Prometheus, SimProcess, Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(30);

/// The example plan pointed at this test's Prometheus and simulator, with
/// short windows and a history file that does not exist.
fn plan(dir: &Path, prometheus: &str, sim: &str) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace("http://127.0.0.1:9090", prometheus)
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("[30s]", "[10s]")
        .replace("interval = \"2s\"", "interval = \"1s\"")
        .replace("timeout = \"1500ms\"", "timeout = \"900ms\"")
        .replace("events = \"history.ndjson\"", "events = \"none.ndjson\"");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn warroom(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

fn launch(tmux: &Tmux, plan: &Path, audit: &Path) {
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} watch --plan {} --audit-log {} --operator drill-lead; echo EXIT:$?",
        audit.parent().unwrap().display(),
        plan.display(),
        audit.display()
    ));
}

fn first_line(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

fn records(audit: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(audit)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_scorecard_goes_no_go_when_two_items_turn_red() {
    if !require("tmux", "-V", "e2e scorecard")
        || !require("prometheus", "--version", "e2e scorecard")
    {
        return;
    }
    let sim = SimProcess::start(BIN, "calm");
    let mut prometheus = Prometheus::start("scorecard", &sim.addr);
    let dir = temp_dir("e2e-scorecard");
    let plan = plan(&dir, &prometheus.url(), &sim.addr);
    let audit = dir.join("audit.jsonl");
    let (plan_arg, audit_arg) = (plan.to_str().unwrap(), audit.to_str().unwrap());

    // The items people answer, from the command line.
    for (item, note) in [
        ("baseline", "CR-4411 approved"),
        ("pilot", "beta tenants re-tested"),
        ("support", "champions on the rota"),
        ("communications", "status page drafted"),
    ] {
        let (code, out) = warroom(&[
            "scorecard",
            "set",
            "--plan",
            plan_arg,
            "--audit-log",
            audit_arg,
            "--operator",
            "pat",
            item,
            "green",
            "--note",
            note,
        ]);
        assert_eq!(code, Some(0), "{out}");
    }
    let (code, out) = warroom(&[
        "scorecard",
        "set",
        "--plan",
        plan_arg,
        "--audit-log",
        audit_arg,
        "dashboards",
        "green",
        "--note",
        "x",
    ]);
    assert_eq!(code, Some(1), "a judged item cannot be set: {out}");
    assert!(out.contains("judged from data"), "{out}");
    // Offline: no rollback on record and the sources unpolled: NO-GO.
    let show = || {
        warroom(&[
            "scorecard",
            "show",
            "--plan",
            plan_arg,
            "--audit-log",
            audit_arg,
        ])
    };
    let (code, out) = show();
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("GREEN    Communications ready"), "{out}");
    assert!(
        out.contains("RED      Incident and rollback runbooks tested"),
        "{out}"
    );

    let tmux = Tmux::start("scorecard", 160, 48);
    launch(&tmux, &plan, &audit);
    // Every source answering, one item red (no rollback yet): GO.
    let screen = tmux.expect("GO with every source answering", LONG, |s| {
        first_line(s).contains("✓ GO") && s.contains("all 2 sources fresh and answering")
    });
    assert!(screen.contains("GO, 1 of 7 not green"), "{screen}");
    assert!(screen.contains("no rollback done or rehearsed"), "{screen}");

    // A rollback of one region is a rehearsal of the runbook.
    tmux.keys(&["j", "r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back")
    });
    tmux.keys(&["Tab"]);
    tmux.expect("one region", LONG, |s| s.contains("us-east-1 only"));
    tmux.keys(&["y"]);
    tmux.expect("every item green", LONG, |s| {
        s.contains("roll back done") && s.contains("Scorecard · GO ─")
    });

    // Prometheus dies: dashboards and alerts turn red; still GO with one.
    prometheus.kill();
    tmux.expect("the dead source", LONG, |s| {
        s.contains("failing: prometheus") && first_line(s).contains("✓ GO")
    });

    // Communications turns red by keys, with a note: two red, NO-GO.
    tmux.keys(&["s"]);
    tmux.expect("the scorecard overlay", LONG, |s| {
        s.contains("(set by hand)")
    });
    tmux.keys(&["j", "j", "j", "j", "j", "j", "r"]);
    tmux.expect("the note prompt", LONG, |s| {
        s.contains("Communications ready → ✖ red · note:")
    });
    tmux.keys(&["-l", "status page withdrawn by legal"]);
    // Enter once the note is on screen, as a person would: an Enter that
    // comes with the typing (a paste) is not taken.
    tmux.expect("the typed note", LONG, |s| s.contains("withdrawn by legal"));
    tmux.keys(&["Enter"]);
    let screen = tmux.expect("NO-GO in the header", LONG, |s| {
        first_line(s).contains("✖ NO-GO")
    });
    assert!(screen.contains("NO-GO, 2 of 7 not green"), "{screen}");
    tmux.keys(&["Escape"]);

    // A colleague answers an item from another terminal, into the same log,
    // while the dashboard runs: it shows up here.
    let (code, out) = warroom(&[
        "scorecard",
        "set",
        "--plan",
        plan_arg,
        "--audit-log",
        audit_arg,
        "--operator",
        "sam",
        "support",
        "amber",
        "--note",
        "one champion short in apac",
    ]);
    assert_eq!(code, Some(0), "{out}");
    tmux.expect("the colleague's setting", LONG, |s| {
        s.contains("one champion short in apac") && s.contains("NO-GO, 3 of 7 not green")
    });

    // Promote takes a typed reason now; Enter alone does not promote.
    tmux.keys(&["P"]);
    tmux.expect("the override", LONG, |s| s.contains("NO-GO: override"));
    tmux.keys(&["Enter"]);
    tmux.expect("the demand for a reason", LONG, |s| {
        s.contains("type why the rollout goes on")
    });
    tmux.keys(&["-l", "legal cleared the fix"]);
    tmux.expect("the typed reason", LONG, |s| {
        s.contains("legal cleared the fix")
    });
    tmux.keys(&["Enter"]);
    tmux.expect("the promote", LONG, |s| s.contains("promote done"));
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));

    let all = records(&audit);
    let scorecard: Vec<&serde_json::Value> =
        all.iter().filter(|r| r["record"] == "scorecard").collect();
    assert_eq!(scorecard.len(), 6, "{all:?}");
    let last = scorecard[4];
    assert_eq!(last["item"], "communications");
    assert_eq!(last["status"], "red");
    assert_eq!(last["operator"], "drill-lead");
    assert_eq!(last["reason"], "status page withdrawn by legal");
    let promote = all
        .iter()
        .find(|r| r["record"] == "attempt" && r["action"] == "promote")
        .expect("a promote attempt");
    let reason = promote["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(
            "NO-GO override (Champions and support staffed amber, Dashboards and alerts validated red, Communications ready red)"
        ),
        "{reason}"
    );
    assert!(reason.ends_with("legal cleared the fix"), "{reason}");
    let (code, out) = warroom(&["audit", "verify", audit_arg]);
    assert_eq!(code, Some(0), "{out}");

    // A restart remembers: communications red, the rollback, and NO-GO.
    launch(&tmux, &plan, &audit);
    let screen = tmux.expect("NO-GO after a restart", LONG, |s| {
        first_line(s).contains("✖ NO-GO") && s.contains("status page withdrawn by legal")
    });
    assert!(screen.contains("last rollback"), "{screen}");
    tmux.keys(&["q"]);
    let (code, out) = show();
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("RED      Communications ready"), "{out}");
}
