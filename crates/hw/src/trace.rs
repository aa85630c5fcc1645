//! Recorded device traffic: a line-oriented trace format, a recording tee and a replaying mock.
//!
//! A trace file holds comment lines (`# ...`) and one event a line:
//!
//! ```text
//! # fp-r30x identify, synthetic
//! > 0 ef01ffffffff010003010005
//! < 2 ef01ffffffff07000300000a
//! ```
//!
//! `>` is host to device (a write), `<` device to host (a read), then the milliseconds since the
//! transport was created, then the bytes in hex. Adjacent events in the same direction are merged
//! when a trace is taken from a recorder, so the file does not depend on how the OS chunked the bytes.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// Which way bytes went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Written by the host (`>`).
    HostToDevice,
    /// Read by the host (`<`).
    DeviceToHost,
}

impl Direction {
    fn symbol(self) -> char {
        match self {
            Self::HostToDevice => '>',
            Self::DeviceToHost => '<',
        }
    }
}

/// One chunk of traffic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// Which way.
    pub direction: Direction,
    /// Milliseconds since the transport was created.
    pub at_ms: u64,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A whole recorded session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// Comment lines, without the leading `#`.
    pub comments: Vec<String>,
    /// The traffic in order.
    pub events: Vec<TraceEvent>,
}

/// A trace file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// A line is not `<dir> <ms> <hex>`.
    #[error("trace line {line}: {what}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The file could not be read or written.
    #[error("trace file")]
    Io(#[from] io::Error),
}

impl Trace {
    /// Merges adjacent events that go the same way (keeping the first one's time).
    pub fn coalesced(mut self) -> Self {
        let mut out: Vec<TraceEvent> = Vec::with_capacity(self.events.len());
        for ev in self.events.drain(..) {
            match out.last_mut() {
                Some(last) if last.direction == ev.direction => {
                    last.bytes.extend_from_slice(&ev.bytes)
                }
                _ => out.push(ev),
            }
        }
        self.events = out;
        self
    }

    /// Total bytes in one direction.
    pub fn byte_count(&self, direction: Direction) -> usize {
        self.events
            .iter()
            .filter(|e| e.direction == direction)
            .map(|e| e.bytes.len())
            .sum()
    }

    /// Reads a trace file.
    pub fn read(path: &Path) -> Result<Self, TraceError> {
        std::fs::read_to_string(path)?.parse()
    }

    /// Writes a trace file.
    pub fn write(&self, path: &Path) -> Result<(), TraceError> {
        Ok(std::fs::write(path, self.to_string())?)
    }
}

impl FromStr for Trace {
    type Err = TraceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut trace = Trace::default();
        for (i, raw) in s.lines().enumerate() {
            let line = raw.trim();
            let bad = |what| TraceError::BadLine { line: i + 1, what };
            if line.is_empty() {
                continue;
            }
            if let Some(c) = line.strip_prefix('#') {
                trace
                    .comments
                    .push(c.strip_prefix(' ').unwrap_or(c).to_owned());
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            let direction = match parts.next() {
                Some(">") => Direction::HostToDevice,
                Some("<") => Direction::DeviceToHost,
                _ => return Err(bad("direction must be > or <")),
            };
            let at_ms = parts
                .next()
                .and_then(|t| t.parse().ok())
                .ok_or_else(|| bad("bad time"))?;
            let hex: String = parts
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let bytes = hex::decode(hex).map_err(|_| bad("bad hex"))?;
            trace.events.push(TraceEvent {
                direction,
                at_ms,
                bytes,
            });
        }
        Ok(trace)
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.comments {
            writeln!(f, "# {c}")?;
        }
        for e in &self.events {
            writeln!(
                f,
                "{} {} {}",
                e.direction.symbol(),
                e.at_ms,
                hex::encode(&e.bytes)
            )?;
        }
        Ok(())
    }
}

/// A shared view of what a [`RecordingTransport`] has seen so far.
#[derive(Debug, Clone, Default)]
pub struct TraceHandle(Arc<Mutex<Trace>>);

impl TraceHandle {
    /// The trace so far, with adjacent same-direction events merged.
    pub fn snapshot(&self) -> Trace {
        self.0.lock().expect("trace lock").clone().coalesced()
    }
}

/// Tees a live transport into a [`Trace`].
#[derive(Debug)]
pub struct RecordingTransport<T> {
    inner: T,
    start: Instant,
    trace: TraceHandle,
}

