//! Rollout plan files: what is rolled out, where, which PromQL gives each
//! signal, the stop conditions, the waves and the sources. Everything is
//! checked on load; an error names the file, the line and the field, and says
//! what would be right.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::file::{PLAN_MAX_BYTES, ReadProblem, read_capped};
use super::text::{self, LABEL, Limit, NAME, PATH, QUERY, URL, shown};
use super::toml_error::{line_of, locate};
use super::url::{UrlProblem, check_url};
use crate::domain::Span;
use crate::domain::guardrail::{Baseline, Consequence, Direction, StopCondition};
use crate::domain::health::Signal;
use crate::domain::judgment::{Bad, JudgmentPlan, MetricRule};
use crate::domain::plan::RolloutPlan;
use crate::domain::rollout::{Scope, Wave, WavePlan};
use crate::domain::scorecard::{Item, ScorecardPlan};
use crate::domain::signal::Signals;

mod bake;
mod comms;
mod condition;
mod deploy;
mod freshness;
mod gates;
mod judgment;
mod notify;
mod raw;
mod share;
mod signals;
pub use deploy::{ArgoSource, ArgoTarget, DeploySource};
pub use freshness::{DEFAULT_MAX_SAMPLE_AGE, SampleFreshness};
pub use notify::{NotifyKind, NotifyReceiver, PAGERDUTY_EVENTS, SecretSource};
use raw::*;

/// A plan file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What a file said may be repeated in the problem: shown escaped.
        let (file, field, problem) = (shown(&self.file), shown(&self.field), shown(&self.problem));
        match self.line {
            0 => write!(f, "{file}: {field}: {problem}"),
            n => write!(f, "{file}:{n}: {field}: {problem}"),
        }
    }
}

impl std::error::Error for PlanError {}

/// How a source proves who it is. Tokens never live in the plan itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    None,
    /// A bearer token read from this file (trailing newline trimmed).
    BearerFile(PathBuf),
    /// A bearer token read from this environment variable.
    BearerEnv(String),
}

/// Where and how often to poll one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub interval: Duration,
    pub timeout: Duration,
    pub auth: Auth,
    /// The largest answer read, in bytes (`max_answer`); a larger one is refused.
    pub max_answer: u64,
}

/// The largest answer read when the plan does not say: 16 MiB. A Prometheus
/// vector of 10 000 series with a dozen labels each weighs about 3 MiB.
pub const DEFAULT_MAX_ANSWER: u64 = 16 << 20;

/// The bounds of `max_answer`: an answer cap must let a small API answer
/// through and still bound memory.
const MAX_ANSWER_RANGE: (u64, u64) = (1 << 10, 1 << 30);

/// The metrics source: a Prometheus HTTP API and the PromQL for each signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSource {
    pub endpoint: Endpoint,
    pub queries: Vec<(Signal, String)>,
    /// Label names that carry the region and the version in query results.
    pub region_label: String,
    pub version_label: String,
    /// Region label value → region name.
    pub region_values: Vec<(String, String)>,
    /// How the age of the samples behind each signal is asked for.
    pub freshness: SampleFreshness,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanFile {
    pub path: PathBuf,
    pub plan: RolloutPlan,
    pub metrics: MetricsSource,
    pub deploy: Option<DeploySource>,
    /// The delivery history for DORA (an NDJSON event file), if any.
    pub history: Option<PathBuf>,
    /// Who outside hears of breaches, actions and waves (`[[notify]]`).
    pub notify: Vec<NotifyReceiver>,
}

/// Checks a raw plan and turns it into the domain's types.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

/// The longest a rollback rehearsal may be trusted for.
const MAX_REHEARSAL_AGE: Duration = Duration::from_secs(365 * 86_400);

