//! The architecture as the folders show it, checked: arrows run one way
//! (`domain` ← `app` ← `ui`; `integrations`, `audit`, `sim` ← `runtime` ←
//! `cli`), only `app` and `runtime` name `Msg`, and `domain` does no I/O.
//! Test code (`tests.rs` files, `#[cfg(test)]` modules) may reach further.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, test files left out.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out
}

/// The code of `path` before its first `#[cfg(test)]`, comments removed.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn src(layer: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer)
}

/// Every place in `layer` where one of `words` occurs.
fn mentions(layer: &str, words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources(&src(layer)) {
        let code = code(&path);
        for (i, line) in code.lines().enumerate() {
            for w in words {
                if contains_word(line, w) {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    found
}

/// `word` in `line` with no identifier character on either side.
fn contains_word(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

#[test]
fn adapters_never_name_the_apps_messages() {
    for layer in ["integrations", "audit", "sim", "domain", "config"] {
        let found = mentions(
            layer,
            &[
                "Msg",
                "crate::app",
                "crate::runtime",
                "crate::cli",
                "crate::ui",
            ],
        );
        assert!(
            found.is_empty(),
            "{layer} reaches into the app:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_domain_does_no_io_and_knows_no_other_layer() {
    let outside = [
        "tokio",
        "reqwest",
        "ratatui",
        "crossterm",
        "kube",
        "axum",
        "std::fs",
        "std::net",
        "crate::integrations",
        "crate::audit",
        "crate::sim",
        "crate::config",
    ];
    let found = mentions("domain", &outside);
    assert!(found.is_empty(), "domain imports:\n{}", found.join("\n"));
}

#[test]
fn the_app_imports_only_the_domain() {
    let outside = [
        "tokio",
        "reqwest",
        "ratatui",
        "kube",
        "axum",
        "std::fs",
        "crate::integrations",
        "crate::audit",
        "crate::sim",
        "crate::runtime",
        "crate::cli",
        "crate::ui",
        "crate::config",
    ];
    let found = mentions("app", &outside);
    assert!(found.is_empty(), "app imports:\n{}", found.join("\n"));
}

#[test]
fn drawing_does_no_io_and_changes_no_state_elsewhere() {
    let outside = [
        "tokio",
        "reqwest",
        "kube",
        "axum",
        "crate::integrations",
        "crate::audit",
        "crate::sim",
        "crate::runtime",
        "crate::cli",
    ];
    let found = mentions("ui", &outside);
    assert!(found.is_empty(), "ui imports:\n{}", found.join("\n"));
}

#[test]
fn the_binary_is_a_few_lines() {
    let main = std::fs::read_to_string(src("main.rs")).unwrap();
    assert!(
        main.lines().count() <= 40,
        "main.rs has {} lines",
        main.lines().count()
    );
}

#[test]
fn the_check_itself_sees_a_violation() {
    assert!(contains_word("use crate::app::Msg;", "Msg"));
    assert!(!contains_word("use crate::app::Msgs;", "Msg"));
    assert!(
        !mentions("runtime", &["Msg"]).is_empty(),
        "runtime names Msg"
    );
}
