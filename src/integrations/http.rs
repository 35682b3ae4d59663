//! The one HTTP client every integration speaks through: the source's
//! timeout always applied, no Referer, redirects never followed for actions
//! and for reads only to the same origin, every answer read in chunks up to
//! a cap, and every text that comes back made safe before anyone sees it.

use std::time::Duration;

use reqwest::redirect::{Attempt, Policy};
use reqwest::{Client, Method, RequestBuilder, Response, Url};

use super::secret::Secret;
use crate::domain::text;

/// Redirects a read follows before it gives up.
const MAX_HOPS: usize = 5;

/// Why a client could not be had, or an answer was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("cannot build the HTTP client for {name}: {why}")]
    Client { name: String, why: String },
    #[error("{name}: the answer is larger than {cap} (max_answer); refused, the rest was not read")]
    TooLarge { name: String, cap: String },
    #[error("{name}: {why}")]
    Broken { name: String, why: String },
}

/// One source's HTTP client: what it may send and how much it reads back.
#[derive(Debug, Clone)]
pub struct Http {
    /// For reads: same-origin redirects only.
    reads: Client,
    /// For actions: no redirect is followed; a 3xx comes back as it is.
    actions: Client,
    /// The source's name, for messages.
    source: String,
    max_answer: u64,
    /// The token this source sends: masked in every text it brings back.
    token: Option<Secret>,
    /// Other secrets it knows (a webhook's URL), masked the same way.
    masked: Vec<Secret>,
}

/// A size in words: `16 MiB`, `512 KiB`, `900 bytes`.
pub fn size_words(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Same scheme, host and port.
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A URL as it may be shown: origin and path only, since a query or a
/// fragment may hold what a message should not. `raw` may be relative (a
/// Location header).
pub fn origin_and_path(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(url) => format!("{}{}", url.origin().ascii_serialization(), url.path()),
        Err(_) => raw.split(['?', '#']).next().unwrap_or_default().to_string(),
    }
}

/// Reads follow a redirect only within the origin they started at, and
/// never from https down to http.
fn read_redirects(attempt: Attempt) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first().cloned() else {
        return attempt.stop();
    };
    let to = attempt.url().clone();
    if first.scheme() == "https" && to.scheme() == "http" {
        // Origin and path only: a query may hold what a message should not.
        let shown = origin_and_path(to.as_str());
        let why = format!("redirected from https to plain http ({shown}); not followed");
        return attempt.error(why);
    }
    if !same_origin(&first, &to) {
        let origin = to.origin().ascii_serialization();
        return attempt.error(format!(
            "redirected to another origin ({origin}); not followed"
        ));
    }
    if attempt.previous().len() > MAX_HOPS {
        return attempt.error(format!("more than {MAX_HOPS} redirects; not followed"));
    }
    attempt.follow()
}

fn build(timeout: Duration, redirects: Policy) -> Result<Client, reqwest::Error> {
    Client::builder()
        .timeout(timeout)
        .redirect(redirects)
        .referer(false)
        .user_agent(concat!("warroom/", env!("CARGO_PKG_VERSION")))
        .build()
}

impl Http {
    /// A client for `source` that gives up after `timeout` and reads at most
    /// `max_answer` bytes of any answer, and sends `token` as a bearer.
    pub fn new(
        source: &str,
        timeout: Duration,
        max_answer: u64,
        token: Option<Secret>,
    ) -> Result<Http, HttpError> {
        let failed = |e: reqwest::Error| HttpError::Client {
            name: source.to_string(),
            why: e.to_string(),
        };
        Ok(Http {
            reads: build(timeout, Policy::custom(read_redirects)).map_err(failed)?,
            actions: build(timeout, Policy::none()).map_err(failed)?,
            source: source.to_string(),
            max_answer,
            token,
            masked: Vec::new(),
        })
    }

    /// The same client, masking `secret` too in every text it brings back
    /// (a webhook URL is a secret that is no token).
    pub fn masking(mut self, secret: Secret) -> Self {
        self.masked.push(secret);
        self
    }

    /// A read: a GET, or a POST that changes nothing (a PromQL query).
    pub fn read(&self, method: Method, url: &str) -> RequestBuilder {
        self.with_token(self.reads.request(method, url))
    }

    /// An action: a POST whose redirects are never followed.
    pub fn act(&self, url: &str) -> RequestBuilder {
        self.with_token(self.actions.post(url))
    }