impl Checker<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Result<T, PlanError> {
        Err(PlanError {
            file: self.file.to_string(),
            line: line_of(self.text, span.start),
            field: field.into(),
            problem: problem.into(),
        })
    }

    fn duration(&self, value: &Spanned<String>, field: &str) -> Result<Duration, PlanError> {
        match humantime::parse_duration(value.get_ref().trim()) {
            Ok(d) if d > MAX_DURATION => self.err(value.span(), field, "must be at most 30 days"),
            Ok(d) if !d.is_zero() => Ok(d),
            Ok(_) => self.err(value.span(), field, "must be longer than zero"),
            Err(_) => self.err(
                value.span(),
                field,
                format!(
                    "`{}` is not a duration; write e.g. \"30s\", \"2m\" or \"1h30m\"",
                    value.get_ref()
                ),
            ),
        }
    }

    /// A free-text value, trimmed: not empty, and within `limit` (no
    /// control or bidi character, not too long).
    fn text(
        &self,
        value: &Spanned<String>,
        field: &str,
        limit: Limit,
    ) -> Result<String, PlanError> {
        let v = value.get_ref().trim();
        if v.is_empty() {
            return self.err(value.span(), field, "must not be empty");
        }
        if let Err(problem) = text::check(v, limit) {
            return self.err(value.span(), field, problem.to_string());
        }
        Ok(v.to_string())
    }

    fn endpoint(
        &self,
        raw: &Spanned<RawEndpoint>,
        name: &str,
        kinds: &[&str],
    ) -> Result<Endpoint, PlanError> {
        let e = raw.get_ref();
        let kind = e.kind.get_ref().as_str();
        if !kinds.contains(&kind) {
            return self.err(
                e.kind.span(),
                format!("sources.{name}.kind"),
                format!(
                    "`{kind}` is not a {name} source kind; use {}",
                    kinds.join(" or ")
                ),
            );
        }
        let url_field = format!("sources.{name}.url");
        let url = self.text(&e.url, &url_field, URL)?;
        match check_url(&url, e.auth.is_some()) {
            Ok(_) => {}
            Err(UrlProblem::ClearTextToken) => {
                let span = e.auth.as_ref().map_or(e.url.span(), |a| a.span());
                let problem = UrlProblem::ClearTextToken.to_string();
                return self.err(span, format!("sources.{name}.auth"), problem);
            }
            Err(UrlProblem::Credentials) => {
                let problem = format!(
                    "{}; use [sources.{name}.auth] with a token file or variable",
                    UrlProblem::Credentials
                );
                return self.err(e.url.span(), url_field, problem);
            }
            Err(problem) => return self.err(e.url.span(), url_field, problem.to_string()),
        }
        let interval = match &e.interval {
            Some(v) => self.duration(v, &format!("sources.{name}.interval"))?,
            None => Duration::from_secs(5),
        };
        let timeout = match &e.timeout {
            Some(v) => self.duration(v, &format!("sources.{name}.timeout"))?,
            None => interval.min(Duration::from_secs(3)),
        };
        for (value, what) in [(&e.interval, "interval"), (&e.timeout, "timeout")] {
            if let Some(v) = value
                && self.duration(v, &format!("sources.{name}.{what}"))? > MAX_POLL
            {
                return self.err(
                    v.span(),
                    format!("sources.{name}.{what}"),
                    "must be at most 1h",
                );
            }
        }
        let auth = match &e.auth {
            None => Auth::None,
            Some(a) => self.auth(a, name)?,
        };
        let max_answer = match &e.max_answer {
            None => DEFAULT_MAX_ANSWER,
            Some(v) => self.size(v, &format!("sources.{name}.max_answer"))?,
        };
        Ok(Endpoint {
            url: url.trim_end_matches('/').to_string(),
            interval,
            timeout,
            auth,
            max_answer,
        })
    }

    /// A size such as `"16MiB"`, `"512KiB"`, `"1GiB"` or `"20000"` (bytes).
    fn size(&self, raw: &Spanned<String>, field: &str) -> Result<u64, PlanError> {
        let text = raw.get_ref().trim();
        let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let unit = match text[digits.len()..].trim() {
            "" | "B" => Some(1),
            "KiB" => Some(1 << 10),
            "MiB" => Some(1 << 20),
            "GiB" => Some(1 << 30),
            _ => None,
        };
        let bytes = unit.and_then(|u| digits.trim().parse::<u64>().ok()?.checked_mul(u));
        let (least, most) = MAX_ANSWER_RANGE;
        match bytes {
            Some(b) if (least..=most).contains(&b) => Ok(b),
            Some(_) => self.err(raw.span(), field, "must be between 1KiB and 1GiB"),
            None => self.err(
                raw.span(),
                field,
                format!(
                    "`{text}` is not a size; write e.g. \"16MiB\", \"512KiB\" or a number of bytes"
                ),
            ),
        }
    }

    fn auth(&self, raw: &Spanned<RawAuth>, name: &str) -> Result<Auth, PlanError> {
        let a = raw.get_ref();
        if let Some(inline) = &a.bearer_token {
            return self.err(
                inline.span(),
                format!("sources.{name}.auth.bearer_token"),
                "tokens are never written in the plan; use bearer_token_file = \"/path\" or bearer_token_env = \"VARIABLE\"",
            );
        }
        match (&a.bearer_token_file, &a.bearer_token_env) {
            (Some(file), None) => Ok(Auth::BearerFile(PathBuf::from(self.text(
                file,
                &format!("sources.{name}.auth.bearer_token_file"),
                PATH,
            )?))),
            (None, Some(var)) => Ok(Auth::BearerEnv(self.text(
                var,
                &format!("sources.{name}.auth.bearer_token_env"),
                NAME,
            )?)),
            _ => self.err(
                raw.span(),
                format!("sources.{name}.auth"),
                "give exactly one of bearer_token_file or bearer_token_env",
            ),
        }
    }

    fn wave(
        &self,
        i: usize,
        raw: &Spanned<RawWave>,
        regions: &[String],
        previous: u8,
    ) -> Result<Wave, PlanError> {
        let w = raw.get_ref();
        let field = |f: &str| format!("waves[{i}].{f}");
        let name = self.text(&w.name, &field("name"), NAME)?;
        let weight = *w.weight.get_ref();
        if !(1..=100).contains(&weight) {
            return self.err(
                w.weight.span(),
                field("weight"),
                format!("{weight} is not a percentage from 1 to 100"),
            );
        }
        let weight = weight as u8;
        if weight < previous {
            return self.err(
                w.weight.span(),
                field("weight"),
                format!("{weight}% is less than the previous wave's {previous}%: waves only widen"),
            );
        }
        let scope = match w.regions.get_ref() {
            RawScope::All(s) if s == "all" => Scope::All,
            RawScope::All(s) => {
                return self.err(
                    w.regions.span(),
                    field("regions"),
                    format!("`{s}`: write \"all\" or a list of region names"),
                );
            }
            RawScope::Regions(list) => {
                if list.is_empty() {
                    return self.err(w.regions.span(), field("regions"), "names no region");
                }
                if let Some(unknown) = list.iter().find(|r| !regions.contains(r)) {
                    return self.err(
                        w.regions.span(),
                        field("regions"),
                        format!(
                            "`{unknown}` is not in [[regions]]; known: {}",
                            regions.join(", ")
                        ),
                    );
                }
                Scope::Regions(list.clone())
            }
        };
        let hold = self.duration(&w.hold, &field("hold"))?;
        Ok(Wave {
            name,
            weight,
            scope,
            hold: Span::from_std(hold).unwrap_or(Span::MAX),
        })
    }
}

