//! The plan's `[gates]`: whether a blocked gate holds the wave, and who
//! moves on once it opens.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, PlanError};
use crate::domain::gate::GatePolicy;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGates {
    enforce: Option<Spanned<bool>>,
    auto_promote: Option<Spanned<bool>>,
}

impl Checker<'_> {
    /// `[gates]`, or the default (gates hold the wave; a person promotes).
    pub(super) fn gates(&self, raw: Option<&Spanned<RawGates>>) -> Result<GatePolicy, PlanError> {
        let mut policy = GatePolicy::default();
        let Some(raw) = raw.map(Spanned::get_ref) else {
            return Ok(policy);
        };
        if let Some(enforce) = &raw.enforce {
            policy.enforce = *enforce.get_ref();
        }
        if let Some(auto) = &raw.auto_promote {
            policy.auto_promote = *auto.get_ref();
            if policy.auto_promote && !policy.enforce {
                return self.err(
                    auto.span(),
                    "gates.auto_promote",
                    "advisory gates (enforce = false) never hold a wave, so there is nothing to promote from; set enforce = true or drop auto_promote",
                );
            }
        }
        Ok(policy)
    }
}
