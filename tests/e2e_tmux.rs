//! The real binary in a real terminal: tmux runs it, send-keys types, and
//! capture-pane reads the screen.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

/// Start warroom in the pane, as operator `who` (unique per test, so one
/// test's signals never reach another's process).
fn launch(tmux: &Tmux, state: &Path, who: &str, extra: &str) {
    tmux.type_line("clear; echo SHELL-BEFORE");
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator {who} {extra}; echo EXIT:$?",
        state.display()
    ));
}

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// `hold 31s left (frozen)` → 31.
fn hold_left(screen: &str) -> Option<u32> {
    let after = header(screen).split("hold ").nth(1)?;
    after.split('s').next()?.trim().parse().ok()
}

/// The terminal is back as it was: main screen, the shell's output visible,
/// and the line discipline cooked (canonical mode and echo on).
fn assert_restored(tmux: &Tmux) {
    let status = |s: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix("EXIT:"))
            .map(str::to_string)
    };
    let screen = tmux.expect("the program to exit", LONG, |s| {
        status(s).is_some_and(|c| c != "$?")
    });
    assert_eq!(
        status(&screen).as_deref(),
        Some("0"),
        "exit status was not 0:\n{screen}"
    );
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert!(
        screen.contains("SHELL-BEFORE"),
        "the shell's screen was not restored:\n{screen}"
    );
    assert!(
        !screen.contains("Health ·"),
        "the dashboard is still drawn:\n{screen}"
    );
    tmux.type_line(
        "stty -a | tr ' ' '\\n' | grep -E -x -- '-?(icanon|echo)' | tr '\\n' ' '; echo STTY-DONE",
    );
    let screen = tmux.expect("stty", LONG, |s| {
        s.contains("STTY-DONE\n") || s.lines().any(|l| l == "STTY-DONE")
    });
    let stty = screen
        .lines()
        .rev()
        .find(|l| l.contains("icanon"))
        .unwrap_or("");
    assert!(
        stty.contains("icanon") && !stty.contains("-icanon"),
        "raw mode left on: {stty}"
    );
    assert!(
        stty.split_whitespace().any(|w| w == "echo"),
        "echo left off: {stty}"
    );
}

#[test]
fn pause_from_the_keyboard_pauses_the_simulator_and_quit_restores_the_terminal() {
    if !require("tmux", "-V", "e2e pause") {
        return;
    }
    let state = temp_dir("e2e-pause");
    let tmux = Tmux::start("pause", 100, 30);
    launch(&tmux, &state, "e2e", "");
    tmux.expect("the dashboard", LONG, |s| {
        header(s).contains("PROGRESSING") && s.contains("eu-west-1")
    });

    tmux.keys(&["p"]);
    let modal = tmux.expect("the pause confirmation", LONG, |s| {
        s.contains("Confirm: pause")
    });
    assert!(
        modal.contains("checkout-api v2.3.1 → v2.4.0"),
        "the modal must name the target:\n{modal}"
    );
    tmux.keys(&["p"]);
    // The simulator's report and the action's outcome arrive separately.
    let paused = tmux.expect("PAUSED in the header and the outcome", LONG, |s| {
        header(s).contains("PAUSED") && s.contains("pause done")
    });

    // The simulator's own state changed: its hold clock stands still while
    // the screen's clock moves on.
    let frozen = hold_left(&paused).unwrap_or_else(|| panic!("no hold in the header:\n{paused}"));
    let clock = |s: &str| {
        s.lines()
            .nth(1)
            .and_then(|l| l.split_whitespace().rev().nth(1))
            .map(str::to_string)
    };
    let then = clock(&paused);
    let later = tmux.expect("the clock to move on 2 s", LONG, |s| {
        clock(s) != then && hold_left(s).is_some() && {
            let t = |c: Option<String>| {
                c.and_then(|c| {
                    let p: Vec<u32> = c.split(':').filter_map(|x| x.parse().ok()).collect();
                    (p.len() == 3).then(|| p[0] * 3600 + p[1] * 60 + p[2])
                })
            };
            t(clock(s))
                .zip(t(then.clone()))
                .is_some_and(|(a, b)| a >= b + 2)
        }
    });
    assert_eq!(
        hold_left(&later),
        Some(frozen),
        "the hold ran on while paused:\n{later}"
    );
    assert!(header(&later).contains("PAUSED"));

    let audit = std::fs::read_to_string(state.join("warroom/audit.jsonl")).unwrap_or_default();
    let records: Vec<serde_json::Value> = audit
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(records.len(), 2, "{audit}");
    assert_eq!(records[0]["record"], "attempt");
    assert_eq!(records[0]["operator"], "e2e");
    assert_eq!(records[1]["record"], "outcome");
    assert_eq!(records[1]["result"], "ok");
    // The demo touches only the simulator, and its records say so.
    assert!(records.iter().all(|r| r["mode"] == "demo"), "{audit}");

    tmux.keys(&["q"]);
    assert_restored(&tmux);
    let log = std::fs::read_to_string(state.join("warroom/warroom.log")).unwrap_or_default();
    assert!(
        log.contains("dashboard closed"),
        "logs go to the file: {log}"
    );
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    if !require("tmux", "-V", "e2e ctrl-c") {
        return;
    }
    let state = temp_dir("e2e-ctrlc");
    let tmux = Tmux::start("ctrlc", 90, 28);
    launch(&tmux, &state, "e2e-ctrlc", "");
    tmux.expect("the dashboard", LONG, |s| s.contains("eu-west-1"));
    tmux.keys(&["r"]);
    tmux.expect("the rollback confirmation", LONG, |s| {
        s.contains("Confirm: roll back")
    });
    tmux.keys(&["C-c"]);
    assert_restored(&tmux);
}

