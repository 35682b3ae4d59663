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
    #[serde(rename = "for")]
    period: Spanned<String>,
}

impl Checker<'_> {
    /// `[bake]`, or none: without it the rollout is complete when the
    /// deployment source says so.
    pub(super) fn bake(&self, raw: Option<&Spanned<RawBake>>) -> Result<Option<Bake>, PlanError> {
        let Some(raw) = raw.map(Spanned::get_ref) else {
            return Ok(None);
        };
        let period = self.duration(&raw.period, "bake.for")?;
        Ok(Some(Bake {
            period: Span::from_std(period).unwrap_or(Span::MAX),
        }))
    }
}
