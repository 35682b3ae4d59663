//! The plan's `[comms]`: how often a status update is due once there is
//! something to tell, the names customers know the regions by, and the
//! product's name in the customer draft.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, PlanError};
use crate::config::text::{LABEL, NAME};
use crate::domain::Span;
use crate::domain::comms::{CommsPlan, Forbidden, leaks};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawComms {
    cadence: Option<Spanned<String>>,
    #[serde(default)]
    public_names: BTreeMap<String, Spanned<String>>,
    product: Option<Spanned<String>>,
}

/// The cadence's bounds: a bridge updates at least once a day, and not
/// more often than every minute.
const CADENCE_RANGE: (Duration, Duration) = (Duration::from_secs(60), Duration::from_secs(86_400));

impl Checker<'_> {
    /// `[comms]`, or the defaults (an update every 30 minutes, no public
    /// names, "our service"). `regions` are the plan's; `internal` what a
    /// customer must not read (the versions and the service).
    pub(super) fn comms(
        &self,
        raw: Option<&Spanned<RawComms>>,
        regions: &[String],
        internal: &Forbidden,
    ) -> Result<CommsPlan, PlanError> {
        let Some(raw) = raw else {
            return Ok(CommsPlan::default());
        };
        let c = raw.get_ref();
        let mut plan = CommsPlan::default();
        if let Some(cadence) = &c.cadence {
            let d = self.duration(cadence, "comms.cadence")?;
            if d < CADENCE_RANGE.0 || d > CADENCE_RANGE.1 {
                return self.err(
                    cadence.span(),
                    "comms.cadence",
                    "must be from 1 minute to 24 hours, e.g. \"20m\"",
                );
            }
            plan.cadence = Span::from_std(d).unwrap_or(crate::domain::comms::DEFAULT_CADENCE);
        }
        for (id, name) in &c.public_names {
            let field = format!("comms.public_names.{id}");
            if !regions.contains(id) {
                return self.err(
                    name.span(),
                    field,
                    format!(
                        "`{id}` is not a region of the plan; name one of {}",
                        regions.join(", ")
                    ),
                );
            }
            let name_text = self.text(name, &field, LABEL)?;
            self.customer_safe(name, &field, &name_text, internal)?;
            plan.public_names.push((id.clone(), name_text));
        }
        // In the plan's order of regions, as the drafts list them.
        plan.public_names
            .sort_by_key(|(id, _)| regions.iter().position(|r| r == id));
        if let Some(product) = &c.product {
            let text = self.text(product, "comms.product", NAME)?;
            // The service may be called by its product's name on purpose.
            let internal = Forbidden {
                words: internal
                    .words
                    .iter()
                    .filter(|w| !w.eq_ignore_ascii_case(&text))
                    .cloned()
                    .collect(),
                ..internal.clone()
            };
            self.customer_safe(product, "comms.product", &text, &internal)?;
            plan.product = Some(text);
        }
        Ok(plan)
    }

    /// A name customers will read must not itself give away a version,
    /// host, URL or internal name.
    fn customer_safe(
        &self,
        value: &Spanned<String>,
        field: &str,
        text: &str,
        internal: &Forbidden,
    ) -> Result<(), PlanError> {
        match leaks(text, internal).first() {
            None => Ok(()),
            Some(leak) => self.err(
                value.span(),
                field,
                format!(
                    "customers read this name, and it names {leak}; use the name customers know"
                ),
            ),
        }
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

    fn with_comms(comms: &str) -> (String, Result<PlanFile, PlanError>) {
        let text = format!("{}\n{comms}", example());
        let parsed = PlanFile::parse(&text, Path::new("plan.toml"));
        (text, parsed)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn comms_take_a_cadence_public_names_and_a_product() {
        let (_, plan) = with_comms(
            "[comms]\ncadence = \"20m\"\nproduct = \"Checkout\"\npublic_names = { \"us-east-1\" = \"North America East\" }\n",
        );
        let comms = plan.unwrap().plan.comms;
        assert_eq!(comms.cadence, Span::minutes(20));
        assert_eq!(comms.public_name("us-east-1"), Some("North America East"));
        assert_eq!(comms.product.as_deref(), Some("Checkout"));
    }

    #[test]
    fn without_comms_an_update_is_due_every_30_minutes() {
        let plan = PlanFile::parse(&example(), Path::new("plan.toml")).unwrap();
        assert_eq!(plan.plan.comms.cadence, Span::minutes(30));
        assert!(plan.plan.comms.public_names.is_empty());
    }

    #[test]
    fn bad_comms_name_the_file_line_and_field() {
        for (comms, needle, field, says) in [
            (
                "[comms]\ncadence = \"soon\"\n",
                "cadence = ",
                "comms.cadence",
                "not a duration",
            ),
            (
                "[comms]\ncadence = \"10s\"\n",
                "cadence = ",
                "comms.cadence",
                "from 1 minute",
            ),
            (
                "[comms]\npublic_names = { \"mars-1\" = \"Mars\" }\n",
                "mars-1",
                "comms.public_names.mars-1",
                "not a region of the plan",
            ),
            (
                "[comms]\npublic_names = { \"us-east-1\" = \"api.example.com\" }\n",
                "api.example.com",
                "comms.public_names.us-east-1",
                "names host",
            ),
            (
                "[comms]\nproduct = \"Checkout v2.4.0\"\n",
                "product = ",
                "comms.product",
                "version",
            ),
            ("[comms]\nsoon = \"1m\"\n", "soon = ", "comms.soon", ""),
        ] {
            let (text, plan) = with_comms(comms);
            let e = plan
                .err()
                .unwrap_or_else(|| panic!("`{comms}` was accepted"));
            assert_eq!(e.file, "plan.toml");
            assert!(
                e.field.starts_with(field) || e.field == field,
                "{comms}: {e}"
            );
            assert_eq!(e.line, line_of(&text, needle), "{comms}: {e}");
            assert!(e.problem.contains(says), "{comms}: {e}");
        }
    }
}
