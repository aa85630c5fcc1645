//! The simulated module's state machine: packets in, actions out. No IO, no clock.

use hw::{FingerImage, MatchScore, SearchHit, TemplateSlot};

use super::template;
use crate::protocol::{
    self as p, Address, BaudRate, CharBuffer, Collected, ConfirmationCode as Cc, DataCollector,
    ImageGeometry, Instruction, Packet, PacketKind, PacketSize, Password, Request, SecurityLevel,
    StatusRegister, SysParam, SysParams,
};

/// The simulated module's settings.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Image size (optical 256×288 or R503 192×192).
    pub geometry: ImageGeometry,
    /// Module address.
    pub address: Address,
    /// Module password.
    pub password: Password,
    /// Whether commands are refused (0x21) until VfyPwd succeeds. Real modules only ask once the
    /// password has been changed from its default.
    pub require_password: bool,
    /// Data packet size.
    pub packet_size: PacketSize,
    /// Baud rate reported by ReadSysPara.
    pub baud: BaudRate,
    /// Security level.
    pub security: SecurityLevel,
    /// Library capacity.
    pub capacity: u16,
    /// Seed of GetRandomCode.
    pub random_seed: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            geometry: ImageGeometry::Optical,
            address: Address::DEFAULT,
            password: Password(0),
            require_password: false,
            packet_size: PacketSize::B128,
            baud: BaudRate::DEFAULT,
            security: SecurityLevel::default(),
            capacity: 300,
            random_seed: 0x2545_F491_4F6C_DD1D,
        }
    }
}

/// What the module does in answer to a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send a packet.
    Send(Packet),
    /// Send raw bytes (the 0x55 "ready" byte after SoftRst).
    SendRaw(Vec<u8>),
    /// Switch the port to a new baud rate (after the acknowledge has gone out).
    SetBaud(BaudRate),
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Char(CharBuffer),
    Image,
}

/// The simulated module.
#[derive(Debug)]
pub struct Simulator {
    config: SimConfig,
    fingers: Vec<FingerImage>,
    finger: Option<usize>,
    /// Packed (4-bit) image buffer.
    image: Option<Vec<u8>>,
    chars: [Option<Vec<u8>>; 2],
    library: Vec<Option<Vec<u8>>>,
    notepad: [[u8; 32]; 16],
    verified: bool,
    receiving: Option<(Target, DataCollector)>,
    random: u64,
    commands: u64,
}

impl Simulator {
    /// A module with the given finger images; finger 0 is on the sensor when there is one.
    pub fn new(config: SimConfig, fingers: Vec<FingerImage>) -> Self {
        let library = vec![None; usize::from(config.capacity)];
        let finger = (!fingers.is_empty()).then_some(0);
        let random = config.random_seed | 1;
        Self {
            config,
            fingers,
            finger,
            image: None,
            chars: [None, None],
            library,
            notepad: [[0; 32]; 16],
            verified: false,
            receiving: None,
            random,
            commands: 0,
        }
    }

    /// A module whose fingers come from `source` (a PNG folder or generated patterns).
    pub fn from_source(
        config: SimConfig,
        source: &super::images::FingerSource,
    ) -> Result<Self, super::images::ImageSourceError> {
        let fingers = source.load(config.geometry)?;
        Ok(Self::new(config, fingers))
    }

    /// The current settings (address, packet size... change at runtime).
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Puts finger `index` on the sensor, or lifts it (`None`).
    pub fn place_finger(&mut self, index: Option<usize>) {
        self.finger = index.filter(|&i| i < self.fingers.len());
    }

    /// How many finger images the module knows.
    pub fn finger_count(&self) -> usize {
        self.fingers.len()
    }

    /// Stored templates.
    pub fn template_count(&self) -> u16 {
        self.library.iter().filter(|t| t.is_some()).count() as u16
    }

    /// Commands handled so far.
    pub fn commands_handled(&self) -> u64 {
        self.commands
    }

