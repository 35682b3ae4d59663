//! `warroom watch` in a real terminal (tmux) on a real `warroom sim`
//! scraped every second by a real Prometheus. Killing the simulator (not
//! Prometheus, which goes on answering `rate()` over its window) turns the
//! cells `◷ STALE` within one poll plus one scrape interval; the tripping
//! stop condition's hold stops through the outage, and no breach is
//! declared when the data returns.

// Test helpers: a failed setup should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Prometheus, Tmux, free_port, require, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");
const LONG: Duration = Duration::from_secs(30);

/// `warroom sim` on a fixed address, so that Prometheus scrapes it again
/// after a restart; up once it says where it listens.
fn sim(addr: &str) -> Child {
    let mut child = Command::new(BIN)
        .args(["sim", "--listen", addr, "--scenario", "calm"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains(addr), "{line}");
    child
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Errors in eu-west-1's canary from now on, over plain HTTP/1.1.
fn inject_errors(addr: &str) {
    use std::io::{Read, Write};
    let body = r#"{"region":"eu-west-1","error_rate":0.2,"ramp_seconds":0}"#;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "POST /sim/faults HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 204"), "{response}");
}

/// The example plan on this test's simulator and Prometheus: metrics every
/// second over 10 s windows, every stop condition held for 10 s.
fn plan(dir: &Path, sim: &str, prometheus: &str) -> PathBuf {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
    let text = std::fs::read_to_string(example)
        .unwrap()
        .replace("http://127.0.0.1:9464", &format!("http://{sim}"))
        .replace("http://127.0.0.1:9090", prometheus)
        .replace("[30s]", "[10s]")
        .replace("for = \"15s\"", "for = \"10s\"")
        .replace("interval = \"2s\"", "interval = \"1s\"")
        .replace("timeout = \"1500ms\"", "timeout = \"900ms\"")
        .replace("events = \"history.ndjson\"", "events = \"none.ndjson\"");
    let path = dir.join("plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The matrix row of `region`: the line that starts with its name.
fn row<'a>(screen: &'a str, region: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.trim_start_matches(['│', ' ', '›']).starts_with(region))
        .unwrap_or("")
}

/// A breach of the error-rate stop condition declared: its row in the stop
/// conditions panel or its line on the timeline. (A matrix cell past the
/// level says BREACH at once; the condition needs its hold.)
fn breach_shown(screen: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains("BREACH") && l.contains("error rate >"))
}

#[test]
fn a_dead_scrape_target_turns_the_cells_stale_and_its_return_declares_no_breach() {
    if !require("tmux", "-V", "e2e stale") || !require("prometheus", "--version", "e2e stale") {
        return;
    }
    let addr = format!("127.0.0.1:{}", free_port());
    let mut fleet = sim(&addr);
    let prometheus = Prometheus::start("e2e-stale", &addr);
    let dir = temp_dir("e2e-stale");
    let plan = plan(&dir, &addr, &prometheus.url());
    let audit = dir.join("audit.jsonl");
    let tmux = Tmux::start("stale", 160, 48);
    tmux.type_line(&format!(
        "XDG_STATE_HOME={} {BIN} watch --plan {} --audit-log {} --operator e2e-stale; echo EXIT:$?",
        dir.display(),
        plan.display(),
        audit.display()
    ));
    tmux.expect("eu-west-1's canary OK", LONG, |s| {
        row(s, "eu-west-1").contains("OK")
    });
    inject_errors(&addr);
    tmux.expect("a tripping stop condition", LONG, |s| {
        s.contains("TRIPPING")
    });
    std::thread::sleep(Duration::from_secs(2));

    kill(&mut fleet);
    let killed = Instant::now();
    let screen = tmux.expect("stale cells", LONG, |s| {
        row(s, "eu-west-1").contains("STALE")
    });
    let took = killed.elapsed();
    eprintln!("eu-west-1 shown STALE {took:?} after the simulator died");
    // One poll (1 s) + one scrape (1 s), and the time to draw and capture.
    assert!(took < Duration::from_millis(3000), "{took:?}:\n{screen}");
    assert!(!screen.contains("TRIPPING"), "the hold stopped:\n{screen}");

    // An outage longer than the hold: no breach on data that was not there.
    while killed.elapsed() < Duration::from_secs(14) {
        let screen = tmux.screen();
        assert!(!breach_shown(&screen), "a breach while stale:\n{screen}");
        std::thread::sleep(Duration::from_millis(250));
    }

    let mut fleet = sim(&addr);
    inject_errors(&addr);
    let screen = tmux.expect("the data back and tripping", LONG, |s| {
        s.contains("TRIPPING") || breach_shown(s)
    });
    assert!(
        !breach_shown(&screen),
        "breach declared the moment the data returned:\n{screen}"
    );
    let returned = Instant::now();
    let screen = tmux.expect("the breach, once seen for its hold", LONG, |s| {
        breach_shown(s)
    });
    let after = returned.elapsed();
    eprintln!("breach shown {after:?} after the data returned");
    // About 2 s were counted before the outage; the rest of the 10 s hold
    // must be seen after it.
    assert!(after > Duration::from_secs(5), "{after:?}:\n{screen}");
    tmux.keys(&["q"]);
    tmux.expect("the exit", LONG, |s| s.lines().any(|l| l == "EXIT:0"));
    kill(&mut fleet);
}
