//! `[[inject]]`: when each fault begins, where it lands and what it does.

use toml::Spanned;

use super::raw::RawInject;
use super::{Checker, ScenarioError};
use crate::config::text::NAME;
use crate::domain::Span;
use crate::domain::drill::scenario::{
    DeployFailure, FaultKind, Injection, Start, Target, Versions,
};

/// The parameters each fault kind takes, beside the common ones.
fn parameters(kind: &str) -> &'static [&'static str] {
    match kind {
        "error_rate" => &["rate", "ramp"],
        "latency" => &["factor", "ramp"],
        "traffic_drop" => &["share"],
        "deploy_api" => &["status"],
        "alert" => &["name"],
        _ => &[],
    }
}

const KINDS: &str = "error_rate, latency, traffic_drop, metrics_gap, deploy_api or alert";

fn share(
    check: &Checker<'_>,
    value: Option<&Spanned<f64>>,
    field: &str,
    whole: std::ops::Range<usize>,
) -> Result<f64, ScenarioError> {
    let Some(v) = value else {
        return check.err(
            whole,
            field,
            "is required for this fault: a share from 0 to 1",
        );
    };
    let x = *v.get_ref();
    if !(0.0..=1.0).contains(&x) {
        return check.err(
            v.span(),
            field,
            format!("{x} is not a share: use 0 to 1 (0.06 for 6 %)"),
        );
    }
    Ok(x)
}

fn injection(
    check: &Checker<'_>,
    raw: &Spanned<RawInject>,
    i: usize,
    regions: Option<&[String]>,
) -> Result<Injection, ScenarioError> {
    let whole = raw.span();
    let r = raw.get_ref();
    let field = |f: &str| format!("inject[{i}].{f}");
    let id = check.text(&r.id, &field("id"), NAME)?;
    let start = match (&r.at, &r.after) {
        (Some(at), None) => {
            if let Some(d) = &r.delay {
                return check.err(d.span(), field("delay"), "goes with `after`, not with `at`");
            }
            Start::At(check.time(at, &field("at"), true)?)
        }
        (None, Some(after)) => Start::After {
            injection: after.get_ref().trim().to_string(),
            delay: match &r.delay {
                Some(d) => check.time(d, &field("delay"), true)?,
                None => Span::zero(),
            },
        },
        (Some(_), Some(after)) => {
            return check.err(
                after.span(),
                field("after"),
                "give `at` or `after`, not both",
            );
        }
        (None, None) => {
            return check.err(
                whole,
                field("at"),
                "say when it begins: `at = \"50s\"`, or `after = \"id\"` with a `delay`",
            );
        }
    };
    let kind = r.fault.get_ref().trim();
    let given = [
        ("rate", r.rate.as_ref().map(|v| v.span())),
        ("factor", r.factor.as_ref().map(|v| v.span())),
        ("share", r.share.as_ref().map(|v| v.span())),
        ("ramp", r.ramp.as_ref().map(|v| v.span())),
        ("status", r.status.as_ref().map(|v| v.span())),
        ("name", r.name.as_ref().map(|v| v.span())),
    ];
    if !parameters(kind).is_empty() || kind == "metrics_gap" {
        for (name, span) in given {
            if let Some(span) = span.filter(|_| !parameters(kind).contains(&name)) {
                return check.err(
                    span,
                    field(name),
                    format!("is not a parameter of a {kind} fault"),
                );
            }
        }
    }
    let ramp = match &r.ramp {
        Some(v) => check.time(v, &field("ramp"), true)?,
        None => Span::zero(),
    };
    let fault = match kind {
        "error_rate" => FaultKind::ErrorRate {
            rate: share(check, r.rate.as_ref(), &field("rate"), whole.clone())?,
            ramp,
        },
        "latency" => {
            let Some(f) = &r.factor else {
                return check.err(
                    whole,
                    field("factor"),
                    "is required for a latency fault: the p99's multiple at the peak",
                );
            };
            let factor = *f.get_ref();
            if !(1.0..=100.0).contains(&factor) {
                return check.err(
                    f.span(),
                    field("factor"),
                    format!("{factor} is not a slowdown: use 1 to 100 (2.5 for 2.5 times slower)"),
                );
            }
            FaultKind::Latency { factor, ramp }
        }
        "traffic_drop" => FaultKind::TrafficDrop {
            share: share(check, r.share.as_ref(), &field("share"), whole.clone())?,
        },
        "metrics_gap" => FaultKind::MetricsGap,
        "deploy_api" => {
            FaultKind::DeployApi(deploy_failure(check, r, whole.clone(), &field("status"))?)
        }
        "alert" => match &r.name {
            Some(n) => FaultKind::Alert {
                name: check.text(n, &field("name"), NAME)?,
            },
            None => {
                return check.err(
                    whole,
                    field("name"),
                    "is required for an alert: the alert's name",
                );
            }
        },
        other => {
            return check.err(
                r.fault.span(),
                field("fault"),
                format!("`{other}` is not a fault; use {KINDS}"),
            );
        }
    };
    let versions = match r.version.as_ref().map(|v| (v, v.get_ref().trim())) {
        None => Versions::Canary,
        Some((_, "canary")) => Versions::Canary,
        Some((_, "stable")) => Versions::Stable,
        Some((_, "both")) => Versions::Both,
        Some((v, other)) => {
            return check.err(
                v.span(),
                field("version"),
                format!("`{other}` is not a version; use canary, stable or both"),
            );
        }
    };
    let region = match &r.region {
        Some(v) => match check.region(v, &field("region"), regions)? {
            name if name == super::SECOND_WAVE => None,
            name => Some(name),
        },
        None => None,
    };
    let duration = match &r.duration {
        Some(d) => Some(check.time(d, &field("duration"), false)?),
        None => None,
    };
    Ok(Injection {
        id,
        start,
        target: Target { region, versions },
        fault,
        duration,
    })
}

