//! A big-endian byte reader whose every read names the field it reads.

use super::error::{TemplateError, TemplateErrorKind};

/// Reads big-endian integers from a byte slice, failing with the field name when input runs out.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], TemplateError> {
        if self.remaining() < n {
            return Err(TemplateError::new(TemplateErrorKind::Truncated, field));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn u8(&mut self, field: &str) -> Result<u8, TemplateError> {
        Ok(self.take(1, field)?[0])
    }

    pub(crate) fn u16(&mut self, field: &str) -> Result<u16, TemplateError> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self, field: &str) -> Result<u32, TemplateError> {
        let b = self.take(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Fails with `Invalid` naming `field` unless `ok`.
pub(crate) fn ensure(ok: bool, field: &str) -> Result<(), TemplateError> {
    if ok {
        Ok(())
    } else {
        Err(TemplateError::new(TemplateErrorKind::Invalid, field))
    }
}
