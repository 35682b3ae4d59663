//! `warroom --regions 1000` in a real terminal: it starts, scrolls through
//! the regions with the line beneath them counting those not shown, and
//! quits leaving the shell as it was, at 80×24 and at 240×70.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(30);

/// The line under the regions: `6 of 1000 regions shown · ↑ 0 above · ↓ 994 below`.
fn window(screen: &str) -> Option<(usize, usize, usize)> {
    let line = screen
        .lines()
        .find(|l| l.contains("of 1000 regions shown"))?;
    let number = |after: &str| -> Option<usize> {
        line.split(after)
            .nth(1)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let shown = line
        .split(" of 1000 regions shown")
        .next()?
        .split_whitespace()
        .last()?
        .parse()
        .ok()?;
    Some((shown, number("↑ ")?, number("↓ ")?))
}

/// The whole count, never a cut one: what is shown and what is not add up.
fn assert_adds_up(screen: &str) -> (usize, usize, usize) {
    let (shown, above, below) =
        window(screen).unwrap_or_else(|| panic!("no count of the regions not shown:\n{screen}"));
    assert_eq!(
        shown + above + below,
        1000,
        "the counts do not add up:\n{screen}"
    );
    (shown, above, below)
}

fn thousand_regions(width: u16, height: u16) {
    let name = format!("regions-{width}x{height}");
    if !require("tmux", "-V", &name) {
        return;
    }
    let state = temp_dir(&name);
    let tmux = Tmux::start(&name, width, height);
    tmux.type_line("clear; echo SHELL-BEFORE");
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} --operator {name} --regions 1000; echo EXIT:$?",
        state.display()
    ));
    let first = tmux.expect("the dashboard with 1000 regions", LONG, |s| {
        s.contains("PROGRESSING") && window(s).is_some()
    });
    let (shown, above, _) = assert_adds_up(&first);
    assert_eq!(above, 0, "starts at the top:\n{first}");
    assert!(
        first.contains("eu-1-1"),
        "the first region is shown:\n{first}"
    );

    // Down past the window: it follows the selection.
    let downs = vec!["Down"; shown + 10];
    tmux.keys(&downs);
    let moved = tmux.expect("the window to move down", LONG, |s| {
        window(s).is_some_and(|(_, above, _)| above == 11)
    });
    assert_adds_up(&moved);

    // Page down moves the timeline, and the matrix stays whole.
    tmux.keys(&["PageDown", "PageDown"]);
    std::thread::sleep(Duration::from_millis(300));
    assert_adds_up(&tmux.screen());

    // The last region, then the first again.
    tmux.keys(&["G"]);
    let last = tmux.expect("the last region", LONG, |s| {
        window(s).is_some_and(|(_, _, below)| below == 0)
    });
    assert!(last.contains("af-143-1"), "the last region:\n{last}");
    assert_adds_up(&last);
    tmux.keys(&["g"]);
    let top = tmux.expect("the first region again", LONG, |s| {
        window(s).is_some_and(|(_, above, _)| above == 0)
    });
    assert!(top.contains("eu-1-1"), "the first region:\n{top}");

    tmux.keys(&["q"]);
    let done = tmux.expect("the program to exit", LONG, |s| {
        s.lines().any(|l| l.starts_with("EXIT:") && l != "EXIT:$?")
    });
    assert!(done.contains("EXIT:0"), "exit status was not 0:\n{done}");
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "still on the alternate screen"
    );
    assert!(
        done.contains("SHELL-BEFORE"),
        "the shell's screen was not restored:\n{done}"
    );
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn a_thousand_regions_scroll_and_quit_at_80_by_24() {
    thousand_regions(80, 24);
}

#[test]
fn a_thousand_regions_scroll_and_quit_at_240_by_70() {
    thousand_regions(240, 70);
}
