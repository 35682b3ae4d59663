//! The GitHub Deployments API as a history source: deployments and their
//! latest status, and commit times for lead time. Follows `Link` pagination
//! and waits out rate limits (`x-ratelimit-remaining` / `x-ratelimit-reset`,
//! `retry-after`) up to a bound.

use std::time::Duration;

use serde::Deserialize;

use crate::config::plan::{Auth, DEFAULT_MAX_ANSWER};
use crate::domain::Timestamp;
use crate::domain::dora::Event;
use crate::integrations::http::{Http, HttpError};
use crate::integrations::secret::{SecretError, bearer_token};

/// How long one request to GitHub may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The longest wait for a rate limit to reset before giving up.
pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error(transparent)]
    Token(#[from] SecretError),
    #[error(transparent)]
    Client(#[from] HttpError),
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
    http: Http,
    api: String,
    repo: String,
    environment: String,
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
        let token = bearer_token(auth)?;
        Ok(GitHub {
            http: Http::new("GitHub", TIMEOUT, DEFAULT_MAX_ANSWER, token)?,
            api: api.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            environment: environment.to_string(),
            requests: Default::default(),
        })
    }

    /// GET `url`, waiting out a rate limit; the body and the next page's URL.
    async fn get(&self, url: &str) -> Result<(Vec<u8>, Option<String>), GitHubError> {
        let failed = |problem: String| GitHubError::Request {
            url: self.http.clean(url, 300),
            problem,
        };
        loop {
            let request = self
                .http
                .read(reqwest::Method::GET, url)
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28");
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let response = request
                .send()
                .await
                .map_err(|e| failed(self.http.transport(&e)))?;
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
            let body = self
                .http
                .body(response)
                .await
                .map_err(|e| failed(e.to_string()))?;
            if !(200..300).contains(&status) {
                let text = self.http.clean(&String::from_utf8_lossy(&body), 200);
                let hint = match status {
                    401 => " (check the token)",
                    404 => " (check the repository name, and that the token can read it)",
                    _ => "",
                };
                return Err(failed(format!("HTTP {status}{hint}: {text}")));
            }
            return Ok((body, next));
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        body: &[u8],
    ) -> Result<T, GitHubError> {
        serde_json::from_slice(body).map_err(|e| GitHubError::Request {
            url: self.http.clean(url, 300),
            problem: self.http.message(&format!("unexpected answer: {e}")),
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
            let list: Vec<Deployment> = self.parse(&page, &body)?;
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
            let statuses: Vec<Status> = self.parse(&url, &body)?;
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
                version: Some(self.http.clean(&d.git_ref, 100)),
                commits: vec![self.http.clean(&d.sha, 100)],
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
            let commit: Commit = self.parse(&url, &body)?;
            events.push(Event::Change {
                commit: self.http.clean(&d.sha, 100),
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
