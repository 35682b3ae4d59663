//! Peak resident memory of a dashboard on 1000 regions.
//!
//! `cargo bench --bench peak`: the simulator's 1000 regions (2 versions × 4
//! signals, a support-ticket rate for the service) polled once a second
//! through `update` for 3 minutes, so that every series holds the 2-minute
//! judgment window and more, with a frame drawn at 240×70 after each poll,
//! as the live loop does. Prints VmHWM (from /proc/self/status), the
//! process's peak, against the goal of 64 MiB.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use warroom::runtime::demo::{Replay, built_in_theme_names};
use warroom::sim::FleetSpec;
use warroom::ui;

const GOAL_KIB: i64 = 64 * 1024;

fn status_kib(field: &str) -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(-1)
}

fn main() {
    let regions = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let before = status_kib("VmHWM:");
    let started = std::time::Instant::now();
    let theme = warroom::ui::theme::resolve(None, false)
        .unwrap()
        .0
        .remove(0);
    let mut terminal = Terminal::new(TestBackend::new(240, 70)).unwrap();
    let mut r = Replay::new(FleetSpec::large(regions, 42), built_in_theme_names());
    for _ in 0..180 {
        r.step();
        terminal.draw(|f| ui::draw(f, &r.state, &theme)).unwrap();
    }
    let peak = status_kib("VmHWM:");
    let verdict = if peak <= GOAL_KIB { "met" } else { "NOT MET" };
    println!(
        "peak: {regions} regions, 180 polls + frames at 240×70 ({:.1} s): VmHWM {peak} KiB = {:.1} MiB (goal ≤ 64 MiB: {verdict}); before the fleet {before} KiB; samples kept {}",
        started.elapsed().as_secs_f64(),
        peak as f64 / 1024.0,
        r.state.health.points(),
    );
}
