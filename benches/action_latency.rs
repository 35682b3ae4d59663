//! Keypress to request: the confirming key goes through `update`, the effect
//! through the control path (audit "attempt" written and fsynced), and the
//! HTTP request reaches the simulator's deploy API on loopback.
//!
//! `cargo bench --bench action_latency`: 100 pause / resume pairs; the time
//! from the confirming key until the simulator's server has the request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::{self, Next};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;
use warroom::app::{Effect, Msg, update};
use warroom::audit::AuditLog;
use warroom::config::plan::PlanFile;
use warroom::domain::clock::{Clock, SystemClock};
use warroom::runtime::executor::Executor;
use warroom::runtime::session::Session;
use warroom::sim::FleetSpec;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        // The simulator's real router, with a hook that reports each action request's arrival.
        let (arrived_tx, mut arrived) = mpsc::unbounded_channel::<Instant>();
        let router = warroom::sim::http::router(FleetSpec::calm(1), clock.clone()).layer(middleware::from_fn(
            move |req: Request, next: Next| {
                let tx = arrived_tx.clone();
                async move {
                    if req.method() == axum::http::Method::POST {
                        let _ = tx.send(Instant::now());
                    }
                    next.run(req).await
                }
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });

        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
        let text = std::fs::read_to_string(&example)
            .unwrap()
            .replace("http://127.0.0.1:9464", &format!("http://{addr}"))
            .replace("[sources.history]\nevents = \"history.ndjson\"", "")
            // Poll the deployment often, so each action sees the last one's result soon.
            .replace("interval = \"1s\"", "interval = \"100ms\"");
        let plan = PlanFile::parse(&text, &example).unwrap();
        let mut session = Session::from_plan(&plan, clock.clone(), warroom::app::state::Seat::new("bench", vec!["dark".into()])).unwrap();
        let dir = std::env::temp_dir().join(format!("warroom-latency-{}", std::process::id()));
        let audit = Arc::new(AuditLog::open(&dir.join("audit.jsonl")).unwrap());
        let executor = Executor::new(session.control.clone().unwrap(), audit, clock, session.tx.clone(), Duration::from_secs(5));
        let state = &mut session.state;

        // Wait for the deployment source's first report.
        while state.rollout.is_none() {
            if let Some(msg) = session.messages.recv().await {
                update(state, msg);
            }
        }
        let mut samples = Vec::new();
        for i in 0..200 {
            let (open, confirm) = if i % 2 == 0 { ('p', 'p') } else { ('p', 'y') };
            update(state, key(open));
            let started = Instant::now();
            for effect in update(state, key(confirm)) {
                if let Effect::Execute(request) = effect {
                    executor.execute(request);
                }
            }
            let at = arrived.recv().await.unwrap();
            samples.push(at.duration_since(started));
            // Take in the outcome and the new state before the next key.
            while !state.in_flight.is_empty() || state.rollout.as_ref().map(|r| r.phase) == Some(if i % 2 == 0 { warroom::domain::rollout::Phase::Progressing } else { warroom::domain::rollout::Phase::Paused }) {
                if let Some(msg) = session.messages.recv().await {
                    update(state, msg);
                }
            }
        }
        samples.sort();
        let pick = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
        println!(
            "action_latency: keypress to request at the deploy API, {} actions: median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms (audit fsync included)",
            samples.len(),
            pick(0.5).as_secs_f64() * 1000.0,
            pick(0.9).as_secs_f64() * 1000.0,
            pick(0.99).as_secs_f64() * 1000.0,
            samples[samples.len() - 1].as_secs_f64() * 1000.0
        );
        let _ = std::fs::remove_dir_all(dir);
    });
}
