//! Reading the audit log back: the one way in for everything that counts
//! its records (the scorecard's memory, DORA's rollbacks, the tail). Only
//! verified records come out; a log whose chain or head does not check out
//! is reported broken, and nothing past the break counts.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::chain::{self, Broken, Chain, HeadState, Walked};
use super::entry::AuditRecord;
use super::key::Sealing;
use super::{AuditError, files, head};

/// A log read from its start, under a shared lock (so no append is seen
/// half-done).
#[derive(Debug, Clone)]
pub struct Reading {
    pub walked: Walked,
    pub head: HeadState,
}

impl Reading {
    /// The verified entries, or why the log cannot be trusted.
    pub fn verified(self, path: &Path) -> Result<Vec<AuditRecord>, AuditError> {
        match self.walked.broken {
            Some(Broken { line, problem }) => Err(AuditError::Damaged {
                path: path.to_path_buf(),
                line,
                problem,
            }),
            None => Ok(self.walked.entries),
        }
    }
}

fn read_err(path: &Path) -> impl Fn(std::io::Error) -> AuditError + '_ {
    move |cause| AuditError::Read {
        path: path.to_path_buf(),
        cause,
    }
}

/// Read `file` (the log at `path`) from `from.bytes` on and check it on
/// from `from`, under a shared lock.
fn read_on(
    file: &mut File,
    path: &Path,
    from: &Chain,
    sealing: &Sealing,
) -> Result<Reading, AuditError> {
    files::lock_within(file, true).map_err(read_err(path))?;
    let read = (|| {
        let len = file.metadata()?.len();
        let mut rest = Vec::new();
        if len >= from.bytes {
            file.seek(SeekFrom::Start(from.bytes))?;
            file.read_to_end(&mut rest)?;
        }
        let meta = file.metadata()?;
        Ok((len, rest, head::of_log(path, head::read(path), Some(&meta))))
    })();
    let _ = file.unlock();
    let (len, rest, head) = read.map_err(read_err(path))?;
    if len < from.bytes {
        let walked = Walked {
            chain: from.clone(),
            broken: Some(Broken {
                line: from.lines,
                problem: format!(
                    "it is shorter than when it was last read ({len} bytes, was {}): it was cut or replaced",
                    from.bytes
                ),
            }),
            ..Walked::default()
        };
        return Ok(Reading { walked, head });
    }
    let walked = chain::walk(&rest, from, &head, sealing);
    Ok(Reading { walked, head })
}

/// Read the whole log at `path`. A log that does not exist yet is empty;
/// one that is gone while its head is still there is not.
/// Records are checked the way `WARROOM_AUDIT_KEY_FILE` says (see `key.rs`).
pub fn read(path: &Path) -> Result<Reading, AuditError> {
    read_with(path, &Sealing::from_env()?)
}

/// [`read`], with records checked the way `sealing` says.
pub fn read_with(path: &Path, sealing: &Sealing) -> Result<Reading, AuditError> {
    match files::open_read(path).map_err(read_err(path))? {
        Some(mut file) => read_on(&mut file, path, &Chain::default(), sealing),
        None => {
            let head = head::of_log(path, head::read(path), None);
            let walked = chain::walk(&[], &Chain::default(), &head, sealing);
            Ok(Reading { walked, head })
        }
    }
}

/// The verified entries of the log at `path`, or why it cannot be trusted.
pub fn verified(path: &Path) -> Result<Vec<AuditRecord>, AuditError> {
    read(path)?.verified(path)
}

/// Follows a log as it grows, carrying the chain's state from one look to
/// the next, so that each new record is verified against the one before.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    chain: Chain,
    broken: bool,
    sealing: Sealing,
    /// Why the first look must say the log is broken: where to start could
    /// not be told, and replaying the whole log as new would be wrong.
    unstarted: Option<String>,
}

/// What a look found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Look {
    /// Verified records appended since the last look (perhaps none).
    Appended(Vec<AuditRecord>),
    /// The log stopped checking out: this look's message; later looks
    /// find nothing.
    Broken(String),
}

impl Follower {
    /// Start following `path` from its current end, having checked it all.
    pub fn from_end(path: &Path) -> Follower {
        Follower::after(path, &read(path))
    }

    /// Start following `path` where `reading` of it ended, so that nothing
    /// appended after that reading is missed. A log already broken is
    /// followed no further, quietly: whoever read it said so. One that could
    /// not be read is reported on the first look, and followed no further.
    pub fn after(path: &Path, reading: &Result<Reading, AuditError>) -> Follower {
        let sealing = Sealing::from_env();
        let (chain, broken, unstarted) = match (reading, &sealing) {
            (Ok(r), Ok(_)) => (r.walked.chain.clone(), r.walked.broken.is_some(), None),
            (Err(e), _) | (_, Err(e)) => (
                Chain::default(),
                false,
                Some(format!(
                    "{e}; records appended from now on are not followed"
                )),
            ),
        };
        Follower {
            path: path.to_path_buf(),
            chain,
            broken,
            sealing: sealing.unwrap_or_default(),
            unstarted,
        }
    }

    /// Read what was appended since the last look. A log that is not there
    /// (yet) or cannot be opened for now yields nothing.
    pub fn look(&mut self) -> Look {
        if let Some(why) = self.unstarted.take() {
            return self.broke(why);
        }
        if self.broken {
            return Look::Appended(Vec::new());
        }
        let mut file = match files::open_read(&self.path) {
            Ok(Some(file)) => file,
            Ok(None) if self.chain.records == 0 => return Look::Appended(Vec::new()),
            Ok(None) => {
                let why = format!("audit log {} is gone", self.path.display());
                return self.broke(why);
            }
            Err(e) => {
                let why = format!("audit log {}: {e}", self.path.display());
                return self.broke(why);
            }
        };
        let reading = match read_on(&mut file, &self.path, &self.chain, &self.sealing) {
            Ok(r) => r,
            // Unreadable for now (a lock, a transient error): next look.
            Err(_) => return Look::Appended(Vec::new()),
        };
        match reading.walked.broken {
            Some(b) => {
                let e = AuditError::Damaged {
                    path: self.path.clone(),
                    line: b.line,
                    problem: b.problem,
                };
                self.broke(e.to_string())
            }
            None => {
                self.chain = reading.walked.chain;
                Look::Appended(reading.walked.entries)
            }
        }
    }

    fn broke(&mut self, why: String) -> Look {
        self.broken = true;
        Look::Broken(why)
    }
}
