//! An optional key for the chain: with `WARROOM_AUDIT_KEY_FILE` naming a
//! file, each record's hash is HMAC-SHA256 under the key it holds, so a
//! chain rewritten with fresh plain hashes (or under another key) no longer
//! verifies. Writers and readers (`audit verify` too) take the same
//! variable; a log is sealed one way throughout.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

use super::{AuditError, files};

/// The environment variable naming the key file.
pub const KEY_FILE_VAR: &str = "WARROOM_AUDIT_KEY_FILE";
/// A key is a secret of a few dozen bytes; anything past this is no key.
const MAX_KEY: u64 = 4096;

/// How record hashes are made: plain SHA-256, or HMAC-SHA256 under a key.
#[derive(Clone, Default)]
pub struct Sealing {
    key: Option<Arc<[u8]>>,
}

// The key itself is never printed.
impl std::fmt::Debug for Sealing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealing")
            .field("keyed", &self.key.is_some())
            .finish()
    }
}

impl Sealing {
    /// Under `key` (tests; the program reads it with [`Sealing::from_env`]).
    pub fn keyed(key: &[u8]) -> Sealing {
        Sealing {
            key: Some(Arc::from(key)),
        }
    }

    /// Whether a key is used.
    pub fn is_keyed(&self) -> bool {
        self.key.is_some()
    }

    /// The sealing this process uses: keyed when `WARROOM_AUDIT_KEY_FILE`
    /// names a key file. Read once; a key that cannot be read is an error
    /// every time, never a quiet fall back to plain hashes.
    pub fn from_env() -> Result<Sealing, AuditError> {
        static LOADED: OnceLock<Result<Sealing, (PathBuf, String)>> = OnceLock::new();
        let loaded = LOADED.get_or_init(|| match std::env::var_os(KEY_FILE_VAR) {
            None => Ok(Sealing::default()),
            Some(path) if path.is_empty() => Ok(Sealing::default()),
            Some(path) => {
                let path = PathBuf::from(path);
                load(&path)
                    .map(|key| Sealing::keyed(&key))
                    .map_err(|e| (path, e))
            }
        });
        loaded
            .clone()
            .map_err(|(path, problem)| AuditError::Key { path, problem })
    }

    /// The hash of a record's `body`, in lowercase hex.
    pub(crate) fn hash(&self, body: &[u8]) -> String {
        match &self.key {
            None => hex(&Sha256::digest(body)),
            Some(key) => hex(&hmac_sha256(key, body)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// HMAC (RFC 2104) over SHA-256, whose blocks are 64 bytes.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner = Sha256::new()
        .chain_update(block.map(|b| b ^ 0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(block.map(|b| b ^ 0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The key in the file at `path`: at most 4 KiB, not empty, trailing
/// whitespace (a final newline) left out; not through a link. A file others
/// may read is used, with a warning.
fn load(path: &Path) -> Result<Vec<u8>, String> {
    let file = files::open_read(path)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "no such file".to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.mode() & 0o077 != 0 {
        let warning = format!(
            "audit key file {} can be read by others (mode {:o}): make it 0600 or 0400",
            path.display(),
            meta.mode() & 0o777
        );
        tracing::warn!("{warning}");
        eprintln!("warroom: warning: {warning}");
    }
    let mut key = Vec::new();
    file.take(MAX_KEY + 1)
        .read_to_end(&mut key)
        .map_err(|e| e.to_string())?;
    if key.len() as u64 > MAX_KEY {
        return Err(format!("longer than {MAX_KEY} bytes: is it the key file?"));
    }
    while key.last().is_some_and(|b| b.is_ascii_whitespace()) {
        key.pop();
    }
    if key.is_empty() {
        return Err("it is empty".to_string());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // A key longer than a block is hashed first (test case 6).
        assert_eq!(
            hex(&hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn a_key_file_is_capped_and_not_empty() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("warroom-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        files::create_dirs(&dir)?;
        let key = dir.join("key");
        std::fs::write(&key, "s3cret\n")?;
        assert_eq!(load(&key)?, b"s3cret");
        std::fs::write(&key, "\n")?;
        assert!(load(&key).is_err_and(|e| e.contains("empty")));
        std::fs::write(&key, vec![b'k'; 5000])?;
        assert!(load(&key).is_err_and(|e| e.contains("longer")));
        assert!(load(&dir.join("none")).is_err());
        assert!(!format!("{:?}", Sealing::keyed(b"s3cret")).contains("s3cret"));
        Ok(())
    }
}
