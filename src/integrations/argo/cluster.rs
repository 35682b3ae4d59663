//! Clients for the clusters a rollout spans: one per kubeconfig context,
//! built as kubectl would (token, token file, client certificate, CA, exec
//! credential plugins) or from the pod's service account. Errors name the
//! context and what is wrong with it; they never carry a credential.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::Arc;

use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};

use super::cap::AnswerCap;
use super::problem::auth_problem;
use crate::config::plan::ArgoTarget;

/// A client for one context and the namespace a target's Rollout is in.
#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    pub namespace: String,
    /// The context's name, or `in-cluster`.
    pub context: String,
    /// The credentials this client sends that are known before it sends
    /// them (a static token, a token file's contents, a password): masked
    /// in every text made from the cluster's answers.
    pub secrets: Arc<[String]>,
}

impl Connection {
    /// [`Connection::secrets`] as `text::outside` takes them.
    pub fn secrets(&self) -> Vec<&str> {
        self.secrets.iter().map(String::as_str).collect()
    }
}

/// One built client, with what a [`Connection`] takes from it.
#[derive(Clone)]
struct Built {
    client: Client,
    default_ns: String,
    context: String,
    secrets: Arc<[String]>,
}

/// Clients by context, built on first use and kept while they work.
pub struct Clusters {
    kubeconfig: Option<PathBuf>,
    timeout: Duration,
    max_answer: u64,
    cache: tokio::sync::Mutex<HashMap<Option<String>, Built>>,
}

/// Where kube found its configuration.
enum Source {
    File(Box<Kubeconfig>, String),
    InCluster,
}