    fn with_token(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token.expose()),
            None => request,
        }
    }

    /// The answer's body, read chunk by chunk; refused as soon as it would
    /// pass the cap, before the rest is read.
    pub async fn body(&self, mut response: Response) -> Result<Vec<u8>, HttpError> {
        let too_large = || HttpError::TooLarge {
            name: self.source.clone(),
            cap: size_words(self.max_answer),
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_answer)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if (body.len() + chunk.len()) as u64 > self.max_answer {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => {
                    return Err(HttpError::Broken {
                        name: self.source.clone(),
                        why: self.transport(&e),
                    });
                }
            }
        }
    }

    /// The tokens to mask in what this source brings back.
    pub fn secrets(&self) -> Vec<&str> {
        self.token
            .iter()
            .chain(self.masked.iter())
            .map(Secret::expose)
            .collect()
    }

    /// Text from this source's answers, safe to show, log and record.
    pub fn clean(&self, text: &str, limit: usize) -> String {
        text::outside(text, limit, &self.secrets())
    }

    /// One message from this source at the usual length.
    pub fn message(&self, text: &str) -> String {
        self.clean(text, text::MESSAGE_CHARS)
    }

    /// A short excerpt of a body, for messages: `(empty body)` when empty.
    pub fn excerpt(&self, body: &[u8]) -> String {
        let shown = self.clean(&String::from_utf8_lossy(body), 120);
        if shown.is_empty() {
            "(empty body)".to_string()
        } else {
            shown
        }
    }

    /// A transport error in words: what happened and its innermost cause,
    /// without the URL (its query may hold PromQL), made safe.
    pub fn transport(&self, e: &reqwest::Error) -> String {
        let what = if e.is_timeout() {
            "timed out"
        } else if e.is_redirect() {
            "redirect refused"
        } else if e.is_connect() {
            "cannot connect"
        } else if e.is_body() || e.is_decode() {
            "the answer broke off"
        } else {
            "request failed"
        };
        let mut cause = std::error::Error::source(e);
        let mut detail = String::new();
        while let Some(c) = cause {
            detail = c.to_string();
            cause = c.source();
        }
        if detail.is_empty() || e.is_timeout() {
            what.to_string()
        } else {
            self.message(&format!("{what}: {detail}"))
        }
    }
}

/// Why a source's client could not be made: its token, or the client itself.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Token(#[from] super::secret::SecretError),
    #[error(transparent)]
    Client(#[from] HttpError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_words(16 << 20), "16 MiB");
        assert_eq!(size_words(512 << 10), "512 KiB");
        assert_eq!(size_words(1000), "1000 bytes");
    }

    #[test]
    fn a_shown_url_keeps_origin_and_path_only() {
        assert_eq!(
            origin_and_path("https://h.example:8443/api/v1/rollout?token=s3cret#x"),
            "https://h.example:8443/api/v1/rollout"
        );
        assert_eq!(
            origin_and_path("/api/v1/rollout?token=s3cret"),
            "/api/v1/rollout"
        );
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(same_origin(&u("http://a:80/x"), &u("http://a/y")));
        assert!(!same_origin(&u("http://a/x"), &u("http://b/x")));
        assert!(!same_origin(&u("http://a:1/x"), &u("http://a:2/x")));
        assert!(!same_origin(&u("https://a/x"), &u("http://a/x")));
    }

    #[test]
    fn a_client_masks_its_own_token() {
        let path = std::env::temp_dir().join(format!("warroom-http-token-{}", std::process::id()));
        std::fs::write(&path, "t0k3n\n").unwrap();
        let token = super::super::secret::bearer_token(&crate::config::plan::Auth::BearerFile(
            path.clone(),
        ))
        .unwrap();
        std::fs::remove_file(&path).unwrap();
        let http = Http::new("deploy test", Duration::from_secs(1), 1 << 20, token).unwrap();
        assert_eq!(
            http.message("echo: Bearer t0k3n\n\x1b[2J"),
            "echo: Bearer [redacted] ⏎ �[2J"
        );
        assert_eq!(http.excerpt(b"  "), "(empty body)");
    }

    /// What 10 000 series of an instant vector weigh, with a dozen labels
    /// each: the default cap must take them with room to spare.
    #[test]
    fn the_default_cap_fits_ten_thousand_series() {
        let series: Vec<String> = (0..10_000)
            .map(|i| {
                format!(
                    r#"{{"metric":{{"__name__":"http_requests_total","region":"region-{i:05}","version":"v2.4.0-rc.1","job":"checkout-api","instance":"10.12.{}.{}:9464","namespace":"checkout","pod":"checkout-api-7c9d8f6b5-{i:05}","container":"app","code":"500","method":"POST","route":"/api/v1/orders","cluster":"prod-eu-west-1"}},"value":[1700000000.123,"0.0012345678901234"]}}"#,
                    i / 256,
                    i % 256
                )
            })
            .collect();
        let body = format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{}]}}}}"#,
            series.join(",")
        );
        let cap = crate::config::plan::DEFAULT_MAX_ANSWER as usize;
        assert!(body.len() * 4 < cap, "{} bytes", body.len());
        assert!(body.len() > 2 << 20, "{} bytes", body.len());
    }
}
