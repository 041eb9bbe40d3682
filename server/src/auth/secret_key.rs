//! The key that seals the authenticator secrets at rest (`app_user.totp_secret` and
//! `totp_pending`): ChaCha20-Poly1305 (ring's AEAD), a fresh random nonce per value, stored as
//! `v1:` and the base64 of nonce, ciphertext and tag. Whoever reads the database (a dump, a
//! backup, a replica) cannot make codes without the key, which is kept outside it:
//! `OVERSIGHT_SECRET_KEY` (64 hex digits), else `$OVERSIGHT_DATA_DIR/secret.key` (32 random
//! bytes, made with mode 0600 on first use). Losing the key loses the secrets: their owners get a
//! new app (`oversight user totp`).
//!
//! One key per process ([`install`], at start, by `main` and by [`crate::testing`]); clear
//! secrets left by an older version are sealed at start ([`seal_clear_secrets`]).

use anyhow::{Context, bail};
use base64::Engine;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use std::path::Path;
use std::sync::OnceLock;

/// The environment variable that may hold the key (64 hex digits).
pub const ENV: &str = "OVERSIGHT_SECRET_KEY";
/// The key's file in the data directory, when the variable is not set.
pub const FILE: &str = "secret.key";
/// What a sealed value starts with (the format's version).
pub const PREFIX: &str = "v1:";
/// Binds a sealed value to its use: a value sealed for anything else does not open as one.
const AAD: &[u8] = b"oversight authenticator secret";

/// A loaded key.
pub struct SecretKey(LessSafeKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// The key of these 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> SecretKey {
        // 32 bytes is ChaCha20-Poly1305's key length: `new` cannot fail.
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, bytes)
            .unwrap_or_else(|_| unreachable!("a 32-byte key"));
        SecretKey(LessSafeKey::new(unbound))
    }

    /// The key written as 64 hex digits (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> anyhow::Result<SecretKey> {
        let bytes = hex::decode(text.trim()).context("not hex digits")?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| anyhow::anyhow!("{} bytes, not 32", b.len()))?;
        Ok(SecretKey::from_bytes(&bytes))
    }

    /// [`ENV`] if set, else [`FILE`] in `data_dir`, made (mode 0600) when missing.
    pub fn load(data_dir: &Path) -> anyhow::Result<SecretKey> {
        if let Some(text) = std::env::var(ENV).ok().filter(|s| !s.trim().is_empty()) {
            return SecretKey::from_hex(&text).with_context(|| format!("{ENV}: use 64 hex digits"));
        }
        let path = data_dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => SecretKey::from_hex(&text)
                .with_context(|| format!("{}: use 64 hex digits", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)
                    .with_context(|| format!("creating {}", data_dir.display()))?;
                let bytes = new_key_bytes();
                write_private(&path, &hex::encode(bytes))?;
                tracing::info!(path = %path.display(), "a new key for the authenticator secrets");
                Ok(SecretKey::from_bytes(&bytes))
            }
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// `plain` sealed: [`PREFIX`] and the base64 of a random nonce, the ciphertext and its tag.
    pub fn seal(&self, plain: &[u8]) -> String {
        use rand::RngCore;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut data = plain.to_vec();
        // Sealing fails only for inputs beyond 256 GB.
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(AAD),
                &mut data,
            )
            .unwrap_or_else(|_| unreachable!("a short value seals"));
        let mut out = nonce.to_vec();
        out.extend_from_slice(&data);
        format!(
            "{PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(out)
        )
    }

    /// What [`seal`](Self::seal) sealed, or `None` when `sealed` is not a value sealed with this
    /// key (another key, altered, or not sealed at all).
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(sealed.strip_prefix(PREFIX)?)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(AAD), &mut data)
            .ok()?;
        Some(plain.to_vec())
    }
}

fn new_key_bytes() -> [u8; 32] {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// Writes a new file readable by its owner only (it must not exist: never replace a key).
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(format!("{text}\n").as_bytes())?;
    file.sync_all()?;
    Ok(())
}

static KEY: OnceLock<SecretKey> = OnceLock::new();

/// Makes `key` this process's key; the first one installed stays (a second call keeps it and
/// fails if the key differs, so two keys can never be mixed in one process).
pub fn install(key: SecretKey) -> anyhow::Result<&'static SecretKey> {
    let probe = key.seal(b"probe");
    let kept = KEY.get_or_init(|| key);
    if kept.open(&probe).is_none() {
        bail!("another key for the authenticator secrets is installed already");
    }
    Ok(kept)
}

