//! Progress of long CLI work on a terminal: a bar for a drain (agents
//! settled of those to move) and for large uploads (a submit or a library
//! of hundreds of KiB to a node over a slow link), then a spinner while
//! the node checks what it received. Nothing is drawn when the output is
//! not a terminal, so scripts read only the command's answer.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Requests at least this large show an upload bar.
pub const UPLOAD_BAR_FROM: usize = 256 << 10;
/// The piece written between two updates of an upload bar.
pub const UPLOAD_PIECE: usize = 64 << 10;

fn bar(target: ProgressDrawTarget, len: u64, template: &str) -> ProgressBar {
    let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::with_draw_target(Some(len), target).with_style(style)
}

/// A drain's bar on stdout when it is a terminal.
pub fn drain_bar() -> Option<ProgressBar> {
    std::io::stdout().is_terminal().then(|| bar(ProgressDrawTarget::stdout(), 0, "{bar:30} {pos}/{len} {msg}"))
}

/// How an upload of `total` bytes is shown: a bar on stderr when it is
/// large and stderr a terminal, else nothing.
pub fn upload_bar(total: usize, what: &str) -> Option<ProgressBar> {
    shows_upload(total, std::io::stderr().is_terminal()).then(|| {
        let b = bar(ProgressDrawTarget::stderr(), total as u64, "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}");
        b.set_message(what.to_owned());
        b
    })
}

fn shows_upload(total: usize, terminal: bool) -> bool {
    terminal && total >= UPLOAD_BAR_FROM
}

/// After the last byte went: a spinner until the node answers.
pub fn awaiting_answer(bar: &ProgressBar) {
    bar.set_style(ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
    bar.set_message("sent; waiting for the node's answer");
    bar.enable_steady_tick(Duration::from_millis(100));
}

/// Writes `bytes` in pieces of `piece`, telling `sent` the running total
/// after each, and flushes.
pub fn write_in_pieces<W: Write>(
    out: &mut W,
    bytes: &[u8],
    piece: usize,
    mut sent: impl FnMut(u64),
) -> std::io::Result<()> {
    let mut done = 0u64;
    for chunk in bytes.chunks(piece.max(1)) {
        out.write_all(chunk)?;
        done += chunk.len() as u64;
        sent(done);
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_arrive_whole_and_in_order_with_a_growing_count() {
        let bytes: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut out = Vec::new();
        let mut counts = Vec::new();
        write_in_pieces(&mut out, &bytes, UPLOAD_PIECE, |n| counts.push(n)).unwrap();
        assert_eq!(out, bytes);
        assert_eq!(counts, vec![65_536, 131_072, 196_608, 200_000]);
    }

    #[test]
    fn an_empty_request_reports_nothing_and_a_zero_piece_still_writes() {
        let mut out = Vec::new();
        let mut counts = Vec::new();
        write_in_pieces(&mut out, &[], UPLOAD_PIECE, |n| counts.push(n)).unwrap();
        assert!(counts.is_empty());
        write_in_pieces(&mut out, b"abc", 0, |n| counts.push(n)).unwrap();
        assert_eq!((out.as_slice(), counts), (&b"abc"[..], vec![1, 2, 3]));
    }

    #[test]
    fn only_large_uploads_to_a_terminal_show_a_bar() {
        assert!(shows_upload(UPLOAD_BAR_FROM, true));
        assert!(!shows_upload(UPLOAD_BAR_FROM - 1, true));
        assert!(!shows_upload(4 << 20, false));
    }

    #[test]
    fn a_write_error_stops_the_upload() {
        struct Broken(usize);
        impl Write for Broken {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "gone"));
                }
                self.0 -= 1;
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut counts = Vec::new();
        let err = write_in_pieces(&mut Broken(2), &[0; 300], 100, |n| counts.push(n)).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(counts, vec![100, 200]);
    }
}
