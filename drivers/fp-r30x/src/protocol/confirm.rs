//! Confirmation codes: the module's answer in byte 0 of every acknowledge packet.

macro_rules! confirmation_codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal, $text:literal;)*) => {
        /// A non-OK confirmation code: the module received the command and refused or failed it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ConfirmationCode {
            $($(#[doc = $doc])* $name,)*
            /// A code this driver does not know.
            Unknown(u8),
        }

        impl ConfirmationCode {
            /// The wire byte.
            pub fn to_byte(self) -> u8 {
                match self {
                    $(Self::$name => $code,)*
                    Self::Unknown(b) => b,
                }
            }
            /// Parses a wire byte; `None` for 0x00 (OK), which is not an error.
            pub fn from_byte(b: u8) -> Option<Self> {
                match b {
                    0x00 => None,
                    $($code => Some(Self::$name),)*
                    other => Some(Self::Unknown(other)),
                }
            }
            /// What the datasheets say the code means.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Self::$name => $text,)*
                    Self::Unknown(_) => "unknown confirmation code",
                }
            }
        }
    };
}

confirmation_codes! {
    /// 0x01: the module could not receive the packet.
    PacketReceiveError = 0x01, "packet receive error";
    /// 0x02: no finger on the sensor.
    NoFinger = 0x02, "no finger on the sensor";
    /// 0x03: the image could not be taken (or enrolment failed).
    CaptureFailed = 0x03, "failed to capture the image";
    /// 0x04: image too dry or faint (AS608).
    TooDry = 0x04, "image too dry or faint";
    /// 0x05: image too wet or blurred (AS608).
    TooWet = 0x05, "image too wet or blurred";
    /// 0x06: image too disorderly to extract features.
    TooDisorderly = 0x06, "image too disorderly";
    /// 0x07: too few feature points, or the image is too small.
    TooFewFeatures = 0x07, "too few feature points";
    /// 0x08: the two buffers do not match (Match).
    NoMatch = 0x08, "fingers do not match";
    /// 0x09: no library template matched (Search).
    NotFound = 0x09, "no matching template in the library";
    /// 0x0A: the two buffers could not be merged (RegModel).
    MergeFailed = 0x0A, "failed to merge the character files";
    /// 0x0B: the page id is outside the library.
    PageOutOfRange = 0x0B, "page id out of range";
    /// 0x0C: the stored template could not be read, or is invalid.
    ReadTemplateError = 0x0C, "error reading the template";
    /// 0x0D: the template could not be uploaded.
    UploadTemplateError = 0x0D, "error uploading the template";
    /// 0x0E: the module could not receive the following data packets.
    CannotReceiveData = 0x0E, "cannot receive the following data packets";
    /// 0x0F: the image could not be uploaded.
    UploadImageError = 0x0F, "error uploading the image";
    /// 0x10: the template could not be deleted.
    DeleteFailed = 0x10, "failed to delete the template";
    /// 0x11: the library could not be cleared.
    ClearFailed = 0x11, "failed to clear the library";
    /// 0x13: wrong password.
    WrongPassword = 0x13, "wrong password";
    /// 0x15: no valid image in the image buffer.
    NoValidImage = 0x15, "no valid image in the buffer";
    /// 0x18: flash write error.
    FlashError = 0x18, "flash write error";
    /// 0x19: undefined error.
    Undefined = 0x19, "undefined error";
    /// 0x1A: invalid register number.
    InvalidRegister = 0x1A, "invalid register number";
    /// 0x1B: bad register content.
    BadRegisterContent = 0x1B, "bad register content";
    /// 0x1C: bad notepad page number.
    BadNotepadPage = 0x1C, "bad notepad page";
    /// 0x1D: port operation failed.
    PortFailed = 0x1D, "port operation failed";
    /// 0x1E: automatic enrolment failed.
    AutoEnrollFailed = 0x1E, "automatic enrolment failed";
    /// 0x1F: the library is full.
    LibraryFull = 0x1F, "the library is full";
    /// 0x20: wrong address.
    WrongAddress = 0x20, "wrong address";
    /// 0x21: the password must be verified first.
    MustVerifyPassword = 0x21, "password must be verified first";
    /// 0x29: the sensor is abnormal (R503 CheckSensor).
    SensorAbnormal = 0x29, "sensor abnormal";
}

impl std::fmt::Display for ConfirmationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({:#04x})", self.meaning(), self.to_byte())
    }
}

impl std::error::Error for ConfirmationCode {}

impl hw::DeviceStatus for ConfirmationCode {
    fn code(&self) -> u32 {
        u32::from(self.to_byte())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        assert_eq!(ConfirmationCode::from_byte(0), None);
        for b in 1..=255u8 {
            assert_eq!(ConfirmationCode::from_byte(b).unwrap().to_byte(), b);
        }
        assert_eq!(
            ConfirmationCode::from_byte(0x09),
            Some(ConfirmationCode::NotFound)
        );
        assert_eq!(
            ConfirmationCode::NotFound.to_string(),
            "no matching template in the library (0x09)"
        );
    }
}
