//! Catching up with the log on disk before an append, or on opening it:
//! checking what others wrote since this process last looked and, when
//! allowed, repairing what a crash left (a torn record, a head behind its
//! record, a head left by a log moved aside).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::chain::{self, Chain, HeadState};
use super::head::{self, FileId, Head};
use super::key::Sealing;
use super::{AuditError, files};

/// What catching up with the log on disk found.
#[derive(Default)]
pub(super) struct Caught {
    pub chain: Chain,
    pub torn_aside: Option<PathBuf>,
    pub damaged: Option<(usize, String)>,
    pub replaced_head: Option<String>,
}

/// Whether checking the log may repair it: cut a torn record off, write a
/// head. Never for a read-only opening.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Repair {
    Yes,
    No,
}

/// Check what the log holds past `from` (what this process verified), under
/// the caller's lock. With `repair` (and the exclusive lock): keep a torn
/// last record aside and cut it off, bring the head up to a record an
/// unfinished append wrote, write the head of a log from before heads were
/// kept, and give a new log where an old one was moved aside its own head.
pub(super) fn catch_up(
    file: &mut File,
    path: &Path,
    from: &Chain,
    repair: Repair,
    sealing: &Sealing,
) -> Result<Caught, AuditError> {
    let open_err = |cause| AuditError::Open {
        path: path.to_path_buf(),
        cause,
    };
    let meta = file.metadata().map_err(open_err)?;
    let len = meta.len();
    let damaged = |chain: Chain, line, problem: String| Caught {
        chain,
        damaged: Some((line, problem)),
        ..Caught::default()
    };
    if len < from.bytes {
        return Ok(damaged(
            from.clone(),
            from.lines,
            format!(
                "it is shorter than when it was last read ({len} bytes, was {}): it was cut or replaced",
                from.bytes
            ),
        ));
    }
    let mut rest = Vec::new();
    file.seek(SeekFrom::Start(from.bytes))
        .and_then(|_| file.read_to_end(&mut rest))
        .map_err(open_err)?;
    let id = Some(FileId::of(&meta));
    let state = head::of_log(path, head::read(path), Some(&meta));
    if let HeadState::Foreign { records, .. } = &state
        && repair == Repair::Yes
        && from.records == 0
    {
        // A new, empty log where an old one was moved aside or deleted: the
        // old head is kept, so that the old log can still be checked.
        let mut old = Vec::new();
        if let Some(mut f) = files::open_read(&head::path_of(path)).map_err(open_err)? {
            f.read_to_end(&mut old).map_err(open_err)?;
        }
        let kept = keep_aside(path, ".head.before", &old).map_err(open_err)?;
        head::write(path, &Head::at(0, chain::GENESIS, id), true).map_err(open_err)?;
        let why = format!(
            "a new log; the head left beside it by the log that was here before ({records} records, moved aside or deleted) is kept in {} (to check that log, put it beside it as its `.head`)",
            kept.display()
        );
        tracing::warn!(log = %path.display(), "{why}");
        return Ok(Caught {
            replaced_head: Some(why),
            ..Caught::default()
        });
    }
    let walked = chain::walk(&rest, from, &state, sealing);
    if let Some(b) = walked.broken {
        return Ok(damaged(walked.chain, b.line, b.problem));
    }
    if repair == Repair::No {
        // A torn last record stays where it is; the chain ends before it.
        return Ok(Caught {
            chain: walked.chain,
            ..Caught::default()
        });
    }
    let mut torn_aside = None;
    if let Some(torn) = &walked.torn {
        if !torn.like_a_record {
            let problem = "its last line is cut short and does not begin like a record: left as it is (is this an audit log?)".to_string();
            return Ok(damaged(walked.chain, torn.line, problem));
        }
        let name = format!(".torn-{}", walked.chain.records + 1);
        let aside = match keep_aside(path, &name, &torn.text) {
            Ok(aside) => aside,
            Err(e) => {
                let problem = format!(
                    "its last record never finished and cannot be kept aside ({e}): left as it is"
                );
                return Ok(damaged(walked.chain, torn.line, problem));
            }
        };
        file.set_len(walked.chain.bytes)
            .and_then(|()| file.sync_all())
            .map_err(open_err)?;
        tracing::warn!(log = %path.display(), aside = %aside.display(), line = torn.line, "the audit log ended with a record that never finished; kept aside and cut off");
        torn_aside = Some(aside);
    }
    let old_log = state == HeadState::Missing && walked.chain.records > 0;
    if old_log || walked.finished_append {
        // A log from before heads were kept: its end is trusted as found.
        // Or an append stopped between its record and its head: the head
        // had announced that very record.
        let head = Head::at(walked.chain.records, &walked.chain.hash, id);
        head::write(path, &head, true).map_err(open_err)?;
    }
    Ok(Caught {
        chain: walked.chain,
        torn_aside,
        ..Caught::default()
    })
}

/// Write `text` to a new file beside the log, `<log><base>` (a torn
/// record's `.torn-<position>`, a replaced head's `.head.before`), never
/// through a link and never over another file.
fn keep_aside(path: &Path, base: &str, text: &[u8]) -> std::io::Result<PathBuf> {
    let mut last = None;
    for n in 0..10 {
        let name = if n == 0 {
            base.to_string()
        } else {
            format!("{base}.{n}")
        };
        let aside = files::beside(path, &name);
        match files::create_new(&aside) {
            Ok(mut f) => {
                f.write_all(text).and_then(|()| f.sync_all())?;
                files::sync_dir_of(&aside)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "cannot keep the torn last record beside {}: {} and nine more names are taken ({})",
        path.display(),
        files::beside(path, base).display(),
        last.map(|e| e.to_string()).unwrap_or_default()
    )))
}
