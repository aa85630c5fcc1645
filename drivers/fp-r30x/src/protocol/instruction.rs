//! Instruction codes (byte 0 of a command packet's payload), `specs/hardware.md` §1.3.

macro_rules! instructions {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal;)*) => {
        /// An instruction code this driver knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Instruction {
            $($(#[doc = $doc])* $name,)*
        }

        impl Instruction {
            /// The wire byte.
            pub fn to_byte(self) -> u8 {
                match self {
                    $(Self::$name => $code,)*
                }
            }
            /// Parses a wire byte.
            pub fn from_byte(b: u8) -> Option<Self> {
                match b {
                    $($code => Some(Self::$name),)*
                    _ => None,
                }
            }
        }
    };
}

instructions! {
    /// 0x01: take an image into the image buffer.
    GenImg = 0x01;
    /// 0x02: extract features from the image buffer into a character buffer.
    Img2Tz = 0x02;
    /// 0x03: compare the two character buffers.
    Match = 0x03;
    /// 0x04: search the library for a character buffer.
    Search = 0x04;
    /// 0x05: merge both character buffers into a template.
    RegModel = 0x05;
    /// 0x06: store a character buffer in the library.
    Store = 0x06;
    /// 0x07: load a library template into a character buffer.
    LoadChar = 0x07;
    /// 0x08: upload a character buffer to the host.
    UpChar = 0x08;
    /// 0x09: download a character buffer from the host.
    DownChar = 0x09;
    /// 0x0A: upload the image buffer to the host.
    UpImage = 0x0A;
    /// 0x0B: download an image from the host.
    DownImage = 0x0B;
    /// 0x0C: delete library templates.
    DeletChar = 0x0C;
    /// 0x0D: empty the library.
    Empty = 0x0D;
    /// 0x0E: set a system parameter.
    SetSysPara = 0x0E;
    /// 0x0F: read the system parameters.
    ReadSysPara = 0x0F;
    /// 0x12: set the password.
    SetPwd = 0x12;
    /// 0x13: verify the password.
    VfyPwd = 0x13;
    /// 0x14: get a random number.
    GetRandomCode = 0x14;
    /// 0x15: set the module address.
    SetAdder = 0x15;
    /// 0x16: read the information page (512 bytes as data packets).
    ReadInfPage = 0x16;
    /// 0x17: port control (on/off).
    Control = 0x17;
    /// 0x18: write a notepad page.
    WriteNotepad = 0x18;
    /// 0x19: read a notepad page.
    ReadNotepad = 0x19;
    /// 0x1B: high-speed search.
    HighSpeedSearch = 0x1B;
    /// 0x1D: count stored templates.
    TemplateNum = 0x1D;
    /// 0x1F: read the library index table.
    ReadIndexTable = 0x1F;
    /// 0x28: take an image, with a quality check (R503).
    GetImageEx = 0x28;
    /// 0x30: cancel (R503, AS608 `PS_Cancle`).
    Cancel = 0x30;
    /// 0x35: Aura LED control (R503 only; other firmware uses 0x35 for `PS_HandShake`).
    AuraLedConfig = 0x35;
    /// 0x36: sensor self-check (R503).
    CheckSensor = 0x36;
    /// 0x39: algorithm library version (R503).
    GetAlgVer = 0x39;
    /// 0x3A: firmware version (R503).
    GetFwVer = 0x3A;
    /// 0x3C: product information (R503).
    ReadProdInfo = 0x3C;
    /// 0x3D: soft reset (R503); the module then sends 0x55.
    SoftRst = 0x3D;
    /// 0x40: handshake (R503).
    HandShake = 0x40;
    /// 0x53: echo (answers 0x55).
    GetEcho = 0x53;
}