impl<T> RecordingTransport<T> {
    /// Starts recording; times are relative to now.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            start: Instant::now(),
            trace: TraceHandle::default(),
        }
    }
    /// A handle to read the trace while (or after) the transport is used.
    pub fn trace(&self) -> TraceHandle {
        self.trace.clone()
    }
    /// Gives back the live transport.
    pub fn into_inner(self) -> T {
        self.inner
    }
    fn log(&self, direction: Direction, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let at_ms = self.start.elapsed().as_millis() as u64;
        let ev = TraceEvent {
            direction,
            at_ms,
            bytes: bytes.to_vec(),
        };
        self.trace.0.lock().expect("trace lock").events.push(ev);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for RecordingTransport<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let res = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = res {
            let new = buf.filled()[before..].to_vec();
            self.log(Direction::DeviceToHost, &new);
        }
        res
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for RecordingTransport<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let res = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = res {
            self.log(Direction::HostToDevice, &buf[..n]);
        }
        res
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Why a replay did not go as recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The host wrote bytes the trace did not expect.
    #[error("event {event}: host wrote {got}, trace expects {expected}")]
    WriteMismatch {
        /// Index of the trace event.
        event: usize,
        /// Expected bytes (hex), from the point of divergence.
        expected: String,
        /// Written bytes (hex), from the point of divergence.
        got: String,
    },
    /// The host wrote while the device still had recorded bytes for it to read.
    #[error("event {event}: host wrote {got} while {unread} recorded device bytes were unread")]
    WriteBeforeRead {
        /// Index of the trace event.
        event: usize,
        /// How many device bytes were still unread.
        unread: usize,
        /// Written bytes (hex).
        got: String,
    },
    /// The session ended before the trace did.
    #[error("{remaining} trace events left unconsumed, next at event {event}")]
    Unconsumed {
        /// Index of the first unconsumed event.
        event: usize,
        /// How many events are left.
        remaining: usize,
    },
}

#[derive(Debug)]
struct ReplayState {
    events: VecDeque<TraceEvent>,
    /// Index (in the original trace) of the front event.
    index: usize,
    /// Bytes of the front event already consumed.
    offset: usize,
    error: Option<ReplayError>,
    read_waker: Option<Waker>,
}

/// Plays a [`Trace`] back as an `AsyncRead + AsyncWrite`.
///
/// Writes must match the recorded host bytes in order (how they are split into calls does not
/// matter); reads are served the recorded device bytes, not before their recorded time since the
/// transport was created (use `tokio::time::pause()` to make that instant). A read waits while the
/// trace expects a write first, so a recorded timeout replays as a timeout.
#[derive(Debug)]
pub struct ReplayTransport {
    state: Arc<Mutex<ReplayState>>,
    start: Instant,
    delay: Option<Pin<Box<Sleep>>>,
}

/// Checks a replay's outcome after the transport has been moved into a driver.
#[derive(Debug, Clone)]
pub struct ReplayHandle(Arc<Mutex<ReplayState>>);

impl ReplayHandle {
    /// Fails when a write did not match or when recorded events were not consumed.
    pub fn done(&self) -> Result<(), ReplayError> {
        let st = self.0.lock().expect("replay lock");
        if let Some(e) = &st.error {
            return Err(e.clone());
        }
        if st.events.is_empty() {
            Ok(())
        } else {
            Err(ReplayError::Unconsumed {
                event: st.index,
                remaining: st.events.len(),
            })
        }
    }
}

impl ReplayTransport {
    /// A transport that plays `trace`; times count from now.
    pub fn from_trace(trace: Trace) -> Self {
        let events: VecDeque<TraceEvent> = trace
            .events
            .into_iter()
            .filter(|e| !e.bytes.is_empty())
            .collect();
        let state = ReplayState {
            events,
            index: 0,
            offset: 0,
            error: None,
            read_waker: None,
        };
        Self {
            state: Arc::new(Mutex::new(state)),
            start: Instant::now(),
            delay: None,
        }
    }

    /// A handle for [`ReplayHandle::done`].
    pub fn handle(&self) -> ReplayHandle {
        ReplayHandle(self.state.clone())
    }

    /// Same as [`ReplayHandle::done`].
    pub fn done(&self) -> Result<(), ReplayError> {
        self.handle().done()
    }
}

fn advance(st: &mut ReplayState, n: usize) {
    st.offset += n;
    if st
        .events
        .front()
        .is_some_and(|e| st.offset == e.bytes.len())
    {
        st.events.pop_front();
        st.index += 1;
        st.offset = 0;
    }
}

impl AsyncRead for ReplayTransport {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let mut st = this.state.lock().expect("replay lock");
        if st.error.is_some() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "replay diverged",
            )));
        }
        let Some(front) = st.events.front() else {
            // End of trace: the device says nothing more.
            st.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        };
        if front.direction == Direction::HostToDevice {
            st.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let due = this.start + Duration::from_millis(front.at_ms);
        if Instant::now() < due {
            let delay = this
                .delay
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
            delay.as_mut().reset(due);
            if delay.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
        }
        this.delay = None;
        let n = (front.bytes.len() - st.offset).min(buf.remaining());
        let start = st.offset;
        buf.put_slice(&front.bytes[start..start + n]);
        advance(&mut st, n);
        Poll::Ready(Ok(()))
    }
}

