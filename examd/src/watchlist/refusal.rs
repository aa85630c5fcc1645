//! A refused watch-list request, named in both languages: the page shows the one it is read in, the API
//! answers both (`message` in Chinese, `message_en` in English) like every other refusal of the daemon.

use std::fmt;

/// What was wrong, in Chinese and in English. `Display` is the English text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Refusal {
    /// A refusal from its two texts.
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Refusal {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_its_english_text() {
        let r = Refusal::new("移除须填写原因", "removing an entry needs a reason");
        assert_eq!(r.to_string(), "removing an entry needs a reason");
        assert_eq!(r.zh, "移除须填写原因");
    }
}