fn deploy_failure(
    check: &Checker<'_>,
    r: &RawInject,
    whole: std::ops::Range<usize>,
    field: &str,
) -> Result<DeployFailure, ScenarioError> {
    let Some(status) = &r.status else {
        return check.err(
            whole,
            field,
            "is required for a deploy_api fault: 403, 500 or \"timeout\"",
        );
    };
    match status.get_ref() {
        toml::Value::Integer(403) => Ok(DeployFailure::Forbidden),
        toml::Value::Integer(500) => Ok(DeployFailure::ServerError),
        toml::Value::String(s) if s.trim() == "timeout" => Ok(DeployFailure::Timeout),
        other => check.err(
            status.span(),
            field,
            format!("{other} is not a failure the simulator plays; use 403, 500 or \"timeout\""),
        ),
    }
}

/// Every injection, ids unique, each `after` naming another and no chain
/// of them going round.
pub(super) fn injections(
    check: &Checker<'_>,
    raw: &[Spanned<RawInject>],
    regions: Option<&[String]>,
) -> Result<Vec<Injection>, ScenarioError> {
    let mut out: Vec<Injection> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let inj = injection(check, r, i, regions)?;
        if out.iter().any(|o| o.id == inj.id) {
            return check.err(
                r.get_ref().id.span(),
                format!("inject[{i}].id"),
                format!("`{}` is used twice", inj.id),
            );
        }
        out.push(inj);
    }
    let ids: Vec<String> = out.iter().map(|i| i.id.clone()).collect();
    for (i, (inj, r)) in out.iter().zip(raw).enumerate() {
        let Start::After { injection, .. } = &inj.start else {
            continue;
        };
        let span = r.get_ref().after.as_ref().map_or(r.span(), |a| a.span());
        let field = format!("inject[{i}].after");
        if !ids.contains(injection) {
            return check.err(
                span,
                field,
                format!(
                    "no injection `{injection}` in the scenario; it has {}",
                    ids.join(", ")
                ),
            );
        }
        // Follow the chain back: reaching this one again is a cycle.
        let mut at = injection.clone();
        let mut path = vec![inj.id.clone()];
        while let Some(Start::After {
            injection: next, ..
        }) = out.iter().find(|o| o.id == at).map(|o| &o.start)
        {
            path.push(at.clone());
            if at == inj.id || path.len() > out.len() + 1 {
                return check.err(span, field, format!("goes round: {}", path.join(" after ")));
            }
            at = next.clone();
        }
        if at == inj.id {
            path.push(at);
            return check.err(span, field, format!("goes round: {}", path.join(" after ")));
        }
    }
    Ok(out)
}
