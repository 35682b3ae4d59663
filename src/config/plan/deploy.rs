//! `[sources.deploy]`: the HTTP deploy API, or Argo Rollouts through the
//! Kubernetes API with one Rollout per region.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, DEFAULT_MAX_ANSWER, Endpoint, MAX_POLL, PlanError, RawAuth, RawEndpoint};
use crate::config::text::{LABEL, NAME, OBJECT, PATH};

/// The deployment source: where the rollout's state comes from and where
/// actions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploySource {
    /// The HTTP deploy API (docs/deploy-api.md).
    Http { endpoint: Endpoint },
    /// Argo Rollouts through the Kubernetes API (docs/argo-rollouts.md).
    Argo(ArgoSource),
}

/// Argo Rollouts, one Rollout per region, each in its own kubeconfig context
/// and namespace if need be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoSource {
    /// The kubeconfig to read; `None`: `$KUBECONFIG` or `~/.kube/config`,
    /// else the in-cluster service account.
    pub kubeconfig: Option<PathBuf>,
    /// How often every Rollout is read again in full, on top of the watch.
    pub interval: Duration,
    /// How long one request may take.
    pub timeout: Duration,
    /// The largest answer read, in bytes (`max_answer`); for a watch, the
    /// largest event. A larger one is refused.
    pub max_answer: u64,
    /// One per region of the plan, in the plan's order of regions.
    pub targets: Vec<ArgoTarget>,
}

/// Where one region's Rollout lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoTarget {
    pub region: String,
    /// The kubeconfig context; `None`: its current context (or in-cluster).
    pub context: Option<String>,
    /// `None`: the context's namespace, else `default`.
    pub namespace: Option<String>,
    pub rollout: String,
}

impl ArgoTarget {
    /// How the target is named in messages: `context/namespace/rollout`.
    pub fn label(&self) -> String {
        format!(
            "{}/{}/{}",
            self.context.as_deref().unwrap_or("(current context)"),
            self.namespace.as_deref().unwrap_or("(default namespace)"),
            self.rollout
        )
    }
}

/// The Argo source re-reads every Rollout this often unless told otherwise:
/// the watch brings changes at once, this only catches what a watch missed.
const ARGO_RESYNC: Duration = Duration::from_secs(10);
const ARGO_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDeploy {
    kind: Spanned<String>,
    url: Option<Spanned<String>>,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    auth: Option<Spanned<RawAuth>>,
    max_answer: Option<Spanned<String>>,
    kubeconfig: Option<Spanned<String>>,
    targets: Option<Spanned<Vec<Spanned<RawTarget>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    region: Spanned<String>,
    context: Option<Spanned<String>>,
    namespace: Option<Spanned<String>>,
    rollout: Spanned<String>,
}

