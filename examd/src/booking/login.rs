//! Candidates identify before they book: ID number plus a one-time code sent to the phone
//! registered with the application (what the national 12123 service does with SMS codes).
//!
//! * The code is 6 digits from the system random source, valid 5 minutes, at most 5 tries,
//!   one new code per minute per candidate; only its SHA-256 is held.
//! * The session is a random token in an `HttpOnly` cookie, valid 30 minutes; only its
//!   SHA-256 is held.
//! * There is no SMS gateway at the site: codes go to an outbox ([`Logins::outbox`]) that an
//!   SMS gateway drains; the admin page shows it for the demo and tests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use booking::CandidateId;
use model::UnixMs;
use ring::rand::{SecureRandom, SystemRandom};

/// How long a code is valid.
pub const CODE_TTL_MS: i64 = 5 * 60_000;
/// Tries per code.
pub const CODE_TRIES: u32 = 5;
/// Minimum time between two codes for one candidate.
pub const RESEND_MS: i64 = 60_000;
/// How long a login lasts.
pub const SESSION_TTL_MS: i64 = 30 * 60_000;
/// The booking session cookie.
pub const COOKIE: &str = "examd_booking";

#[derive(Debug)]
struct Pending {
    sha256: String,
    issued: UnixMs,
    tries: u32,
}

/// A code waiting to be sent by SMS.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutMsg {
    /// The candidate (masked).
    pub to: String,
    /// The full ID number (for the gateway's lookup of the phone).
    pub candidate: String,
    /// The code.
    pub code: String,
    /// When.
    pub at: i64,
}

/// Why a login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// A new code was asked for too soon.
    #[error("a code was sent less than a minute ago; wait before asking again")]
    TooSoon,
    /// No code, expired, or wrong.
    #[error("the code is wrong or expired")]
    BadCode,
    /// Too many wrong tries.
    #[error("too many wrong codes; ask for a new one")]
    Locked,
}

/// Codes and sessions.
#[derive(Debug, Default)]
pub struct Logins {
    codes: Mutex<HashMap<CandidateId, Pending>>,
    sessions: Mutex<HashMap<String, (CandidateId, UnixMs)>>,
    outbox: Mutex<VecDeque<OutMsg>>,
}

fn sha(s: &str) -> String {
    audit::sha256(&[s.as_bytes()]).to_hex()
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |x, (p, q)| x | (p ^ q)) == 0
}

fn six_digits() -> String {
    let rng = SystemRandom::new();
    loop {
        let mut b = [0u8; 4];
        rng.fill(&mut b).expect("the system random source works");
        let v = u32::from_le_bytes(b);
        // Reject the top sliver so every code is equally likely.
        if v < 4_294_000_000 {
            return format!("{:06}", v % 1_000_000);
        }
    }
}

impl Logins {
    /// Issues a code for a registered candidate and queues it for sending.
    pub fn issue(&self, who: &CandidateId, now: UnixMs) -> Result<(), LoginError> {
        let mut codes = self.codes.lock().expect("codes lock");
        if let Some(p) = codes.get(who)
            && now.0 - p.issued.0 < RESEND_MS
        {
            return Err(LoginError::TooSoon);
        }
        let code = six_digits();
        codes.insert(
            who.clone(),
            Pending {
                sha256: sha(&code),
                issued: now,
                tries: 0,
            },
        );
        let mut out = self.outbox.lock().expect("outbox lock");
        if out.len() >= 10_000 {
            out.pop_front();
        }
        out.push_back(OutMsg {
            to: who.masked(),
            candidate: who.to_string(),
            code,
            at: now.0,
        });
        Ok(())
    }

    /// Checks a code; on success returns a new session token.
    pub fn redeem(&self, who: &CandidateId, code: &str, now: UnixMs) -> Result<String, LoginError> {
        let mut codes = self.codes.lock().expect("codes lock");
        let p = codes.get_mut(who).ok_or(LoginError::BadCode)?;
        if p.tries >= CODE_TRIES {
            return Err(LoginError::Locked);
        }
        if now.0 - p.issued.0 > CODE_TTL_MS {
            codes.remove(who);
            return Err(LoginError::BadCode);
        }
        if !same(&sha(code.trim()), &p.sha256) {
            p.tries += 1;
            return Err(if p.tries >= CODE_TRIES {
                LoginError::Locked
            } else {
                LoginError::BadCode
            });
        }
        codes.remove(who);
        let token = crate::auth::new_secret();
        let mut s = self.sessions.lock().expect("sessions lock");
        s.retain(|_, (_, exp)| exp.0 > now.0);
        s.insert(sha(&token), (who.clone(), UnixMs(now.0 + SESSION_TTL_MS)));
        Ok(token)
    }

    /// The candidate a session token belongs to, if it is live.
    pub fn who(&self, token: &str, now: UnixMs) -> Option<CandidateId> {
        let s = self.sessions.lock().expect("sessions lock");
        s.get(&sha(token))
            .filter(|(_, exp)| exp.0 > now.0)
            .map(|(c, _)| c.clone())
    }

    /// Ends a session.
    pub fn logout(&self, token: &str) {
        self.sessions
            .lock()
            .expect("sessions lock")
            .remove(&sha(token));
    }

    /// Codes waiting for the SMS gateway, newest last.
    pub fn outbox(&self) -> Vec<OutMsg> {
        self.outbox
            .lock()
            .expect("outbox lock")
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_logs_in_once_and_expires() {
        let l = Logins::default();
        let c = CandidateId::synthetic(1);
        l.issue(&c, UnixMs(0)).unwrap();
        assert_eq!(l.issue(&c, UnixMs(1000)), Err(LoginError::TooSoon));
        let code = l.outbox().last().unwrap().code.clone();
        assert_eq!(code.len(), 6);
        let token = l.redeem(&c, &code, UnixMs(2000)).unwrap();
        assert_eq!(l.who(&token, UnixMs(3000)), Some(c.clone()));
        assert_eq!(l.who(&token, UnixMs(2000 + SESSION_TTL_MS)), None);
        assert_eq!(l.redeem(&c, &code, UnixMs(2500)), Err(LoginError::BadCode));
        l.issue(&c, UnixMs(100_000)).unwrap();
        let code = l.outbox().last().unwrap().code.clone();
        assert_eq!(
            l.redeem(&c, &code, UnixMs(100_000 + CODE_TTL_MS + 1)),
            Err(LoginError::BadCode)
        );
    }

    #[test]
    fn five_wrong_codes_lock() {
        let l = Logins::default();
        let c = CandidateId::synthetic(2);
        l.issue(&c, UnixMs(0)).unwrap();
        let code = l.outbox().last().unwrap().code.clone();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..4 {
            assert_eq!(l.redeem(&c, wrong, UnixMs(1)), Err(LoginError::BadCode));
        }
        assert_eq!(l.redeem(&c, wrong, UnixMs(1)), Err(LoginError::Locked));
        assert_eq!(l.redeem(&c, &code, UnixMs(1)), Err(LoginError::Locked));
    }
}
