//! Safe to share: text with what a shared screen must not show hidden —
//! URLs, host names and addresses, tokens, and whatever the plan marks
//! private. One pure function, applied wherever outside text is drawn
//! while the screen is shared.

/// Stands in for a URL.
pub const URL: &str = "‹url›";
/// Stands in for a host name or address, with its port.
pub const HOST: &str = "‹host›";
/// Stands in for a token or credential.
pub const TOKEN: &str = "‹token›";
/// Stands in for a word the plan marks private.
pub const PRIVATE: &str = "‹private›";

/// Words the plan's `[share] private` marks as never to be shown on a
/// shared screen (internal names, customers, ticket systems).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SharePolicy {
    pub private: Vec<String>,
}

/// Top-level domains that mark a two-label name (`grafana.net`) as a host
/// even without a port; longer dotted names are hosts whatever they end in.
const HOST_ENDINGS: &[&str] = &[
    "com", "net", "org", "io", "dev", "app", "cloud", "local", "internal", "corp", "lan", "svc",
    "cluster", "intra", "example", "test",
];

/// Words after which the next word is a credential (unless it is a plain
/// lowercase word: `Basic auth failed`).
const CREDENTIAL_WORDS: &[&str] = &["bearer", "basic"];

/// `text` with URLs, hosts (`db.internal:5432`, `10.0.0.7`), tokens
/// (`Bearer …`, `token=…`, long random strings) and the plan's private
/// words replaced by a mark saying what was there.
pub fn redact(text: &str, policy: &SharePolicy) -> String {
    let private = hide_private(text, &policy.private);
    let mut out = String::with_capacity(private.len());
    let mut credential_next = false;
    for piece in split_keeping_spaces(&private) {
        if piece.chars().all(char::is_whitespace) {
            out.push_str(piece);
            continue;
        }
        let word = hide_word(piece, credential_next);
        credential_next = CREDENTIAL_WORDS
            .iter()
            .any(|w| piece.trim_end_matches(':').eq_ignore_ascii_case(w));
        out.push_str(&word);
    }
    out
}

/// Runs of spaces and runs of anything else, in order.
fn split_keeping_spaces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if in_space.is_some_and(|s| s != space) {
            out.push(&text[start..i]);
            start = i;
        }
        in_space = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Every case-insensitive occurrence of a private word hidden.
fn hide_private(text: &str, private: &[String]) -> String {
    let mut out = text.to_string();
    for word in private.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        let lower_word = word.to_lowercase();
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        loop {
            // Lowercasing keeps byte offsets only for ASCII; otherwise
            // match char by char.
            match find_ignoring_case(rest, &lower_word) {
                Some((at, len)) => {
                    result.push_str(&rest[..at]);
                    result.push_str(PRIVATE);
                    rest = &rest[at + len..];
                }
                None => {
                    result.push_str(rest);
                    break;
                }
            }
        }
        out = result;
    }
    out
}

/// Where `needle` (lowercase) first occurs in `haystack`, ignoring case:
/// its byte offset and byte length in `haystack`.
fn find_ignoring_case(haystack: &str, needle: &str) -> Option<(usize, usize)> {
    let wanted: Vec<char> = needle.chars().collect();
    let starts: Vec<usize> = haystack.char_indices().map(|(i, _)| i).collect();
    for &start in &starts {
        let mut chars = haystack[start..].char_indices();
        let mut matched = 0;
        let mut end = start;
        for w in &wanted {
            match chars.next() {
                Some((i, c)) if c.to_lowercase().eq(w.to_lowercase()) => {
                    matched += 1;
                    end = start + i + c.len_utf8();
                }
                _ => break,
            }
        }
        if matched == wanted.len() && !wanted.is_empty() {
            return Some((start, end - start));
        }
    }
    None
}

