//! Files people write by hand: rollout plans and themes. Errors name the file,
//! the line and the field, and say what would be right. Free text in them is
//! checked where it is read (`text`), the files' sizes are bounded (`file`),
//! and every URL warroom sends requests to passes one check (`url`).

pub mod file;
pub mod plan;
pub mod promql;
pub mod scenario;
pub mod text;
pub mod toml_error;
pub mod url;
