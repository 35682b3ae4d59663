//! What the drafts overlay asks of the world: the clipboard of the terminal
//! (OSC 52, so it works over SSH and through tmux), a file in the state
//! dir, and `$EDITOR` with the terminal handed over to it meanwhile.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::task::Poll;

use base64::Engine;
use crossterm::event::Event;
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::app::{Effect, Msg};

/// The terminal's input, which can be closed while another program has
/// the terminal and opens again when next read.
pub struct Reopenable<S> {
    inner: Option<S>,
    reopen: Option<fn() -> S>,
}

impl<S> Reopenable<S> {
    pub fn new(input: S, reopen: Option<fn() -> S>) -> Self {
        Reopenable {
            inner: Some(input),
            reopen,
        }
    }

    /// Drop the reader (crossterm's stops its thread), so that nothing of
    /// ours reads the terminal until the next poll.
    fn close(&mut self) {
        if self.reopen.is_some() {
            self.inner = None;
        }
    }
}

impl<S: Stream<Item = io::Result<Event>> + Unpin> Stream for Reopenable<S> {
    type Item = io::Result<Event>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.inner.is_none() {
            this.inner = this.reopen.map(|open| open());
        }
        match &mut this.inner {
            Some(inner) => inner.poll_next_unpin(cx),
            None => Poll::Ready(None),
        }
    }
}

/// `$EDITOR` at work on a draft for `Audience`, waited for off the event
/// loop.
pub type Editing = (
    crate::domain::comms::Audience,
    tokio::task::JoinHandle<Result<String, String>>,
);

/// Hand the terminal to `$EDITOR` on `text`: the input closed (its reader
/// would take the editor's keys), the screen left, the editor run on a
/// blocking thread. Refused without a real terminal (a scripted input).
pub fn start_editing<S>(
    input: &mut Reopenable<S>,
    audience: crate::domain::comms::Audience,
    text: &str,
) -> Result<Editing, String> {
    if input.reopen.is_none() {
        return Err("no terminal to hand to the editor".to_string());
    }
    input.close();
    hand_over().map_err(|e| format!("cannot hand the terminal over: {e}"))?;
    let (editor, text) = (editor(), text.to_string());
    let run = tokio::task::spawn_blocking(move || run_editor(&editor, &text));
    Ok((audience, run))
}

/// Wait for the editor of `editing` to quit, take the terminal back, and
/// answer with what it saved (`editing` is then `None`). Pending for ever
/// while nothing is being edited.
pub async fn edited(editing: &mut Option<Editing>) -> Msg {
    let Some((audience, run)) = editing.as_mut() else {
        return std::future::pending().await;
    };
    let audience = *audience;
    let result = match run.await {
        Ok(result) => result,
        Err(e) => Err(format!("the editor's task failed: {e}")),
    };
    *editing = None;
    let back = take_back().map_err(|e| format!("cannot take the terminal back: {e}"));
    Msg::Edited {
        audience,
        result: back.and(result),
    }
}

/// What the drafts overlay's effects are carried out with: the terminal,
/// its input, and the folder drafts are written to.
pub struct Desk<'a, B: Backend, S> {
    pub terminal: &'a mut Terminal<B>,
    pub input: &'a mut Reopenable<S>,
    pub dir: Option<&'a Path>,
}

impl<B: Backend, S> Desk<'_, B, S> {
    /// Carry out a drafts effect; the message that answers it, if any.
    /// Without a real terminal (a scripted input) nothing is written to it.
    pub fn carry_out(self, effect: Effect) -> Option<Msg> {
        let real = self.input.reopen.is_some();
        match effect {
            Effect::Copy(text) => {
                if real && let Err(e) = copy(&text) {
                    tracing::warn!(error = %e, "clipboard sequence not written");
                }
                None
            }
            Effect::WriteDraft { name, text } => {
                let result = match self.dir {
                    Some(dir) => write_draft(dir, &name, &text).map(|p| p.display().to_string()),
                    None => Err("no state dir: set XDG_STATE_HOME or HOME".to_string()),
                };
                Some(Msg::DraftWritten(result))
            }
            _ => None,
        }
    }
}

