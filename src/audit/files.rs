//! Opening the audit log's files without following links and without
//! letting others read them: files 0600, folders 0700.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// `O_NOFOLLOW`: opening a symbolic link fails instead of opening what it
/// points at. Its value differs between architectures (on aarch64 the
/// x86_64 value means `O_LARGEFILE`), so it comes from libc.
const O_NOFOLLOW: i32 = libc::O_NOFOLLOW;

/// Create `dir` and its missing parents, each 0700.
pub fn create_dirs(dir: &Path) -> io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

fn refuse_link(path: &Path, e: io::Error) -> io::Error {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => io::Error::other(format!(
            "{} is a symbolic link: warroom does not follow links to its audit files",
            path.display()
        )),
        _ => e,
    }
}

/// Check that `file`, opened from `path`, is a plain file and the very one
/// the path names now (no link swapped in between).
fn same_plain_file(path: &Path, file: &File) -> io::Result<()> {
    let opened = file.metadata()?;
    let named = std::fs::symlink_metadata(path)?;
    if named.file_type().is_symlink() {
        return Err(refuse_link(path, io::Error::other("a symbolic link")));
    }
    if !opened.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a plain file",
            path.display()
        )));
    }
    if (opened.dev(), opened.ino()) != (named.dev(), named.ino()) {
        return Err(io::Error::other(format!(
            "{} was replaced while it was being opened",
            path.display()
        )));
    }
    Ok(())
}

/// Open the log at `path` to read and append, creating it 0600.
pub fn open_append(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(0o600)
        .custom_flags(O_NOFOLLOW)
        .open(path)
        .map_err(|e| refuse_link(path, e))?;
    same_plain_file(path, &file)?;
    Ok(file)
}

/// Open `path` to read; `None` when there is nothing there.
pub fn open_read(path: &Path) -> io::Result<Option<File>> {
    match OpenOptions::new()
        .read(true)
        .custom_flags(O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => {
            same_plain_file(path, &file)?;
            Ok(Some(file))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(refuse_link(path, e)),
    }
}

/// Create `path`, 0600, failing if anything (a link included) is there.
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(O_NOFOLLOW)
        .open(path)
        .map_err(|e| refuse_link(path, e))
}

/// `path` with `suffix` added to its file name: `audit.jsonl` → `audit.jsonl.head`.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Flush the folder holding `path`, so that a rename in it lasts.
pub fn sync_dir_of(path: &Path) -> io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => File::open(dir)?.sync_all(),
        None => File::open(".")?.sync_all(),
    }
}

/// The device and inode of `meta`: which file it is, whatever its name.
pub fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.dev(), meta.ino())
}

/// The longest warroom waits for another process's lock on the log. A
/// writer holds it for a few milliseconds; one held longer belongs to a
/// process that stopped while writing (suspended, hung), and an action must
/// not wait on it unseen.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Take `file`'s lock, exclusive or `shared`, waiting at most [`LOCK_WAIT`].
pub fn lock_within(file: &File, shared: bool) -> io::Result<()> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        let tried = if shared {
            file.try_lock_shared()
        } else {
            file.try_lock()
        };
        match tried {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() >= deadline => {
                return Err(io::Error::other(format!(
                    "another process has held its lock for more than {} s (a warroom stopped while writing?)",
                    LOCK_WAIT.as_secs()
                )));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lock another process never lets go of is given up on, with a
    /// reason, rather than waited on for ever; once it is let go, it is taken.
    #[test]
    fn a_lock_held_too_long_is_given_up_with_a_reason() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("warroom-lock-wait-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("audit.jsonl");
        std::fs::write(&path, "")?;
        // Each open is its own lock holder, as another process would be.
        let holder = File::open(&path)?;
        holder.lock()?;
        let waiter = File::open(&path)?;
        let started = std::time::Instant::now();
        let refused = lock_within(&waiter, false).err().map(|e| e.to_string());
        assert!(
            started.elapsed() >= LOCK_WAIT,
            "it waited {:?}",
            started.elapsed()
        );
        assert!(refused.is_some_and(|e| e.contains("held its lock")));
        holder.unlock()?;
        lock_within(&waiter, true)?;
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    #[test]
    fn opening_a_link_with_nofollow_fails_in_the_kernel() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = std::env::temp_dir().join(format!("warroom-nofollow-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        create_dirs(&dir)?;
        let target = dir.join("target.txt");
        std::fs::write(&target, "precious\n")?;
        let link = dir.join("link");
        std::os::unix::fs::symlink(&target, &link)?;
        // Not through `open_read`, whose check after opening would hide a
        // flag that does nothing (as 0o400000, O_LARGEFILE, does on aarch64).
        let opened = OpenOptions::new()
            .read(true)
            .custom_flags(O_NOFOLLOW)
            .open(&link);
        assert_eq!(
            opened.err().and_then(|e| e.raw_os_error()),
            Some(libc::ELOOP)
        );
        Ok(())
    }
}
