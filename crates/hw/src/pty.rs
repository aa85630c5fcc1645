//! Serving a simulated device on a pseudo-terminal: a background task owns the master side, the slave side's
//! path (`/dev/pts/N`) is what a driver opens, and [`PtyTask::serve_linked`] publishes it at a stable path.

use std::future::Future;
use std::path::{Path, PathBuf};

use serialport::{SerialPort as _, TTYPort};
use tokio::task::JoinHandle;

/// A task serving on the master side of a new pty; dropping it stops the task.
#[derive(Debug)]
pub struct PtyTask {
    path: PathBuf,
    task: JoinHandle<std::io::Result<()>>,
    // Kept open so the master never sees a hang-up between client sessions.
    _slave: TTYPort,
}

impl PtyTask {
    /// Creates a pty pair and spawns `serve(master)` on the current tokio runtime.
    pub fn spawn<F, Fut>(serve: F) -> std::io::Result<PtyTask>
    where
        F: FnOnce(TTYPort) -> Fut,
        Fut: Future<Output = std::io::Result<()>> + Send + 'static,
    {
        let (master, slave) = TTYPort::pair().map_err(std::io::Error::from)?;
        let path = slave
            .name()
            .map(PathBuf::from)
            .ok_or_else(|| std::io::Error::other("pty slave has no name"))?;
        Ok(PtyTask {
            path,
            task: tokio::spawn(serve(master)),
            _slave: slave,
        })
    }

    /// The pty slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether serving has ended (or failed).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// Symlinks the slave at `link` (replacing whatever is there) and waits for serving to end; the link is
    /// removed when this returns or the future is dropped. `what` names the device in the log line.
    pub async fn serve_linked(&mut self, link: &Path, what: &str) -> std::io::Result<()> {
        let _link = PtyLink::create(&self.path, link)?;
        tracing::info!(link = %link.display(), pty = %self.path.display(), "{what} simulator serving");
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

impl Drop for PtyTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A symlink to a pty slave, removed on drop.
#[derive(Debug)]
pub struct PtyLink(PathBuf);

impl PtyLink {
    /// Points `link` at `target`, replacing an existing file or link there.
    pub fn create(target: &Path, link: &Path) -> std::io::Result<PtyLink> {
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(link)?;
        }
        std::os::unix::fs::symlink(target, link)?;
        Ok(PtyLink(link.to_owned()))
    }
}

impl Drop for PtyLink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn serves_on_the_linked_slave_and_removes_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("dev");
        let mut pty = PtyTask::spawn(|master| async move {
            let mut m = tokio_serial::SerialStream::try_from(master)?;
            m.write_all(b"hello").await
        })
        .unwrap();
        pty.serve_linked(&link, "test").await.unwrap();
        assert!(
            link.symlink_metadata().is_err(),
            "link removed after serving"
        );

        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let mut pty = PtyTask::spawn(|master| async move {
            let mut m = tokio_serial::SerialStream::try_from(master)?;
            m.write_all(b"ping").await?;
            let _ = rx.await;
            Ok(())
        })
        .unwrap();
        std::fs::write(&link, b"stale").unwrap();
        let serving = {
            let link = link.clone();
            async move { pty.serve_linked(&link, "test").await }
        };
        let reader = async {
            let mut buf = [0u8; 4];
            let mut s =
                tokio_serial::SerialStream::open(&tokio_serial::new(link.to_string_lossy(), 9600))
                    .unwrap();
            s.read_exact(&mut buf).await.unwrap();
            tx.send(()).unwrap();
            buf
        };
        let (served, buf) = tokio::join!(serving, reader);
        served.unwrap();
        assert_eq!(&buf, b"ping");
        assert!(link.symlink_metadata().is_err());
    }
}
