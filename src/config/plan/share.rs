//! The plan's `[share]`: words a shared screen (`--share`, the presenter
//! view) hides, beyond the hosts, URLs and tokens it always hides.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, PlanError};
use crate::config::text::LABEL;
use crate::domain::share::SharePolicy;

/// The most private words a plan may give.
const MAX_PRIVATE: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawShare {
    #[serde(default)]
    private: Vec<Spanned<String>>,
}

impl Checker<'_> {
    /// `[share]`, or none: without it a shared screen hides hosts, URLs and
    /// tokens only.
    pub(super) fn share(&self, raw: Option<&Spanned<RawShare>>) -> Result<SharePolicy, PlanError> {
        let Some(raw) = raw else {
            return Ok(SharePolicy::default());
        };
        let words = &raw.get_ref().private;
        if words.len() > MAX_PRIVATE {
            return self.err(
                raw.span(),
                "share.private",
                format!("at most {MAX_PRIVATE} words; hide a common part of names instead"),
            );
        }
        let mut private = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let field = format!("share.private[{i}]");
            let word = self.text(word, &field, LABEL)?;
            if !private.contains(&word) {
                private.push(word);
            }
        }
        Ok(SharePolicy { private })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::{PlanError, PlanFile};

    fn example() -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/simulator.toml");
        std::fs::read_to_string(path).unwrap()
    }

    /// The simulator example with `share` added after its `[bake]`.
    fn with_share(share: &str) -> (String, Result<PlanFile, PlanError>) {
        let text = example().replacen(
            "[bake]\nfor = \"1m\"\n",
            &format!("[bake]\nfor = \"1m\"\n\n{share}"),
            1,
        );
        let parsed = PlanFile::parse(&text, Path::new("plan.toml"));
        (text, parsed)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn private_words_are_read_trimmed_and_once() {
        let (_, plan) = with_share("[share]\nprivate = [\" acme \", \"payments-db\", \"acme\"]\n");
        assert_eq!(plan.unwrap().plan.share.private, ["acme", "payments-db"]);
        let (_, plan) = with_share("");
        assert!(plan.unwrap().plan.share.private.is_empty());
        let (_, plan) = with_share("[share]\n");
        assert!(plan.unwrap().plan.share.private.is_empty());
    }

    #[test]
    fn a_bad_word_names_the_file_line_and_field() {
        let (text, plan) = with_share("[share]\nprivate = [\"acme\",\n  \"  \"]\n");
        let e = plan.err().unwrap();
        assert_eq!(e.file, "plan.toml");
        assert_eq!(e.field, "share.private[1]", "{e}");
        assert_eq!(e.line, line_of(&text, "  \"  \"]"), "{e}");
        assert!(e.problem.contains("empty"), "{e}");
        let (text, plan) = with_share("[share]\nprivate = [\"a\\u001b[31m\"]\n");
        let e = plan.err().unwrap();
        assert_eq!(e.field, "share.private[0]", "{e}");
        assert_eq!(e.line, line_of(&text, "private = "), "{e}");
    }

    #[test]
    fn an_unknown_key_or_a_wrong_type_is_refused_where_it_is() {
        let (text, plan) = with_share("[share]\nhide = [\"acme\"]\n");
        let e = plan.err().unwrap();
        assert!(e.field.starts_with("share"), "{e}");
        assert_eq!(e.line, line_of(&text, "hide = "), "{e}");
        let (text, plan) = with_share("[share]\nprivate = \"acme\"\n");
        let e = plan.err().unwrap();
        assert!(e.field.starts_with("share.private"), "{e}");
        assert_eq!(e.line, line_of(&text, "private = "), "{e}");
    }
}
