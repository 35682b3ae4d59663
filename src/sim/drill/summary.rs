//! An injection said in a line, for the facilitator's script and the debrief.

use crate::domain::Span;
use crate::domain::drill::scenario::{DeployFailure, FaultKind, Injection, Versions};

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

fn ramp(ramp: Span) -> String {
    if ramp <= Span::zero() {
        String::new()
    } else {
        format!(" over {}s", ramp.num_seconds())
    }
}

/// What `injection` does: "error rate +6 % in us-east-1 (canary)".
pub fn summary(injection: &Injection) -> String {
    let region = injection
        .target
        .region
        .clone()
        .unwrap_or_else(|| "the region the second wave adds".to_string());
    let versions = match injection.target.versions {
        Versions::Canary => "canary",
        Versions::Stable => "stable",
        Versions::Both => "stable and canary",
    };
    let mut line = match &injection.fault {
        FaultKind::ErrorRate { rate, ramp: r } => {
            format!(
                "error rate +{}{} in {region} ({versions})",
                percent(*rate),
                ramp(*r)
            )
        }
        FaultKind::Latency { factor, ramp: r } => {
            format!("latency ×{factor}{} in {region} ({versions})", ramp(*r))
        }
        FaultKind::TrafficDrop { share } => {
            format!("traffic −{} in {region} ({versions})", percent(*share))
        }
        FaultKind::MetricsGap => "the metrics source goes dark".to_string(),
        FaultKind::DeployApi(DeployFailure::Forbidden) => {
            "the deploy API refuses every action: 403 forbidden".to_string()
        }
        FaultKind::DeployApi(DeployFailure::ServerError) => {
            "the deploy API fails every action: 500".to_string()
        }
        FaultKind::DeployApi(DeployFailure::Timeout) => {
            "the deploy API does not answer actions in time".to_string()
        }
        FaultKind::Alert { name } => format!("alert {name} fires for {region}"),
    };
    if let Some(d) = injection.duration {
        line.push_str(&format!(", for {}s", d.num_seconds()));
    }
    line
}