    /// Handles one packet from the host.
    pub fn handle(&mut self, packet: Packet) -> Vec<Action> {
        if packet.address != self.config.address {
            return Vec::new(); // Real modules ignore other addresses.
        }
        match packet.kind {
            PacketKind::Command => {
                self.receiving = None;
                self.commands += 1;
                self.command(&packet.payload)
            }
            PacketKind::Data | PacketKind::EndData => {
                self.data(packet);
                Vec::new()
            }
            PacketKind::Ack => Vec::new(),
        }
    }

    /// Answer to a command that arrived with a bad checksum.
    pub fn receive_error(&self) -> Vec<Action> {
        vec![self.ack(vec![Cc::PacketReceiveError.to_byte()])]
    }

    fn ack(&self, payload: Vec<u8>) -> Action {
        Action::Send(Packet::ack(self.config.address, payload))
    }

    fn data(&mut self, packet: Packet) {
        let Some((target, collector)) = self.receiving.as_mut() else {
            return;
        };
        let target = *target;
        match collector.push(packet) {
            Ok(Collected::More) => {}
            Ok(Collected::Done(data)) => {
                self.receiving = None;
                match target {
                    Target::Char(b) => {
                        let mut t = data;
                        t.resize(template::LEN, 0);
                        self.chars[idx(b)] = Some(t);
                    }
                    Target::Image if data.len() == self.config.geometry.packed_len() => {
                        self.image = Some(data)
                    }
                    Target::Image => {}
                }
            }
            Err(_) => self.receiving = None,
        }
    }

    fn command(&mut self, payload: &[u8]) -> Vec<Action> {
        let Some((&code, params)) = payload.split_first() else {
            return self.receive_error();
        };
        let Some(ins) = Instruction::from_byte(code) else {
            return self.receive_error();
        };
        if self.config.require_password && !self.verified && ins != Instruction::VfyPwd {
            return vec![self.ack(vec![Cc::MustVerifyPassword.to_byte()])];
        }
        use Instruction as I;
        match ins {
            I::GenImg => self.run(params, |s, _: p::GenImg| s.gen_img()),
            I::GetImageEx => self.run(params, |s, _: p::GetImageEx| s.gen_img()),
            I::Img2Tz => self.run(params, |s, r: p::Img2Tz| s.img2tz(r.buffer)),
            I::Match => self.run(params, |s, _: p::Match| s.match_buffers()),
            I::Search => self.run(params, |s, r: p::Search| {
                s.search(r.buffer, r.start, r.count)
            }),
            I::HighSpeedSearch => self.run(params, |s, r: p::HighSpeedSearch| {
                s.search(r.buffer, r.start, r.count)
            }),
            I::RegModel => self.run(params, |s, _: p::RegModel| s.reg_model()),
            I::Store => self.run(params, |s, r: p::Store| s.store(r.buffer, r.page)),
            I::LoadChar => self.run(params, |s, r: p::LoadChar| s.load(r.buffer, r.page)),
            I::UpChar => self.upload(params, |s, r: p::UpChar| {
                s.chars[idx(r.buffer)]
                    .clone()
                    .ok_or(Cc::UploadTemplateError)
            }),
            I::UpImage => self.upload(params, |s, _: p::UpImage| {
                s.image.clone().ok_or(Cc::UploadImageError)
            }),
            I::ReadInfPage => self.upload(params, |s, _: p::ReadInfPage| Ok(s.info_page())),
            I::DownChar => self.download(params, |_, r: p::DownChar| {
                (Target::Char(r.buffer), template::LEN)
            }),
            I::DownImage => self.download(params, |s, _: p::DownImage| {
                (Target::Image, s.config.geometry.packed_len())
            }),
            I::DeletChar => self.run(params, |s, r: p::DeletChar| s.delete(r.start, r.count)),
            I::Empty => self.run(params, |s, _: p::Empty| {
                s.library.iter_mut().for_each(|t| *t = None);
                Ok(())
            }),
            I::SetSysPara => self.set_sys_para(params),
            I::ReadSysPara => self.run(params, |s, _: p::ReadSysPara| Ok(s.sys_params())),
            I::SetPwd => self.run(params, |s, r: p::SetPwd| {
                s.config.password = r.password;
                Ok(())
            }),
            I::VfyPwd => self.run(params, |s, r: p::VfyPwd| {
                s.verified = r.password == s.config.password;
                if s.verified {
                    Ok(())
                } else {
                    Err(Cc::WrongPassword)
                }
            }),
            I::GetRandomCode => self.run(params, |s, _: p::GetRandomCode| Ok(s.next_random())),
            I::SetAdder => self.run(params, |s, r: p::SetAdder| {
                // The acknowledge already carries the new address.
                s.config.address = r.address;
                Ok(())
            }),
            I::Control => self.run(params, |_, _: p::Control| Ok(())),
            I::WriteNotepad => self.run(params, |s, r: p::WriteNotepad| {
                let page = s
                    .notepad
                    .get_mut(usize::from(r.page))
                    .ok_or(Cc::BadNotepadPage)?;
                *page = r.data;
                Ok(())
            }),
            I::ReadNotepad => self.run(params, |s, r: p::ReadNotepad| {
                s.notepad
                    .get(usize::from(r.page))
                    .copied()
                    .ok_or(Cc::BadNotepadPage)
            }),
            I::TemplateNum => self.run(params, |s, _: p::TemplateNum| Ok(s.template_count())),
            I::ReadIndexTable => self.run(params, |s, r: p::ReadIndexTable| s.index_table(r.page)),
            I::Cancel => self.run(params, |_, _: p::Cancel| Ok(())),
            I::AuraLedConfig => self.run(params, |_, _: p::AuraLedConfig| Ok(())),
            I::CheckSensor => self.run(params, |_, _: p::CheckSensor| Ok(())),
            I::HandShake => self.run(params, |_, _: p::HandShake| Ok(())),
            I::GetEcho => self.run(params, |_, _: p::GetEcho| Ok(())),
            I::GetAlgVer => self.run(params, |_, _: p::GetAlgVer| {
                Ok(b"examd-sim-hash-v1".to_vec())
            }),
            I::GetFwVer => self.run(params, |_, _: p::GetFwVer| Ok(b"examd-sim-1".to_vec())),
            I::ReadProdInfo => self.run(params, |s, _: p::ReadProdInfo| Ok(s.product_info())),
            I::SoftRst => {
                let mut out = self.run(params, |_, _: p::SoftRst| Ok(()));
                self.image = None;
                self.chars = [None, None];
                self.verified = false;
                out.push(Action::SendRaw(vec![0x55]));
                out
            }
        }
    }

