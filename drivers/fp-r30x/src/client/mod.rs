//! The async client: one [`R30x::send_command`] does framing, checksum, address check, timeout,
//! retry and trace logging; bulk transfers build on it.

mod error;
mod factory;
mod sensor;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use hw::{FingerImage, SearchHit, TemplateSlot};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::codec::Framed;

pub use error::{DriverError, flatten};
pub use factory::R30xFactory;

use crate::codec::{Inbound, PacketCodec};
use crate::protocol::{
    self, Address, CharBuffer, Collected, ConfirmationCode, DataCollector, FrameError,
    ImageGeometry, Instruction, Packet, PacketKind, PacketSize, Password, ProtocolError, Request,
    SysParam, SysParams,
};

/// The result of one command: the module's answer, or a link failure.
pub type CmdResult<T> = Result<Result<T, ConfirmationCode>, DriverError>;

/// Template (character file) size of the optical modules, in bytes.
pub const TEMPLATE_LEN: usize = 512;
/// Information page size, in bytes.
pub const INF_PAGE_LEN: usize = 512;

/// How the client talks to one module.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The module's address.
    pub address: Address,
    /// The password sent by [`R30x::connect`].
    pub password: Password,
    /// How long to wait for each packet of an answer.
    pub timeout: Duration,
    /// How many times a command is sent again after a timeout or a corrupt answer.
    pub retries: u8,
    /// The module's image size.
    pub geometry: ImageGeometry,
    /// Data packet size; [`R30x::connect`] reads it from the module.
    pub packet_size: PacketSize,
    /// Pause between GenImg polls while waiting for a finger.
    pub finger_poll: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            address: Address::DEFAULT,
            password: Password(0),
            timeout: Duration::from_millis(1000),
            retries: 2,
            geometry: ImageGeometry::Optical,
            packet_size: PacketSize::B128,
            finger_poll: Duration::from_millis(50),
        }
    }
}

