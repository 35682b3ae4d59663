//! The chain's head, kept beside the log (`audit.jsonl.head`): how many
//! records it holds, the last one's hash, and which file it belongs to. A
//! log cut short, or its last record deleted, no longer matches it. Written
//! under the log's lock, by rename, so that it is always whole: first with
//! the record about to be appended named as `pending`, then, once the record
//! is on disk, with it counted. A crash between the two leaves a log one
//! record past the head, and that one record the one the head announced.

use std::fs::Metadata;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::chain::HeadState;
use super::files;

/// Where a log's chain ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub records: u64,
    pub hash: String,
    /// The log file this head belongs to; heads written before it was kept
    /// lack it, and are taken to belong to the log beside them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<FileId>,
    /// The record an append was writing when this head was written: the
    /// log may hold it (the append got that far) or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
}

/// Which file a head belongs to: its device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

impl FileId {
    pub fn of(meta: &Metadata) -> FileId {
        let (dev, ino) = files::identity(meta);
        FileId { dev, ino }
    }
}

/// The record an append announced before writing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub records: u64,
    pub hash: String,
}

impl Head {
    /// The head of a log of `records` ending on `hash`, in `file`.
    pub fn at(records: u64, hash: &str, file: Option<FileId>) -> Head {
        Head {
            records,
            hash: hash.to_string(),
            file,
            pending: None,
        }
    }

    /// The record an append announced, when it is the next one.
    pub fn next(&self) -> Option<&Pending> {
        self.pending
            .as_ref()
            .filter(|p| Some(p.records) == self.records.checked_add(1))
    }
}

/// The head file of the log at `log`.
pub fn path_of(log: &Path) -> PathBuf {
    files::beside(log, ".head")
}

/// What the head beside `log` says.
pub fn read(log: &Path) -> HeadState {
    let path = path_of(log);
    let unreadable =
        |why: String| HeadState::Unreadable(format!("its head file {}: {why}", path.display()));
    let mut text = String::new();
    match files::open_read(&path) {
        Ok(None) => HeadState::Missing,
        Ok(Some(file)) => match file.take(64 * 1024).read_to_string(&mut text) {
            Ok(_) => match serde_json::from_str::<Head>(&text) {
                Ok(head) => HeadState::Read(head),
                Err(e) => unreadable(format!("not a head: {e}")),
            },
            Err(e) => unreadable(e.to_string()),
        },
        Err(e) => unreadable(e.to_string()),
    }
}

/// What the head beside the log at `log` says of the log as it is: `meta`
/// is the log file's, `None` when there is no log. A head that belongs to
/// another file says nothing of this one's records, unless this one is
/// empty (a new log where an old one was moved aside: reported until a
/// writer starts it a head of its own) or gone (deleted, or moved aside
/// without its head).
pub fn of_log(log: &Path, state: HeadState, meta: Option<&Metadata>) -> HeadState {
    let HeadState::Read(head) = state else {
        return state;
    };
    let held = head.records.max(head.next().map_or(0, |p| p.records));
    let beside = path_of(log);
    match meta {
        None if held > 0 => HeadState::Foreign {
            records: head.records,
            problem: format!(
                "the log is gone, but its head ({}) says it held {} records: it was deleted, or moved aside without its head; move the head with it (or restore the log) before warroom starts a new one",
                beside.display(),
                head.records
            ),
        },
        Some(meta)
            if meta.len() == 0
                && head.file.is_some_and(|id| id != FileId::of(meta))
                && held > 0 =>
        {
            HeadState::Foreign {
                records: head.records,
                problem: format!(
                    "the log is a new, empty file, but its head ({}) belongs to the log that was here before ({} records): that log was moved aside or deleted; the next warroom to write here gives the new log a head of its own",
                    beside.display(),
                    head.records
                ),
            }
        }
        _ => HeadState::Read(head),
    }
}

/// Record `head` beside `log`. The caller holds the log's exclusive lock, so
/// the one temporary name is this process's alone. With `lasting`, the
/// rename is flushed to disk before this returns.
pub fn write(log: &Path, head: &Head, lasting: bool) -> std::io::Result<()> {
    let path = path_of(log);
    let next = files::beside(log, ".head.new");
    match std::fs::remove_file(&next) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = files::create_new(&next)?;
    let mut text = serde_json::to_string(head).map_err(std::io::Error::other)?;
    text.push('\n');
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    // rename replaces a link at `path` rather than writing through it.
    std::fs::rename(&next, &path)?;
    if lasting {
        files::sync_dir_of(&path)?;
    }
    Ok(())
}