#[test]
fn sigterm_restores_the_terminal() {
    if !require("tmux", "-V", "e2e sigterm") {
        return;
    }
    let state = temp_dir("e2e-term");
    let tmux = Tmux::start("term", 90, 28);
    launch(&tmux, &state, "e2e-sigterm", "");
    tmux.expect("the dashboard", LONG, |s| s.contains("eu-west-1"));
    let killed = std::process::Command::new("pkill")
        .args(["-TERM", "-f", &format!("^{BIN} --operator e2e-sigterm")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(killed, "pkill found no warroom process");
    assert_restored(&tmux);
}

#[test]
fn read_only_refuses_the_action_keys() {
    if !require("tmux", "-V", "e2e read-only") {
        return;
    }
    let state = temp_dir("e2e-ro");
    let tmux = Tmux::start("ro", 100, 30);
    launch(&tmux, &state, "e2e-ro", "--read-only");
    let screen = tmux.expect("the dashboard", LONG, |s| header(s).contains("PROGRESSING"));
    assert!(
        header(&screen).contains("READ-ONLY"),
        "no READ-ONLY badge:\n{screen}"
    );
    assert!(
        !screen.contains("p pause"),
        "the footer offers actions in read-only mode:\n{screen}"
    );
    tmux.keys(&["p"]);
    let refused = tmux.expect("the refusal", LONG, |s| {
        s.contains("read-only: actions are disabled")
    });
    assert!(!refused.contains("Confirm:"), "{refused}");
    tmux.keys(&["q"]);
    assert_restored(&tmux);
    assert!(
        !state.join("warroom/audit.jsonl").exists()
            || std::fs::read_to_string(state.join("warroom/audit.jsonl"))
                .unwrap_or_default()
                .is_empty()
    );
}

#[test]
fn resizing_to_too_small_and_back() {
    if !require("tmux", "-V", "e2e resize") {
        return;
    }
    let state = temp_dir("e2e-resize");
    let tmux = Tmux::start("resize", 100, 30);
    launch(&tmux, &state, "e2e-resize", "");
    tmux.expect("the dashboard", LONG, |s| s.contains("eu-west-1"));
    tmux.resize(50, 12);
    tmux.expect("the too-small screen", LONG, |s| {
        s.contains("Terminal too small") && s.contains("50×12")
    });
    tmux.resize(160, 48);
    // The wide layout's panels, the demo's delivery history and scorecard included.
    tmux.expect("the wide dashboard", LONG, |s| {
        s.contains("Timeline")
            && s.contains("┌ Waves")
            && s.contains("change failure rate")
            && s.contains("Scorecard · ")
    });
    tmux.keys(&["q"]);
    assert_restored(&tmux);
}

#[test]
fn without_a_terminal_the_dashboard_says_what_to_do() {
    let state = temp_dir("e2e-notty");
    let out = std::process::Command::new(BIN)
        .env("XDG_STATE_HOME", &state)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs a terminal") && err.contains("snapshot"),
        "{err}"
    );
}