    fn run<R: Request>(
        &mut self,
        params: &[u8],
        f: impl FnOnce(&mut Self, R) -> Result<R::Response, Cc>,
    ) -> Vec<Action> {
        match R::read_params(params) {
            Ok(req) => {
                let r = f(self, req);
                vec![self.ack(R::response_bytes(&r))]
            }
            Err(_) => vec![self.ack(R::response_bytes(&Err(Cc::PacketReceiveError)))],
        }
    }

    fn upload<R: Request<Response = ()>>(
        &mut self,
        params: &[u8],
        f: impl FnOnce(&mut Self, R) -> Result<Vec<u8>, Cc>,
    ) -> Vec<Action> {
        let mut data = None;
        let mut out = self.run(params, |s, r: R| f(s, r).map(|d| data = Some(d)));
        if let Some(d) = data {
            let packets = p::data_packets(self.config.address, &d, self.config.packet_size);
            out.extend(packets.into_iter().map(Action::Send));
        }
        out
    }

    fn download<R: Request<Response = ()>>(
        &mut self,
        params: &[u8],
        f: impl FnOnce(&mut Self, R) -> (Target, usize),
    ) -> Vec<Action> {
        let mut target = None;
        let out = self.run(params, |s, r: R| {
            target = Some(f(s, r));
            Ok(())
        });
        self.receiving = target.map(|(t, limit)| (t, DataCollector::new(limit)));
        out
    }

    fn gen_img(&mut self) -> Result<(), Cc> {
        let i = self.finger.ok_or(Cc::NoFinger)?;
        self.image = Some(p::pack_4bit(self.fingers[i].pixels()));
        Ok(())
    }

    fn threshold(&self) -> u16 {
        template::threshold(self.config.security.get())
    }