/// This process's key (an error before [`install`]).
pub fn current() -> Result<&'static SecretKey, sqlx::Error> {
    KEY.get().ok_or_else(|| {
        sqlx::Error::Configuration("the key for the authenticator secrets is not loaded".into())
    })
}

/// A secret as stored: sealed with this process's key.
pub fn seal_secret(secret: &[u8]) -> Result<String, sqlx::Error> {
    Ok(current()?.seal(secret))
}

/// A stored secret, opened; `None` (and an error logged) when this key does not open it.
pub fn open_secret(stored: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let opened = current()?.open(stored);
    if opened.is_none() {
        tracing::error!(
            "an authenticator secret does not open with this key ({ENV} or {FILE} changed?); \
             its owner needs a new app: oversight user totp"
        );
    }
    Ok(opened)
}

/// Seals the secrets stored in clear (base32, before this key existed); the values sealed.
pub async fn seal_clear_secrets(pool: &sqlx::PgPool) -> anyhow::Result<u64> {
    let key = current()?;
    let mut tx = pool.begin().await?;
    let rows: Vec<(i64, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, totp_secret, totp_pending FROM app_user
         WHERE left(totp_secret, 3) <> $1 OR left(totp_pending, 3) <> $1
         FOR UPDATE",
    )
    .bind(PREFIX)
    .fetch_all(&mut *tx)
    .await?;
    let mut sealed = 0;
    let clear = |v: &Option<String>| -> Option<Option<String>> {
        let v = v.as_deref()?;
        if v.starts_with(PREFIX) {
            return None;
        }
        Some(crate::auth::totp::secret_from_text(v).map(|s| key.seal(&s)))
    };
    for (id, secret, pending) in &rows {
        for (column, value) in [
            ("totp_secret", clear(secret)),
            ("totp_pending", clear(pending)),
        ] {
            match value {
                None => {}
                Some(Some(value)) => {
                    sqlx::query(&format!("UPDATE app_user SET {column} = $2 WHERE id = $1"))
                        .bind(id)
                        .bind(value)
                        .execute(&mut *tx)
                        .await?;
                    sealed += 1;
                }
                Some(None) => {
                    tracing::warn!(
                        user = id,
                        column,
                        "a stored secret is not base32: left as it is"
                    )
                }
            }
        }
    }
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(
            sealed,
            "authenticator secrets stored in clear are now sealed"
        );
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only_and_never_shows_in_clear() {
        let key = SecretKey::from_bytes(&[7; 32]);
        let secret = b"oversight-demo-admin";
        let sealed = key.seal(secret);
        assert!(sealed.starts_with("v1:"), "{sealed}");
        // 12-byte nonce, 20 bytes, 16-byte tag: 48 bytes, 64 base64 digits.
        assert_eq!(sealed.len(), 3 + 64);
        assert!(!sealed.contains(&crate::auth::totp::secret_text(secret)));
        assert_eq!(key.open(&sealed).as_deref(), Some(&secret[..]));
        // A fresh nonce each time.
        assert_ne!(key.seal(secret), sealed);
        // Another key, an altered value, a clear value: nothing.
        assert_eq!(SecretKey::from_bytes(&[8; 32]).open(&sealed), None);
        let mut altered = sealed.clone().into_bytes();
        altered[10] = if altered[10] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open(&String::from_utf8(altered).unwrap()), None);
        assert_eq!(key.open("N53GK4TTNFTWQ5BNMRSW23ZNMFSG22LO"), None);
        assert_eq!(key.open("v1:"), None);
    }

    #[test]
    fn the_key_file_is_made_once_readable_by_its_owner_only_and_read_again() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("oversight-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // (The variable would take precedence; the tests never set it.)
        assert!(std::env::var(ENV).is_err());
        let first = SecretKey::load(&dir).unwrap();
        let mode = std::fs::metadata(dir.join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
        assert_eq!(text.trim().len(), 64);
        let again = SecretKey::load(&dir).unwrap();
        assert_eq!(again.open(&first.seal(b"x")).as_deref(), Some(&b"x"[..]));
        std::fs::write(dir.join(FILE), "not a key").unwrap();
        let e = SecretKey::load(&dir).unwrap_err().to_string();
        assert!(e.contains("secret.key: use 64 hex digits"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_key_in_hex_is_32_bytes() {
        assert!(SecretKey::from_hex(&"ab".repeat(32)).is_ok());
        let e = SecretKey::from_hex(&"ab".repeat(31))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "31 bytes, not 32");
        assert!(SecretKey::from_hex("zz").is_err());
    }
}
