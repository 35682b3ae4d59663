//! The audit log: one JSON object per line, appended and flushed to disk
//! before the action goes on, one record for each attempt and each outcome,
//! and one for each scorecard setting, drill and annotation.
//!
//! - `entry.rs`: the records, one tagged type written and read back.
//! - `chain.rs`: each record carries its position (`seq`), the hash of the
//!   one before it (`prev`) and its own (`hash`), so `warroom audit verify`
//!   finds the first record that was changed, removed or inserted.
//! - `head.rs`: the chain's end kept beside the log, so that records cut off
//!   its end are noticed too.
//! - `log.rs`: appending, under a lock shared by every process writing the
//!   log; `catch_up.rs`: checking (and repairing) it first.
//! - `reader.rs`: reading back only what verifies, for the scorecard's
//!   memory (`recall.rs`), DORA's rollbacks (`history.rs`) and the tail
//!   (`tail.rs`).
//! - `files.rs`: no links followed, files 0600, folders 0700.
//! - `key.rs`: the optional key (`WARROOM_AUDIT_KEY_FILE`) records are
//!   sealed with.

mod catch_up;
pub mod chain;
pub mod delivery;
pub mod entry;
mod files;
pub mod head;
pub mod history;
pub mod key;
pub mod log;
pub mod reader;
pub mod recall;
pub mod tail;

use std::path::PathBuf;

pub use chain::{GENESIS, Verdict, verify};
pub use entry::{AuditRecord, Mode};
pub use key::Sealing;
pub use log::{Appended, AuditLog, Opening};

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    // `cause`, not `source`: the message already carries it, once.
    #[error("cannot open audit log {path}: {cause}")]
    Open {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot read audit log {path}: {cause}")]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot write audit log {path}: {cause}")]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot use the audit key file {path} (named by WARROOM_AUDIT_KEY_FILE): {problem}")]
    Key { path: PathBuf, problem: String },
    #[error(
        "audit log {path} is damaged at line {line}: {problem}; nothing from there on counts; check it with `warroom audit verify`"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        problem: String,
    },
}

#[cfg(test)]
mod annotation_tests;
#[cfg(test)]
mod recovery_tests;
#[cfg(test)]
mod tests;
