//! The one check of a URL warroom sends requests to, for a plan's sources
//! and for `warroom dora --github-api` alike: http or https only, no
//! credentials in it (they would be shown and logged), and a token never in
//! clear text over the network.

use std::net::IpAddr;

use reqwest::Url;

use super::text::{self, TextProblem};

/// Why a URL is refused. Never repeats a URL that may hold credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error("{0}")]
    Text(#[from] TextProblem),
    #[error("`{0}` is not an http:// or https:// URL")]
    NotHttp(String),
    /// Not a usable URL, and it holds an `@`: it is not repeated.
    #[error("is not an http:// or https:// URL")]
    NotHttpHidden,
    #[error("credentials in the URL would be shown and logged")]
    Credentials,
    #[error("a token would cross the network in clear text over http://; use https://")]
    ClearTextToken,
}

/// Check `url`; `sends_token`: a bearer token goes with every request to it,
/// which plain http allows only to this machine (loopback).
pub fn check_url(url: &str, sends_token: bool) -> Result<Url, UrlProblem> {
    // Before parsing: a parser drops tabs and newlines without a word.
    text::check(url, text::URL)?;
    let parsed = match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ if url.contains('@') => return Err(UrlProblem::NotHttpHidden),
        _ => return Err(UrlProblem::NotHttp(url.to_string())),
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    if sends_token && parsed.scheme() == "http" && !is_loopback(&parsed) {
        return Err(UrlProblem::ClearTextToken);
    }
    Ok(parsed)
}

/// Whether `url` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https() {
        assert!(check_url("https://prometheus.example", true).is_ok());
        assert!(check_url("http://prometheus.example", false).is_ok());
        assert_eq!(
            check_url("ftp://files.example", false),
            Err(UrlProblem::NotHttp("ftp://files.example".into()))
        );
        assert!(matches!(
            check_url("127.0.0.1:9090", false),
            Err(UrlProblem::NotHttp(_))
        ));
    }

    #[test]
    fn credentials_are_refused_and_never_repeated() {
        for url in [
            "http://admin:hunter2@127.0.0.1:9090",
            "https://hunter2@example.com",
            "ftp://admin:hunter2@example.com",
            "not a url admin:hunter2@",
        ] {
            let e = check_url(url, false).err();
            assert!(e.is_some(), "{url} was accepted");
            let shown = e.map(|e| e.to_string()).unwrap_or_default();
            assert!(!shown.contains("hunter2"), "{url}: {shown}");
        }
    }

    #[test]
    fn a_token_goes_over_plain_http_only_to_loopback() {
        for url in [
            "http://127.0.0.1:9090",
            "http://127.0.0.2:9090",
            "http://localhost:9090",
            "http://LOCALHOST",
            "http://[::1]:9090",
        ] {
            assert!(check_url(url, true).is_ok(), "{url}");
        }
        for url in [
            "http://prometheus.internal:9090",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
        ] {
            assert_eq!(
                check_url(url, true),
                Err(UrlProblem::ClearTextToken),
                "{url}"
            );
            assert!(check_url(url, false).is_ok(), "{url} without a token");
        }
    }

    #[test]
    fn control_characters_are_refused_before_the_parser_drops_them() {
        let e = check_url("http://127.0.0.1:9090/\tmetrics", false);
        assert!(matches!(e, Err(UrlProblem::Text(_))), "{e:?}");
        let e = check_url("http://127.0.0.1\u{1b}[2J", false);
        assert!(matches!(e, Err(UrlProblem::Text(_))), "{e:?}");
        let long = format!("https://example.com/{}", "a".repeat(3000));
        let e = check_url(&long, false);
        assert!(matches!(e, Err(UrlProblem::Text(_))), "{e:?}");
    }
}
