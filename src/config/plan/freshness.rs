//! `[signals.freshness]`: how warroom tells that the samples behind a
//! signal are old even while Prometheus still answers for them. A `rate()`
//! over 30 s goes on answering for 30 s after its target died; the raw
//! series under it does not, since a failed scrape marks it stale at once.
//! So, beside each signal's query, warroom asks the newest raw sample's
//! own timestamp, by region and version.

use std::time::Duration;

use toml::Spanned;

use super::*;
use crate::config::promql::raw_series;

/// How old the newest raw sample behind a value may be when the plan does
/// not say: above the usual 1 minute scrape interval, with room for lag.
pub const DEFAULT_MAX_SAMPLE_AGE: Duration = Duration::from_secs(120);

/// The longest `max_age` a plan may give: past Prometheus's 5 minute
/// look-back the raw series is not answered anyway.
const MAX_SAMPLE_AGE: Duration = Duration::from_secs(3600);

/// The freshness queries of a plan, checked or derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFreshness {
    /// Per signal, PromQL giving by region and version the Unix time of the
    /// newest raw sample behind it. A signal without one is judged fresh
    /// whenever its own query answers.
    pub queries: Vec<(Signal, String)>,
    /// A newest sample older than this makes the value stale.
    pub max_age: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFreshness {
    max_age: Option<Spanned<String>>,
    request_rate: Option<Spanned<String>>,
    error_rate: Option<Spanned<String>>,
    latency_p99: Option<Spanned<String>>,
    success_rate: Option<Spanned<String>>,
}

/// The query asking the newest raw sample's time of `series`, by region and version.
pub fn newest_sample_query(series: &str, region_label: &str, version_label: &str) -> String {
    format!("max by ({region_label}, {version_label}) (timestamp({series}))")
}

impl Checker<'_> {
    pub(super) fn freshness(
        &self,
        raw: Option<&Spanned<RawFreshness>>,
        queries: &[(Signal, String)],
        region_label: &str,
        version_label: &str,
    ) -> Result<SampleFreshness, PlanError> {
        let f = raw.map(|r| r.get_ref());
        let max_age = match f.and_then(|f| f.max_age.as_ref()) {
            None => DEFAULT_MAX_SAMPLE_AGE,
            Some(v) => {
                let d = self.duration(v, "signals.freshness.max_age")?;
                if d > MAX_SAMPLE_AGE {
                    return self.err(v.span(), "signals.freshness.max_age", "must be at most 1h");
                }
                d
            }
        };
        let mut out = Vec::new();
        for (signal, query) in queries {
            let name = SIGNAL_NAMES[Signal::ALL.iter().position(|s| s == signal).unwrap_or(0)];
            let given = f.and_then(|f| match signal {
                Signal::RequestRate => f.request_rate.as_ref(),
                Signal::ErrorRate => f.error_rate.as_ref(),
                Signal::LatencyP99 => f.latency_p99.as_ref(),
                Signal::SuccessRate => f.success_rate.as_ref(),
            });
            match given {
                Some(q) => {
                    let q = self.text(q, &format!("signals.freshness.{name}"), QUERY)?;
                    if q != "off" {
                        out.push((*signal, q));
                    }
                }
                None => {
                    if let Some(series) = raw_series(query) {
                        out.push((
                            *signal,
                            newest_sample_query(&series, region_label, version_label),
                        ));
                    }
                }
            }
        }
        // A freshness query for a signal without a query says nothing.
        if let Some(f) = f {
            for (given, name, signal) in [
                (&f.request_rate, "request_rate", Signal::RequestRate),
                (&f.error_rate, "error_rate", Signal::ErrorRate),
                (&f.latency_p99, "latency_p99", Signal::LatencyP99),
                (&f.success_rate, "success_rate", Signal::SuccessRate),
            ] {
                if let Some(g) = given
                    && !queries.iter().any(|(s, _)| *s == signal)
                {
                    return self.err(
                        g.span(),
                        format!("signals.freshness.{name}"),
                        format!("`{name}` has no query in [signals]"),
                    );
                }
            }
        }
        Ok(SampleFreshness {
            queries: out,
            max_age,
        })
    }
}
