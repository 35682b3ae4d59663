//! The chain's head, kept beside the log (`audit.jsonl.head`): how many
//! records it holds and the last one's hash. A log cut short, or its last
//! record deleted, no longer matches it. Written under the log's lock after
//! each append, by rename, so that it is always whole.

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
        Ok(Some(mut file)) => match file.read_to_string(&mut text) {
            Ok(_) => match serde_json::from_str::<Head>(&text) {
                Ok(head) => HeadState::Read(head),
                Err(e) => unreadable(format!("not a head: {e}")),
            },
            Err(e) => unreadable(e.to_string()),
        },
        Err(e) => unreadable(e.to_string()),
    }
}

/// Record `head` beside `log`. The caller holds the log's exclusive lock, so
/// the one temporary name is this process's alone.
pub fn write(log: &Path, head: &Head) -> std::io::Result<()> {
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
    files::sync_dir_of(&path)
}