    fn img2tz(&mut self, b: CharBuffer) -> Result<(), Cc> {
        let img = self.image.as_ref().ok_or(Cc::NoValidImage)?;
        self.chars[idx(b)] = Some(template::extract(img).ok_or(Cc::TooFewFeatures)?);
        Ok(())
    }

    fn match_buffers(&self) -> Result<MatchScore, Cc> {
        let [Some(a), Some(b)] = &self.chars else {
            return Err(Cc::NoMatch);
        };
        let s = template::score(a, b);
        if s >= self.threshold() {
            Ok(MatchScore(s))
        } else {
            Err(Cc::NoMatch)
        }
    }

    fn search(&self, b: CharBuffer, start: TemplateSlot, count: u16) -> Result<SearchHit, Cc> {
        let probe = self.chars[idx(b)].as_ref().ok_or(Cc::NotFound)?;
        let end = usize::from(start.0)
            .saturating_add(usize::from(count))
            .min(self.library.len());
        let best = (usize::from(start.0)..end)
            .filter_map(|i| {
                self.library[i]
                    .as_ref()
                    .map(|t| (i, template::score(probe, t)))
            })
            .max_by_key(|&(i, s)| (s, std::cmp::Reverse(i)));
        match best {
            Some((i, s)) if s >= self.threshold() => Ok(SearchHit {
                slot: TemplateSlot(i as u16),
                score: MatchScore(s),
            }),
            _ => Err(Cc::NotFound),
        }
    }

    fn reg_model(&mut self) -> Result<(), Cc> {
        let [Some(a), Some(b)] = &self.chars else {
            return Err(Cc::MergeFailed);
        };
        let m = template::merge(a, b, self.threshold()).ok_or(Cc::MergeFailed)?;
        self.chars = [Some(m.clone()), Some(m)];
        Ok(())
    }

    fn store(&mut self, b: CharBuffer, page: TemplateSlot) -> Result<(), Cc> {
        let t = self.chars[idx(b)].clone();
        let slot = self
            .library
            .get_mut(usize::from(page.0))
            .ok_or(Cc::PageOutOfRange)?;
        *slot = Some(t.ok_or(Cc::ReadTemplateError)?);
        Ok(())
    }

    fn load(&mut self, b: CharBuffer, page: TemplateSlot) -> Result<(), Cc> {
        let slot = self
            .library
            .get(usize::from(page.0))
            .ok_or(Cc::PageOutOfRange)?;
        self.chars[idx(b)] = Some(slot.clone().ok_or(Cc::ReadTemplateError)?);
        Ok(())
    }

    fn delete(&mut self, start: TemplateSlot, count: u16) -> Result<(), Cc> {
        let (s, n) = (usize::from(start.0), usize::from(count));
        if s + n > self.library.len() {
            return Err(Cc::PageOutOfRange);
        }
        self.library[s..s + n].iter_mut().for_each(|t| *t = None);
        Ok(())
    }

    fn set_sys_para(&mut self, params: &[u8]) -> Vec<Action> {
        let mut change = None;
        let mut out = self.run(params, |_, r: p::SetSysPara| match r.param() {
            Some(p) => {
                change = Some(p);
                Ok(())
            }
            None if (4..=6).contains(&r.number) => Err(Cc::BadRegisterContent),
            None => Err(Cc::InvalidRegister),
        });
        // The acknowledge goes out with the old settings; the change applies afterwards.
        match change {
            Some(SysParam::Baud(b)) => {
                self.config.baud = b;
                out.push(Action::SetBaud(b));
            }
            Some(SysParam::Security(s)) => self.config.security = s,
            Some(SysParam::PacketSize(s)) => self.config.packet_size = s,
            None => {}
        }
        out
    }

    fn sys_params(&self) -> SysParams {
        let mut status = 0;
        if self.verified {
            status |= StatusRegister::PASSWORD_VERIFIED;
        }
        if self.image.is_some() {
            status |= StatusRegister::IMAGE_VALID;
        }
        SysParams {
            status: StatusRegister(status),
            system_id: 0,
            capacity: self.config.capacity,
            security: self.config.security,
            address: self.config.address,
            packet_size: self.config.packet_size,
            baud: self.config.baud,
        }
    }

