//! Where warroom keeps its files when none is given: one place for each default.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// `$XDG_STATE_HOME/warroom`, else `~/.local/state/warroom`.
pub fn state_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("warroom"));
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/state/warroom")),
        None => bail!("neither XDG_STATE_HOME nor HOME is set: pass --audit-log and --log-file"),
    }
}

/// The audit log: `given`, else `audit.jsonl` in the state directory.
pub fn audit_log(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(state_dir()?.join("audit.jsonl")),
    }
}

/// The snapshots folder: `given`, else `snapshots` in the state directory.
pub fn snapshots(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(state_dir()?.join("snapshots")),
    }
}

/// The log file: `given`, else `warroom.log` in the state directory.
pub fn log_file(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(state_dir()?.join("warroom.log")),
    }
}

/// The running drill's control socket, which the facilitator's seat
/// connects to: `given`, else `drill.sock` in the state directory.
pub fn drill_socket(given: Option<&Path>) -> Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(state_dir()?.join("drill.sock")),
    }
}
