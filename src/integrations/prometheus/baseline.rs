//! What a signal was before the rollout, asked of Prometheus: one instant
//! query at the window's end of the signal's own query averaged over the
//! window (a subquery, `avg_over_time((q)[24h:step])`). Before the rollout
//! every series was the stable version's, so a signal measured per version
//! takes each region's stable series (or its only one).

use std::collections::BTreeMap;

use super::PrometheusSource;
use super::response::{InstantVector, parse_masked};
use crate::domain::Span;
use crate::domain::baseline::{BaselineFuture, BaselineRequest, BaselineSource, BaselineValues};
use crate::domain::health::{Per, VersionRole};

/// How many evaluations the subquery makes across its window, about: a
/// 24 h window is then read every 12 minutes.
const STEPS: i64 = 120;

/// The subquery's step: the window over [`STEPS`], from 1 s to 15 min.
fn step(window: Span) -> i64 {
    (window.num_seconds() / STEPS).clamp(1, 900)
}

/// The PromQL that averages `query` over `window`.
pub fn averaged(query: &str, window: Span) -> String {
    format!(
        "avg_over_time(({query})[{}s:{}s])",
        window.num_seconds().max(1),
        step(window)
    )
}

impl PrometheusSource {
    /// Run `promql` as an instant query evaluated at `time` (Unix seconds).
    async fn query_at(&self, promql: &str, time: i64) -> Result<InstantVector, String> {
        let time = time.to_string();
        let request = self
            .http
            .read(reqwest::Method::POST, &self.query_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("query", promql), ("time", time.as_str())]);
        let response = request.send().await.map_err(|e| self.http.transport(&e))?;
        let status = response.status().as_u16();
        let body = self.http.body(response).await.map_err(|e| e.to_string())?;
        parse_masked(status, &body, &self.http.secrets()).map_err(|e| e.to_string())
    }

    /// The values of `request`'s signal before the rollout, per region (or
    /// the service's one). An answer with no series at all is a failure:
    /// asked again later, perhaps once the window has data.
    pub async fn baseline(&self, request: &BaselineRequest) -> Result<BaselineValues, String> {
        let signal = &request.signal;
        let query = self
            .queries
            .iter()
            .find(|(s, _)| s == signal)
            .map(|(_, q)| q.as_str())
            .ok_or_else(|| format!("{} has no query", signal.label()))?;
        let promql = averaged(query, request.window);
        let vector = self
            .query_at(&promql, request.end.timestamp())
            .await
            .map_err(|e| format!("{} before the rollout: {e}", signal.label()))?;
        if vector.points.is_empty() {
            return Err(format!(
                "{} before the rollout: no series in the window",
                signal.label()
            ));
        }
        let mut values = BaselineValues::default();
        if signal.per() == Per::Service {
            // One value for the service: a query that is not aggregated
            // cannot say which.
            values.service = match vector.points.as_slice() {
                [only] => Some(only.value),
                _ => None,
            };
            return Ok(values);
        }
        // Per region: the stable series, else the region's only series.
        let mut by_region: BTreeMap<String, (Option<f64>, Vec<f64>)> = BTreeMap::new();
        for point in &vector.points {
            let Some(region) = point
                .labels
                .get(&self.region_label)
                .and_then(|r| self.regions.get(r))
            else {
                continue;
            };
            let entry = by_region.entry(region.clone()).or_default();
            let stable = signal.per() == Per::Version
                && point
                    .labels
                    .get(&self.version_label)
                    .and_then(|v| self.versions.get(v))
                    == Some(&VersionRole::Stable);
            if stable {
                entry.0 = Some(point.value);
            }
            entry.1.push(point.value);
        }
        for (region, (stable, all)) in by_region {
            let value = match (stable, all.as_slice()) {
                (Some(v), _) => Some(v),
                (None, [only]) => Some(*only),
                _ => None,
            };
            if let Some(v) = value {
                values.regions.insert(region, v);
            }
        }
        Ok(values)
    }
}

impl BaselineSource for PrometheusSource {
    fn before<'a>(&'a self, request: &'a BaselineRequest) -> BaselineFuture<'a> {
        Box::pin(self.baseline(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_averaged_in_about_120_steps() {
        assert_eq!(
            averaged("sum(x)", Span::hours(24)),
            "avg_over_time((sum(x))[86400s:720s])"
        );
        assert_eq!(
            averaged("q", Span::seconds(30)),
            "avg_over_time((q)[30s:1s])"
        );
        assert_eq!(step(Span::days(30)), 900);
    }
}
