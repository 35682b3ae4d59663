//! The real binary on files people write and flags they give: a plan with
//! an escape sequence in a name, a theme whose symbol is an ESC or a TAB,
//! a token file others may read, and a `--github-api` URL with credentials
//! in it. Each is refused (or warned about) with where and why, and nothing
//! warroom prints carries a raw control character.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn warroom(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(args)
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap()
}

fn theme_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/dark.toml")).unwrap()
}

/// A character that would act on a terminal or reorder what it shows.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn assert_printable(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = String::from_utf8_lossy(stream);
        let bad: Vec<char> = text.chars().filter(|c| unsafe_char(*c)).collect();
        assert!(bad.is_empty(), "raw {bad:?} in {text:?}");
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The 1-based line of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn status_refuses_a_plan_with_an_escape_sequence_naming_file_line_and_field() {
    let dir = common::temp_dir("config-bad-plan");
    for (from, to, field) in [
        (
            "service = \"checkout-api\"",
            "service = \"checkout\\u001b]52;c;aGk=\\u0007\\u001b[2J-api\"",
            "service",
        ),
        (
            "name = \"us-east-1\"",
            "name = \"us\\u202e-east-1\"",
            "regions[1].name",
        ),
        (
            "name = \"early\"",
            "name = \"ear\\u009bly\"",
            "waves[1].name",
        ),
        (
            "pilot = \"kim\"",
            "pilot = \"kim\\nforged: line\"",
            "scorecard.owners.pilot",
        ),
    ] {
        let text = example("simulator.toml").replacen(from, to, 1);
        let path = dir.join("bad.toml");
        std::fs::write(&path, &text).unwrap();
        let out = warroom(&dir, &["status", "--plan", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{field}: {}", stderr(&out));
        let expected = format!("{}:{}: {field}: ", path.display(), line_of(&text, to));
        assert!(
            stderr(&out).contains(&expected),
            "{expected} not in {}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("U+"), "{}", stderr(&out));
        assert_printable(&out);
    }
}

#[test]
fn status_refuses_a_plan_too_large_to_be_one() {
    let dir = common::temp_dir("config-big-plan");
    let path = dir.join("huge.toml");
    let name = "x".repeat(50 << 20);
    let text = example("simulator.toml").replacen("checkout-api", &name, 1);
    std::fs::write(&path, text).unwrap();
    let out = warroom(&dir, &["status", "--plan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("(file): is larger than 1 MiB"),
        "{}",
        stderr(&out)
    );
    assert!(
        out.stderr.len() < 1000,
        "{} bytes on stderr",
        out.stderr.len()
    );
}

#[test]
fn snapshot_refuses_a_theme_whose_symbol_is_a_control_character() {
    let dir = common::temp_dir("config-bad-theme");
    let path = dir.join("bad.toml");
    for (to, says) in [
        ("ok = \"\\u001b\"", "U+001B"),
        ("ok = \"\t\"", "U+0009"),
        ("ok = \"\\u202e\"", "U+202E"),
        ("", "missing field `ok`"),
    ] {
        let text = theme_text().replacen("ok = \"✓\"", to, 1);
        std::fs::write(&path, &text).unwrap();
        let out = warroom(
            &dir,
            &[
                "snapshot",
                "--theme",
                path.to_str().unwrap(),
                "--format",
                "text",
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{to}: {}", stderr(&out));
        let err = stderr(&out);
        let line = if to.is_empty() {
            line_of(&text, "[symbols]")
        } else {
            line_of(&text, to)
        };
        let expected = format!("{}:{line}: symbols.ok: ", path.display());
        assert!(err.contains(&expected), "{expected} not in {err}");
        assert!(err.contains(says) && !err.contains("colors.ok"), "{err}");
        assert!(out.stdout.is_empty(), "a snapshot was drawn anyway");
        assert_printable(&out);
    }
}

/// A plan whose metrics source reads its token from `token`, polling a
/// loopback port where nothing listens.
fn plan_with_token_file(dir: &Path, token: &Path) -> PathBuf {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let text = example("simulator.toml")
        .replacen(
            "url = \"http://127.0.0.1:9090\"\ninterval = \"2s\"\ntimeout = \"1500ms\"\n",
            &format!(
                "url = \"http://127.0.0.1:{port}\"\ninterval = \"1s\"\ntimeout = \"1s\"\nauth.bearer_token_file = \"{}\"\n",
                token.display()
            ),
            1,
        )
        .replacen("url = \"http://127.0.0.1:9464\"", &format!("url = \"http://127.0.0.1:{port}\""), 1);
    assert!(text.contains("bearer_token_file"));
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[cfg(unix)]
#[test]
fn a_token_file_others_may_read_is_warned_about_once() {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp_dir("config-token-mode");
    let token = dir.join("token");
    std::fs::write(&token, "tok-0123456789\n").unwrap();
    let plan = plan_with_token_file(&dir, &token);
    for (mode, warned) in [(0o640, true), (0o604, true), (0o600, false)] {
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = warroom(&dir, &["status", "--plan", plan.to_str().unwrap()]);
        let err = stderr(&out);
        let warning = format!(
            "{} is open to group or others (mode {mode:04o})",
            token.display()
        );
        assert_eq!(
            err.matches(&warning).count(),
            usize::from(warned),
            "mode {mode:o}: {err}"
        );
        if warned {
            assert!(err.contains("chmod 600"), "{err}");
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The source was polled (and failed: nothing listens), not refused.
        assert!(
            stdout.contains("metrics") || stdout.contains("prometheus"),
            "{stdout}"
        );
        assert!(!err.contains("tok-0123456789") && !stdout.contains("tok-0123456789"));
    }
}

#[test]
fn dora_checks_the_github_api_url_as_a_plan_checks_its_sources() {
    let dir = common::temp_dir("config-dora-url");
    let token = dir.join("gh-token");
    std::fs::write(&token, "gh-secret\n").unwrap();
    let token = token.to_str().unwrap();
    for (args, says) in [
        (
            vec!["--github-api", "http://user:hunter2@127.0.0.1:9"],
            "credentials in the URL",
        ),
        (
            vec!["--github-api", "https://hunter2@github.example"],
            "credentials in the URL",
        ),
        (
            vec![
                "--github-api",
                "http://github.example/api/v3",
                "--github-token-file",
                token,
            ],
            "clear text over http://",
        ),
        (
            vec!["--github-api", "ftp://github.example"],
            "not an http:// or https:// URL",
        ),
        (
            vec!["--github-api", "https://github.example/\u{1b}[2J"],
            "U+001B",
        ),
    ] {
        let mut all = vec!["dora", "--github", "owner/repo"];
        all.extend(args.iter().copied());
        let out = warroom(&dir, &all);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("--github-api: ") && err.contains(says),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("hunter2") && !err.contains("gh-secret"),
            "{err}"
        );
        assert_printable(&out);
    }
    // Refused before anything else is looked at.
    let out = warroom(&dir, &["dora", "--github-api", "http://user:pw@host"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("credentials in the URL") && !err.contains(":pw"),
        "{err}"
    );
}

/// Thresholds no value can cross, or that every value crosses, are refused
/// with the file, the line and the field, and say what the signal's values
/// are; the levels that can work are kept.
#[test]
fn status_refuses_impossible_thresholds_naming_file_line_and_field() {
    let dir = common::temp_dir("config-impossible");
    let path = dir.join("bad.toml");
    for (from, to, field, says) in [
        (
            "above = 0.02",
            "above = -1",
            "stop_conditions[0].above",
            "every value is above -1",
        ),
        (
            "above = 0.02",
            "above = 5",
            "stop_conditions[0].above",
            "no value can be above 5",
        ),
        (
            "warn = 0.01",
            "warn = -0.01",
            "stop_conditions[0].warn",
            "it would warn on every poll",
        ),
        (
            "above = 0.4",
            "above = -0.2",
            "stop_conditions[1].above",
            "latency p99 is in seconds",
        ),
        (
            "below = 0.98",
            "below = 1.5",
            "stop_conditions[2].below",
            "every value is below 1.5",
        ),
        (
            "below = 0.98",
            "below = 0",
            "stop_conditions[2].below",
            "no value can be below 0",
        ),
        (
            "above = 0.02",
            "above = \"2%\"",
            "stop_conditions[0].above",
            "expected a number",
        ),
    ] {
        let text = example("simulator.toml").replacen(from, to, 1);
        std::fs::write(&path, &text).unwrap();
        let out = warroom(&dir, &["status", "--plan", path.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{to}: {err}");
        let expected = format!("{}:{}: {field}: ", path.display(), line_of(&text, to));
        assert!(err.contains(&expected), "{to}: {expected} not in {err}");
        assert!(err.contains(says), "{to}: `{says}` not in {err}");
        assert!(!err.contains("f64"), "{err}");
    }
    // Levels at the edges that values can still cross are fine.
    for (from, to) in [("above = 0.02", "above = 0"), ("below = 0.98", "below = 1")] {
        let text = example("simulator.toml")
            .replacen(from, to, 1)
            .replacen("warn = 0.01", "warn = 0", 1)
            .replacen("warn = 0.99", "warn = 1", 1);
        std::fs::write(&path, &text).unwrap();
        let plan = warroom::config::plan::PlanFile::load(&path);
        assert!(plan.is_ok(), "{to}: {:?}", plan.err());
    }
}
