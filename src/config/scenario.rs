//! Scenario files: a tabletop drill's briefing, its fleet, its timed
//! injections and what a good response does (docs/drills.md). Everything is
//! checked on load; an error names the file, the line and the field, like a
//! plan's.

use std::fmt;
use std::path::Path;

use toml::Spanned;

use super::file::{PLAN_MAX_BYTES, read_capped};
use super::text::{self, LABEL, Limit, NAME, shown};
use super::toml_error::{line_of, locate};
use crate::domain::Span;
use crate::domain::drill::scenario::{
    CommsExpectation, Expectation, FleetChoice, Forbidden, Objective, ObjectiveCheck, Scenario,
    ScopeRule,
};
use crate::domain::rollout::Action;

mod builtin;
mod inject;
mod raw;
pub use builtin::{BUILT_IN, built_in};
use raw::*;

/// A briefing: several lines a facilitator reads out.
const BRIEFING: Limit = Limit {
    max: 4000,
    kind: "briefings",
    multiline: true,
};

pub use crate::domain::drill::scenario::{LATER, SECOND_WAVE};

/// A scenario file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub field: String,
    pub problem: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, field, problem) = (shown(&self.file), shown(&self.field), shown(&self.problem));
        match self.line {
            0 => write!(f, "{file}: {field}: {problem}"),
            n => write!(f, "{file}:{n}: {field}: {problem}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The longest time a scenario may give: a drill is an hour or two.
const MAX_TIME: Span = Span::hours(24);

pub(super) struct Checker<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Checker<'_> {
    pub(super) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Result<T, ScenarioError> {
        Err(ScenarioError {
            file: self.file.to_string(),
            line: line_of(self.text, span.start),
            field: field.into(),
            problem: problem.into(),
        })
    }

    /// A time in the drill, "0s" allowed when `zero` says so.
    pub(super) fn time(
        &self,
        value: &Spanned<String>,
        field: &str,
        zero: bool,
    ) -> Result<Span, ScenarioError> {
        let parsed = humantime::parse_duration(value.get_ref().trim())
            .ok()
            .and_then(|d| Span::from_std(d).ok());
        match parsed {
            Some(d) if d > MAX_TIME => self.err(value.span(), field, "must be at most 24h"),
            Some(d) if zero || !d.is_zero() => Ok(d),
            Some(_) => self.err(value.span(), field, "must be longer than zero"),
            None => self.err(
                value.span(),
                field,
                format!(
                    "`{}` is not a duration; write e.g. \"30s\", \"2m\" or \"1m30s\"",
                    value.get_ref()
                ),
            ),
        }
    }

    /// Free text, trimmed: not empty, and within `limit`.
    pub(super) fn text(
        &self,
        value: &Spanned<String>,
        field: &str,
        limit: Limit,
    ) -> Result<String, ScenarioError> {
        let v = value.get_ref().trim();
        if v.is_empty() {
            return self.err(value.span(), field, "must not be empty");
        }
        if let Err(problem) = text::check(v, limit) {
            return self.err(value.span(), field, problem.to_string());
        }
        Ok(v.to_string())
    }

    fn action(&self, value: &Spanned<String>, field: &str) -> Result<Action, ScenarioError> {
        match value.get_ref().trim() {
            "pause" => Ok(Action::Pause),
            "resume" => Ok(Action::Resume),
            "promote" => Ok(Action::Promote),
            "rollback" | "roll back" => Ok(Action::Rollback),
            "retry" => Ok(Action::Retry),
            other => self.err(
                value.span(),
                field,
                format!(
                    "`{other}` is not an action; use pause, resume, promote, rollback or retry"
                ),
            ),
        }
    }

    fn scope(
        &self,
        value: Option<&Spanned<String>>,
        field: &str,
        regions: Option<&[String]>,
    ) -> Result<ScopeRule, ScenarioError> {
        let Some(value) = value else {
            return Ok(ScopeRule::Any);
        };
        let rule = match value.get_ref().trim() {
            "any" => ScopeRule::Any,
            "rollout" | "all" => ScopeRule::Rollout,
            "injected" => ScopeRule::Injected,
            _ => ScopeRule::Region(self.region(value, field, regions)?),
        };
        Ok(rule)
    }

    /// A region of the fleet (checked when the fleet is known) or one of the
    /// names that stand for a region of any fleet.
    pub(super) fn region(
        &self,
        value: &Spanned<String>,
        field: &str,
        regions: Option<&[String]>,
    ) -> Result<String, ScenarioError> {
        let name = self.text(value, field, NAME)?;
        if name == SECOND_WAVE || name == LATER {
            return Ok(name);
        }
        match regions {
            Some(known) if !known.contains(&name) => self.err(
                value.span(),
                field,
                format!(
                    "no region `{name}` in the fleet; it has {}, or write {SECOND_WAVE} or {LATER}",
                    known.join(", ")
                ),
            ),
            _ => Ok(name),
        }
    }

    fn known(
        &self,
        ids: &[String],
        value: &Spanned<String>,
        field: &str,
    ) -> Result<String, ScenarioError> {
        let id = value.get_ref().trim().to_string();
        if ids.contains(&id) {
            return Ok(id);
        }
        self.err(
            value.span(),
            field,
            format!(
                "no injection `{id}` in the scenario; it has {}",
                ids.join(", ")
            ),
        )
    }
}

/// Read and check the scenario at `path`. `demo_regions` are the demo
/// fleet's, against which a scenario on it has its regions checked.
pub fn load(path: &Path, demo_regions: &[String]) -> Result<Scenario, ScenarioError> {
    let text = read_capped(path, PLAN_MAX_BYTES, "a scenario").map_err(|e| ScenarioError {
        file: path.display().to_string(),
        line: 0,
        field: "(file)".to_string(),
        problem: e.to_string(),
    })?;
    parse(&text, &path.display().to_string(), demo_regions)
}

/// Check the scenario `text`, read from `file`.
pub fn parse(text: &str, file: &str, demo_regions: &[String]) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let (line, field, problem) = locate(text, &e);
        ScenarioError {
            file: file.to_string(),
            line,
            field,
            problem,
        }
    })?;
    let check = Checker { file, text };
    let name = check.text(&raw.name, "name", NAME)?;
    let title = check.text(&raw.title, "title", LABEL)?;
    let briefing = check.text(&raw.briefing, "briefing", BRIEFING)?;
    let fleet = match &raw.fleet {
        None => FleetChoice::Demo,
        Some(f) => match f.get_ref().trim() {
            "demo" => FleetChoice::Demo,
            "plan" => FleetChoice::Plan,
            other => {
                return check.err(
                    f.span(),
                    "fleet",
                    format!("`{other}` is not a fleet; use \"demo\" or \"plan\""),
                );
            }
        },
    };
    let regions = (fleet == FleetChoice::Demo).then_some(demo_regions);
    let seed = match &raw.seed {
        None => 42,
        Some(s) => match u64::try_from(*s.get_ref()) {
            Ok(seed) => seed,
            Err(_) => return check.err(s.span(), "seed", "must be zero or more"),
        },
    };
    let pace = match &raw.pace {
        None => Span::seconds(30),
        Some(p) => check.time(p, "pace", false)?,
    };
    if raw.inject.is_empty() {
        return check.err(
            raw.name.span(),
            "inject",
            "the scenario injects nothing; add [[inject]] with an id, a time and a fault",
        );
    }
    let injections = inject::injections(&check, &raw.inject, regions)?;
    let ids: Vec<String> = injections.iter().map(|i| i.id.clone()).collect();

    let mut expect = Vec::new();
    for (i, e) in raw.expect.iter().enumerate() {
        let e = e.get_ref();
        let field = |f: &str| format!("expect[{i}].{f}");
        let injection = check.known(&ids, &e.injection, &field("injection"))?;
        let mut actions = Vec::new();
        for a in e.actions.get_ref() {
            actions.push(check.action(a, &field("actions"))?);
        }
        if actions.is_empty() {
            return check.err(
                e.actions.span(),
                field("actions"),
                "name at least one action",
            );
        }
        expect.push(Expectation {
            injection,
            actions,
            scope: check.scope(e.scope.as_ref(), &field("scope"), regions)?,
            within: check.time(&e.within, &field("within"), false)?,
        });
    }
    let mut forbid = Vec::new();
    for (i, f) in raw.forbid.iter().enumerate() {
        let f = f.get_ref();
        let field = |x: &str| format!("forbid[{i}].{x}");
        let injection = match &f.injection {
            Some(v) => Some(check.known(&ids, v, &field("injection"))?),
            None => None,
        };
        forbid.push(Forbidden {
            injection,
            action: check.action(&f.action, &field("action"))?,
            scope: check.scope(f.scope.as_ref(), &field("scope"), regions)?,
            why: check.text(&f.why, &field("why"), LABEL)?,
        });
    }
    let mut objectives = Vec::new();
    for (i, o) in raw.objective.iter().enumerate() {
        let o = o.get_ref();
        let field = |x: &str| format!("objective[{i}].{x}");
        let check_kind = match o.check.get_ref().trim() {
            "expectations" => ObjectiveCheck::Expectations,
            "no_harm" => ObjectiveCheck::NoHarm,
            "annotated" => ObjectiveCheck::Annotated,
            "comms" => ObjectiveCheck::Comms,
            other => {
                return check.err(
                    o.check.span(),
                    field("check"),
                    format!(
                        "`{other}` is not a check; use expectations, no_harm, annotated or comms"
                    ),
                );
            }
        };
        objectives.push(Objective {
            text: check.text(&o.text, &field("text"), LABEL)?,
            check: check_kind,
        });
    }
    let comms = match &raw.comms {
        None => None,
        Some(c) => Some(CommsExpectation {
            first_update_within: check.time(
                &c.get_ref().first_update_within,
                "comms.first_update_within",
                false,
            )?,
        }),
    };
    Ok(Scenario {
        name,
        title,
        briefing,
        fleet,
        seed,
        pace,
        injections,
        expect,
        forbid,
        objectives,
        comms,
    })
}

#[cfg(test)]
mod tests;
