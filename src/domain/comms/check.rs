//! The customer draft's last check: no version, host, URL, promise of a
//! time to fix (ETA) or internal name reaches a customer, whatever the
//! plan, the timeline or a person typed.

/// What a customer text must not name, beyond what is never said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forbidden {
    /// The versions of the rollout (`v2.4.0`): said by any spelling.
    pub versions: Vec<String>,
    /// Internal names: the service, region ids that have a public name.
    pub words: Vec<String>,
}

/// Words of the war room and its tools, which customers have no use for.
const INTERNAL_WORDS: &[&str] = &[
    "canary",
    "rollout",
    "wave",
    "breach",
    "breached",
    "guardrail",
    "p99",
    "promql",
    "prometheus",
    "argo",
    "kubernetes",
    "k8s",
    "cluster",
    "namespace",
    "pod",
    "pods",
    "warroom",
    "no-go",
    "replica",
    "replicas",
];

/// Phrases that promise when it is fixed.
const ETA_PHRASES: &[&str] = &[
    "estimated time",
    "resolved by",
    "fixed by",
    "expected to be",
    "back to normal by",
    "restored by",
    "within the next",
];

/// Every leak in `text`, each said in a few words (`version v2.4.0`).
/// Whether `word` stands in `text` on its own: not inside a longer word,
/// number or time (`12` is not in `12:40`, nor `2.4` in `2.4.1`).
fn has_word(text: &str, word: &str) -> bool {
    let joins = |c: char| c.is_alphanumeric() || matches!(c, '.' | ':' | '_' | '-');
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        // A sentence's full stop after a version still ends it.
        let after_ok = match after {
            Some('.') => text[at + word.len() + 1..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric()),
            Some(c) => !joins(c),
            None => true,
        };
        before.is_none_or(|c| !joins(c)) && after_ok
    })
}

pub fn leaks(text: &str, forbidden: &Forbidden) -> Vec<String> {
    let mut out = Vec::new();
    let lower = text.to_lowercase();
    for token in text.split_whitespace() {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        if token.contains("://") || bare.to_lowercase().starts_with("www.") {
            out.push(format!("URL {bare}"));
        } else if is_version(bare) {
            out.push(format!("version {bare}"));
        } else if is_host(bare) {
            out.push(format!("host {bare}"));
        }
    }
    for v in forbidden.versions.iter().filter(|v| !v.trim().is_empty()) {
        let v = v.to_lowercase();
        let bare = v.trim_start_matches('v');
        if has_word(&lower, &v) || (bare.len() > 1 && has_word(&lower, bare)) {
            out.push(format!("version {v}"));
        }
    }
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.contains(&"eta") {
        out.push("ETA".to_string());
    }
    out.extend(
        ETA_PHRASES
            .iter()
            .filter(|p| lower.contains(*p))
            .map(|p| format!("ETA \"{p}\"")),
    );
    out.extend(
        INTERNAL_WORDS
            .iter()
            .filter(|w| words.contains(w))
            .map(|w| format!("internal word {w}")),
    );
    for name in forbidden.words.iter().filter(|w| !w.trim().is_empty()) {
        if lower.contains(&name.to_lowercase()) {
            out.push(format!("internal name {name}"));
        }
    }
    out.dedup();
    out
}

/// `text` without its lines that leak: what is left says nothing
/// internal. The plan's own names (a product or public name that names a
/// version) are dropped the same way.
pub fn guard(text: &str, forbidden: &Forbidden) -> String {
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| leaks(line, forbidden).is_empty())
        .collect();
    let mut out = kept.join("\n");
    if text.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `2.4.0`, `v2.4`, `1.2.3-rc1`, an address `10.0.0.1`.
fn is_version(token: &str) -> bool {
    let t = token.strip_prefix(['v', 'V']).unwrap_or(token);
    let core = t.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// `api.example.com`, `checkout.internal:8443`.
fn is_host(token: &str) -> bool {
    let t = token.split(':').next().unwrap_or("");
    let labels: Vec<&str> = t.split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && labels
            .last()
            .is_some_and(|l| l.len() >= 2 && l.chars().all(|c| c.is_ascii_alphabetic()))
}