/// One word (no spaces) with what it hides replaced; punctuation around
/// it (quotes, brackets, a trailing comma) kept.
fn hide_word(word: &str, credential: bool) -> String {
    // An IPv6 address in brackets keeps its brackets for `is_host`.
    if let Some(at) = word.find('[') {
        let end = word
            .rfind(|c: char| c.is_ascii_digit() || c == ']')
            .map_or(0, |i| i + 1);
        if end > at && is_host(&word[at..end]) && word[at..end].contains(']') {
            return format!("{}{HOST}{}", &word[..at], &word[end..]);
        }
    }
    let is_edge = |c: char| "\"'()[]{}<>,;".contains(c) || (c == '.' || c == ':' || c == '!');
    let core_start = word.find(|c: char| !is_edge(c)).unwrap_or(word.len());
    let core_end = word.rfind(|c: char| !is_edge(c)).map_or(core_start, |i| {
        i + word[i..].chars().next().map_or(1, char::len_utf8)
    });
    if core_start >= core_end {
        return word.to_string();
    }
    let (before, core, after) = (
        &word[..core_start],
        &word[core_start..core_end],
        &word[core_end..],
    );
    let hidden = if core.contains("://") {
        Some(URL.to_string())
    } else if credential && !core.chars().all(|c| c.is_ascii_lowercase()) {
        Some(TOKEN.to_string())
    } else if let Some((key, _)) = core
        .split_once('=')
        .filter(|(k, v)| !v.is_empty() && is_secret_key(k))
    {
        Some(format!("{key}={TOKEN}"))
    } else if let Some((user, _)) = core.split_once('@').filter(|(_, h)| is_host(h)) {
        Some(format!("{user}@{HOST}"))
    } else if is_host(core) {
        Some(HOST.to_string())
    } else if is_token(core) {
        Some(TOKEN.to_string())
    } else {
        None
    };
    match hidden {
        Some(h) => format!("{before}{h}{after}"),
        None => word.to_string(),
    }
}

fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "token",
        "key",
        "secret",
        "password",
        "passwd",
        "auth",
        "sig",
        "signature",
    ]
    .iter()
    .any(|w| k.ends_with(w))
}

/// A host: a name or address with a port (`localhost:9090`,
/// `[::1]:8080`, `10.0.0.7:443`), an IPv4 address, or a dotted name that
/// reads as one (`prom.monitoring.svc`, `grafana.net`).
fn is_host(s: &str) -> bool {
    let (name, port) = match s.rsplit_once(':') {
        Some((n, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => (n, Some(p)),
        _ => (s, None),
    };
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        // IPv6 in brackets, as in a URL's authority.
        return inner.contains(':') && inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':');
    }
    if name.is_empty() {
        return false;
    }
    if is_ipv4(name) {
        return true;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    let has_letter = labels
        .iter()
        .any(|l| l.chars().any(|c| c.is_ascii_alphabetic()));
    if !has_letter {
        return false;
    }
    if port.is_some() {
        // A name with a port: `localhost:9090`, `db-1:5432`; not `09:01`.
        return true;
    }
    let last = labels
        .last()
        .copied()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let tld_alpha = last.len() >= 2 && last.chars().all(|c| c.is_ascii_alphabetic());
    match labels.len() {
        0 | 1 => false,
        2 => tld_alpha && HOST_ENDINGS.contains(&last.as_str()),
        _ => tld_alpha,
    }
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n <= 255))
}

/// A long random-looking string: 20 or more characters of letters, digits
/// and `-_/+=`, with both letters and digits (`ghp_…`, `xoxb-…`, a JWT).
fn is_token(s: &str) -> bool {
    // A path is not a token (`/var/lib/warroom2/audit.jsonl`).
    if s.starts_with(['/', '~', '.']) || s.matches('/').count() > 1 {
        return false;
    }
    let body: Vec<char> = s.chars().collect();
    body.len() >= 20
        && body
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || "-_/+=.".contains(*c))
        && body.iter().any(char::is_ascii_digit)
        && body.iter().any(char::is_ascii_alphabetic)
        && !body
            .iter()
            .all(|c| c.is_ascii_digit() || *c == '-' || *c == '.')
}

#[cfg(test)]
mod tests;
