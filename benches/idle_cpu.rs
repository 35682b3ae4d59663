//! CPU used by the running demo when nobody touches it.
//!
//! `cargo bench --bench idle_cpu` starts the release binary in a tmux pane
//! (a real terminal), lets it settle, then reads the process's user + system
//! CPU time from /proc over 30 s (`WARROOM_IDLE_SECONDS` to change). "Idle"
//! means no keys: the simulator still reports every second and the screen
//! redraws about once a second, as in real use.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", "warroom-idle-bench"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// (user + system CPU seconds, resident memory in KiB) of `pid`.
fn usage(pid: &str, ticks_per_second: f64) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    (ticks / ticks_per_second, rss)
}

fn main() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED idle_cpu: tmux is not on PATH (apt-get install tmux)");
        return;
    }
    let seconds: u64 = std::env::var("WARROOM_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let ticks: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0);
    let state = std::env::temp_dir().join(format!("warroom-idle-{}", std::process::id()));
    let cmd = format!(
        "XDG_STATE_HOME={} {BIN} --operator idle-bench --scenario calm",
        state.display()
    );
    tmux(&["kill-server"]);
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "idle",
        "-x",
        "160",
        "-y",
        "48",
        &cmd,
    ]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let pid = loop {
        let out = Command::new("pgrep")
            .args(["-f", "--", "--operator idle-bench"])
            .output()
            .unwrap();
        let pid = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_string);
        if let Some(pid) = pid {
            break pid;
        }
        assert!(Instant::now() < deadline, "warroom did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_secs(3));
    let (cpu0, _) = usage(&pid, ticks);
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let (cpu1, rss) = usage(&pid, ticks);
    let wall = t0.elapsed().as_secs_f64();
    tmux(&["kill-server"]);
    let _ = std::fs::remove_dir_all(&state);
    println!(
        "idle_cpu: {:.3} s CPU over {wall:.1} s = {:.2}% of one core; resident memory {:.1} MiB (160×48 terminal, demo running)",
        cpu1 - cpu0,
        (cpu1 - cpu0) / wall * 100.0,
        rss as f64 / 1024.0
    );
}