/// An R30x module behind any byte transport.
#[derive(Debug)]
pub struct R30x<T> {
    io: Framed<T, PacketCodec>,
    config: ClientConfig,
    info: hw::SensorInfo,
    /// True when the image buffer holds an image that `capture_image` has not fetched yet.
    image_ready: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> R30x<T> {
    /// Wraps a transport without talking to the module.
    pub fn new(io: T, config: ClientConfig) -> Self {
        let g = config.geometry;
        let model = match g {
            ImageGeometry::Optical => "r30x optical",
            ImageGeometry::Capacitive => "r30x capacitive",
        };
        let info = hw::SensorInfo {
            model: model.into(),
            image_width: g.width(),
            image_height: g.height(),
            ppi: g.ppi(),
            library_capacity: None,
        };
        Self {
            io: Framed::new(io, PacketCodec::default()),
            config,
            info,
            image_ready: false,
        }
    }

    /// Wraps a transport, verifies the password and reads the system parameters.
    pub async fn connect(
        io: T,
        config: ClientConfig,
    ) -> Result<(Self, SysParams), hw::SensorError> {
        let mut c = Self::new(io, config);
        let pw = c.config.password;
        flatten(c.send_command(&protocol::VfyPwd { password: pw }).await)?;
        let p = c.read_sys_params().await?;
        Ok((c, p))
    }

    /// The client's settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Bytes written and read so far (read counts what the decoder consumed).
    pub fn byte_counts(&self) -> (u64, u64) {
        let c = self.io.codec();
        (c.bytes_out, c.bytes_in)
    }

    /// Gives back the transport.
    pub fn into_inner(self) -> T {
        self.io.into_inner()
    }

    /// Sends one command and reads its acknowledge packet, retrying after timeouts and corrupt answers.
    pub async fn send_command<R: Request>(&mut self, req: &R) -> CmdResult<R::Response> {
        self.exchange(req, self.config.address).await
    }

    async fn exchange<R: Request>(
        &mut self,
        req: &R,
        reply_from: Address,
    ) -> CmdResult<R::Response> {
        let mut attempt = 0;
        loop {
            let r = self.exchange_once(req, reply_from).await;
            match r {
                // The module says it did not receive the packet intact: send it again.
                Ok(Err(ConfirmationCode::PacketReceiveError)) if attempt < self.config.retries => {
                    attempt += 1;
                    tracing::warn!(instruction = ?R::CODE, attempt, "module reported a receive error, retrying");
                }
                Err(e) if e.is_retryable() && attempt < self.config.retries => {
                    attempt += 1;
                    tracing::warn!(instruction = ?R::CODE, attempt, error = %e, "retrying");
                    self.resync().await?;
                }
                other => return other,
            }
        }
    }

    async fn exchange_once<R: Request>(
        &mut self,
        req: &R,
        reply_from: Address,
    ) -> CmdResult<R::Response> {
        let cmd = Packet::command(self.config.address, req.to_bytes());
        self.write(&cmd).await?;
        let protocol_err = |error| DriverError::Protocol {
            instruction: R::CODE,
            error,
        };
        loop {
            let ack = self.read_packet(R::CODE, reply_from).await?;
            match ack.kind {
                PacketKind::Ack => return R::parse_response(&ack.payload).map_err(protocol_err),
                // Late data of an abandoned transfer can never answer a command: skip it.
                PacketKind::Data | PacketKind::EndData => {
                    tracing::debug!(instruction = ?R::CODE, "skipped stale data packet")
                }
                got => {
                    return Err(protocol_err(ProtocolError::UnexpectedKind {
                        expected: PacketKind::Ack,
                        got,
                    }));
                }
            }
        }
    }

    async fn write(&mut self, p: &Packet) -> Result<(), DriverError> {
        tracing::trace!(tx = %hex::encode(p.to_bytes()), "r30x");
        self.io.send(p).await?;
        Ok(())
    }

    /// Reads the next packet from `from`, skipping stray bytes, within the packet timeout.
    async fn read_packet(
        &mut self,
        instruction: Instruction,
        from: Address,
    ) -> Result<Packet, DriverError> {
        let after = self.config.timeout;
        let deadline = tokio::time::Instant::now() + after;
        let mut garbage = 0;
        loop {
            let next = tokio::time::timeout_at(deadline, self.io.next()).await;
            let item = match next {
                Err(_) => {
                    return Err(DriverError::Timeout {
                        instruction,
                        after,
                        garbage,
                    });
                }
                Ok(None) => {
                    return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
                }
                Ok(Some(item)) => item?,
            };
            match item {
                Inbound::Corrupt(FrameError::Garbage(n)) => {
                    tracing::debug!(instruction = ?instruction, skipped = n, "stray bytes");
                    garbage += n;
                }
                Inbound::Corrupt(e) => {
                    return Err(DriverError::Protocol {
                        instruction,
                        error: e.into(),
                    });
                }
                Inbound::Packet(p) if p.address != from => {
                    let error = ProtocolError::WrongAddress {
                        expected: from,
                        got: p.address,
                    };
                    return Err(DriverError::Protocol { instruction, error });
                }
                Inbound::Packet(p) => {
                    tracing::trace!(rx = %hex::encode(p.to_bytes()), "r30x");
                    return Ok(p);
                }
            }
        }
    }

    /// Drops buffered input and waits for the line to go quiet, so a late answer to a failed
    /// attempt is not taken as the answer to the next one.
    async fn resync(&mut self) -> Result<(), DriverError> {
        let quiet = (self.config.timeout / 4).max(Duration::from_millis(1));
        self.io.read_buffer_mut().clear();
        loop {
            match tokio::time::timeout(quiet, self.io.next()).await {
                Err(_) => break,
                Ok(None) => {
                    return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
                }
                Ok(Some(r)) => drop(r?),
            }
        }
        self.io.read_buffer_mut().clear();
        Ok(())
    }

    /// Sends a command whose acknowledge is followed by data packets, and collects them.
    /// With `exact`, a transfer of other than `limit` bytes is an error (and is retried).
    pub async fn upload<R: Request<Response = ()>>(
        &mut self,
        req: &R,
        limit: usize,
        exact: bool,
    ) -> CmdResult<Vec<u8>> {
        let mut attempt = 0;
        loop {
            let r = self.upload_once(req, limit, exact).await;
            match r {
                Err(e) if e.is_retryable() && attempt < self.config.retries => {
                    attempt += 1;
                    tracing::warn!(instruction = ?R::CODE, attempt, error = %e, "retrying transfer");
                    self.resync().await?;
                }
                other => return other,
            }
        }
    }

    async fn upload_once<R: Request<Response = ()>>(
        &mut self,
        req: &R,
        limit: usize,
        exact: bool,
    ) -> CmdResult<Vec<u8>> {
        if let Err(code) = self.exchange_once(req, self.config.address).await? {
            return Ok(Err(code));
        }
        let mut collector = DataCollector::new(limit);
        loop {
            let p = self.read_packet(R::CODE, self.config.address).await?;
            match collector.push(p).map_err(|error| DriverError::Protocol {
                instruction: R::CODE,
                error,
            })? {
                Collected::More => {}
                Collected::Done(data) if exact && data.len() != limit => {
                    let error = ProtocolError::BadField {
                        field: "bulk data length",
                    };
                    return Err(DriverError::Protocol {
                        instruction: R::CODE,
                        error,
                    });
                }
                Collected::Done(data) => return Ok(Ok(data)),
            }
        }
    }

    /// Sends a command whose acknowledge is followed by the host's data packets.
    pub async fn download<R: Request<Response = ()>>(
        &mut self,
        req: &R,
        data: &[u8],
    ) -> CmdResult<()> {
        if let Err(code) = self.send_command(req).await? {
            return Ok(Err(code));
        }
        for p in protocol::data_packets(self.config.address, data, self.config.packet_size) {
            self.write(&p).await?;
        }
        Ok(Ok(()))
    }

    /// ReadSysPara; also adopts the module's packet size and capacity.
    pub async fn read_sys_params(&mut self) -> Result<SysParams, hw::SensorError> {
        let p = flatten(self.send_command(&protocol::ReadSysPara).await)?;
        self.config.packet_size = p.packet_size;
        self.info.library_capacity = Some(p.capacity);
        Ok(p)
    }

    /// SetSysPara. The module answers at the old settings and switches afterwards; the new
    /// packet size is adopted here, a new baud rate is the caller's to apply to the port.
    pub async fn set_sys_param(&mut self, p: SysParam) -> CmdResult<()> {
        let r = self.send_command(&protocol::SetSysPara::new(p)).await?;
        if let (Ok(()), SysParam::PacketSize(s)) = (&r, p) {
            self.config.packet_size = s;
        }
        Ok(r)
    }

    /// SetAdder: the acknowledge already comes from the new address, which the client adopts.
    pub async fn set_address(&mut self, address: Address) -> CmdResult<()> {
        let r = self
            .exchange(&protocol::SetAdder { address }, address)
            .await?;
        if r.is_ok() {
            self.config.address = address;
        }
        Ok(r)
    }

    /// SetPwd; the client remembers the new password for the next `connect`.
    pub async fn set_password(&mut self, password: Password) -> CmdResult<()> {
        let r = self.send_command(&protocol::SetPwd { password }).await?;
        if r.is_ok() {
            self.config.password = password;
        }
        Ok(r)
    }

    /// UpImage, unpacked to 8 bits a pixel.
    pub async fn up_image(&mut self) -> CmdResult<FingerImage> {
        let g = self.config.geometry;
        let packed = match self
            .upload(&protocol::UpImage, g.packed_len(), true)
            .await?
        {
            Ok(p) => p,
            Err(c) => return Ok(Err(c)),
        };
        let img = FingerImage::new(g.width(), g.height(), protocol::unpack_4bit(&packed))
            .expect("length checked");
        Ok(Ok(img))
    }

    /// DownImage of an 8-bit image (sent as 4 bits a pixel).
    pub async fn down_image(&mut self, image: &FingerImage) -> CmdResult<()> {
        self.download(&protocol::DownImage, &protocol::pack_4bit(image.pixels()))
            .await
    }

    /// UpChar: the character file of a buffer.
    pub async fn up_char(&mut self, buffer: CharBuffer) -> CmdResult<Vec<u8>> {
        self.upload(&protocol::UpChar { buffer }, TEMPLATE_LEN, false)
            .await
    }

    /// DownChar: loads a character file into a buffer.
    pub async fn down_char(&mut self, buffer: CharBuffer, template: &[u8]) -> CmdResult<()> {
        self.download(&protocol::DownChar { buffer }, template)
            .await
    }

    /// ReadInfPage: the 512-byte information page.
    pub async fn read_inf_page(&mut self) -> CmdResult<Vec<u8>> {
        self.upload(&protocol::ReadInfPage, INF_PAGE_LEN, true)
            .await
    }

    /// Search the whole library for a buffer (`Ok(Ok(None))` when not found).
    pub async fn search_library(
        &mut self,
        buffer: CharBuffer,
        capacity: u16,
    ) -> CmdResult<Option<SearchHit>> {
        let r = self
            .send_command(&protocol::Search {
                buffer,
                start: TemplateSlot(0),
                count: capacity,
            })
            .await?;
        Ok(match r {
            Ok(hit) => Ok(Some(hit)),
            Err(ConfirmationCode::NotFound) => Ok(None),
            Err(c) => Err(c),
        })
    }

    /// The slots in use, from ReadIndexTable pages 0.. up to `capacity`.
    pub async fn used_slots(&mut self, capacity: u16) -> CmdResult<Vec<TemplateSlot>> {
        let mut out = Vec::new();
        for page in 0..capacity.div_ceil(256) {
            let bits = match self
                .send_command(&protocol::ReadIndexTable { page: page as u8 })
                .await?
            {
                Ok(b) => b,
                Err(c) => return Ok(Err(c)),
            };
            for (i, byte) in bits.iter().enumerate() {
                for bit in 0..8 {
                    let slot = page * 256 + (i as u16) * 8 + bit;
                    if byte & (1 << bit) != 0 && slot < capacity {
                        out.push(TemplateSlot(slot));
                    }
                }
            }
        }
        Ok(Ok(out))
    }

    /// SoftRst: waits for the acknowledge and then the 0x55 "ready" byte.
    pub async fn soft_reset(&mut self) -> CmdResult<()> {
        if let Err(c) = self.send_command(&protocol::SoftRst).await? {
            return Ok(Err(c));
        }
        let after = self.config.timeout;
        let ready = tokio::time::timeout(after, async {
            loop {
                match self.io.next().await {
                    None => {
                        return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
                    }
                    Some(Err(e)) => return Err(DriverError::Transport(e)),
                    Some(Ok(Inbound::Corrupt(FrameError::Garbage(_)))) => return Ok(()),
                    Some(Ok(other)) => {
                        tracing::debug!(?other, "ignored while waiting for the ready byte")
                    }
                }
            }
        });
        match ready.await {
            Ok(r) => r.map(Ok),
            Err(_) => Err(DriverError::Timeout {
                instruction: Instruction::SoftRst,
                after,
                garbage: 0,
            }),
        }
    }
}

impl R30x<tokio_serial::SerialStream> {
    /// SetSysPara baud, then switches the local port to the new rate once the module has
    /// acknowledged at the old one.
    pub async fn set_baud_and_follow(&mut self, baud: protocol::BaudRate) -> CmdResult<()> {
        use tokio_serial::SerialPort;
        let r = self.set_sys_param(SysParam::Baud(baud)).await?;
        if r.is_ok() {
            self.io
                .get_mut()
                .set_baud_rate(baud.bps())
                .map_err(std::io::Error::from)?;
        }
        Ok(r)
    }
}
