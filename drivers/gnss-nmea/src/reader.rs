//! The async driver: line framing over any `AsyncRead`, sentence parsing, epoch assembly.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::epoch::EpochAssembler;
use crate::fix::Fix;
use crate::sentence::{SentenceError, parse_sentence};

/// The longest line taken as a sentence (NMEA 0183 allows 82 characters; high-precision receivers exceed it).
pub const MAX_LINE: usize = 160;

/// Why [`NmeaReader::next_fix`] returned without a fix.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// One line was not a usable sentence. Recoverable: call again, the reader goes on with the next line.
    #[error(transparent)]
    Sentence(#[from] SentenceError),
    /// Nothing arrived for the configured time (receiver unplugged, unpowered or muted). Recoverable.
    #[error("the receiver sent nothing for {} ms", .0.as_millis())]
    Silent(Duration),
    /// The port failed.
    #[error("serial port: {0}")]
    Io(#[from] std::io::Error),
    /// The stream ended (the port closed, or a recording ran out).
    #[error("end of stream")]
    Eof,
}

impl ReadError {
    /// Whether reading can go on after this error.
    pub fn is_recoverable(&self) -> bool {
        matches!(self, ReadError::Sentence(_) | ReadError::Silent(_))
    }
}

/// Reads fixes from an NMEA stream: a serial port ([`crate::NmeaEndpoint::open`]), a pty, a recording.
#[derive(Debug)]
pub struct NmeaReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Bytes of `buf` already searched for a line end.
    scanned: usize,
    /// Discarding an overlong line up to its end.
    discarding: bool,
    eof: bool,
    silence: Duration,
    asm: EpochAssembler,
}

impl<R: AsyncRead + Unpin> NmeaReader<R> {
    /// A reader that reports [`ReadError::Silent`] after 2 s without data.
    pub fn new(inner: R) -> NmeaReader<R> {
        NmeaReader {
            inner,
            buf: Vec::with_capacity(1024),
            scanned: 0,
            discarding: false,
            eof: false,
            silence: Duration::from_secs(2),
            asm: EpochAssembler::new(),
        }
    }

    /// Sets how long a silent receiver is waited for before [`ReadError::Silent`].
    pub fn with_silence_timeout(mut self, silence: Duration) -> NmeaReader<R> {
        self.silence = silence;
        self
    }

    /// Untimed sentences (HDT, VTG) dropped because they could not be placed in an epoch.
    pub fn dropped_sentences(&self) -> u64 {
        self.asm.dropped()
    }

    /// The next epoch's fix. A bad line is returned as [`ReadError::Sentence`] (naming the sentence) and
    /// skipped; the next call goes on reading. At the end of the stream the last epoch is returned, then
    /// [`ReadError::Eof`].
    pub async fn next_fix(&mut self) -> Result<Fix, ReadError> {
        loop {
            if let Some(fix) = self.asm.pop_fix() {
                return Ok(fix);
            }
            match self.next_line().await? {
                Some(line) => {
                    let s = parse_sentence(&line).inspect_err(|e| {
                        tracing::debug!(error = %e, "NMEA line skipped");
                    })?;
                    self.asm.push(s);
                }
                None => {
                    self.asm.flush();
                    return self.asm.pop_fix().ok_or(ReadError::Eof);
                }
            }
        }
    }

    /// The next non-empty line without CR LF, lossily decoded; `None` at the end of the stream.
    async fn next_line(&mut self) -> Result<Option<String>, ReadError> {
        loop {
            if let Some(pos) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + pos;
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                self.scanned = 0;
                if std::mem::take(&mut self.discarding) {
                    continue;
                }
                if line.len() > MAX_LINE + 2 {
                    return Err(SentenceError::TooLong { len: line.len() }.into());
                }
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\r', '\n']).trim_start_matches('\0');
                if text.is_empty() {
                    continue;
                }
                return Ok(Some(text.to_owned()));
            }
            self.scanned = self.buf.len();
            if self.buf.len() > MAX_LINE {
                let len = self.buf.len();
                self.buf.clear();
                self.scanned = 0;
                if !std::mem::replace(&mut self.discarding, true) {
                    return Err(SentenceError::TooLong { len }.into());
                }
            }
            if self.eof {
                if self.buf.is_empty() || self.discarding {
                    return Ok(None);
                }
                // A last line without its line end.
                let line = String::from_utf8_lossy(&std::mem::take(&mut self.buf)).into_owned();
                self.scanned = 0;
                return Ok(Some(line.trim_end_matches('\r').to_owned()));
            }
            let mut chunk = [0u8; 512];
            let n = match tokio::time::timeout(self.silence, self.inner.read(&mut chunk)).await {
                Err(_) => return Err(ReadError::Silent(self.silence)),
                Ok(r) => r?,
            };
            if n == 0 {
                self.eof = true;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}
