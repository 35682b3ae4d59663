//! The GitHub Deployments API as a history source: deployments and their
//! latest status, and commit times for lead time. Follows `Link` pagination
//! and waits out rate limits (`x-ratelimit-remaining` / `x-ratelimit-reset`,
//! `retry-after`) up to a bound.

use std::time::Duration;

use serde::Deserialize;

use crate::config::plan::Auth;
use crate::domain::Timestamp;
use crate::domain::dora::Event;
use crate::integrations::secret::{Secret, SecretError, bearer_token};

/// The longest wait for a rate limit to reset before giving up.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error(transparent)]
    Token(#[from] SecretError),
    #[error("GitHub {url}: {problem}")]
    Request { url: String, problem: String },
    #[error("GitHub rate limit reached; it resets in {0} s, more than the {max} s warroom waits", max = MAX_RATE_LIMIT_WAIT.as_secs())]
    RateLimited(u64),
}

#[derive(Deserialize)]
struct Deployment {
    id: u64,
    sha: String,
    #[serde(rename = "ref")]
    git_ref: String,
    created_at: Timestamp,
}

#[derive(Deserialize)]
struct Status {
    state: String,
    created_at: Timestamp,
}

#[derive(Deserialize)]
struct CommitPerson {
    date: Timestamp,
}

#[derive(Deserialize)]
struct CommitInner {
    committer: CommitPerson,
}

#[derive(Deserialize)]
struct Commit {
    commit: CommitInner,
}

/// One repository's deployments to one environment.
pub struct GitHub {
    client: reqwest::Client,
    api: String,
    repo: String,
    environment: String,
    token: Option<Secret>,
    /// Requests made, for tests and logs.
    pub requests: std::sync::atomic::AtomicUsize,
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, rel) = part.split_once(';')?;
        rel.contains("rel=\"next\"").then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

impl GitHub {
    /// `api` is `https://api.github.com` or a GitHub Enterprise API URL.
    pub fn new(
        api: &str,
        repo: &str,
        environment: &str,
        auth: &Auth,
    ) -> Result<GitHub, GitHubError> {
        Ok(GitHub {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
                .build()
                .unwrap_or_default(),
            api: api.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            environment: environment.to_string(),
            token: bearer_token(auth)?,
            requests: Default::default(),
        })
    }

    /// GET `url`, waiting out a rate limit; the body and the next page's URL.
    async fn get(&self, url: &str) -> Result<(Vec<u8>, Option<String>), GitHubError> {
        let failed = |problem: String| GitHubError::Request {
            url: url.to_string(),
            problem,
        };
        loop {
            let mut request = self
                .client
                .get(url)
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28");
            if let Some(t) = &self.token {
                request = request.bearer_auth(t.expose());
            }
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let response = request.send().await.map_err(|e| failed(e.to_string()))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let remaining = header("x-ratelimit-remaining").and_then(|v| v.parse::<u64>().ok());
            let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
            let retry_after = header("retry-after").and_then(|v| v.parse::<u64>().ok());
            let next = header("link").as_deref().and_then(next_link);
            if matches!(status, 403 | 429) && (remaining == Some(0) || retry_after.is_some()) {
                let wait = retry_after.unwrap_or_else(|| {
                    let now = chrono::Utc::now().timestamp();
                    reset.map_or(60, |r| (r - now).max(1) as u64)
                });
                if Duration::from_secs(wait) > MAX_RATE_LIMIT_WAIT {
                    return Err(GitHubError::RateLimited(wait));
                }
                tracing::info!(wait, "GitHub rate limit: waiting");
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            let body = response.bytes().await.map_err(|e| failed(e.to_string()))?;
            if !(200..300).contains(&status) {
                let text: String = String::from_utf8_lossy(&body).chars().take(200).collect();
                let hint = match status {
                    401 => " (check the token)",
                    404 => " (check the repository name, and that the token can read it)",
                    _ => "",
                };
                return Err(failed(format!("HTTP {status}{hint}: {text}")));
            }
            return Ok((body.to_vec(), next));
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(url: &str, body: &[u8]) -> Result<T, GitHubError> {
        serde_json::from_slice(body).map_err(|e| GitHubError::Request {
            url: url.to_string(),
            problem: format!("unexpected answer: {e}"),
        })
    }

    /// Every deployment to the environment since `since`, as history events.
    pub async fn events(&self, since: Timestamp) -> Result<Vec<Event>, GitHubError> {
        let mut first =
            reqwest::Url::parse(&format!("{}/repos/{}/deployments", self.api, self.repo)).map_err(
                |e| GitHubError::Request {
                    url: self.api.clone(),
                    problem: e.to_string(),
                },
            )?;
        first
            .query_pairs_mut()
            .append_pair("environment", &self.environment)
            .append_pair("per_page", "100");
        let mut url = Some(first.to_string());
        let mut deployments = Vec::new();
        'pages: while let Some(page) = url.take() {
            let (body, next) = self.get(&page).await?;
            let list: Vec<Deployment> = Self::parse(&page, &body)?;
            for d in list {
                // Newest first: older than the window ends the walk.
                if d.created_at < since {
                    break 'pages;
                }
                deployments.push(d);
            }
            // The token goes only to the API it was given for.
            url = next.filter(|n| n.starts_with(&format!("{}/", self.api)));
        }
        let mut events = Vec::new();
        let mut outcomes = Vec::new();
        for d in &deployments {
            let url = format!(
                "{}/repos/{}/deployments/{}/statuses?per_page=1",
                self.api, self.repo, d.id
            );
            let (body, _) = self.get(&url).await?;
            let statuses: Vec<Status> = Self::parse(&url, &body)?;
            let Some(latest) = statuses.into_iter().next() else {
                continue;
            };
            // GitHub marks earlier successes `inactive` when a newer one lands.
            let state = match latest.state.as_str() {
                "success" | "inactive" => "success",
                "failure" | "error" => "failure",
                _ => continue,
            };
            let latest = Status {
                state: state.to_string(),
                created_at: latest.created_at,
            };
            outcomes.push((d, latest));
        }
        // Oldest first, so a failure is restored by the next success.
        outcomes.sort_by_key(|(d, s)| (s.created_at, d.id));
        for (i, (d, status)) in outcomes.iter().enumerate() {
            let id = format!("github-{}", d.id);
            events.push(Event::Deployment {
                id: id.clone(),
                time: status.created_at,
                version: Some(d.git_ref.clone()),
                commits: vec![d.sha.clone()],
                hotfix: false,
            });
            if status.state != "success" {
                let resolved = outcomes[i + 1..]
                    .iter()
                    .find(|(_, s)| s.state == "success")
                    .map(|(_, s)| s.created_at);
                events.push(Event::Incident {
                    deployment: id,
                    opened: status.created_at,
                    resolved,
                });
            }
            let url = format!("{}/repos/{}/commits/{}", self.api, self.repo, d.sha);
            let (body, _) = self.get(&url).await?;
            let commit: Commit = Self::parse(&url, &body)?;
            events.push(Event::Change {
                commit: d.sha.clone(),
                time: commit.commit.committer.date,
            });
        }
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_give_the_next_page() {
        let link = r#"<https://api.github.com/repositories/1/deployments?page=2>; rel="next", <https://api.github.com/repositories/1/deployments?page=5>; rel="last""#;
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/deployments?page=2")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
    }
}
