//! The incident bridge in a real terminal: `--presenter` starts in the
//! presenter view, `b` switches, `--share` marks and hides, `z` zooms.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

#[test]
fn presenter_starts_big_switches_with_b_and_zooms_with_z() {
    if !require(
        "tmux",
        "-V",
        "presenter_starts_big_switches_with_b_and_zooms_with_z",
    ) {
        return;
    }
    let state = temp_dir("e2e-bridge");
    let tmux = Tmux::start("bridge", 100, 30);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator bridge --presenter; echo EXIT:$?",
        state.display()
    ));
    let screen = tmux.expect("the presenter view", LONG, |s| {
        s.contains('█') && s.contains("UTC") && s.contains(" local")
    });
    assert!(header(&screen).contains("SHARE"), "{screen}");
    assert!(screen.contains("b dashboard"), "{screen}");
    tmux.keys(&["b"]);
    let screen = tmux.expect("the dashboard", LONG, |s| s.contains("Health · region"));
    assert!(!screen.contains('█'), "{screen}");
    assert!(
        !header(&screen).contains("SHARE"),
        "not shared without --share\n{screen}"
    );
    // Tab shows the focus, Tab moves it to the waves; z zooms them.
    tmux.keys(&["Tab", "Tab", "z"]);
    let screen = tmux.expect("the zoomed waves", LONG, |s| s.contains("┌ Waves"));
    assert!(!screen.contains("Health · region"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.expect("the dashboard again", LONG, |s| {
        s.contains("Health · region")
    });
    tmux.keys(&["q"]);
    let screen = tmux.expect("the exit", LONG, |s| s.contains("EXIT:0"));
    assert!(screen.contains("EXIT:0"), "{screen}");
}

#[test]
fn share_marks_the_dashboard() {
    if !require("tmux", "-V", "share_marks_the_dashboard") {
        return;
    }
    let state = temp_dir("e2e-share");
    let tmux = Tmux::start("share", 120, 40);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator share --share; echo EXIT:$?",
        state.display()
    ));
    let screen = tmux.expect("the shared dashboard", LONG, |s| {
        s.contains("Health · region")
    });
    assert!(header(&screen).contains("SHARE"), "{screen}");
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.contains("EXIT:0"));
}
