//! The audit log: one JSON object per line, appended and flushed to disk
//! before the action goes on, one record for each attempt and each outcome.
//! Each record carries the hash of the one before it (`prev`) and its own
//! (`hash`, over the record with `prev`), so `warroom audit verify` finds the
//! first record that was changed, removed or inserted.

pub mod history;
pub mod recall;
pub mod tail;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::Timestamp;
use crate::domain::action::{ActionRequest, ControlError};
use crate::domain::plan::RolloutPlan;
use crate::domain::scorecard::Setting;

/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    // `cause`, not `source`: the message already carries it, once.
    #[error("cannot open audit log {path}: {cause}")]
    Open {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("cannot write audit log {path}: {cause}")]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error(
        "audit log {path} is damaged at line {line}: {problem}; check it with `warroom audit verify`"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        problem: String,
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
    pub scope: String,
    pub target: String,
    pub from_version: String,
    pub to_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For outcomes: `ok`, `failed` or `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For scorecard records: the item set and its new status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// `demo` for actions on the embedded simulator; absent for real ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
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
            item: None,
            status: None,
            mode: None,
        }
    }

    /// The end of a tabletop drill of `plan`, with its debrief in a line:
    /// the rehearsal the scorecard's runbooks item looks for.
    pub fn drill(plan: &RolloutPlan, operator: &str, time: Timestamp, debrief: String) -> Self {
        AuditRecord {
            time,
            record: "drill",
            id: 0,
            operator: operator.to_string(),
            action: "drill",
            scope: "all regions".to_string(),
            target: plan.service.clone(),
            from_version: plan.stable_version.clone(),
            to_version: plan.canary_version.clone(),
            reason: None,
            result: Some("done"),
            detail: Some(debrief),
            item: None,
            status: None,
            mode: Some("drill"),
        }
    }

    /// A scorecard item set by a person: `record` is `scorecard`, the note
    /// is the reason.
    pub fn scorecard(setting: &Setting, plan: &RolloutPlan) -> Self {
        AuditRecord {
            time: setting.at,
            record: "scorecard",
            id: 0,
            operator: setting.operator.clone(),
            action: "set scorecard item",
            scope: "all regions".to_string(),
            target: plan.service.clone(),
            from_version: plan.stable_version.clone(),
            to_version: plan.canary_version.clone(),
            reason: Some(setting.note.clone()),
            result: None,
            detail: None,
            item: Some(setting.item.key()),
            status: Some(setting.status.word()),
            mode: None,
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
            // The target may have acted: never recorded as failed (or ok).
            Err(e) if e.outcome_unknown() => ("unknown", e.to_string()),
            Err(e) => ("failed", e.to_string()),
        };
        AuditRecord {
            result: Some(result),
            detail: Some(detail),
            ..Self::base(request, time, "outcome")
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A line's body (the record with `prev`, closed) and its stated hash.
fn split_line(line: &str) -> Option<(String, &str)> {
    let cut = line.len().checked_sub(r#","hash":""#.len() + 64 + 2)?;
    let (head, tail) = (line.get(..cut)?, line.get(cut..)?);
    let hash = tail.strip_prefix(r#","hash":""#)?.strip_suffix("\"}")?;
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| (format!("{head}}}"), hash))
}

/// Check one line against the hash that should precede it; its own hash.
fn check_line(line: &str, prev: &str) -> Result<String, String> {
    let (body, hash) = split_line(line).ok_or("no `hash` at the end of the record")?;
    if sha256_hex(body.as_bytes()) != hash {
        return Err("its content does not match its hash: the record was changed".to_string());
    }
    let value: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| format!("not a JSON record: {e}"))?;
    match value.get("prev").and_then(|v| v.as_str()) {
        Some(p) if p == prev => Ok(hash.to_string()),
        Some(_) => Err("it does not follow the record before it: a record was removed, inserted or changed before it".to_string()),
        None => Err("no `prev` hash".to_string()),
    }
}

/// The result of checking a whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        records: usize,
    },
    /// The first broken record: its 1-based line and what is wrong.
    Broken {
        line: usize,
        problem: String,
    },
}

/// Check the hash chain of the log text.
pub fn verify(text: &str) -> Verdict {
    let mut prev = GENESIS.to_string();
    let mut records = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match check_line(line, &prev) {
            Ok(hash) => prev = hash,
            Err(problem) => {
                return Verdict::Broken {
                    line: i + 1,
                    problem,
                };
            }
        }
        records += 1;
    }
    Verdict::Intact { records }
}

/// An append-only, hash-chained audit log file. Several processes may share
/// one (a dashboard and `warroom scorecard set`, two dashboards): each append
/// takes an exclusive lock on the file and chains onto the last record on
/// disk, not onto the last one this process wrote.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    /// The file, and whether a write failed part-way (after which nothing
    /// more is appended).
    file: Mutex<(File, bool)>,
}

/// How much of the log's end is read to find its last record; records are
/// far shorter.
const TAIL: u64 = 64 * 1024;

/// The hash of the last record of the log `file` holds: the genesis for an
/// empty log. The file is locked by the caller.
fn last_hash(file: &mut File) -> Result<String, String> {
    use std::io::{Read, Seek, SeekFrom};
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let start = len.saturating_sub(TAIL);
    let mut tail = String::new();
    file.seek(SeekFrom::Start(start))
        .and_then(|_| file.read_to_string(&mut tail))
        .map_err(|e| e.to_string())?;
    if tail.is_empty() {
        return Ok(GENESIS.to_string());
    }
    if !tail.ends_with('\n') {
        return Err("its last record is cut short".to_string());
    }
    let line = tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    match split_line(line) {
        Some((body, hash)) if sha256_hex(body.as_bytes()) == hash => Ok(hash.to_string()),
        _ => Err("its last record does not match its hash".to_string()),
    }
}

impl AuditLog {
    /// Open `path` for appending, creating it and its folder when missing. A
    /// log whose last record is damaged is refused: appending to it would
    /// chain new records onto something that cannot be trusted.
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let open_err = |cause| AuditError::Open {
            path: path.to_path_buf(),
            cause,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(open_err)?;
        }
        let mut existing = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(open_err(e)),
        };
        // A crash mid-write leaves a last line without its newline. Nothing in
        // it finished: keep it beside the log and carry on from the line before.
        if !existing.is_empty() && !existing.ends_with('\n') {
            let cut = existing.rfind('\n').map_or(0, |i| i + 1);
            let torn = existing.split_off(cut);
            let aside = path.with_extension("torn");
            std::fs::write(&aside, &torn).map_err(open_err)?;
            let file = OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(open_err)?;
            file.set_len(cut as u64).map_err(open_err)?;
            file.sync_all().map_err(open_err)?;
            tracing::warn!(log = %path.display(), aside = %aside.display(), "audit log ended with a torn record; moved aside");
        }
        let last = existing
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .last();
        if let Some((i, line)) = last
            && split_line(line).is_none_or(|(body, hash)| sha256_hex(body.as_bytes()) != hash)
        {
            return Err(AuditError::Damaged {
                path: path.to_path_buf(),
                line: i + 1,
                problem: "its last record does not match its hash".to_string(),
            });
        }
        let file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(open_err)?;
        Ok(AuditLog {
            path: path.to_path_buf(),
            file: Mutex::new((file, false)),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one record, chained to the last, and flush it to disk before
    /// returning.
    pub fn append(&self, record: &AuditRecord) -> Result<(), AuditError> {
        let write_err = |cause| AuditError::Write {
            path: self.path.clone(),
            cause,
        };
        #[derive(Serialize)]
        struct Chained<'a> {
            #[serde(flatten)]
            record: &'a AuditRecord,
            prev: &'a str,
        }
        let mut guard = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let (file, broken) = &mut *guard;
        if *broken {
            return Err(write_err(std::io::Error::other(
                "an earlier write failed part-way; restart warroom to recover the log",
            )));
        }
        // Other processes may have appended since: lock, then chain onto
        // whatever is last on disk now.
        file.lock().map_err(write_err)?;
        let result = (|| {
            let prev = last_hash(file).map_err(|problem| {
                write_err(std::io::Error::other(format!(
                    "the log on disk: {problem}; check it with `warroom audit verify`"
                )))
            })?;
            let chained = Chained {
                record,
                prev: &prev,
            };
            let body = serde_json::to_string(&chained).map_err(|e| write_err(e.into()))?;
            let hash = sha256_hex(body.as_bytes());
            let mut line = body;
            line.pop();
            line.push_str(&format!(",\"hash\":\"{hash}\"}}\n"));
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_data())
                .map_err(|e| {
                    *broken = true;
                    write_err(e)
                })
        })();
        let _ = file.unlock();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rollout::Action;
    use crate::domain::rollout::ActionScope;

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

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested/audit.jsonl")
    }

    fn write_three(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let log = AuditLog::open(path)?;
        log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
        let failed = Err(ControlError::Refused(
            "the rollout is already paused".into(),
        ));
        log.append(&AuditRecord::outcome(
            &request(),
            Timestamp::default(),
            &failed,
        ))?;
        drop(log);
        // Reopening continues the chain.
        let log = AuditLog::open(path)?;
        log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
        Ok(())
    }

    #[test]
    fn appends_chained_json_lines() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp("append");
        write_three(&path)?;
        let text = std::fs::read_to_string(&path)?;
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?;
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["record"], "attempt");
        assert_eq!(lines[0]["operator"], "alice");
        assert_eq!(lines[0]["prev"], GENESIS);
        assert_eq!(lines[1]["result"], "failed");
        assert_eq!(
            lines[1]["detail"],
            "refused by the target: the rollout is already paused"
        );
        assert_eq!(lines[1]["prev"], lines[0]["hash"]);
        assert_eq!(lines[2]["prev"], lines[1]["hash"]);
        assert_eq!(verify(&text), Verdict::Intact { records: 3 });
        Ok(())
    }

    #[test]
    fn two_writers_on_one_log_keep_one_chain() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp("two-writers");
        let dashboard = AuditLog::open(&path)?;
        let other = AuditLog::open(&path)?;
        let attempt = AuditRecord::attempt(&request(), Timestamp::default());
        for i in 0..10 {
            let log = if i % 3 == 0 { &other } else { &dashboard };
            log.append(&attempt)?;
        }
        // And from threads at once.
        let shared = std::sync::Arc::new(AuditLog::open(&path)?);
        let writers: Vec<_> = (0..4)
            .map(|_| {
                let log = shared.clone();
                let record = attempt.clone();
                std::thread::spawn(move || (0..25).try_for_each(|_| log.append(&record)))
            })
            .collect();
        for w in writers {
            w.join().map_err(|_| "a writer panicked")??;
        }
        let text = std::fs::read_to_string(&path)?;
        assert_eq!(verify(&text), Verdict::Intact { records: 110 });
        Ok(())
    }

    #[test]
    fn verify_points_at_the_first_changed_removed_or_inserted_record()
    -> Result<(), Box<dyn std::error::Error>> {
        let path = temp("verify");
        write_three(&path)?;
        let text = std::fs::read_to_string(&path)?;
        let lines: Vec<&str> = text.lines().collect();
        // One byte changed in record 2.
        let edited = text.replacen("already paused", "already pausee", 1);
        assert!(matches!(verify(&edited), Verdict::Broken { line: 2, .. }));
        // Record 2 removed: record 3 no longer follows record 1.
        let removed = format!("{}\n{}\n", lines[0], lines[2]);
        assert!(
            matches!(verify(&removed), Verdict::Broken { line: 2, ref problem } if problem.contains("does not follow"))
        );
        // A record copied in twice.
        let inserted = format!("{}\n{}\n{}\n", lines[0], lines[0], lines[1]);
        assert!(matches!(verify(&inserted), Verdict::Broken { line: 2, .. }));
        // The last record cut short.
        let torn = &text[..text.len() - 10];
        assert!(matches!(verify(torn), Verdict::Broken { line: 3, .. }));
        Ok(())
    }

    #[test]
    fn a_damaged_log_is_not_appended_to() -> Result<(), Box<dyn std::error::Error>> {
        let path = temp("damaged");
        write_three(&path)?;
        let text = std::fs::read_to_string(&path)?;
        std::fs::write(&path, text.replacen("alice", "mallory", 3))?;
        let err = AuditLog::open(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("damaged at line 3") && err.contains("audit verify"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn a_torn_last_line_is_moved_aside_and_the_chain_goes_on()
    -> Result<(), Box<dyn std::error::Error>> {
        let path = temp("torn");
        write_three(&path)?;
        let text = std::fs::read_to_string(&path)?;
        std::fs::write(&path, &text[..text.len() - 20])?;
        let log = AuditLog::open(&path)?;
        log.append(&AuditRecord::attempt(&request(), Timestamp::default()))?;
        let repaired = std::fs::read_to_string(&path)?;
        assert_eq!(verify(&repaired), Verdict::Intact { records: 3 });
        assert!(path.with_extension("torn").exists());
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
