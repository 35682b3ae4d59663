//! Tokens read from files or the environment. A `Secret` never prints
//! itself, no error carries one, and a token file others may read is
//! warned about.

use std::fmt;
use std::path::Path;

use crate::config::plan::{Auth, DeploySource, PlanFile};

/// A credential. Its `Debug` and `Display` say `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why a token could not be had. Names where it was looked for, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read the bearer token file {0}: {1}")]
    File(String, String),
    #[error("the bearer token file {0} is empty")]
    EmptyFile(String),
    #[error("the environment variable {0} (bearer_token_env) is not set or empty")]
    Env(String),
    /// Where the token came from: the file or `$VARIABLE`.
    #[error(
        "the bearer token in {0} holds a space, a line break or a control character; a token is one word on one line"
    )]
    Malformed(String),
    /// A notification secret: the plan's field, then the file and the problem.
    #[error("cannot read the file {1} named by {0}: {2}")]
    NamedFile(String, String, String),
    #[error("the file {1} named by {0} is empty")]
    NamedEmpty(String, String),
    #[error("the environment variable {1} named by {0} is not set or empty")]
    NamedEnv(String, String),
    #[error(
        "the secret named by {0} holds a space, a line break or a control character; it must be one word on one line"
    )]
    NamedMalformed(String),
    /// A webhook URL that cannot be used, said without repeating it.
    #[error("the URL named by {0} {1}")]
    NamedUrl(String, &'static str),
}

/// A token file that users other than its owner may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedToken {
    pub file: String,
    /// The file's permission bits, e.g. `0o640`.
    pub mode: u32,
}

impl fmt::Display for ExposedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the bearer token file {} is open to group or others (mode {:04o}); restrict it with chmod 600",
            crate::config::text::shown(&self.file),
            self.mode
        )
    }
}

/// The warning for `auth`'s token file when its group or others have any
/// access to it (`mode & 0o077`), else `None` (also when it cannot be read:
/// reading it says why).
pub fn exposure(auth: &Auth) -> Option<ExposedToken> {
    match auth {
        Auth::BearerFile(path) => file_exposure(path),
        Auth::None | Auth::BearerEnv(_) => None,
    }
}

#[cfg(unix)]
fn file_exposure(path: &Path) -> Option<ExposedToken> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| ExposedToken {
        file: path.display().to_string(),
        mode,
    })
}

#[cfg(not(unix))]
fn file_exposure(_: &Path) -> Option<ExposedToken> {
    None
}

/// Every exposed token file `plan` names, each once, for the command to
/// show before it starts.
pub fn exposed_tokens(plan: &PlanFile) -> Vec<ExposedToken> {
    let mut auths = vec![&plan.metrics.endpoint.auth];
    if let Some(DeploySource::Http { endpoint }) = &plan.deploy {
        auths.push(&endpoint.auth);
    }
    let mut found: Vec<ExposedToken> = Vec::new();
    for warning in auths.into_iter().filter_map(exposure) {
        if !found.contains(&warning) {
            found.push(warning);
        }
    }
    found
}

/// The most a token file may hold; tokens are a few KiB at most.
const TOKEN_FILE_MAX: usize = 64 << 10;

/// The bearer token `auth` names, if any. A token file open to others is
/// logged as a warning here; [`exposure`] gives the same warning to show.
pub fn bearer_token(auth: &Auth) -> Result<Option<Secret>, SecretError> {
    match auth {
        Auth::None => Ok(None),
        Auth::BearerFile(path) => {
            let shown = path.display().to_string();
            if let Some(warning) = exposure(auth) {
                tracing::warn!("{warning}");
            }
            // The io error names the file's problem, never its contents.
            // Capped: a token file that is a device or a pipe must not hang
            // or fill memory.
            let text = crate::config::file::read_capped(path, TOKEN_FILE_MAX, "a token file")
                .map_err(|e| SecretError::File(shown.clone(), e.to_string()))?;
            let token = text.trim();
            if token.is_empty() {
                return Err(SecretError::EmptyFile(shown));
            }
            one_word(token, &shown).map(Some)
        }
        Auth::BearerEnv(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => one_word(v.trim(), &format!("${var}")).map(Some),
            _ => Err(SecretError::Env(var.clone())),
        },
    }
}