use std::future::Future;

impl AsyncWrite for ReplayTransport {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut st = self.state.lock().expect("replay lock");
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let fail = |st: &mut ReplayState, e: ReplayError| {
            let msg = e.to_string();
            st.error.get_or_insert(e);
            if let Some(w) = st.read_waker.take() {
                w.wake();
            }
            Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, msg)))
        };
        let Some(front) = st.events.front() else {
            let e = ReplayError::WriteMismatch {
                event: st.index,
                expected: "end of trace".into(),
                got: hex::encode(buf),
            };
            return fail(&mut st, e);
        };
        if front.direction == Direction::DeviceToHost {
            let e = ReplayError::WriteBeforeRead {
                event: st.index,
                unread: front.bytes.len() - st.offset,
                got: hex::encode(buf),
            };
            return fail(&mut st, e);
        }
        let want = &front.bytes[st.offset..];
        let n = want.len().min(buf.len());
        if want[..n] != buf[..n] {
            let e = ReplayError::WriteMismatch {
                event: st.index,
                expected: hex::encode(want),
                got: hex::encode(buf),
            };
            return fail(&mut st, e);
        }
        advance(&mut st, n);
        if let Some(w) = st.read_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[test]
    fn parse_and_print_round_trip() {
        let text = "# scenario\n> 0 ef01\n< 5 0a0b0c\n";
        let t: Trace = text.parse().unwrap();
        assert_eq!(t.comments, vec!["scenario"]);
        assert_eq!(
            t.events[1],
            TraceEvent {
                direction: Direction::DeviceToHost,
                at_ms: 5,
                bytes: vec![10, 11, 12]
            }
        );
        assert_eq!(t.to_string(), text);
        assert!(matches!(
            "x 0 00".parse::<Trace>(),
            Err(TraceError::BadLine { line: 1, .. })
        ));
        assert!(matches!(
            "> 0 0g".parse::<Trace>(),
            Err(TraceError::BadLine {
                line: 1,
                what: "bad hex"
            })
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn recording_then_replay_reproduces_the_session() {
        let (host, mut device) = tokio::io::duplex(64);
        let mut rec = RecordingTransport::new(host);
        let handle = rec.trace();
        let dev = tokio::spawn(async move {
            let mut b = [0u8; 3];
            device.read_exact(&mut b).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
            device.write_all(&[9, 8]).await.unwrap();
            device.write_all(&[7]).await.unwrap();
        });
        rec.write_all(&[1, 2]).await.unwrap();
        rec.write_all(&[3]).await.unwrap();
        let mut got = [0u8; 3];
        rec.read_exact(&mut got).await.unwrap();
        dev.await.unwrap();
        let trace = handle.snapshot();
        assert_eq!(trace.to_string(), "> 0 010203\n< 20 090807\n");

        let mut replay = ReplayTransport::from_trace(trace.clone());
        let t0 = Instant::now();
        replay.write_all(&[1]).await.unwrap();
        replay.write_all(&[2, 3]).await.unwrap();
        let mut again = [0u8; 3];
        replay.read_exact(&mut again).await.unwrap();
        assert_eq!(again, got);
        assert!(
            t0.elapsed() >= Duration::from_millis(20),
            "reads wait for their recorded time"
        );
        replay.done().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn replay_rejects_a_wrong_write_and_reports_leftovers() {
        let trace: Trace = "> 0 0102\n< 0 03\n".parse().unwrap();
        let mut replay = ReplayTransport::from_trace(trace.clone());
        let err = replay.write_all(&[1, 9]).await.unwrap_err();
        assert!(
            err.to_string()
                .contains("host wrote 0109, trace expects 0102"),
            "{err}"
        );
        assert!(matches!(
            replay.done(),
            Err(ReplayError::WriteMismatch { event: 0, .. })
        ));

        let mut replay = ReplayTransport::from_trace(trace);
        replay.write_all(&[1, 2]).await.unwrap();
        assert_eq!(
            replay.done(),
            Err(ReplayError::Unconsumed {
                event: 1,
                remaining: 1
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn read_waits_while_a_write_is_expected() {
        let trace: Trace = "> 0 01\n< 0 02\n".parse().unwrap();
        let mut replay = ReplayTransport::from_trace(trace);
        let mut b = [0u8; 1];
        let r = tokio::time::timeout(Duration::from_millis(50), replay.read_exact(&mut b)).await;
        assert!(r.is_err(), "no read before the expected write");
        replay.write_all(&[1]).await.unwrap();
        replay.read_exact(&mut b).await.unwrap();
        assert_eq!(b, [2]);
        replay.done().unwrap();
    }
}
