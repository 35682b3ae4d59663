//! The Prometheus source: one instant query per signal per poll, grouped by
//! region and version, so a poll costs the same for 3 regions or 300. Works
//! with anything that speaks the Prometheus HTTP API (Thanos, Mimir,
//! VictoriaMetrics, Cortex).

mod baseline;
mod freshness;
pub mod response;

use std::collections::HashMap;

use futures_util::future::join_all;

use super::http::Http;
pub use super::http::SetupError;
use super::secret::bearer_token;
use crate::config::plan::MetricsSource;
use crate::domain::health::{Basis, Per, Sample, Signal, VersionRole};
use crate::domain::plan::RolloutPlan;
use crate::domain::source::{SourceError, SourceInfo, SourceKind};
use response::{InstantVector, parse_masked};

/// The most warnings of one query kept for the screen in one poll.
const MAX_WARNINGS: usize = 5;

/// A Prometheus API endpoint and the queries to run against it.
#[derive(Debug, Clone)]
pub struct PrometheusSource {
    http: Http,
    query_url: String,
    pub info: SourceInfo,
    queries: Vec<(Signal, String)>,
    /// Each distinct freshness query, and the signals it speaks for.
    freshness: Vec<(String, Vec<Signal>)>,
    /// A newest raw sample older than this, in seconds, makes a value stale.
    max_sample_age: f64,
    region_label: String,
    version_label: String,
    regions: HashMap<String, String>,
    versions: HashMap<String, VersionRole>,
}

/// What one poll brought: samples, and what could not be used.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricsPoll {
    pub samples: Vec<Sample>,
    pub notes: Vec<String>,
}

/// Keep a handful of an answer's warnings as notes: a flood would only
/// slow the screen.
fn note_warnings(notes: &mut Vec<String>, label: &str, warnings: &[String]) {
    for w in warnings.iter().take(MAX_WARNINGS) {
        notes.push(format!("{label}: {w}"));
    }
    let extra = warnings.len().saturating_sub(MAX_WARNINGS);
    if extra > 0 {
        notes.push(format!("{label}: and {extra} more warnings"));
    }
}

/// Series a poll could not place, counted by reason, for one note.
#[derive(Default)]
struct Skipped {
    no_region: usize,
    no_version: usize,
    other_region: usize,
    other_version: usize,
}

impl PrometheusSource {
    pub fn new(config: &MetricsSource, plan: &RolloutPlan) -> Result<Self, SetupError> {
        let token = bearer_token(&config.endpoint.auth)?;
        let host = reqwest::Url::parse(&config.endpoint.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| config.endpoint.url.clone());
        let name = format!("prometheus {host}");
        let http = Http::new(
            &name,
            config.endpoint.timeout,
            config.endpoint.max_answer,
            token,
        )?;
        Ok(PrometheusSource {
            http,
            query_url: format!("{}/api/v1/query", config.endpoint.url),
            info: SourceInfo {
                name,
                kind: SourceKind::Metrics,
                interval: config.endpoint.interval,
                timeout: config.endpoint.timeout,
            },
            queries: config.queries.clone(),
            freshness: freshness::grouped(&config.freshness.queries),
            max_sample_age: config.freshness.max_age.as_secs_f64(),
            region_label: config.region_label.clone(),
            version_label: config.version_label.clone(),
            regions: config.region_values.iter().cloned().collect(),
            versions: HashMap::from([
                (plan.stable_version.clone(), VersionRole::Stable),
                (plan.canary_version.clone(), VersionRole::Canary),
            ]),
        })
    }

