//! The plan's `[bake]`: how long the rollout is watched at its end, every
//! stop condition armed, before it is called complete.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, PlanError};
use crate::domain::Span;
use crate::domain::bake::Bake;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBake {
    /// Optional here only to say what is missing in warroom's words.
    #[serde(rename = "for")]
    period: Option<Spanned<String>>,
}

impl Checker<'_> {
    /// `[bake]`, or none: without it the rollout is complete when the
    /// deployment source says so.
    pub(super) fn bake(&self, raw: Option<&Spanned<RawBake>>) -> Result<Option<Bake>, PlanError> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let Some(period) = &raw.get_ref().period else {
            return self.err(
                raw.span(),
                "bake.for",
                "missing: how long to watch the rollout at 100 % before it is COMPLETE, e.g. for = \"30m\"",
            );
        };
        let period = self.duration(period, "bake.for")?;
        Ok(Some(Bake {
            period: Span::from_std(period).unwrap_or(Span::MAX),
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{PlanError, PlanFile};
    use crate::domain::Span;

    fn example() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
        std::fs::read_to_string(path).unwrap()
    }

    /// The simulator example with its `[bake]` written as `bake`.
    fn with_bake(bake: &str) -> (String, Result<PlanFile, PlanError>) {
        let text = example().replacen("[bake]\nfor = \"1m\"\n", bake, 1);
        let parsed = PlanFile::parse(&text, Path::new("plan.toml"));
        (text, parsed)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn a_bake_takes_any_duration_and_none_is_none() {
        let (_, plan) = with_bake("[bake]\nfor = \"1m\"\n");
        let bake = plan.unwrap().plan.bake.map(|b| b.period);
        assert_eq!(bake, Some(Span::minutes(1)));
        let (_, plan) = with_bake("[bake]\nfor = \"1h30m\"\n");
        let bake = plan.unwrap().plan.bake.map(|b| b.period);
        assert_eq!(bake, Some(Span::minutes(90)));
        let (_, plan) = with_bake("");
        assert_eq!(plan.unwrap().plan.bake, None);
    }

    #[test]
    fn a_bad_duration_names_the_file_line_and_field() {
        for (bad, says) in [
            ("soon", "is not a duration"),
            ("0s", "longer than zero"),
            ("90days", "at most 30 days"),
        ] {
            let (text, plan) = with_bake(&format!("[bake]\nfor = \"{bad}\"\n"));
            let e = plan.err().unwrap_or_else(|| panic!("`{bad}` was accepted"));
            assert_eq!(e.file, "plan.toml");
            assert_eq!(e.field, "bake.for", "{e}");
            assert_eq!(e.line, line_of(&text, &format!("for = \"{bad}\"")), "{e}");
            assert!(e.problem.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn an_unknown_key_or_a_missing_for_is_refused_where_it_is() {
        let (text, plan) = with_bake("[bake]\nfor = \"1m\"\nsoak = \"2m\"\n");
        let e = plan.err().unwrap();
        assert_eq!(e.field, "bake.soak", "{e}");
        assert_eq!(e.line, line_of(&text, "soak = "), "{e}");
        let (text, plan) = with_bake("[bake]\nperiod = \"1m\"\n");
        let e = plan.err().unwrap();
        assert!(e.field.starts_with("bake"), "{e}");
        assert_eq!(e.line, line_of(&text, "period = "), "{e}");
        let (text, plan) = with_bake("[bake]\n");
        let e = plan.err().unwrap();
        assert_eq!(e.field, "bake.for", "{e}");
        assert!(e.problem.contains("for = \"30m\""), "{e}");
        assert_eq!(e.line, line_of(&text, "[bake]"), "{e}");
    }
}