/// The longest duration a plan may give: holds and windows beyond it are
/// mistakes, and bounded durations keep every sum of them finite.
const MAX_DURATION: Duration = Duration::from_secs(30 * 86_400);

/// The longest poll interval or timeout: a source polled less often is not watched.
const MAX_POLL: Duration = Duration::from_secs(3600);

impl PlanFile {
    /// Read and check the plan at `path`; a file over 1 MiB is refused
    /// before it is read whole.
    pub fn load(path: &Path) -> Result<PlanFile, PlanError> {
        let text = read_capped(path, PLAN_MAX_BYTES, "a plan").map_err(|e| PlanError {
            file: path.display().to_string(),
            line: 0,
            field: "(file)".to_string(),
            problem: e.to_string(),
        })?;
        PlanFile::parse(&text, path)
    }

    /// Check the plan `text`, read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<PlanFile, PlanError> {
        let file = path.display().to_string();
        if text.len() > PLAN_MAX_BYTES {
            return Err(PlanError {
                file,
                line: 0,
                field: "(file)".to_string(),
                problem: ReadProblem::TooLarge {
                    max: PLAN_MAX_BYTES,
                    what: "a plan",
                }
                .to_string(),
            });
        }
        let raw: RawPlan = toml::from_str(text).map_err(|e| {
            let (line, field, problem) = locate(text, &e);
            PlanError {
                file: file.clone(),
                line,
                field,
                problem,
            }
        })?;
        let check = Checker { file: &file, text };
        let service = check.text(&raw.service, "service", NAME)?;
        let versions = raw.versions.get_ref();
        let stable = check.text(&versions.stable, "versions.stable", NAME)?;
        let canary = check.text(&versions.canary, "versions.canary", NAME)?;
        if stable == canary {
            return check.err(
                versions.canary.span(),
                "versions.canary",
                "is the same as versions.stable",
            );
        }

        let mut regions: Vec<String> = Vec::new();
        let mut region_values = Vec::new();
        if raw.regions.get_ref().is_empty() {
            return check.err(
                raw.regions.span(),
                "regions",
                "the plan names no region; add [[regions]] name = \"…\"",
            );
        }
        for (i, r) in raw.regions.get_ref().iter().enumerate() {
            let r = r.get_ref();
            let name = check.text(&r.name, &format!("regions[{i}].name"), NAME)?;
            if regions.contains(&name) {
                return check.err(
                    r.name.span(),
                    format!("regions[{i}].name"),
                    format!("`{name}` is listed twice"),
                );
            }
            // `all` is how actions say "every region": a region cannot be called so.
            if name == "all" {
                return check.err(
                    r.name.span(),
                    format!("regions[{i}].name"),
                    "`all` stands for every region in actions; name the region otherwise",
                );
            }
            let label = match &r.label {
                Some(l) => check.text(l, &format!("regions[{i}].label"), LABEL)?,
                None => name.clone(),
            };
            regions.push(name.clone());
            region_values.push((label, name));
        }

