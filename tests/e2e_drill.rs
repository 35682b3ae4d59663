//! A tabletop drill end to end in a real terminal (tmux): a plan rehearsed on
//! the embedded simulator, marked DRILL; the fault shows as a breach, the
//! operator rolls back, and q, then y, ends it with a graded debrief on
//! screen, written as Markdown and printed. The audit log marks every record as the drill's and ends with
//! the debrief, which the scorecard counts as a rehearsal.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(40);

/// The simulator example with short holds on its stop conditions and a first
/// wave over every region, so the fault shows within seconds.
fn plan(dir: &Path) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace("for = \"15s\"", "for = \"2s\"")
        .replacen("regions = [\"eu-west-1\"]", "regions = \"all\"", 1);
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_drill_ends_with_a_debrief_on_record() {
    if !require("tmux", "-V", "e2e drill") {
        return;
    }
    let dir = temp_dir("e2e-drill");
    let plan = plan(&dir);
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("drill", 140, 40);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} drill --plan {} --fault-at 1 --audit-log {} --operator drill-lead; echo EXIT:$?",
        dir.display(),
        plan.display(),
        audit.display()
    ));
    let screen = tmux.expect("the drill", LONG, |s| {
        s.lines().next().unwrap_or("").contains("DRILL")
    });
    assert!(screen.contains("checkout-api"), "{screen}");
    tmux.expect("the fault as a breach", LONG, |s| {
        s.contains("BREACH error rate") && s.contains("in eu-west-1")
    });
    tmux.keys(&["r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back")
    });
    tmux.keys(&["y"]);
    tmux.expect("the rollback", LONG, |s| s.contains("roll back done"));
    // q asks whether to end the drill; yes shows its graded debrief.
    tmux.keys(&["q"]);
    tmux.expect("the question", LONG, |s| s.contains("End the drill of"));
    tmux.keys(&["y"]);
    let screen = tmux.expect("the debrief screen", LONG, |s| s.contains("Drill debrief"));
    assert!(screen.contains("PASSED"), "{screen}");
    assert!(screen.contains("drill length"), "{screen}");
    tmux.keys(&["q"]);
    let screen = tmux.expect("the debrief", LONG, |s| s.lines().any(|l| l == "EXIT:0"));
    assert!(screen.contains("drill debrief: PASSED"), "{screen}");
    let line = screen
        .lines()
        .find(|l| l.trim_start().starts_with("regression: signal"))
        .unwrap_or_default();
    assert!(
        line.contains("mitigated") && !line.contains("mitigated —"),
        "{screen}"
    );
    assert!(
        screen.contains("the scorecard counts it as a rehearsal"),
        "{screen}"
    );
    // The debrief, written as Markdown under the state dir.
    let drills = dir.join("warroom/drills");
    let written: Vec<PathBuf> = std::fs::read_dir(&drills)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("checkout-api-") && name.ends_with("Z.md"),
        "{name}"
    );
    assert!(screen.contains("debrief written to "), "{screen}");
    let md = std::fs::read_to_string(&written[0]).unwrap();
    assert!(md.contains("## Action items"), "{md}");
    assert!(md.contains("- Result: **PASSED**"), "{md}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&written[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    let text = std::fs::read_to_string(&audit).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(records.iter().all(|r| r["mode"] == "drill"), "{text}");
    let last = records.last().unwrap();
    assert_eq!(last["record"], "drill");
    assert_eq!(last["target"], "checkout-api");
    assert_eq!(last["detected"], true, "{text}");
    assert_eq!(last["mitigated"], true, "{text}");
    assert_eq!(last["passed"], true, "{text}");
    assert!(
        last["detail"]
            .as_str()
            .unwrap_or_default()
            .starts_with("time to detect "),
        "{text}"
    );
    let verify = std::process::Command::new(BIN)
        .args(["audit", "verify", audit.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0));

    // The scorecard counts the drill as a rehearsal of the runbook.
    let show = std::process::Command::new(BIN)
        .args(["scorecard", "show", "--plan", plan.to_str().unwrap()])
        .args(["--audit-log", audit.to_str().unwrap()])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&show.stdout);
    assert!(
        out.lines().any(
            |l| l.starts_with("  GREEN    Incident and rollback runbooks tested")
                && l.contains("last rollback or drill")
        ),
        "{out}"
    );
}
