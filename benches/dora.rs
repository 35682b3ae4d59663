//! DORA over a long history: 1,000,000 events read from an NDJSON file and
//! computed, the memory that takes, and the cost of one new event.
//!
//! `cargo bench --bench dora`. The file is generated first (not timed); then
//! reading it into the history, a 30-day and a 90-day summary, and adding one
//! event followed by a fresh summary (which must not cost a full recompute).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::Instant;

use warroom::domain::dora::{Event, History};
use warroom::domain::{Span, Timestamp};
use warroom::integrations::events::read_events;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// CPU time this process has used (user and system), from /proc: on a
/// machine busy with other work, the part of the wall time that was ours.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name in parentheses: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// The file to read, when this process is the one that measures the
/// reading: it is started afresh for that, so that its peak memory is the
/// reading's and not the generating's.
const READ: &str = "WARROOM_DORA_BENCH_READ";

fn main() {
    let end: Timestamp = "2026-11-20T00:00:00Z".parse().unwrap();
    if let Some(path) = std::env::var_os(READ) {
        measure(std::path::Path::new(&path), end);
        return;
    }
    let target = 1_000_000;
    let path =
        std::env::temp_dir().join(format!("warroom-dora-bench-{}.ndjson", std::process::id()));
    let mut events = warroom::sim::history::history(1, end, 400, 1000.0);
    events.truncate(target);
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for e in &events {
            serde_json::to_writer(&mut file, e).unwrap();
            file.write_all(b"\n").unwrap();
        }
    }
    let count = events.len();
    drop(events);
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "dora: {count} events ({:.0} MiB of NDJSON)",
        bytes as f64 / 1048576.0
    );
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env(READ, &path)
        .status()
        .unwrap();
    std::fs::remove_file(&path).ok();
    assert!(status.success(), "the measuring process failed");
}

/// Read `path` into a history and summarise it, printing each figure with
/// its goal.
fn measure(path: &std::path::Path, end: Timestamp) {
    let before = rss_kib("VmRSS:");

    let cpu = cpu_seconds();
    let t = Instant::now();
    let mut history = History::default();
    let read = read_events(path, &mut history).unwrap();
    let load = t.elapsed();
    let load_cpu = cpu_seconds() - cpu;
    let after = rss_kib("VmRSS:");
    let count = read;

    let cpu = cpu_seconds();
    let t = Instant::now();
    let s30 = history.summary(end, 30);
    let summary_30 = t.elapsed();
    let summary_cpu = cpu_seconds() - cpu;
    let t = Instant::now();
    let s90 = history.summary(end, 90);
    let summary_90 = t.elapsed();

    let rounds = 1000;
    let t = Instant::now();
    for i in 0..rounds {
        history
            .add(Event::Deployment {
                id: format!("bench-new-{i}"),
                time: end - Span::minutes(i),
                version: None,
                commits: vec![],
                hotfix: false,
            })
            .unwrap();
        let _ = history.summary(end, 30);
    }
    let incremental = t.elapsed() / rounds as u32;

    println!(
        "  read and taken in:      {:.2} s ({:.0} events/s)",
        load.as_secs_f64(),
        count as f64 / load.as_secs_f64()
    );
    println!(
        "  read + 30-day summary:  {:.2} s wall, {:.2} s of CPU (goal ≤ 0.5 s)",
        (load + summary_30).as_secs_f64(),
        load_cpu + summary_cpu
    );
    println!(
        "  memory held:            {:.0} MiB resident for the history",
        (after.saturating_sub(before)) as f64 / 1024.0,
    );
    println!(
        "  peak resident, read + summaries: {:.0} MiB (goal ≤ 100 MiB)",
        rss_kib("VmHWM:") as f64 / 1024.0
    );
    println!(
        "  30-day summary:         {:.2} ms ({} deployments)",
        summary_30.as_secs_f64() * 1000.0,
        s30.deployments
    );
    println!(
        "  90-day summary:         {:.2} ms ({} deployments)",
        summary_90.as_secs_f64() * 1000.0,
        s90.deployments
    );
    println!(
        "  one new event + 30-day summary: {:.2} ms",
        incremental.as_secs_f64() * 1000.0
    );
}
