//! The audit log: one JSON object per line, appended and flushed to disk
//! before the action goes on, one record for each attempt and each outcome.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use super::{ActionRequest, ControlError};
use crate::domain::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot open audit log {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write audit log {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// One line of the audit log. Holds names, versions and words: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub time: Timestamp,
    /// `attempt` or `outcome`.
    pub record: &'static str,
    pub id: u64,
    pub operator: String,
    pub action: &'static str,
    pub scope: &'static str,
    pub target: String,
    pub from_version: String,
    pub to_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For outcomes: `ok` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AuditRecord {
    fn base(request: &ActionRequest, time: Timestamp, record: &'static str) -> Self {
        AuditRecord {
            time,
            record,
            id: request.id,
            operator: request.operator.clone(),
            action: request.action.verb(),
            scope: request.scope.label(),
            target: request.service.clone(),
            from_version: request.stable_version.clone(),
            to_version: request.canary_version.clone(),
            reason: request.reason.clone(),
            result: None,
            detail: None,
        }
    }

    pub fn attempt(request: &ActionRequest, time: Timestamp) -> Self {
        Self::base(request, time, "attempt")
    }

    pub fn outcome(
        request: &ActionRequest,
        time: Timestamp,
        result: &Result<String, ControlError>,
    ) -> Self {
        let (result, detail) = match result {
            Ok(what) => ("ok", what.clone()),
            Err(e) => ("failed", e.to_string()),
        };
        AuditRecord {
            result: Some(result),
            detail: Some(detail),
            ..Self::base(request, time, "outcome")
        }
    }
}

/// An append-only audit log file.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<File>,
}

impl AuditLog {
    /// Open `path` for appending, creating it and its folder when missing.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let open_err = |source| AuditError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(open_err)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(open_err)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one record and flush it to disk before returning.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let write_err = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record).map_err(|e| write_err(e.into()))?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(&line).map_err(write_err)?;
        file.sync_data().map_err(write_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::state::ActionScope;
    use crate::domain::rollout::Action;

    fn request() -> ActionRequest {
        ActionRequest {
            id: 7,
            action: Action::Pause,
            scope: ActionScope::Rollout,
            service: "checkout-api".into(),
            stable_version: "v1".into(),
            canary_version: "v2".into(),
            operator: "alice".into(),
            reason: None,
        }
    }

    #[test]
    fn appends_one_json_line_per_record() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("warroom-audit-{}", std::process::id()));
        let path = dir.join("nested/audit.jsonl");
        let _ = std::fs::remove_file(&path);
        let log = AuditLog::open(&path)?;
        log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
        let failed = Err(ControlError::Refused(
            "the rollout is already paused".into(),
        ));
        log.append(&AuditRecord::outcome(
            &request(),
            Timestamp::default(),
            &failed,
        ))?;
        let text = std::fs::read_to_string(&path)?;
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["record"], "attempt");
        assert_eq!(lines[0]["operator"], "alice");
        assert_eq!(lines[0]["action"], "pause");
        assert_eq!(lines[1]["result"], "failed");
        assert_eq!(
            lines[1]["detail"],
            "refused by the target: the rollout is already paused"
        );
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn open_names_the_path_on_failure() {
        let err = AuditLog::open(Path::new("/proc/warroom-cannot-write/audit.jsonl"));
        let msg = err.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.contains("/proc/warroom-cannot-write/audit.jsonl"),
            "{msg}"
        );
    }
}
