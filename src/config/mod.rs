//! Files people write by hand: rollout plans and themes. Errors name the file,
//! the line and the field, and say what would be right.

pub mod plan;
pub mod toml_error;
