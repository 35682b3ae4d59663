//! Tokens read from files or the environment. A `Secret` never prints itself.

use std::fmt;

use crate::config::plan::Auth;

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
}

/// The bearer token `auth` names, if any.
pub fn bearer_token(auth: &Auth) -> Result<Option<Secret>, SecretError> {
    match auth {
        Auth::None => Ok(None),
        Auth::BearerFile(path) => {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .map_err(|e| SecretError::File(shown.clone(), e.to_string()))?;
            let token = text.trim();
            if token.is_empty() {
                return Err(SecretError::EmptyFile(shown));
            }
            Ok(Some(Secret(token.to_string())))
        }
        Auth::BearerEnv(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(Secret(v.trim().to_string()))),
            _ => Err(SecretError::Env(var.clone())),
        },
    }
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
}