impl Checker<'_> {
    /// `[sources.deploy]`, for a plan with `regions` read from `path`.
    pub(super) fn deploy(
        &self,
        raw: &Spanned<RawDeploy>,
        regions: &[String],
        path: &Path,
    ) -> Result<DeploySource, PlanError> {
        let d = raw.get_ref();
        match d.kind.get_ref().as_str() {
            "http" => self.http_deploy(raw),
            "argo" => self.argo(raw, regions, path).map(DeploySource::Argo),
            other => self.err(
                d.kind.span(),
                "sources.deploy.kind",
                format!("`{other}` is not a deploy source kind; use http or argo"),
            ),
        }
    }

    fn http_deploy(&self, raw: &Spanned<RawDeploy>) -> Result<DeploySource, PlanError> {
        let d = raw.get_ref();
        if let Some(k) = &d.kubeconfig {
            return self.err(
                k.span(),
                "sources.deploy.kubeconfig",
                "belongs to kind = \"argo\"; an http deploy source has url, interval, timeout and auth",
            );
        }
        if let Some(t) = &d.targets {
            return self.err(
                t.span(),
                "sources.deploy.targets",
                "belongs to kind = \"argo\"; an http deploy API names its regions itself",
            );
        }
        let Some(url) = d.url.clone() else {
            return self.err(
                raw.span(),
                "sources.deploy.url",
                "kind = \"http\" needs url = \"https://…\"",
            );
        };
        let endpoint = Spanned::new(
            raw.span(),
            RawEndpoint {
                kind: d.kind.clone(),
                url,
                interval: d.interval.clone(),
                timeout: d.timeout.clone(),
                auth: d.auth.clone(),
                max_answer: d.max_answer.clone(),
            },
        );
        Ok(DeploySource::Http {
            endpoint: self.endpoint(&endpoint, "deploy", &["http"])?,
        })
    }

    fn argo(
        &self,
        raw: &Spanned<RawDeploy>,
        regions: &[String],
        path: &Path,
    ) -> Result<ArgoSource, PlanError> {
        let d = raw.get_ref();
        if let Some(url) = &d.url {
            return self.err(
                url.span(),
                "sources.deploy.url",
                "an argo source finds each cluster in the kubeconfig; remove url (or use kind = \"http\")",
            );
        }
        if let Some(auth) = &d.auth {
            return self.err(
                auth.span(),
                "sources.deploy.auth",
                "an argo source authenticates as each kubeconfig context says (token, client certificate, exec plugin); remove auth",
            );
        }
        let bounded = |value: &Option<Spanned<String>>, what: &str, default| match value {
            None => Ok(default),
            Some(v) => {
                let field = format!("sources.deploy.{what}");
                let d = self.duration(v, &field)?;
                if d > MAX_POLL {
                    return self.err(v.span(), field, "must be at most 1h");
                }
                Ok(d)
            }
        };
        let interval = bounded(&d.interval, "interval", ARGO_RESYNC)?;
        let timeout = bounded(&d.timeout, "timeout", ARGO_TIMEOUT)?;
        let max_answer = match &d.max_answer {
            None => DEFAULT_MAX_ANSWER,
            Some(v) => self.size(v, "sources.deploy.max_answer")?,
        };
        let kubeconfig = match &d.kubeconfig {
            None => None,
            Some(k) => {
                let given = self.text(k, "sources.deploy.kubeconfig", PATH)?;
                Some(resolve(&given, path))
            }
        };
        let Some(raw_targets) = &d.targets else {
            return self.err(
                raw.span(),
                "sources.deploy.targets",
                "kind = \"argo\" needs one [[sources.deploy.targets]] per region: region, rollout, and optionally context and namespace",
            );
        };
        let mut found: Vec<Option<ArgoTarget>> = vec![None; regions.len()];
        for (i, t) in raw_targets.get_ref().iter().enumerate() {
            let target = self.argo_target(i, t, regions)?;
            let slot = regions.iter().position(|r| *r == target.region);
            if let Some(slot) = slot.and_then(|s| found.get_mut(s)) {
                if slot.is_some() {
                    return self.err(
                        t.get_ref().region.span(),
                        format!("sources.deploy.targets[{i}].region"),
                        format!(
                            "`{}` has a target already: one Rollout per region",
                            target.region
                        ),
                    );
                }
                *slot = Some(target);
            }
        }
        let mut targets = Vec::with_capacity(regions.len());
        for (region, target) in regions.iter().zip(found) {
            match target {
                Some(t) => targets.push(t),
                None => {
                    return self.err(
                        raw_targets.span(),
                        "sources.deploy.targets",
                        format!("no target for region `{region}`: every region needs exactly one"),
                    );
                }
            }
        }
        Ok(ArgoSource {
            kubeconfig,
            interval,
            timeout,
            max_answer,
            targets,
        })
    }

    fn argo_target(
        &self,
        i: usize,
        raw: &Spanned<RawTarget>,
        regions: &[String],
    ) -> Result<ArgoTarget, PlanError> {
        let t = raw.get_ref();
        let field = |f: &str| format!("sources.deploy.targets[{i}].{f}");
        let region = self.text(&t.region, &field("region"), NAME)?;
        if !regions.contains(&region) {
            return self.err(
                t.region.span(),
                field("region"),
                format!(
                    "`{region}` is not in [[regions]]; known: {}",
                    regions.join(", ")
                ),
            );
        }
        let rollout = self.text(&t.rollout, &field("rollout"), OBJECT)?;
        if !is_object_name(&rollout, 253, true) {
            return self.err(
                t.rollout.span(),
                field("rollout"),
                format!(
                    "`{rollout}` is not a Kubernetes object name (lowercase letters, digits, '-' and '.')"
                ),
            );
        }
        let namespace = match &t.namespace {
            None => None,
            Some(n) => {
                let ns = self.text(n, &field("namespace"), OBJECT)?;
                if !is_object_name(&ns, 63, false) {
                    return self.err(
                        n.span(),
                        field("namespace"),
                        format!(
                            "`{ns}` is not a namespace name (lowercase letters, digits and '-', at most 63)"
                        ),
                    );
                }
                Some(ns)
            }
        };
        let context = match &t.context {
            None => None,
            Some(c) => Some(self.text(c, &field("context"), LABEL)?),
        };
        Ok(ArgoTarget {
            region,
            context,
            namespace,
            rollout,
        })
    }
}

/// A kubeconfig path as written: `~/` is the home directory, a relative path
/// is relative to the plan file.
fn resolve(given: &str, plan: &Path) -> PathBuf {
    if let Some(rest) = given.strip_prefix("~/")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    let p = PathBuf::from(given);
    if p.is_absolute() {
        p
    } else {
        plan.parent().unwrap_or(Path::new(".")).join(p)
    }
}

/// A DNS-1123 name: lowercase letters, digits and `-` (and `.` where `dots`),
/// starting and ending with a letter or digit. Names go into request paths,
/// so nothing else may pass.
fn is_object_name(name: &str, max: usize, dots: bool) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    name.len() <= max
        && edge(name.chars().next())
        && edge(name.chars().next_back())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (dots && c == '.'))
}

#[cfg(test)]
mod tests;