/// The secret a notification receiver names in `field` of the plan (its
/// webhook URL, its routing key), read from a file or the environment.
pub fn named_secret(
    source: &crate::config::plan::SecretSource,
    field: &str,
) -> Result<Secret, SecretError> {
    use crate::config::plan::SecretSource;
    let value = match source {
        SecretSource::File(path) => {
            let shown = path.display().to_string();
            if let Some(warning) = file_exposure(path) {
                tracing::warn!("{field}: {warning}");
            }
            let text = crate::config::file::read_capped(path, TOKEN_FILE_MAX, "a secret file")
                .map_err(|e| {
                    SecretError::NamedFile(field.to_string(), shown.clone(), e.to_string())
                })?;
            let value = text.trim().to_string();
            if value.is_empty() {
                return Err(SecretError::NamedEmpty(field.to_string(), shown));
            }
            value
        }
        SecretSource::Env(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => return Err(SecretError::NamedEnv(field.to_string(), var.clone())),
        },
    };
    one_word(&value, "").map_err(|_| SecretError::NamedMalformed(field.to_string()))
}

/// A token as a header can carry it: printable, no space, one line. A file
/// of two lines would otherwise fail later, in a request, with an error
/// whose wording warroom does not control.
fn one_word(token: &str, from: &str) -> Result<Secret, SecretError> {
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SecretError::Malformed(from.to_string()));
    }
    Ok(Secret(token.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret("hunter2".into());
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
    }

    #[test]
    fn tokens_come_from_files_trimmed() {
        let path = std::env::temp_dir().join(format!("warroom-token-{}", std::process::id()));
        std::fs::write(&path, "abc123\n").unwrap();
        let token = bearer_token(&Auth::BearerFile(path.clone())).unwrap();
        assert_eq!(token.as_ref().map(Secret::expose), Some("abc123"));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            bearer_token(&Auth::BearerFile(path.clone())),
            Err(SecretError::EmptyFile(_))
        ));
        std::fs::remove_file(&path).unwrap();
        let missing = bearer_token(&Auth::BearerFile(path))
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("warroom-token"), "{missing}");
        let env = bearer_token(&Auth::BearerEnv("WARROOM_SURELY_UNSET_VAR".into()))
            .err()
            .unwrap();
        assert!(env.to_string().contains("WARROOM_SURELY_UNSET_VAR"));
    }

    #[cfg(unix)]
    fn token_file(name: &str, text: &str, mode: u32) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("warroom-{name}-{}", std::process::id()));
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_open_to_others_is_warned_about() {
        for (mode, warned) in [
            (0o600, false),
            (0o400, false),
            (0o640, true),
            (0o604, true),
            (0o660, true),
            (0o610, true),
        ] {
            let path = token_file(&format!("mode-{mode:o}"), "abc123\n", mode);
            let auth = Auth::BearerFile(path.clone());
            let warning = exposure(&auth);
            // Still read: the warning is a warning.
            let token = bearer_token(&auth).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert_eq!(token.as_ref().map(Secret::expose), Some("abc123"));
            assert_eq!(warning.is_some(), warned, "mode {mode:o}");
            if let Some(w) = warning {
                assert_eq!(w.mode, mode);
                let shown = w.to_string();
                assert!(shown.contains(&format!("{mode:04o}")), "{shown}");
                assert!(shown.contains(&path.display().to_string()), "{shown}");
                assert!(
                    shown.contains("chmod 600") && !shown.contains("abc123"),
                    "{shown}"
                );
            }
        }
        assert_eq!(exposure(&Auth::BearerEnv("HOME".into())), None);
        assert_eq!(exposure(&Auth::None), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_malformed_token_is_refused_without_being_shown() {
        for text in ["abc 123", "line-one\nline-two", "abc\u{1b}[2J"] {
            let path = token_file("malformed", text, 0o600);
            let e = bearer_token(&Auth::BearerFile(path.clone())).err();
            std::fs::remove_file(&path).unwrap();
            let shown = e.map(|e| e.to_string()).unwrap_or_default();
            assert!(shown.contains("one word on one line"), "{text:?}: {shown}");
            assert!(
                !shown.contains("abc") && !shown.contains("line-"),
                "{shown}"
            );
        }
    }
}
