//! The replay of a long session: a journal of one hour of the demo at one
//! poll a second (a tick and two reports each second, as the live loop
//! journals them), its size, and the time to replay it to its end and to
//! any point.
//!
//! `cargo bench --bench replay`. Goals: every point reached in under a
//! second; the journal under 64 MiB an hour (docs/replay.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use warroom::runtime::journal;
use warroom::runtime::replay::Player;
use warroom::runtime::replay::sample::demo_journal;

const GOAL_SECONDS: f64 = 1.0;
const GOAL_BYTES: u64 = 64 << 20;

fn main() {
    let dir = std::env::temp_dir().join(format!("warroom-bench-replay-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("hour.jsonl");
    demo_journal(&path, 3600, 42).unwrap();
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!(
        "journal of 1 h at 1 poll/s: {:.1} MiB ({bytes} bytes; goal < {} MiB)",
        bytes as f64 / (1 << 20) as f64,
        GOAL_BYTES >> 20
    );

    let started = Instant::now();
    let read = journal::read(&path).unwrap();
    let parsed = started.elapsed().as_secs_f64();
    let mut player = Player::new(read).unwrap();
    let opened = started.elapsed().as_secs_f64();
    println!(
        "open (read {parsed:.3} s, then replay to the end once, keeping checkpoints): {opened:.3} s (goal < {GOAL_SECONDS} s)"
    );

    let mut worst: f64 = 0.0;
    let len = player.len();
    let started = Instant::now();
    player.seek(len);
    let to_end = started.elapsed().as_secs_f64();
    println!("seek from the start to the end: {to_end:.3} s (goal < {GOAL_SECONDS} s)");
    worst = worst.max(to_end);
    // Arbitrary points, backwards and forwards, each from where the last left.
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..20 {
        let target = rng.usize(0..=len);
        let started = Instant::now();
        player.seek(target);
        worst = worst.max(started.elapsed().as_secs_f64());
    }
    println!("seek to an arbitrary point, worst of 20: {worst:.4} s (goal < {GOAL_SECONDS} s)");
    let _ = std::fs::remove_dir_all(&dir);
}
