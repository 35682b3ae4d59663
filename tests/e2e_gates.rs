//! Gates that gate, in a real terminal: the untouched demo holds wave 2 at
//! its gate while us-east-1 is in breach, and the timeline says why.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// The health matrix's row of `region` says BREACH.
fn in_breach(screen: &str, region: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(&format!(" {region} ")) && l.contains("BREACH"))
}

#[test]
fn the_untouched_demo_never_goes_past_a_blocked_gate() {
    if !require("tmux", "-V", "e2e gates") {
        return;
    }
    let state = temp_dir("e2e-gates");
    let tmux = Tmux::start("gates", 160, 48);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator gates; echo EXIT:$?",
        state.display()
    ));
    // The fault starts 50 s in; wave 2's hold ends at 75 s.
    let deadline = Instant::now() + Duration::from_secs(150);
    let mut held = None;
    while Instant::now() < deadline {
        let screen = tmux.screen();
        let top = header(&screen);
        assert!(
            !(top.contains("wave 3/4") || top.contains("wave 4/4") || top.contains("COMPLETE")),
            "the rollout went past wave 2 untouched:\n{screen}"
        );
        if screen.contains("wave 2 holds: gate to wave 3/4 broad blocked") {
            held = Some(screen);
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let screen = held.unwrap_or_else(|| panic!("the gate never held:\n{}", tmux.screen()));
    assert!(in_breach(&screen, "us-east-1"), "{screen}");
    assert!(
        screen.contains("breach in us-east-1"),
        "the reason: {screen}"
    );
    // Long past the hold, the wave still waits for a person.
    let later = Instant::now() + Duration::from_secs(12);
    while Instant::now() < later {
        let screen = tmux.screen();
        let top = header(&screen);
        assert!(top.contains("wave 2/4"), "{screen}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let screen = tmux.screen();
    assert!(header(&screen).contains("held at its gate"), "{screen}");
    assert!(header(&screen).contains("NO-GO"), "{screen}");
    tmux.keys(&["q"]);
    tmux.expect("the program to exit", Duration::from_secs(20), |s| {
        s.contains("EXIT:0")
    });
}