    fn index_table(&self, page: u8) -> Result<[u8; 32], Cc> {
        if page > 3 {
            return Err(Cc::PageOutOfRange);
        }
        let mut bits = [0u8; 32];
        for (i, t) in self
            .library
            .iter()
            .enumerate()
            .skip(usize::from(page) * 256)
            .take(256)
        {
            if t.is_some() {
                let j = i - usize::from(page) * 256;
                bits[j / 8] |= 1 << (j % 8);
            }
        }
        Ok(bits)
    }

    /// ReadProdInfo layout (R503 manual): model 16 B, batch 4 B, serial 8 B, hardware version 2 B,
    /// sensor type 8 B, image width 2 B, height 2 B, template size 2 B, database size 2 B.
    fn product_info(&self) -> Vec<u8> {
        let mut v = b"EXAMD-SIM".to_vec();
        v.resize(16, 0);
        v.extend_from_slice(b"SIM1");
        v.extend_from_slice(b"00000001");
        v.extend_from_slice(&[1, 0]);
        let mut sensor = b"SIMULATD".to_vec();
        sensor.resize(8, 0);
        v.extend_from_slice(&sensor);
        let g = self.config.geometry;
        v.extend_from_slice(&(g.width() as u16).to_be_bytes());
        v.extend_from_slice(&(g.height() as u16).to_be_bytes());
        v.extend_from_slice(&(template::LEN as u16).to_be_bytes());
        v.extend_from_slice(&self.config.capacity.to_be_bytes());
        v
    }

    fn info_page(&self) -> Vec<u8> {
        let mut page = b"examd fp-r30x simulator".to_vec();
        page.resize(512, 0);
        page
    }

    fn next_random(&mut self) -> u32 {
        // xorshift64*: deterministic, so replays and tests repeat.
        let mut x = self.random;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }
}

fn idx(b: CharBuffer) -> usize {
    match b {
        CharBuffer::One => 0,
        CharBuffer::Two => 1,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any command bytes get at most one acknowledge (plus data for uploads) and never a panic.
        #[test]
        fn arbitrary_commands_are_answered_or_ignored(payload in prop::collection::vec(any::<u8>(), 0..40),
                                                      kind in prop::sample::select(vec![PacketKind::Command, PacketKind::Data, PacketKind::EndData, PacketKind::Ack])) {
            let g = ImageGeometry::Capacitive;
            let mut sim = Simulator::new(SimConfig { geometry: g, capacity: 20, ..SimConfig::default() }, vec![super::super::images::generate(0, g)]);
            let actions = sim.handle(Packet { address: Address::DEFAULT, kind, payload });
            let acks = actions.iter().filter(|a| matches!(a, Action::Send(p) if p.kind == PacketKind::Ack)).count();
            prop_assert!(acks <= 1);
            if kind != PacketKind::Command {
                prop_assert_eq!(acks, 0);
            }
        }
    }

    #[test]
    fn other_addresses_are_ignored_and_set_adder_answers_from_the_new_one() {
        let mut sim = Simulator::new(SimConfig::default(), vec![]);
        assert!(
            sim.handle(Packet::command(Address(7), p::TemplateNum.to_bytes()))
                .is_empty()
        );
        let out = sim.handle(Packet::command(
            Address::DEFAULT,
            p::SetAdder {
                address: Address(7),
            }
            .to_bytes(),
        ));
        assert_eq!(out, vec![Action::Send(Packet::ack(Address(7), vec![0]))]);
        let out = sim.handle(Packet::command(Address::DEFAULT, p::GenImg.to_bytes()));
        assert!(out.is_empty());
    }

    #[test]
    fn baud_change_is_acknowledged_before_it_applies() {
        let mut sim = Simulator::new(SimConfig::default(), vec![]);
        let b = BaudRate::from_bps(9600).unwrap();
        let out = sim.handle(Packet::command(
            Address::DEFAULT,
            p::SetSysPara::new(SysParam::Baud(b)).to_bytes(),
        ));
        assert_eq!(
            out,
            vec![
                Action::Send(Packet::ack(Address::DEFAULT, vec![0])),
                Action::SetBaud(b)
            ]
        );
    }
}