impl Clusters {
    /// Clients that read at most `max_answer` bytes of any answer (of any
    /// one event of a watch).
    pub fn new(kubeconfig: Option<PathBuf>, timeout: Duration, max_answer: u64) -> Self {
        Clusters {
            kubeconfig,
            timeout,
            max_answer,
            cache: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// A client for `target`'s context.
    pub async fn connect(&self, target: &ArgoTarget) -> Result<Connection, String> {
        let key = target.context.clone();
        let cached = self.cache.lock().await.get(&key).cloned();
        // Built outside the lock: one slow context must not hold up the others.
        let built = match cached {
            Some(entry) => entry,
            None => {
                let entry = self.build(target).await?;
                self.cache.lock().await.entry(key).or_insert(entry).clone()
            }
        };
        Ok(Connection {
            client: built.client,
            namespace: target.namespace.clone().unwrap_or(built.default_ns),
            context: built.context,
            secrets: built.secrets,
        })
    }

    /// Drop `target`'s client, so that the next use builds it again: after
    /// the cluster refused its credentials (a token rotated, a plugin's
    /// credential went stale).
    pub async fn forget(&self, target: &ArgoTarget) {
        self.cache.lock().await.remove(&target.context);
    }

    fn source(&self, target: &ArgoTarget) -> Result<Source, String> {
        let (kubeconfig, shown) = match &self.kubeconfig {
            Some(path) => (
                Kubeconfig::read_from(path).map_err(|e| kubeconfig_problem(&e, path))?,
                path.display().to_string(),
            ),
            None => match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
                Some(paths) => (
                    Kubeconfig::read().map_err(|e| kubeconfig_problem(&e, Path::new(&paths)))?,
                    format!("$KUBECONFIG ({})", paths.to_string_lossy()),
                ),
                None => {
                    let home = std::env::var_os("HOME").map(PathBuf::from);
                    match home.map(|h| h.join(".kube").join("config")) {
                        Some(path) if path.exists() => (
                            Kubeconfig::read_from(&path)
                                .map_err(|e| kubeconfig_problem(&e, &path))?,
                            path.display().to_string(),
                        ),
                        _ if target.context.is_none() => return Ok(Source::InCluster),
                        _ => {
                            return Err(
                                "no kubeconfig: $KUBECONFIG is unset and ~/.kube/config does not exist (give [sources.deploy] kubeconfig = \"…\")"
                                    .to_string(),
                            );
                        }
                    }
                }
            },
        };
        Ok(Source::File(Box::new(kubeconfig), shown))
    }

    async fn build(&self, target: &ArgoTarget) -> Result<Built, String> {
        let (mut config, context) = match self.source(target)? {
            Source::InCluster => {
                let config = Config::incluster().map_err(|e| {
                    format!("no kubeconfig found and not running in a cluster: {e}")
                })?;
                (config, "in-cluster".to_string())
            }
            Source::File(kubeconfig, shown) => {
                let Some(context) = target
                    .context
                    .clone()
                    .or_else(|| kubeconfig.current_context.clone())
                else {
                    return Err(format!(
                        "{shown} has no current-context: give context = \"…\" for this region"
                    ));
                };
                if !kubeconfig.contexts.iter().any(|c| c.name == context) {
                    let known: Vec<&str> = kubeconfig
                        .contexts
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect();
                    return Err(format!(
                        "no context `{context}` in {shown} (it has: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ));
                }
                let options = KubeConfigOptions {
                    context: Some(context.clone()),
                    ..KubeConfigOptions::default()
                };
                let config = Config::from_custom_kubeconfig(*kubeconfig, &options)
                    .await
                    .map_err(|e| {
                        format!(
                            "context `{context}`: {}",
                            kubeconfig_problem(&e, Path::new(&shown))
                        )
                    })?;
                (config, context)
            }
        };
        if config.accept_invalid_certs {
            return Err(format!(
                "context `{context}` sets insecure-skip-tls-verify: warroom keeps TLS verification on; give the cluster's certificate-authority instead"
            ));
        }
        // Connecting may take the timeout; an open watch may be quiet for
        // minutes, so reads keep kube's own limit and each call has its own.
        config.connect_timeout = Some(self.timeout);
        let default_ns = config.default_namespace.clone();
        let secrets = known_secrets(&config.auth_info);
        let cap = AnswerCap {
            max: self.max_answer,
        };
        let plugin = config
            .auth_info
            .exec
            .as_ref()
            .and_then(|e| e.command.clone());
        // An exec credential plugin runs while the client is built, and may
        // take a while (a cloud CLI): off the async threads.
        let built = tokio::task::spawn_blocking(move || {
            ClientBuilder::try_from(config).map(|b| b.with_layer(&cap).build())
        })
        .await
        .map_err(|e| format!("context `{context}`: setting up the client failed: {e}"))?;
        let client = built.map_err(|e| {
            let why = match &e {
                kube::Error::Auth(a) => auth_problem(a, plugin.as_deref()),
                other => other.to_string(),
            };
            format!("context `{context}`: {why}")
        })?;
        Ok(Built {
            client,
            default_ns,
            context,
            secrets,
        })
    }
}

/// The most of a token file read to learn what to mask; tokens are a few
/// KiB at most.
const TOKEN_FILE_MAX: usize = 64 << 10;

/// The credentials `auth` names that can be known before they are sent: a
/// static token, a token file's contents as they are now (kube reads the
/// file again later; a rotated token is not known) and a basic-auth
/// password. An exec plugin's token comes only when it runs, inside kube,
/// and is not among them.
fn known_secrets(auth: &kube::config::AuthInfo) -> Arc<[String]> {
    // kube keeps these in `secrecy` strings, and exposes them only through
    // its kubeconfig serializer, which writes them out as they are.
    let fields = serde_json::to_value(auth).unwrap_or_default();
    let field = |f: &str| fields.get(f).and_then(|v| v.as_str());
    let mut secrets: Vec<String> = ["token", "password"]
        .iter()
        .filter_map(|f| field(f))
        .map(|s| s.trim().to_string())
        .collect();
    // Basic auth travels as base64 of `user:password`: an echo shows that.
    if let (Some(user), Some(password)) = (field("username"), field("password")) {
        use base64::Engine;
        let sent = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        secrets.push(sent);
    }
    // An auth provider's tokens (oidc's id-token, gcp's access-token) are
    // sent as bearer tokens too.
    if let Some(provider) = &auth.auth_provider {
        secrets.extend(provider.config.values().map(|v| v.trim().to_string()));
    }
    if let Some(path) = &auth.token_file
        && let Ok(text) =
            crate::config::file::read_capped(Path::new(path), TOKEN_FILE_MAX, "a token file")
    {
        secrets.push(text.trim().to_string());
    }
    secrets.retain(|s| !s.is_empty());
    secrets.into()
}

/// A kubeconfig that cannot be used, in words that never quote its content
/// (a parse error would show the line, and the line may hold a token).
pub fn kubeconfig_problem(e: &KubeconfigError, path: &Path) -> String {
    let shown = path.display();
    match e {
        KubeconfigError::ReadConfig(io, p) => {
            format!("cannot read the kubeconfig {}: {io}", p.display())
        }
        KubeconfigError::Parse(_) => format!("{shown} is not a readable kubeconfig (YAML)"),
        KubeconfigError::FindPath => "cannot find a kubeconfig ($HOME is unset)".to_string(),
        KubeconfigError::CurrentContextNotSet => format!("{shown} has no current-context"),
        KubeconfigError::LoadContext(c) => format!("no context `{c}` in {shown}"),
        KubeconfigError::LoadClusterOfContext(c) => {
            format!("the context names cluster `{c}`, which {shown} does not have")
        }
        KubeconfigError::MissingClusterUrl => "its cluster has no server URL".to_string(),
        KubeconfigError::LoadCertificateAuthority(d) => {
            format!("cannot load the cluster's certificate-authority: {d}")
        }
        KubeconfigError::LoadClientCertificate(d) => {
            format!("cannot load the client certificate: {d}")
        }
        KubeconfigError::LoadClientKey(d) => format!("cannot load the client key: {d}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a kubeconfig user sends is masked in the forms a server may echo:
    /// a static token, Basic auth's `base64(user:password)`, an auth
    /// provider's tokens.
    #[test]
    fn every_credential_a_user_sends_is_known() -> Result<(), serde_json::Error> {
        let auth: kube::config::AuthInfo = serde_json::from_value(serde_json::json!({
            "token": "static-t0ken",
            "username": "ops",
            "password": "pa55",
            "auth-provider": {"name": "oidc", "config": {"id-token": "id-t0ken"}},
        }))?;
        let known = known_secrets(&auth);
        for secret in ["static-t0ken", "pa55", "b3BzOnBhNTU=", "id-t0ken"] {
            assert!(
                known.iter().any(|k| k == secret),
                "{secret} not in {known:?}"
            );
        }
        Ok(())
    }
}
