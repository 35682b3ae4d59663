//! Snapshots of the live screen (`S`): the screen as it is drawn now,
//! written as SVG and as text into a folder, named by the time on the
//! war room's clock.

use std::path::{Path, PathBuf};

use crate::app::state::AppState;
use crate::ui::picture::Picture;
use crate::ui::theme::Theme;

/// The folder snapshots go to; created when the first one is taken.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
}

impl Snapshots {
    pub fn new(dir: PathBuf) -> Snapshots {
        Snapshots { dir }
    }

    /// Draw `state` as a `width` × `height` terminal shows it and write it;
    /// the path of the SVG, or why it could not be written.
    pub fn take(
        &self,
        state: &AppState,
        theme: &Theme,
        width: u16,
        height: u16,
    ) -> Result<PathBuf, String> {
        let picture = crate::ui::picture::picture(state, theme, width, height);
        let stem = format!(
            "{}-{}",
            file_word(&state.plan.service),
            state.now.format("%Y%m%dT%H%M%SZ")
        );
        self.write(&stem, &picture)
    }

    /// Write `picture` as `<stem>.svg` and `<stem>.txt`, or with `-2`, `-3`…
    /// after the stem when a snapshot of the same second is there already.
    fn write(&self, stem: &str, picture: &Picture) -> Result<PathBuf, String> {
        let shown = |p: &Path| p.display().to_string();
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", shown(&self.dir)))?;
        for n in 1..1000 {
            let name = if n == 1 {
                stem.to_string()
            } else {
                format!("{stem}-{n}")
            };
            let svg = self.dir.join(format!("{name}.svg"));
            // Taken with create_new, so that two dashboards sharing the folder
            // never write over each other's snapshot.
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&svg)
            {
                Ok(file) => {
                    write_all(file, &picture.svg).map_err(|e| format!("{}: {e}", shown(&svg)))?;
                    let txt = self.dir.join(format!("{name}.txt"));
                    std::fs::write(&txt, &picture.text)
                        .map_err(|e| format!("{}: {e}", shown(&txt)))?;
                    return Ok(svg);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("cannot write {}: {e}", shown(&svg))),
            }
        }
        Err(format!(
            "{}: too many snapshots of one second",
            shown(&self.dir)
        ))
    }
}

fn write_all(mut file: std::fs::File, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    // Not synced: a snapshot is a picture, and waiting for a slow disk here
    // would hold the keys.
    file.write_all(text.as_bytes())
}

/// `service` as a file name's word: letters, digits, `.`, `_` and `-`
/// kept, anything else (a slash, a space) made `_`.
fn file_word(service: &str) -> String {
    let word: String = service
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match word.trim_start_matches('.') {
        "" => "warroom".to_string(),
        w => w.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder of this test's own under the system's temp dir.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("warroom-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn picture(text: &str) -> Picture {
        Picture {
            svg: format!("<svg>{text}</svg>"),
            text: text.to_string(),
        }
    }

    #[test]
    fn a_second_snapshot_of_the_same_second_is_kept_beside_the_first() {
        let dir = scratch("twice");
        let snaps = Snapshots::new(dir.join("nested/snaps"));
        let first = snaps.write("svc-20261202T090000Z", &picture("one"));
        let second = snaps.write("svc-20261202T090000Z", &picture("two"));
        let first = first.expect("first written");
        let second = second.expect("second written");
        assert_ne!(first, second);
        assert!(second.ends_with("svc-20261202T090000Z-2.svg"));
        let text = std::fs::read_to_string(second.with_extension("txt")).expect("text");
        assert_eq!(text, "two");
        let svg = std::fs::read_to_string(first).expect("svg");
        assert_eq!(svg, "<svg>one</svg>");
    }

    #[test]
    fn a_service_name_never_leaves_the_folder() {
        assert_eq!(file_word("../etc/passwd"), "_etc_passwd");
        assert_eq!(file_word("checkout api"), "checkout_api");
        assert_eq!(file_word("..."), "warroom");
        assert!(!file_word("a/b").contains('/'));
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_said() {
        let dir = scratch("blocked");
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("plain-file");
        std::fs::write(&file, "x").expect("file");
        let snaps = Snapshots::new(file.join("below"));
        let err = snaps.write("s", &picture("x")).expect_err("refused");
        assert!(err.contains("cannot create"), "{err}");
    }
}
