//! Opening the audit log's files without following links and without
//! letting others read them: files 0600, folders 0700.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// `O_NOFOLLOW`: opening a symbolic link fails instead of opening what it
/// points at. libc is not a dependency, so the value is written here: Linux's
/// on x86_64, aarch64 and riscv64 (the generic value), macOS's. Elsewhere
/// the check after opening (same file as the path names, not a link) stands alone.
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )
))]
const O_NOFOLLOW: i32 = 0o400000;
#[cfg(target_os = "macos")]
const O_NOFOLLOW: i32 = 0x0100;
#[cfg(not(any(
    all(
        target_os = "linux",
        any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64"
        )
    ),
    target_os = "macos"
)))]
const O_NOFOLLOW: i32 = 0;

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