/// The OSC 52 sequence that sets the clipboard to `text`. Inside tmux
/// (`tmux` true) the plain sequence reaches tmux itself, which takes it
/// with `set-clipboard on`; it is sent a second time wrapped for
/// passthrough (`allow-passthrough on`) to reach the terminal outside.
pub fn osc52(text: &str, tmux: bool) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let plain = format!("\x1b]52;c;{encoded}\x07");
    if !tmux {
        return plain;
    }
    // In passthrough every ESC of the inner sequence is doubled.
    let wrapped = format!("\x1bPtmux;{}\x1b\\", plain.replace('\x1b', "\x1b\x1b"));
    format!("{plain}{wrapped}")
}

/// Write the OSC 52 sequence for `text` to the terminal.
pub fn copy(text: &str) -> io::Result<()> {
    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    let mut out = io::stdout();
    out.write_all(osc52(text, tmux).as_bytes())?;
    out.flush()
}

/// Write `text` to `dir/name` (the folder made if need be, readable by its
/// owner only; an existing file never overwritten). Returns the path.
pub fn write_draft(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let shown = dir.display();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {shown}: {e}"))?;
    let path = dir.join(name);
    let mut file =
        private_new(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

fn private_new(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// The editor to run: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Run the editor on `text` in a private temporary file and return what
/// was saved. The caller hands the terminal over before and takes it back
/// after. `editor` may carry arguments (`code -w`): it is run by `sh`.
pub fn run_editor(editor: &str, text: &str) -> Result<String, String> {
    let path = temp_path();
    let mut file =
        private_new(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    drop(file);
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let saved = std::fs::read(&path);
    let _ = std::fs::remove_file(&path);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => return Err(format!("`{editor}` ended with {s}; the draft is unchanged")),
        Err(e) => return Err(format!("cannot run `{editor}`: {e}")),
    }
    let saved = saved.map_err(|e| format!("cannot read the draft back: {e}"))?;
    Ok(String::from_utf8_lossy(&saved).into_owned())
}

fn temp_path() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    std::env::temp_dir().join(format!("warroom-draft-{}-{nanos}.md", std::process::id()))
}

/// Leave the terminal to another program: cooked mode, main screen, no
/// bracketed paste.
pub fn hand_over() -> io::Result<()> {
    use crossterm::event::DisableBracketedPaste;
    use crossterm::terminal::{LeaveAlternateScreen, disable_raw_mode};
    crossterm::execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    )?;
    disable_raw_mode()
}

/// Take the terminal back as the dashboard set it up.
pub fn take_back() -> io::Result<()> {
    use crossterm::event::EnableBracketedPaste;
    use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
    enable_raw_mode()?;
    crossterm::execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_the_base64_of_the_text_between_esc_52_and_bel() {
        assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
        let s = osc52("North America East — errors\n", false);
        assert!(s.starts_with("\x1b]52;c;") && s.ends_with('\x07'), "{s:?}");
        let inner = &s["\x1b]52;c;".len()..s.len() - 1];
        let back = base64::engine::general_purpose::STANDARD
            .decode(inner)
            .unwrap();
        assert_eq!(back, "North America East — errors\n".as_bytes());
    }

    #[test]
    fn in_tmux_the_sequence_is_also_wrapped_for_passthrough() {
        let s = osc52("hi", true);
        assert_eq!(
            s,
            "\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn a_draft_is_written_once_and_privately() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("warroom-drafts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = write_draft(&dir, "a-customer-x.md", "text\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "text\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(write_draft(&dir, "a-customer-x.md", "again").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_editor_round_trip_reads_back_what_was_saved() {
        let out = run_editor("sed -i s/errors/timeouts/", "some errors\n").unwrap();
        assert_eq!(out, "some timeouts\n");
        let e = run_editor("false", "x").unwrap_err();
        assert!(e.contains("unchanged"), "{e}");
    }
}
