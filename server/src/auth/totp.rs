//! The second factor: time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, six
//! digits, the codes every authenticator app makes) and single-use recovery codes.
//!
//! A code is accepted for the step before, the current step and the step after (a phone's clock
//! may be off by up to half a minute), and never twice: the last step a user logged in with is
//! kept, and only a later step passes (RFC 6238 §5.2).

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// The code for `secret` at `step` (RFC 4226's HOTP over the step counter).
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC takes a key of any length; this cannot happen.
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(DIGITS)
}

/// The step of a Unix time.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// Whether `input` has the shape of a code (six digits, spaces allowed as people type them).
pub fn looks_like_code(input: &str) -> bool {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS as usize && digits.chars().all(|c| c.is_ascii_digit())
}

/// The step at which `input` is `secret`'s code, within one step of `now_step` and later than
/// `last_step` (a code is never accepted twice); `None` when it is not.
pub fn accept(secret: &[u8], input: &str, now_step: i64, last_step: Option<i64>) -> Option<i64> {
    if !looks_like_code(input) {
        return None;
    }
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let given: u32 = digits.parse().ok()?;
    (now_step - 1..=now_step + 1)
        .filter(|s| last_step.is_none_or(|last| *s > last))
        .find(|s| constant_time_eq(code_at(secret, *s), given))
}

fn constant_time_eq(a: u32, b: u32) -> bool {
    (a ^ b) == 0
}

/// A new random secret (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// The secret as people type it into an authenticator app: base32 without padding.
pub fn secret_text(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// A secret read back from [`secret_text`]; `None` if it is not base32.
pub fn secret_from_text(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(text.trim().to_ascii_uppercase().as_bytes())
        .ok()
}

/// The `otpauth://` address an authenticator app reads (from a QR code or typed).
pub fn otpauth_uri(username: &str, secret: &[u8]) -> String {
    let label = percent(&format!("Oversight:{username}"));
    format!(
        "otpauth://totp/{label}?secret={}&issuer=Oversight&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        secret_text(secret)
    )
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// New recovery codes: ten groups like `k3m9x-p2q7r` (50 random bits each, no look-alike letters).
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut s = String::with_capacity(11);
            for i in 0..10 {
                if i == 5 {
                    s.push('-');
                }
                s.push(ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char);
            }
            s
        })
        .collect()
}

/// A recovery code as stored and compared: lower case, without spaces or dashes.
pub fn normalize_recovery(input: &str) -> String {
    input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The demo accounts' secrets: public by design (the README lists them), so that a person trying
/// the demo can add them to an authenticator app and the end-to-end tests can log in.
pub fn demo_secret(username: &str) -> Vec<u8> {
    format!("oversight-demo-{username}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1), six digits of each eight-digit value.
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, expected) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code_at(secret, step_of(t)), expected % 1_000_000, "t = {t}");
        }
    }

    #[test]
    fn a_code_passes_within_one_step_and_never_twice() {
        let secret = b"12345678901234567890";
        let now = step_of(1234567890);
        let code = |s: i64| format!("{:06}", code_at(secret, s));
        assert_eq!(accept(secret, &code(now), now, None), Some(now));
        assert_eq!(accept(secret, &code(now - 1), now, None), Some(now - 1));
        assert_eq!(accept(secret, &code(now + 1), now, None), Some(now + 1));
        assert_eq!(accept(secret, &code(now - 2), now, None), None);
        assert_eq!(accept(secret, &code(now + 2), now, None), None);
        // Replayed: the step was used already.
        assert_eq!(accept(secret, &code(now), now, Some(now)), None);
        assert_eq!(
            accept(secret, &code(now + 1), now, Some(now)),
            Some(now + 1)
        );
        // As people type it.
        let spaced = format!("{} {}", &code(now)[..3], &code(now)[3..]);
        assert_eq!(accept(secret, &spaced, now, None), Some(now));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(accept(secret, bad, now, None), None, "{bad}");
        }
    }

    #[test]
    fn secrets_and_recovery_codes_have_their_shapes() {
        let secret = new_secret();
        assert_eq!(secret.len(), 20);
        assert_eq!(
            secret_from_text(&secret_text(&secret)),
            Some(secret.clone())
        );
        assert_eq!(
            secret_from_text(&secret_text(&secret).to_lowercase()),
            Some(secret.clone())
        );
        let uri = otpauth_uri("lãnh đạo", &secret);
        assert!(
            uri.starts_with("otpauth://totp/Oversight%3Al%C3%A3nh%20"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={}", secret_text(&secret))));
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(&c[5..6], "-");
            assert_eq!(normalize_recovery(&c.to_uppercase()).len(), 10);
            assert!(!looks_like_code(c));
        }
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
    }
}