        let (signals, queries) = check.signals(&raw.signals)?;

        if raw.stop_conditions.is_empty() {
            return check.err(
                raw.signals.span(),
                "stop_conditions",
                "the plan has none: without stop conditions nothing can be judged; add [[stop_conditions]]",
            );
        }
        let stop_conditions = raw
            .stop_conditions
            .iter()
            .enumerate()
            .map(|(i, c)| check.condition(i, c, &signals))
            .collect::<Result<Vec<_>, _>>()?;

        if raw.waves.get_ref().is_empty() {
            return check.err(
                raw.waves.span(),
                "waves",
                "the plan has no wave; add [[waves]]",
            );
        }
        let mut waves = Vec::new();
        for (i, w) in raw.waves.get_ref().iter().enumerate() {
            let previous = waves.last().map_or(0, |w: &Wave| w.weight);
            waves.push(check.wave(i, w, &regions, previous)?);
        }

        let scorecard = check.scorecard(raw.scorecard.as_ref())?;
        let gates = check.gates(raw.gates.as_ref())?;
        let bake = check.bake(raw.bake.as_ref())?;
        let share = check.share(raw.share.as_ref())?;
        let comms = check.comms(
            raw.comms.as_ref(),
            &regions,
            &internal_names(&service, &stable, &canary),
        )?;

        let sources = raw.sources.get_ref();
        let metrics = check.endpoint(&sources.metrics, "metrics", &["prometheus"])?;
        let judgment = check.judgment(raw.judgment.as_ref(), &signals, metrics.interval)?;
        let deploy = match &sources.deploy {
            Some(d) => Some(check.deploy(d, &regions, path)?),
            None => None,
        };
        // Without a deployment source the rollout's start is unknown: a
        // window ending then must be given its end.
        if deploy.is_none() {
            let open_ended = stop_conditions
                .iter()
                .position(|c| matches!(c.baseline, Baseline::Before { end: None, .. }));
            if let Some(i) = open_ended {
                let raw = raw.stop_conditions[i].get_ref();
                let span = raw
                    .relative_to
                    .as_ref()
                    .map_or(raw.signal.span(), |r| r.span());
                return check.err(
                    span,
                    format!("stop_conditions[{i}].relative_to"),
                    "the window before ends when the rollout started, which only a deployment source tells: add [sources.deploy] or give baseline_end = \"2026-11-25T09:00:00Z\"",
                );
            }
        }
        let history = match &sources.history {
            Some(h) => {
                let events = check.text(&h.get_ref().events, "sources.history.events", PATH)?;
                let dir = path.parent().unwrap_or(Path::new("."));
                Some(dir.join(events))
            }
            None => None,
        };
        let labels = raw.labels.as_ref();
        let label = |l: Option<&Spanned<String>>, default: &str, field: &str| match l {
            Some(v) => check.text(v, field, NAME),
            None => Ok(default.to_string()),
        };
        let region_label = label(
            labels.and_then(|l| l.region.as_ref()),
            "region",
            "labels.region",
        )?;
        let version_label = label(
            labels.and_then(|l| l.version.as_ref()),
            "version",
            "labels.version",
        )?;
        let freshness = check.freshness(
            raw.signals.get_ref().freshness.as_ref(),
            &queries,
            &region_label,
            &version_label,
        )?;
        // Three missed polls make the data stale, and never less than 5 s.
        let stale_after = Span::from_std(metrics.interval * 3)
            .unwrap_or(Span::MAX)
            .max(Span::seconds(5));
        Ok(PlanFile {
            path: path.to_path_buf(),
            plan: RolloutPlan {
                service,
                stable_version: stable,
                canary_version: canary,
                regions,
                signals,
                waves: WavePlan { waves },
                stop_conditions,
                stale_after,
                judgment,
                scorecard,
                gates,
                bake,
                share,
                comms,
            },
            metrics: MetricsSource {
                endpoint: metrics,
                queries,
                region_label,
                version_label,
                region_values,
                freshness,
            },
            deploy,
            history,
            notify: check.notify(&raw.notify, path)?,
        })
    }
}

/// What customers must not read: the service and its versions.
fn internal_names(service: &str, stable: &str, canary: &str) -> crate::domain::comms::Forbidden {
    crate::domain::comms::Forbidden {
        versions: vec![stable.to_string(), canary.to_string()],
        words: vec![service.to_string()],
    }
}

#[cfg(test)]
mod tests;
