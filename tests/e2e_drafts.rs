//! The drafts in a real terminal (tmux): `e` hands the terminal to
//! `$EDITOR` (here a small script) and takes back what it saved, `w`
//! writes the draft into the state dir, `y` sends OSC 52, which tmux with
//! `set-clipboard on` takes into its buffer.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Tmux, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(20);

fn launch(tmux: &Tmux, state: &Path, who: &str, env: &str) {
    tmux.type_line("clear; echo SHELL-BEFORE");
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {env} {BIN} --operator {who}; echo EXIT:$?",
        state.display()
    ));
}

fn exited(tmux: &Tmux) {
    let screen = tmux.expect("the program to exit", LONG, |s| s.contains("EXIT:0"));
    assert!(!screen.contains("EXIT:1"), "{screen}");
}

#[test]
fn e_runs_the_editor_on_the_terminal_and_w_writes_what_it_saved() {
    if !require("tmux", "-V", "e_runs_the_editor") {
        return;
    }
    let dir = temp_dir("e2e-drafts-editor");
    let editor = dir.join("editor.sh");
    // The script says whether it had the terminal, then adds a line.
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\n[ -t 0 ] && [ -t 1 ] && echo tty > {}/had-tty\nprintf 'EDITED BY SCRIPT\\n' >> \"$1\"\n",
            dir.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let tmux = Tmux::start("drafts-editor", 160, 48);
    launch(&tmux, &dir, "ed", &format!("EDITOR={}", editor.display()));
    tmux.expect("the dashboard", LONG, |s| s.contains("checkout-api v2.3.1"));
    tmux.keys(&["c"]);
    tmux.expect("the drafts", LONG, |s| {
        s.contains("Status update: internal")
    });
    tmux.keys(&["e"]);
    let screen = tmux.expect("the edited draft", LONG, |s| {
        s.contains("internal draft edited") && s.contains("EDITED BY SCRIPT")
    });
    assert!(screen.contains("edited: u follows"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(dir.join("had-tty")).unwrap().trim(),
        "tty"
    );
    // Keys still reach warroom after the editor: the input was opened again.
    tmux.keys(&["Tab"]);
    tmux.expect("the customer tab", LONG, |s| {
        s.contains("Status update: customer")
    });
    tmux.keys(&["BTab"]);
    tmux.expect("the internal tab", LONG, |s| {
        s.contains("Status update: internal")
    });
    tmux.keys(&["w"]);
    let screen = tmux.expect("the path", LONG, |s| s.contains("draft written to"));
    let drafts = dir.join("warroom/drafts");
    let files: Vec<_> = std::fs::read_dir(&drafts)
        .unwrap_or_else(|e| panic!("{}: {e}\n{screen}", drafts.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("checkout-api-internal-") && name.ends_with("Z.md"),
        "{name}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains("internal update") && text.ends_with("EDITED BY SCRIPT\n"),
        "{text}"
    );
    // q closes the drafts; a second q quits.
    tmux.keys(&["q"]);
    tmux.expect("the dashboard again", LONG, |s| {
        !s.contains("Status update")
    });
    tmux.keys(&["q"]);
    exited(&tmux);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn y_sends_osc_52_which_tmux_takes_as_its_buffer() {
    if !require("tmux", "-V", "y_sends_osc_52") {
        return;
    }
    let dir = temp_dir("e2e-drafts-copy");
    let tmux = Tmux::start("drafts-copy", 120, 40);
    tmux.command(&["set-option", "-g", "set-clipboard", "on"]);
    let raw = dir.join("pane.raw");
    tmux.command(&[
        "pipe-pane",
        "-o",
        "-t",
        "t",
        &format!("cat >> {}", raw.display()),
    ]);
    launch(&tmux, &dir, "copier", "");
    tmux.expect("the dashboard", LONG, |s| s.contains("checkout-api v2.3.1"));
    tmux.keys(&["c"]);
    tmux.expect("the drafts", LONG, |s| {
        s.contains("Status update: internal")
    });
    tmux.keys(&["y"]);
    tmux.expect("the copy said", LONG, |s| {
        s.contains("internal draft copied")
    });
    let deadline = std::time::Instant::now() + LONG;
    let buffer = loop {
        let b = tmux.command(&["show-buffer"]);
        if b.contains("internal update") || std::time::Instant::now() > deadline {
            break b;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        buffer.starts_with("# checkout-api v2.3.1 → v2.4.0: internal update"),
        "{buffer:?}"
    );
    let out = std::fs::read(&raw).unwrap();
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("\x1b]52;c;"), "no OSC 52 in the pane's output");
    // q closes the drafts; a second q quits.
    tmux.keys(&["q"]);
    tmux.expect("the dashboard again", LONG, |s| {
        !s.contains("Status update")
    });
    tmux.keys(&["q"]);
    exited(&tmux);
    let _ = std::fs::remove_dir_all(&dir);
}