    /// The region name and version role a series' labels name, if the plan has them.
    fn place(
        &self,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Option<(String, VersionRole)> {
        let region = self.regions.get(labels.get(&self.region_label)?)?;
        let version = self.versions.get(labels.get(&self.version_label)?)?;
        Some((region.clone(), *version))
    }

    /// Run one instant query.
    async fn query(&self, promql: &str) -> Result<InstantVector, String> {
        let request = self
            .http
            .read(reqwest::Method::POST, &self.query_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&[("query", promql)]);
        let response = request.send().await.map_err(|e| self.http.transport(&e))?;
        let status = response.status().as_u16();
        let body = self.http.body(response).await.map_err(|e| e.to_string())?;
        parse_masked(status, &body, &self.http.secrets()).map_err(|e| match status {
            401 | 403 => format!("{e} (check the bearer token)"),
            _ => e.to_string(),
        })
    }

    /// One poll: every signal's query and every freshness query at once.
    /// Any query failing fails the poll, naming the signal; answers that
    /// cannot be placed become notes. A value from an answer with warnings
    /// is partial; one whose raw samples are old or gone is stale.
    pub async fn poll(&self) -> Result<MetricsPoll, SourceError> {
        let (answers, fresh) = futures_util::join!(
            join_all(self.queries.iter().map(|(_, q)| self.query(q))),
            join_all(self.freshness.iter().map(|(q, _)| self.query(q))),
        );
        let mut poll = MetricsPoll::default();
        let mut ages = HashMap::new();
        for ((_, signals), answer) in self.freshness.iter().zip(fresh) {
            let label = format!("{} freshness", signals[0].label());
            let vector = answer.map_err(|e| SourceError(format!("{label}: {e}")))?;
            note_warnings(&mut poll.notes, &label, &vector.warnings);
            let view = freshness::View::of(&vector, |labels| self.place(labels));
            for s in signals {
                ages.insert(s.clone(), view.clone());
            }
        }
        let mut skipped = Skipped::default();
        for ((signal, _), answer) in self.queries.iter().zip(answers) {
            let vector = answer.map_err(|e| SourceError(format!("{}: {e}", signal.label())))?;
            note_warnings(&mut poll.notes, signal.label(), &vector.warnings);
            let partial = !vector.warnings.is_empty();
            let mut placed = Vec::new();
            for point in vector.points {
                // A service-wide signal has one value; a region's own has
                // no version. Their samples carry placeholders, which the
                // matrix ignores for such signals.
                if signal.per() == Per::Service {
                    placed.push((String::new(), VersionRole::Stable, point.value));
                    continue;
                }
                let Some(region_value) = point.labels.get(&self.region_label) else {
                    skipped.no_region += 1;
                    continue;
                };
                let Some(region) = self.regions.get(region_value) else {
                    skipped.other_region += 1;
                    continue;
                };
                if signal.per() == Per::Region {
                    placed.push((region.clone(), VersionRole::Stable, point.value));
                    continue;
                }
                let Some(version_value) = point.labels.get(&self.version_label) else {
                    skipped.no_version += 1;
                    continue;
                };
                let Some(&version) = self.versions.get(version_value) else {
                    skipped.other_version += 1;
                    continue;
                };
                placed.push((region.clone(), version, point.value));
            }
            let view = ages.get(signal);
            // A partial answer says nothing of the cells it left out: they
            // are partial too, not "no data".
            if partial || view.is_some_and(|v| v.partial) {
                let (regions, versions): (Vec<String>, &[VersionRole]) = match signal.per() {
                    Per::Version => (self.regions.values().cloned().collect(), &VersionRole::ALL),
                    Per::Region => (
                        self.regions.values().cloned().collect(),
                        &[VersionRole::Stable],
                    ),
                    Per::Service => (vec![String::new()], &[VersionRole::Stable]),
                };
                for region in &regions {
                    for version in versions {
                        if !placed.iter().any(|(r, v, _)| r == region && v == version) {
                            placed.push((region.clone(), *version, f64::NAN));
                        }
                    }
                }
            }
            for (region, version, value) in placed {
                let answered = if partial {
                    Basis::Partial
                } else {
                    Basis::Current
                };
                let basis = match view {
                    Some(v) => v.basis(&region, version, answered, self.max_sample_age),
                    None => answered,
                };
                poll.samples.push(Sample {
                    region,
                    version,
                    signal: signal.clone(),
                    value,
                    basis,
                });
            }
        }
        // Two series for one region × version × signal: the query is not
        // aggregated. Which is right cannot be told, so neither is shown.
        let mut seen = std::collections::HashSet::new();
        let duplicated: std::collections::HashSet<(String, VersionRole, Signal)> = poll
            .samples
            .iter()
            .map(|s| (s.region.clone(), s.version, s.signal.clone()))
            .filter(|k| !seen.insert(k.clone()))
            .collect();
        if !duplicated.is_empty() {
            for s in &mut poll.samples {
                if duplicated.contains(&(s.region.clone(), s.version, s.signal.clone())) {
                    s.value = f64::NAN;
                }
            }
            poll.notes.push(format!(
                "{} region × version × signal with more than one series, shown as no data: aggregate the query by ({}, {})",
                duplicated.len(),
                self.region_label,
                self.version_label
            ));
        }
        let (r, v) = (&self.region_label, &self.version_label);
        for (count, what) in [
            (
                skipped.no_region,
                format!("without a `{r}` label: group the query by ({r}, {v})"),
            ),
            (
                skipped.no_version,
                format!("without a `{v}` label: group the query by ({r}, {v})"),
            ),
            (
                skipped.other_region,
                "for regions not in the plan, ignored".to_string(),
            ),
            (
                skipped.other_version,
                "for versions other than stable and canary, ignored".to_string(),
            ),
        ] {
            if count > 0 {
                poll.notes.push(format!("{count} series {what}"));
            }
        }
        Ok(poll)
    }
}
