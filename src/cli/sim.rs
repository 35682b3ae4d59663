//! `warroom sim`: the simulated fleet over HTTP, or its delivery history.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::args::SimChoice;
use super::dashboard::runtime;
use crate::domain::clock::{Clock, SystemClock};

/// Write the simulated service's last 90 days of delivery history as NDJSON.
pub fn write_history(path: &Path, sim: &SimChoice) -> Result<i32> {
    let events = crate::sim::history::history(sim.seed, chrono::Utc::now(), 91, 2.0);
    let mut text = String::new();
    for e in &events {
        text.push_str(&serde_json::to_string(e)?);
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "warroom sim: {} events written to {}",
        events.len(),
        path.display()
    );
    Ok(0)
}

/// Serve the fleet (the demo's, or `regions` generated ones) on `listen`
/// until interrupted.
pub fn serve(listen: &str, sim: &SimChoice, regions: Option<usize>) -> Result<i32> {
    let spec = sim.spec(regions);
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        // Before the banner, so that whoever waits for the banner has seen it.
        if !addr.ip().is_loopback() {
            eprintln!(
                "warroom sim: warning: {addr} is reachable from other machines, and the \
                 simulator's control endpoints (actions, /sim/faults) have no authentication"
            );
        }
        println!(
            "warroom sim: {} {} → {} on http://{addr} (metrics /metrics, deploy API /api/v1/rollout)",
            spec.plan.service, spec.plan.stable_version, spec.plan.canary_version
        );
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        tokio::select! {
            served = crate::sim::http::serve(listener, spec, clock) => served.context("the simulator's server stopped")?,
            _ = tokio::signal::ctrl_c() => {}
        }
        anyhow::Ok(())
    })?;
    Ok(0)
}
